package ui

import (
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/mailwizard/mailwizard/internal/dkimkey"
	"github.com/mailwizard/mailwizard/internal/steps"
)

// DKIM choices of the form.
const (
	dkimGenerate = "generate" // make a new key, written next to the profile
	dkimExisting = "existing" // the private key the server signs with
	dkimPublic   = "public"   // only the public key is at hand
)

// Answers of the DNSSEC and DANE choice.
const (
	daneYes = "yes"
	daneNo  = "no"
)

// defaultSelector is the DKIM selector proposed for a new key.
const defaultSelector = "mail"

// answers are the form's values as typed. They live behind a pointer so
// that huh's fields can bind to them while the root model is copied.
type answers struct {
	domain, host, ips  string
	dkimMode, selector string
	keyPath, pubPath   string // an existing private or public key
	newKeyPath         string // where a new key is written
	policy, rua        string
	mtastsMode, dane   string // "testing"/"enforce"; "yes"/"no"
	services           []string
	provider           string
	resolved           []netip.Addr // what the host resolves to today
	nsNames            []string     // the zone's nameservers
	lookupErr          string
	detected           string // provider id found from the NS names
	base               steps.Config
	keyDir             string
	// further is set for a further domain of the mail host: its host
	// and addresses are the first domain's and are not asked again.
	further bool
	// taken are the domains already answered, which a further domain
	// may not repeat.
	taken []string
	// another is the answer to "does the mail host serve another
	// domain?".
	another bool
}

// furtherAnswers are the answers of a further domain of the mail host of
// the domains answered so far (done): what the domains share is the
// first's, the rest starts afresh, and none of done may be given again.
func furtherAnswers(done []steps.Config, keyDir string) *answers {
	first := done[0]
	base := steps.Config{}.WithHostOf(first)
	base.Provider = first.Provider
	a := newAnswers(base, keyDir)
	a.host, a.ips = trimDot(first.Host), joinAddrs(first.IPs)
	a.further = true
	for _, c := range done {
		a.taken = append(a.taken, c.Domain)
	}
	return a
}

// newAnswers fills the form from what is known (flags or a profile).
func newAnswers(cfg steps.Config, keyDir string) *answers {
	a := &answers{
		base:     cfg,
		keyDir:   keyDir,
		domain:   trimDot(cfg.Domain),
		host:     trimDot(cfg.Host),
		ips:      joinAddrs(cfg.IPs),
		selector: cfg.DKIMSelector,
		policy:   cfg.DMARCPolicy,
		rua:      cfg.DMARCRUA,
		services: slices.Clone(cfg.Services),
		provider: cfg.Provider,
		dane:     daneNo,
	}
	a.mtastsMode = cmpOr(cfg.MTASTSMode, "testing")
	if cfg.DANE {
		a.dane = daneYes
	}
	switch {
	case cfg.DKIMKeyFile != "":
		a.dkimMode, a.keyPath = dkimExisting, cfg.DKIMKeyFile
	case cfg.DKIMPublicKeyFile != "":
		a.dkimMode, a.pubPath = dkimPublic, cfg.DKIMPublicKeyFile
	default:
		a.dkimMode = dkimGenerate
	}
	if a.selector == "" {
		a.selector = defaultSelector
	}
	if a.policy == "" {
		a.policy = steps.DMARCNone
	}
	if len(a.services) == 0 {
		a.services = []string{steps.ServiceSubmission, steps.ServiceSubmissions, steps.ServiceIMAPS}
	}
	return a
}

// fillDefaults proposes what depends on the domain: the mail host, the
// report address and the path of a new key.
func (a *answers) fillDefaults() {
	d := strings.TrimSuffix(strings.TrimSpace(a.domain), ".")
	if d == "" {
		return
	}
	if strings.TrimSpace(a.host) == "" {
		a.host = "mail." + d
	}
	if a.rua == "" {
		a.rua = "dmarc-reports@" + d
	}
	if a.newKeyPath == "" {
		a.newKeyPath = filepath.Join(a.keyDir, d+"."+cmpOr(a.selector, defaultSelector)+".dkim.pem")
	}
}

// pastedKeyPath is where a public key pasted into the form is kept: next
// to the profile, named after the domain and the selector.
func (a *answers) pastedKeyPath() string {
	d := strings.TrimSuffix(strings.TrimSpace(a.domain), ".")
	return filepath.Join(a.keyDir, d+"."+cmpOr(strings.TrimSpace(a.selector), defaultSelector)+".dkim.pub")
}

