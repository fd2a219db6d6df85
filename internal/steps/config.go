package steps

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/mailwizard/mailwizard/internal/mtasts"
	"github.com/mailwizard/mailwizard/internal/verify"
)

// Defaults and limits of a Config.
const (
	// DefaultTTL is the TTL of the records to publish when none is given.
	DefaultTTL uint32 = 3600
	// MinTTL and MaxTTL bound the TTL: most providers refuse less than 60 s,
	// and a week is long enough that a mistake would linger.
	MinTTL uint32 = 60
	MaxTTL uint32 = 604800
)

// DefaultDNSBL is the default blocklist list: lists that can be queried
// without a paid account. Spamhaus ZEN is what most receivers use and is
// free for small, non-commercial volumes; SpamCop, PSBL and Mailspike are
// free to query. Barracuda is left out because it needs the querying
// resolver registered, and UCEPROTECT because its wider levels list whole
// provider ranges (and delisting is paid).
func DefaultDNSBL() []string {
	return []string{
		"zen.spamhaus.org.",
		"bl.spamcop.net.",
		"psbl.surriel.com.",
		"bl.mailspike.net.",
	}
}

// DefaultServices are the services offered to mail clients when none are
// given: RFC 8314 recommends implicit TLS, plus STARTTLS submission, which
// many clients still try first.
func DefaultServices() []string {
	return []string{ServiceSubmission, ServiceSubmissions, ServiceIMAPS}
}

// ValidationError lists every problem Normalize found.
type ValidationError struct {
	Problems []FieldError
}

// Error joins the problems: "domain: is empty; ip: …".
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Error()
	}
	return strings.Join(parts, "; ")
}

// problems collects FieldErrors in the order the fields are checked.
type problems []FieldError

func (p *problems) add(field, format string, args ...any) {
	*p = append(*p, FieldError{Field: field, Problem: fmt.Sprintf(format, args...)})
}

// Normalize fills defaults (host, DMARC policy and address, services, DNSBL
// list, MTA-STS mode, TLS-RPT address, TTL), converts names to absolute
// punycode, loads the DKIM public key from DKIMKeyFile or
// DKIMPublicKeyFile and the certificate chain from TLSCertFile through
// readFile, and validates every field. It returns a *ValidationError naming each bad field.
func (c *Config) Normalize(readFile func(name string) ([]byte, error)) error {
	var p problems
	c.normalizeNames(&p)
	c.normalizeIPs(&p)
	c.normalizeDKIM(&p, readFile)
	c.normalizeDMARC(&p)
	c.normalizeSPF(&p)
	c.normalizeServices(&p)
	c.normalizeDNSBL(&p)
	c.normalizeMTASTS(&p)
	c.normalizeTLSRPT(&p)
	c.normalizeTLSCert(&p, readFile)
	c.normalizeTTL(&p)
	c.normalizeSkip(&p)
	c.Provider = strings.ToLower(strings.TrimSpace(c.Provider))
	if len(p) > 0 {
		return &ValidationError{Problems: p}
	}
	return nil
}

// normalizeNames checks the domain and the mail host. A host without a dot
// is taken as relative to the domain ("mail" → mail.example.com.).
func (c *Config) normalizeNames(p *problems) {
	domain, err := parseName(c.Domain, nameRules{needDot: true})
	switch {
	case err != nil && strings.TrimSpace(c.Domain) == "":
		p.add("domain", "is missing: give the mail domain, the part after the @ of your addresses (for example example.com)")
	case err != nil:
		p.add("domain", "%q %v", clip(c.Domain), err)
	default:
		c.Domain = domain
	}
	host := strings.TrimSpace(c.Host)
	switch {
	case host == "" && c.DomainOnly:
		c.Host = "" // unknown: the steps that need it are skipped
	case host == "" && err == nil:
		c.Host = "mail." + c.Domain
	case host == "":
		// The domain's own problem says it all.
	case !strings.Contains(strings.TrimSuffix(host, "."), ".") && err == nil:
		c.Host, err = parseName(host+"."+c.Domain, nameRules{})
		if err != nil {
			p.add("host", "%q %v", clip(host), err)
		}
	default:
		name, err := parseName(host, nameRules{needDot: true})
		if err != nil {
			p.add("host", "%q %v", clip(host), err)
			return
		}
		c.Host = name
	}
}

