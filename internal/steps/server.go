package steps

import (
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
)

// IDServer is the id of the step that probes the server itself: a public
// contract, like the other step ids.
const IDServer = "server"

// serverStep publishes nothing: it connects to the mail server itself
// (port 25 of every address, the client services, the autoconfig and
// autodiscover endpoints) and judges what it says.
func serverStep() definition {
	return definition{
		id: IDServer, title: "Mail server (SMTP, TLS, client services)", where: Nowhere,
		records: serverRecords, questions: serverQuestions, judge: judgeServerStep,
		shared: true, needs: needsAddrs | needsHost,
		codes: []FindingCode{
			{Code: CodeSMTPUnreachable, Severity: SeverityError, Effect: StatusFail,
				Meaning: "port 25 does not answer at an address, or answers without a proper greeting"},
			{Code: CodeSMTPPort25Blocked, Severity: SeverityWarning, Effect: StatusError,
				Meaning: "port 25 answers at no address while other ports of the same addresses do: blocked from here (could not check)"},
			{Code: CodeSMTPGreetingName, Severity: SeverityWarning, Effect: StatusWarn,
				Meaning: "the greeting or EHLO name is not the mail host, or disagrees with the reverse DNS or its own address record"},
			{Code: CodeSMTPNoStartTLS, Severity: SeverityError, Effect: StatusFail,
				Meaning: "port 25 offers no STARTTLS, or its TLS handshake fails"},
			{Code: CodeSMTPOpenRelay, Severity: SeverityError, Effect: StatusFail,
				Meaning: "port 25 accepted a recipient at another domain from a stranger"},
			{Code: CodeTLSCertName, Severity: SeverityError, Effect: StatusFail,
				Meaning: "the certificate of port 25 or of a client service does not cover the name asked for"},
			{Code: CodeTLSCertExpired, Severity: SeverityError, Effect: StatusFail,
				Meaning: "that certificate has expired"},
			{Code: CodeTLSCertExpiring, Severity: SeverityWarning, Effect: StatusWarn,
				Meaning: "that certificate expires within 14 days"},
			{Code: CodeTLSCertUntrusted, Severity: SeverityError, Effect: StatusFail,
				Meaning: "that certificate is self-signed, not from a trusted authority, or sent without its intermediate"},
			{Code: CodeServiceUnreachable, Severity: SeverityError, Effect: StatusFail,
				Meaning: "a client service does not answer, or not in its protocol"},
			{Code: CodeServiceTLS, Severity: SeverityError, Effect: StatusFail,
				Meaning: "a client service offers no TLS, or its handshake fails"},
			{Code: CodeAutoconfigEndpoint, Severity: SeverityWarning, Effect: StatusWarn,
				Meaning: "the autoconfig file is not served over valid TLS, does not parse, or names other servers than the SRV records"},
			{Code: CodeAutodiscoverEndpoint, Severity: SeverityWarning, Effect: StatusWarn,
				Meaning: "the autodiscover endpoint is not reachable over valid TLS, or answers 404 or a server error"},
		},
	}
}

// Finding codes of the server step.
const (
	CodeSMTPUnreachable      = "smtp-unreachable"
	CodeSMTPPort25Blocked    = "smtp-port25-blocked-here"
	CodeSMTPGreetingName     = "smtp-greeting-name"
	CodeSMTPNoStartTLS       = "smtp-no-starttls"
	CodeSMTPOpenRelay        = "smtp-open-relay"
	CodeTLSCertName          = "tls-cert-name"
	CodeTLSCertExpired       = "tls-cert-expired"
	CodeTLSCertExpiring      = "tls-cert-expiring"
	CodeTLSCertUntrusted     = "tls-cert-untrusted"
	CodeServiceUnreachable   = "service-unreachable"
	CodeServiceTLS           = "service-tls"
	CodeAutoconfigEndpoint   = "autoconfig-endpoint"
	CodeAutodiscoverEndpoint = "autodiscover-endpoint"
)