func cmpOr(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// config turns the answers into a Config (not yet normalized), keeping
// what the form does not ask (SPF extras, blocklists, TTL, skips).
func (a *answers) config() steps.Config {
	c := a.base
	c.Domain = strings.TrimSpace(a.domain)
	c.Host = strings.TrimSpace(a.host)
	c.IPs, _ = parseAddrs(a.ips)
	c.DKIMSelector = strings.TrimSpace(a.selector)
	c.DKIMKeyFile, c.DKIMPublicKeyFile, c.DKIMPublicKey = "", "", nil
	switch a.dkimMode {
	case dkimExisting:
		c.DKIMKeyFile = strings.TrimSpace(a.keyPath)
	case dkimPublic:
		if looksLikeKey(a.pubPath) {
			// Pasted in: the key is the answer until it is kept in a
			// file (completeAnswers).
			c.DKIMPublicKey, _ = dkimkey.ParsePublic([]byte(a.pubPath))
		} else {
			c.DKIMPublicKeyFile = strings.TrimSpace(a.pubPath)
		}
	}
	c.DMARCPolicy = a.policy
	c.DMARCRUA = strings.TrimSpace(a.rua)
	c.Services = slices.Clone(a.services)
	c.Provider = a.provider
	c.MTASTSMode = a.mtastsMode
	c.DANE = a.dane == daneYes
	return c
}

// parseAddrs reads "192.0.2.1, 2001:db8::1" (commas or spaces). Its
// error is one sentence naming every entry that is not an address.
func parseAddrs(s string) ([]netip.Addr, error) {
	var (
		out []netip.Addr
		bad []string
	)
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		ip, err := netip.ParseAddr(f)
		if err != nil {
			bad = append(bad, strconv.Quote(steps.Clip(f)))
			continue
		}
		out = append(out, ip)
	}
	switch len(bad) {
	case 0:
		return out, nil
	case 1:
		return out, fmt.Errorf("%s is not an IP address", bad[0])
	}
	return out, fmt.Errorf("%s and %s are not IP addresses", strings.Join(bad[:len(bad)-1], ", "), bad[len(bad)-1])
}

func joinAddrs(ips []netip.Addr) string {
	s := make([]string, len(ips))
	for i, ip := range ips {
		s[i] = ip.String()
	}
	return strings.Join(s, ", ")
}

// problems normalizes a copy of c and returns the problems by field name
// (as steps names them: "domain", "ip", "dkim-key", …).
func problems(c steps.Config, readFile func(string) ([]byte, error)) map[string]string {
	err := c.Normalize(readFile)
	if err == nil {
		return nil
	}
	out := map[string]string{}
	var ve *steps.ValidationError
	if !errors.As(err, &ve) {
		out[""] = err.Error()
		return out
	}
	for _, p := range ve.Problems {
		if _, dup := out[p.Field]; !dup {
			out[p.Field] = p.Problem
		}
	}
	return out
}

// valid returns the answers as a Config with every field that does not
// validate left out: what is saved when the person quits half-way.
func (a *answers) valid(readFile func(string) ([]byte, error)) steps.Config {
	c := a.config()
	bad := problems(c, readFile)
	drop := map[string]func(*steps.Config){
		"domain":          func(c *steps.Config) { c.Domain = "" },
		"host":            func(c *steps.Config) { c.Host = "" },
		"ip":              func(c *steps.Config) { c.IPs = nil },
		"dkim-selector":   func(c *steps.Config) { c.DKIMSelector = "" },
		"dkim-key":        func(c *steps.Config) { c.DKIMKeyFile = "" },
		"dkim-public-key": func(c *steps.Config) { c.DKIMPublicKeyFile = "" },
		"dmarc-policy":    func(c *steps.Config) { c.DMARCPolicy = "" },
		"dmarc-rua":       func(c *steps.Config) { c.DMARCRUA = "" },
		"services":        func(c *steps.Config) { c.Services = nil },
		"mta-sts-mode":    func(c *steps.Config) { c.MTASTSMode = "" },
	}
	for field := range bad {
		if f, ok := drop[field]; ok {
			f(&c)
		}
	}
	if _, err := parseAddrs(a.ips); err != nil {
		c.IPs = nil
	}
	n := c
	if n.Normalize(readFile) == nil {
		return n
	}
	return c
}