// normalizeIPs checks the server addresses: at least one (none in a
// DomainOnly Config), no zones, no unspecified or multicast addresses, no
// duplicates. IPv4-mapped IPv6
// addresses become IPv4.
func (c *Config) normalizeIPs(p *problems) {
	if len(c.IPs) == 0 {
		if !c.DomainOnly {
			p.add("ip", "at least one public address of the mail server is needed")
		}
		return
	}
	var ips []netip.Addr
	for _, ip := range c.IPs {
		switch {
		case !ip.IsValid():
			p.add("ip", "an empty address was given")
			continue
		case ip.Zone() != "":
			p.add("ip", "%s has a zone (%%%s); give the public address without it", ip, ip.Zone())
			continue
		}
		ip = ip.Unmap()
		switch {
		case ip.IsUnspecified():
			p.add("ip", "%s is the unspecified address, not a server's address", ip)
		case ip.IsMulticast():
			p.add("ip", "%s is a multicast address, not a server's address", ip)
		case !slices.Contains(ips, ip):
			ips = append(ips, ip)
		}
	}
	c.IPs = ips
}

// normalizeDMARC checks the policy and the report address (with or
// without mailto:).
func (c *Config) normalizeDMARC(p *problems) {
	c.DMARCPolicy = strings.ToLower(strings.TrimSpace(c.DMARCPolicy))
	switch c.DMARCPolicy {
	case "":
		c.DMARCPolicy = DMARCNone
	case DMARCNone, DMARCQuarantine, DMARCReject:
	default:
		p.add("dmarc-policy", "%q is not a DMARC policy; use none, quarantine or reject", clip(c.DMARCPolicy))
	}
	rua := strings.TrimSpace(c.DMARCRUA)
	if rua == "" {
		if strings.HasSuffix(c.Domain, ".") {
			c.DMARCRUA = "dmarc-reports@" + strings.TrimSuffix(c.Domain, ".")
		}
		return
	}
	addr, err := parseAddress(rua)
	if err != nil {
		p.add("dmarc-rua", "%q %v", clip(c.DMARCRUA), err)
		return
	}
	c.DMARCRUA = addr
}

// maxLocalPart is the longest local part of a mail address, in octets.
const maxLocalPart = 64

