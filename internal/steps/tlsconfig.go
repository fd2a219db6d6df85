package steps

import (
	"net/url"
	"strings"
	"time"

	"github.com/mailwizard/mailwizard/internal/dane"
	"github.com/mailwizard/mailwizard/internal/mtasts"
)

// normalizeMTASTS checks the mode and the id of the MTA-STS policy.
func (c *Config) normalizeMTASTS(p *problems) {
	c.MTASTSMode = strings.ToLower(strings.TrimSpace(c.MTASTSMode))
	switch mtasts.Mode(c.MTASTSMode) {
	case "":
		c.MTASTSMode = string(mtasts.ModeTesting)
	case mtasts.ModeTesting, mtasts.ModeEnforce:
	case mtasts.ModeNone:
		p.add("mta-sts-mode", "none withdraws a policy; mailwizard sets one up: use testing, then enforce (to withdraw one, skip the step and serve a policy with mode: none yourself)")
	default:
		p.add("mta-sts-mode", "%q is not an MTA-STS mode; use testing or enforce", clip(c.MTASTSMode))
	}
	c.MTASTSID = strings.TrimSpace(c.MTASTSID)
	if c.MTASTSID != "" {
		if err := mtasts.CheckID(c.MTASTSID); err != nil {
			p.add("mta-sts-id", "%q: %v", clip(c.MTASTSID), err)
		}
	}
}

// defaultTLSRPTRUA is where TLS-RPT reports go by default.
func defaultTLSRPTRUA(domain string) string {
	return "mailto:tls-reports@" + strings.TrimSuffix(domain, ".")
}

// normalizeTLSRPT checks the TLS-RPT report address: a mail address (with
// or without mailto:, its domain made punycode) or an https: URL.
func (c *Config) normalizeTLSRPT(p *problems) {
	typed := strings.TrimSpace(c.TLSRPTRUA)
	switch {
	case typed == "":
		if strings.HasSuffix(c.Domain, ".") {
			c.TLSRPTRUA = defaultTLSRPTRUA(c.Domain)
		}
		return
	case len(typed) >= 6 && strings.EqualFold(typed[:6], "https:"):
		u, err := url.Parse(typed)
		if err != nil {
			p.add("tls-rpt-rua", "%q is not a URL", clip(typed))
			return
		}
		u.Scheme = "https"
		if err := mtasts.CheckReportURI(u.String()); err != nil {
			p.add("tls-rpt-rua", "%v", err)
			return
		}
		c.TLSRPTRUA = u.String()
		return
	case strings.Contains(typed, "://"):
		p.add("tls-rpt-rua", "%q: reports go to a mail address or an https: URL", clip(typed))
		return
	}
	addr, err := parseAddress(typed)
	if err != nil {
		p.add("tls-rpt-rua", "%q %v", clip(typed), err)
		return
	}
	uri := "mailto:" + addr
	if err := mtasts.CheckReportURI(uri); err != nil {
		p.add("tls-rpt-rua", "%v", err)
		return
	}
	c.TLSRPTRUA = uri
}

// normalizeTLSCert reads the server's certificate chain. Messages name the
// file, never its content.
func (c *Config) normalizeTLSCert(p *problems, readFile func(string) ([]byte, error)) {
	if c.TLSCertFile == "" {
		return
	}
	if readFile == nil {
		p.add("tls-cert", "certificate files cannot be read here")
		return
	}
	data, err := readFile(c.TLSCertFile)
	if err != nil {
		p.add("tls-cert", "cannot read %s: %v", c.TLSCertFile, err)
		return
	}
	chain, err := dane.ParseChain(data)
	if err != nil {
		p.add("tls-cert", "%s %v", c.TLSCertFile, err)
		return
	}
	c.TLSCert = chain
}

// StampMTASTS gives the MTA-STS policy its id. An id the Config has is
// kept while the policy stays what prev (the saved profile's Config; nil
// when there is none) described. Otherwise the policy is new (a new mode, a
// new mail host) and needs a new id, because senders fetch a policy again
// only when its id changes (RFC 8461 §3.1): the UTC time now, so that the
// id records when the policy was made. When that id will not be saved and
// no earlier policy is known (no id, no profile), the id is fresh
// (MTASTSIDFresh): any valid MTA-STS record already published stands for
// it, so that runs that keep nothing agree with each other and publishing
// twice changes nothing.
func (c *Config) StampMTASTS(prev *Config, now time.Time, saved bool) {
	if c.Domain == "" {
		return
	}
	c.MTASTSIDFresh = false
	if c.MTASTSID != "" && (prev == nil || samePolicy(*c, *prev)) {
		return
	}
	c.MTASTSID = mtasts.NewID(now)
	c.MTASTSIDFresh = !saved && prev == nil
}

// samePolicy reports whether a and b propose the same MTA-STS policy.
func samePolicy(a, b Config) bool {
	return proposedPolicy(a.withDefaults()).String() == proposedPolicy(b.withDefaults()).String()
}