// What the server step connects to, and how much.
const (
	smtpPort = 25
	// maxProbedAddrs bounds, per name and address family, the addresses
	// probed of a name a zone chooses (an SRV target, autoconfig.): a
	// stranger's zone must not turn a check into a scan.
	maxProbedAddrs = 2
	// certWarning is how long before its expiry a certificate is reported
	// (tls-cert-expiring).
	certWarning = 14 * 24 * time.Hour
	// autodiscoverPath is where Outlook asks the autodiscover service
	// (MS-OXDSCLI §3.1.5).
	autodiscoverPath = "/autodiscover/autodiscover.xml"
	// relayUser is the local part of the addresses of the open-relay test.
	relayUser = "mailwizard-relay-test"
)

// ProbeRow is what the server step found at one address and port: one row
// of its per-address status, for the wizard, the table and the JSON report.
type ProbeRow struct {
	// Service is "smtp" for port 25, a client service (submission,
	// submissions, imap, imaps, pop3, pop3s), "autoconfig" or
	// "autodiscover".
	Service string `json:"service"`
	// Host is the name the probe used as TLS server name,
	// "mail.example.com.".
	Host string `json:"host"`
	// Address is where it connected, "192.0.2.25:25".
	Address string `json:"address"`
	// From is the address the probe ran from; empty when unknown.
	From string `json:"from"`
	// Status is this row's own verdict: pass, warn, fail or error.
	Status Status `json:"status"`
	// Detail says what was seen, in a few words.
	Detail string `json:"detail"`
	// TLSA is, for port 25, the TLSA record data ("3 1 1 <hex>") of the
	// certificate served, for DANE.
	TLSA string `json:"tlsa,omitempty"`
}

// serverRecords is empty: the step publishes nothing.
func serverRecords(Config) []Record { return nil }

// SMTPProbe is the question of the server step for port 25 of ip: greeting,
// EHLO, STARTTLS and TLS with the mail host as server name. The dane step
// asks the same, to read the certificate (ServedTLSA).
func SMTPProbe(cfg Config, ip netip.Addr) verify.Question {
	cfg = cfg.withDefaults()
	return verify.ServiceProbe(netip.AddrPortFrom(ip.Unmap(), smtpPort), cfg.Host, verify.ProtoSMTP, verify.TLSStartTLS)
}

// ServedTLSA is, for each address whose port 25 presented a certificate in
// known, the data of the TLSA record that pins its public key: "3 1 1
// <SHA-256 of the SubjectPublicKeyInfo>" (RFC 7671 §5.1: DANE-EE, SPKI,
// SHA-256), to publish at _25._tcp.<host>.
func ServedTLSA(cfg Config, known verify.Answers) map[netip.Addr]string {
	out := map[netip.Addr]string{}
	for _, ip := range cfg.IPs {
		if a, ok := known.Get(SMTPProbe(cfg, ip)); ok && a.Probe != nil {
			if spki := a.Probe.TLS.SPKISHA256(); spki != "" {
				out[ip.Unmap()] = "3 1 1 " + spki
			}
		}
	}
	return out
}

// relayQuestion is the open-relay test of port 25 of ip.
func relayQuestion(cfg Config, ip netip.Addr) verify.Question {
	from, to := relayAddresses(cfg.Domain)
	return verify.RelayProbe(netip.AddrPortFrom(ip.Unmap(), smtpPort), cfg.Host, from, to)
}

// relayAddresses are the sender and recipient of the open-relay test: at
// two reserved domains (RFC 2606) other than the one checked, so that an
// accepted recipient can only mean relaying, and nothing could ever reach
// anyone.
func relayAddresses(domain string) (from, to string) {
	var outside []string
	for _, d := range []string{"example.org.", "example.net.", "example.com."} {
		if !dns.IsSubDomain(d, domain) && !dns.IsSubDomain(domain, d) {
			outside = append(outside, strings.TrimSuffix(d, "."))
		}
	}
	return relayUser + "@" + outside[0], relayUser + "@" + outside[1]
}

// serviceTarget is one client service at one address: what the SRV record
// names (or the mail host and the standard port, for a service offered but
// not published).
type serviceTarget struct {
	svc  mailService
	host string
	port uint16
	addr netip.Addr
}