// parseAddress checks a mail address for a DMARC rua= URI and returns it
// without mailto:, its domain in punycode.
func parseAddress(typed string) (string, error) {
	s := trimPrefixFold(typed, "mailto:")
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return "", fmt.Errorf("is not a mail address: it needs the form name@example.com")
	}
	local := s[:at]
	// RFC 5321 §4.5.3.1.1: a local part has at most 64 octets.
	if len(local) > maxLocalPart {
		return "", fmt.Errorf("is not a usable report address: the part before @ has %d characters; it can have at most %d", len(local), maxLocalPart)
	}
	for _, r := range local {
		if r <= ' ' || r >= 0x7f || strings.ContainsRune(`,;!"<>()[]\`, r) {
			return "", fmt.Errorf("is not a usable report address: %q is not allowed before the @", r)
		}
	}
	domain, err := parseName(s[at+1:], nameRules{needDot: true})
	if err != nil {
		return "", fmt.Errorf("is not a usable report address: the part after @ %w", err)
	}
	return local + "@" + strings.TrimSuffix(domain, "."), nil
}

// normalizeSPF checks the extra include: domains (an "include:" typed in
// front is dropped) and the extra sending prefixes.
func (c *Config) normalizeSPF(p *problems) {
	c.SPFIncludes = p.names("spf-include", "include:", c.SPFIncludes, nil)
	var prefixes []netip.Prefix
	for _, pfx := range c.SPFIPs {
		if !pfx.IsValid() || pfx.Addr().Zone() != "" {
			p.add("spf-ip", "%s is not an address or prefix", pfx)
			continue
		}
		pfx = netip.PrefixFrom(pfx.Addr().Unmap(), min(pfx.Bits(), pfx.Addr().Unmap().BitLen())).Masked()
		if !slices.Contains(prefixes, pfx) {
			prefixes = append(prefixes, pfx)
		}
	}
	c.SPFIPs = prefixes
}

// normalizeServices checks the service names and puts them in the
// canonical order. nil means the default; an empty slice offers none.
func (c *Config) normalizeServices(p *problems) {
	if c.Services == nil {
		c.Services = DefaultServices()
		return
	}
	offered := make(map[string]bool)
	for _, s := range c.Services {
		name := strings.ToLower(strings.TrimSpace(s))
		if _, ok := lookupService(name); !ok {
			p.add("services", "%q is not a service mailwizard knows; use %s", clip(s), strings.Join(serviceNames(), ", "))
			continue
		}
		offered[name] = true
	}
	services := []string{}
	for _, svc := range mailServices() {
		if offered[svc.name] {
			services = append(services, svc.name)
		}
	}
	c.Services = services
}

// normalizeDNSBL checks the blocklist zones. nil means the default list;
// an empty slice disables the check.
func (c *Config) normalizeDNSBL(p *problems) {
	if c.DNSBL == nil {
		c.DNSBL = DefaultDNSBL()
		return
	}
	c.DNSBL = p.names("dnsbl", "", c.DNSBL, []string{})
}

// names appends to out the names a person typed (service labels such as
// _spf allowed, a leading prefix such as "include:" dropped), absolute and
// without repeats; each name that is not one is a problem of field.
func (p *problems) names(field, prefix string, typed, out []string) []string {
	for _, t := range typed {
		name, err := parseName(trimPrefixFold(strings.TrimSpace(t), prefix), nameRules{underscore: true, needDot: true})
		if err != nil {
			p.add(field, "%q %v", clip(t), err)
			continue
		}
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// trimPrefixFold removes prefix from s, in any case: "MAILTO:", "Include:".
func trimPrefixFold(s, prefix string) string {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):]
	}
	return s
}

// normalizeTTL fills the default TTL and checks its range.
func (c *Config) normalizeTTL(p *problems) {
	switch {
	case c.TTL == 0:
		c.TTL = DefaultTTL
	case c.TTL < MinTTL || c.TTL > MaxTTL:
		p.add("ttl", "%d seconds is out of range; use %d to %d (one hour, 3600, is a good start)", c.TTL, MinTTL, MaxTTL)
	}
}

// normalizeSkip checks that every skipped step exists.
func (c *Config) normalizeSkip(p *problems) {
	var skip []string
	for _, id := range c.Skip {
		id = strings.ToLower(strings.TrimSpace(id))
		if _, ok := ByID(id); !ok {
			p.add("skip", "%q is not a step; the steps are %s", clip(id), strings.Join(stepIDs(), ", "))
			continue
		}
		if !slices.Contains(skip, id) {
			skip = append(skip, id)
		}
	}
	c.Skip = skip
}

// withDefaults returns c with the defaults Normalize would fill in and its
// names made absolute and lower-case, without checking anything: steps
// judge hand-built Configs too.
func (c Config) withDefaults() Config {
	if c.Domain != "" {
		c.Domain = verify.CanonicalName(c.Domain)
	}
	switch {
	case c.Host == "" && c.Domain != "" && !c.DomainOnly:
		c.Host = "mail." + c.Domain
	case c.Host != "":
		c.Host = verify.CanonicalName(c.Host)
	}
	if c.DMARCPolicy == "" {
		c.DMARCPolicy = DMARCNone
	}
	if c.DMARCRUA == "" && c.Domain != "" {
		c.DMARCRUA = "dmarc-reports@" + strings.TrimSuffix(c.Domain, ".")
	}
	if c.Services == nil {
		c.Services = DefaultServices()
	}
	if c.DNSBL == nil {
		c.DNSBL = DefaultDNSBL()
	}
	if c.TTL == 0 {
		c.TTL = DefaultTTL
	}
	if c.MTASTSMode == "" {
		c.MTASTSMode = string(mtasts.ModeTesting)
	}
	if c.MTASTSID == "" {
		c.MTASTSID = policyDigestID(c)
	}
	if c.TLSRPTRUA == "" && c.Domain != "" {
		c.TLSRPTRUA = defaultTLSRPTRUA(c.Domain)
	}
	return c
}

// skips reports whether the user marked step id "not mine".
func (c Config) skips(id string) bool {
	return slices.Contains(c.Skip, id)
}

// v4 and v6 are the configured addresses of each family.
func (c Config) v4() []netip.Addr { return family(c.IPs, false) }
func (c Config) v6() []netip.Addr { return family(c.IPs, true) }

func family(ips []netip.Addr, v6 bool) []netip.Addr {
	var out []netip.Addr
	for _, ip := range ips {
		if ip = ip.Unmap(); ip.Is6() == v6 {
			out = append(out, ip)
		}
	}
	return out
}