// question is the probe of the target, in the service's protocol and TLS
// mode.
func (t serviceTarget) question() verify.Question {
	proto, mode := verify.ProtoSMTP, verify.TLSImplicit
	switch t.svc.name {
	case ServiceIMAP, ServiceIMAPS:
		proto = verify.ProtoIMAP
	case ServicePOP3, ServicePOP3S:
		proto = verify.ProtoPOP3
	}
	if t.svc.name == ServiceSubmission || t.svc.name == ServiceIMAP || t.svc.name == ServicePOP3 {
		mode = verify.TLSStartTLS
	}
	return verify.ServiceProbe(netip.AddrPortFrom(t.addr, t.port), t.host, proto, mode)
}

// webTarget is an HTTPS endpoint at one address.
type webTarget struct {
	host string
	port uint16
	addr netip.Addr
	path string
}

func (t webTarget) question() verify.Question {
	return verify.HTTPSGet(netip.AddrPortFrom(t.addr, t.port), t.host, t.path)
}

// serverPlan is what the server step probes, as far as the answers known
// tell: the planner asks its questions, and the judge reads the same plan
// from the round's answers.
type serverPlan struct {
	dns []verify.Question
	// read are the DNS questions whose answers say what to probe (SRV
	// records, the addresses of names other than the mail host): when
	// they fail, that part could not be checked, and the judge says so.
	read         []verify.Question
	services     []serviceTarget
	autoconfig   []webTarget
	autodiscover []webTarget
}

func planServer(cfg Config, known verify.Answers) serverPlan {
	var p serverPlan
	mx := verify.Q(cfg.Domain, dns.TypeMX)
	p.dns = append(p.dns, mx)
	for _, t := range mxTargets(known, mx) {
		if t != cfg.Host {
			p.dns = append(p.dns, verify.Q(t, dns.TypeA), verify.Q(t, dns.TypeAAAA))
		}
	}
	for _, ip := range cfg.IPs {
		if rev := ReverseName(ip); rev != "" {
			p.dns = append(p.dns, verify.Q(rev, dns.TypePTR))
		}
		for _, name := range greetingNames(known, cfg, ip) {
			p.dns = append(p.dns, verify.Q(name, addrType(ip)))
		}
	}
	p.planServices(cfg, known)
	p.planEndpoints(cfg, known)
	return p
}

// planServices adds the client services: those the SRV records advertise,
// at their targets and ports, and those offered but not advertised, at the
// mail host and the standard port. A service whose SRV record has not been
// answered yet waits for it.
func (p *serverPlan) planServices(cfg Config, known verify.Answers) {
	type hostPort struct {
		host string
		port uint16
	}
	for _, s := range mailServices() {
		q := verify.Q(s.owner(cfg.Domain), dns.TypeSRV)
		p.dns, p.read = append(p.dns, q), append(p.read, q)
		if _, asked := known.Get(q); !asked {
			continue
		}
		var at []hostPort
		r, _ := peek(known, q)
		for _, o := range r.ok {
			for _, srv := range srvRecords(o, q.Name) {
				hp := hostPort{verify.CanonicalName(srv.Target), srv.Port}
				if hp.host != "." && hp.port != 0 && !slices.Contains(at, hp) && len(at) < maxFollowedTargets {
					at = append(at, hp)
				}
			}
		}
		if len(at) == 0 && slices.Contains(cfg.Services, s.name) {
			at = append(at, hostPort{cfg.Host, s.port})
		}
		for _, hp := range at {
			for _, addr := range p.addressesOf(cfg, known, hp.host) {
				p.services = append(p.services, serviceTarget{svc: s, host: hp.host, port: hp.port, addr: addr})
			}
		}
	}
}

// planEndpoints adds the autoconfig endpoint at the addresses of
// autoconfig.<domain>, and the autodiscover endpoint its SRV record names.
func (p *serverPlan) planEndpoints(cfg Config, known verify.Answers) {
	name := autoconfigName(cfg.Domain)
	for _, addr := range p.addressesOf(cfg, known, name) {
		p.autoconfig = append(p.autoconfig, webTarget{host: name, port: 443, addr: addr, path: AutoconfigPath})
	}
	q := verify.Q(autodiscover().owner(cfg.Domain), dns.TypeSRV)
	p.dns, p.read = append(p.dns, q), append(p.read, q)
	r, _ := peek(known, q)
	var seen []webTarget
	for _, o := range r.ok {
		for _, srv := range srvRecords(o, q.Name) {
			t := webTarget{host: verify.CanonicalName(srv.Target), port: srv.Port, path: autodiscoverPath}
			if t.host == "." || t.port == 0 || slices.Contains(seen, t) || len(seen) == maxFollowedTargets {
				continue
			}
			seen = append(seen, t)
			for _, addr := range p.addressesOf(cfg, known, t.host) {
				t.addr = addr
				p.autodiscover = append(p.autodiscover, t)
			}
		}
	}
}

// addressesOf is where host is to be probed: the server's addresses for
// the mail host, otherwise the addresses its A and AAAA records give on
// any server (an alias followed one step), at most maxProbedAddrs of each
// family. It adds the questions it reads to the plan.
func (p *serverPlan) addressesOf(cfg Config, known verify.Answers, host string) []netip.Addr {
	if host == cfg.Host && len(cfg.IPs) > 0 {
		return cfg.IPs
	}
	var out []netip.Addr
	for _, qtype := range []uint16{dns.TypeA, dns.TypeAAAA} {
		q := verify.Q(host, qtype)
		p.dns, p.read = append(p.dns, q), append(p.read, q)
		r, _ := peek(known, q)
		found := unionAddresses(r.ok, qtype)
		if len(found) == 0 {
			if target := aliasOf(r, host); target != "" {
				if target == cfg.Host && len(cfg.IPs) > 0 {
					found = family(cfg.IPs, qtype == dns.TypeAAAA)
				} else {
					q := verify.Q(target, qtype)
					p.dns = append(p.dns, q)
					r, _ := peek(known, q)
					found = unionAddresses(r.ok, qtype)
				}
			}
		}
		out = append(out, found[:min(len(found), maxProbedAddrs)]...)
	}
	return out
}

// unionAddresses are the addresses of type qtype every usable reply gave.
func unionAddresses(obs []verify.Observation, qtype uint16) []netip.Addr {
	var out []netip.Addr
	for _, o := range obs {
		for _, ip := range addresses(o, qtype) {
			if !slices.Contains(out, ip) {
				out = append(out, ip)
			}
		}
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return out
}

// aliasOf is the target of a CNAME at name in a reply, "" without one.
func aliasOf(r reply, name string) string {
	for _, o := range r.ok {
		if target, ok := o.CNAME(name); ok {
			return target
		}
	}
	return ""
}

// questions are every question of the plan.
func (p serverPlan) questions() []verify.Question {
	qs := slices.Clone(p.dns)
	for _, t := range p.services {
		qs = append(qs, t.question())
	}
	for _, t := range slices.Concat(p.autoconfig, p.autodiscover) {
		qs = append(qs, t.question())
	}
	return qs
}

// serverQuestions probes port 25 of every address (and tests it for an
// open relay), the client services, and the autoconfig and autodiscover
// endpoints, with the DNS questions that say where they are and what the
// greeting names should be.
func serverQuestions(cfg Config, known verify.Answers) []verify.Question {
	if cfg.NoProbe {
		return nil
	}
	var qs []verify.Question
	for _, ip := range cfg.IPs {
		qs = append(qs, SMTPProbe(cfg, ip), relayQuestion(cfg, ip))
	}
	return append(qs, planServer(cfg, known).questions()...)
}

// greetingNames are the names port 25 of ip gave in its greeting and its
// EHLO reply, when they are domain names, for their forward lookups.
func greetingNames(known verify.Answers, cfg Config, ip netip.Addr) []string {
	a, ok := known.Get(SMTPProbe(cfg, ip))
	if !ok || a.Probe == nil {
		return nil
	}
	var out []string
	for _, word := range []string{a.Probe.Greeting.Domain(), a.Probe.EHLO.Domain()} {
		if name, ok := hostName(word); ok && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// hostName is word as an absolute lower-case domain name with at least
// two labels, if it is one.
func hostName(word string) (string, bool) {
	if word == "" || strings.ContainsAny(word, "[]:") || isAddress(word) {
		return "", false
	}
	name := verify.CanonicalName(word)
	if _, ok := dns.IsDomainName(name); !ok || dns.CountLabel(name) < 2 {
		return "", false
	}
	return name, true
}
