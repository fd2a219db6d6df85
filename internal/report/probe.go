package report

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"github.com/mailwizard/mailwizard/internal/verify"
)

// ProbeObservation is what one probe (a connection to the server itself:
// SMTP, IMAP, POP3, HTTPS) saw: a summary of its transcript.
type ProbeObservation struct {
	// Kind is "smtp", "imap", "pop3", "tcp" or "https".
	Kind string `json:"kind"`
	// TLSMode is "starttls", "implicit" or "none".
	TLSMode string `json:"tls_mode"`
	// From is the address the probe ran from (its local address, or the
	// source address it would have used); empty when unknown.
	From string `json:"from"`
	// StartedAt is when the probe began, in UTC.
	StartedAt time.Time `json:"started_at"`
	// Connected is true once the TCP connection was up.
	Connected bool `json:"connected"`
	// NoRoute is true when this machine has no route to the address.
	NoRoute bool `json:"no_route,omitempty"`
	// Stage is where the probe stopped ("connect", "greeting", "ehlo",
	// "starttls", "tls", …); empty when it completed.
	Stage string `json:"stage,omitempty"`
	// Greeting is every line of the server's greeting.
	Greeting []string `json:"greeting,omitempty"`
	// EHLOName is the name the SMTP server gives in its EHLO reply, EHLO
	// its keywords (before TLS).
	EHLOName string   `json:"ehlo_name,omitempty"`
	EHLO     []string `json:"ehlo,omitempty"`
	// StartTLS is "offered" or "not offered" for a probe that asks for
	// STARTTLS, empty otherwise.
	StartTLS string `json:"starttls,omitempty"`
	// TLS is the TLS session, when one was made.
	TLS *TLSObservation `json:"tls,omitempty"`
	// Relay is the open-relay test's replies, when one was made.
	Relay *RelayObservation `json:"relay,omitempty"`
	// HTTP is the response of an HTTPS GET.
	HTTP *HTTPObservation `json:"http,omitempty"`
	// TimingsMillis are the probe's timings in milliseconds.
	TimingsMillis ProbeTimings `json:"timings_ms"`
	// Transcript is the conversation, "C: …" sent and "S: …" received.
	Transcript []string `json:"transcript"`
}

// ProbeTimings are a probe's timings in milliseconds.
type ProbeTimings struct {
	Connect  int64 `json:"connect"`
	Greeting int64 `json:"greeting"`
	TLS      int64 `json:"tls"`
	Total    int64 `json:"total"`
}

// TLSObservation is a TLS session and its certificate.
type TLSObservation struct {
	Version     string `json:"version"`
	CipherSuite string `json:"cipher_suite"`
	// Names are the names the leaf certificate is valid for.
	Names     []string  `json:"names"`
	Issuer    string    `json:"issuer"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	// Trusted is true when the chain leads to a trusted authority;
	// TrustError says why not.
	Trusted    bool   `json:"trusted"`
	TrustError string `json:"trust_error,omitempty"`
	// NameError says why the certificate is not valid for the name asked.
	NameError string `json:"name_error,omitempty"`
	// TLSA311 is the TLSA data "3 1 1 <hex>" of the leaf's public key.
	TLSA311 string `json:"tlsa_3_1_1"`
	// Chain is every certificate sent, leaf first.
	Chain []CertObservation `json:"chain"`
}

// CertObservation is one certificate of a chain.
type CertObservation struct {
	Subject  string    `json:"subject"`
	Issuer   string    `json:"issuer"`
	NotAfter time.Time `json:"not_after"`
}

// RelayObservation is the open-relay test: the replies to MAIL FROM and
// RCPT TO (empty when MAIL FROM was refused), and whether the recipient
// was accepted (a relay).
type RelayObservation struct {
	MailFrom     string `json:"mail_from"`
	RcptTo       string `json:"rcpt_to"`
	RcptAccepted bool   `json:"rcpt_accepted"`
}

// HTTPObservation is the response to an HTTPS GET.
type HTTPObservation struct {
	Status      int    `json:"status"`
	StatusLine  string `json:"status_line"`
	Location    string `json:"location,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	BodyBytes   int    `json:"body_bytes"`
	Truncated   bool   `json:"truncated,omitempty"`
}

// probeObservation is the observation of a probe's answer: the common
// fields (question, the name asked as server, the address, the total time
// as rtt_ms, the error) and the probe's own.
func probeObservation(ans verify.Answer) Observation {
	p := ans.Question.Probe
	o := Observation{Question: ans.Question.String(), Server: p.Name, Address: p.Addr.String(), Records: []string{}}
	if ans.Err != nil {
		o.Error = ans.Err.Error()
	}
	res := ans.Probe
	if res == nil {
		o.Probe = &ProbeObservation{Kind: probeKind(p), TLSMode: tlsMode(p.TLS), Transcript: []string{}}
		return o
	}
	if res.Err != nil && o.Error == "" {
		o.Error = res.Err.Error()
	}
	o.RTTMillis = res.Timings.Total.Milliseconds()
	po := &ProbeObservation{
		Kind:      probeKind(p),
		TLSMode:   tlsMode(p.TLS),
		From:      res.From(),
		StartedAt: res.Start.UTC(),
		Connected: res.Connected,
		NoRoute:   res.NoRoute,
		Stage:     string(res.Stage),
		Greeting:  res.Greeting.Lines,
		TimingsMillis: ProbeTimings{
			Connect: res.Timings.Connect.Milliseconds(), Greeting: res.Timings.Greeting.Milliseconds(),
			TLS: res.Timings.TLS.Milliseconds(), Total: res.Timings.Total.Milliseconds(),
		},
		Transcript: nonNil(res.Transcript),
	}
	if p.Protocol == verify.ProtoSMTP {
		po.EHLOName, po.EHLO = res.EHLO.Domain(), res.EHLO.Keywords()
	}
	if p.TLS == verify.TLSStartTLS && res.Connected && res.Stage != verify.StageGreeting && res.Stage != verify.StageEHLO {
		po.StartTLS = "not offered"
		if res.StartTLSOffered {
			po.StartTLS = "offered"
		}
	}
	po.TLS = tlsObservation(res.TLS)
	if p.Relay != (verify.Relay{}) && len(res.MailFrom.Lines) > 0 {
		po.Relay = &RelayObservation{MailFrom: res.MailFrom.String(), RcptTo: res.RcptTo.String(), RcptAccepted: res.RcptTo.Code/100 == 2}
	}
	if h := res.HTTP; h != nil {
		po.HTTP = &HTTPObservation{Status: h.Status, StatusLine: h.StatusLine, Location: h.Location, ContentType: h.ContentType,
			BodyBytes: len(h.Body), Truncated: h.Truncated}
	}
	o.Probe = po
	return o
}

// probeKind names what a probe speaks: "smtp", "imap", "pop3", "tcp" or
// "https".
func probeKind(p verify.Probe) string {
	if p.Kind == verify.ProbeHTTPS {
		return "https"
	}
	return strings.ToLower(p.Protocol.String())
}

func tlsMode(m verify.TLSMode) string {
	switch m {
	case verify.TLSStartTLS:
		return "starttls"
	case verify.TLSImplicit:
		return "implicit"
	}
	return "none"
}

func tlsObservation(ts *verify.TLSState) *TLSObservation {
	leaf := ts.Leaf()
	if leaf == nil {
		return nil
	}
	out := &TLSObservation{
		Version:     tls.VersionName(ts.Version),
		CipherSuite: tls.CipherSuiteName(ts.CipherSuite),
		Names:       certNames(leaf),
		Issuer:      leaf.Issuer.String(),
		NotBefore:   leaf.NotBefore.UTC(),
		NotAfter:    leaf.NotAfter.UTC(),
		Trusted:     ts.TrustErr == nil,
		TLSA311:     "3 1 1 " + ts.SPKISHA256(),
		Chain:       []CertObservation{},
	}
	if ts.TrustErr != nil {
		out.TrustError = ts.TrustErr.Error()
	}
	if ts.NameErr != nil {
		out.NameError = ts.NameErr.Error()
	}
	for _, c := range ts.Chain {
		out.Chain = append(out.Chain, CertObservation{Subject: c.Subject.String(), Issuer: c.Issuer.String(), NotAfter: c.NotAfter.UTC()})
	}
	return out
}

// certNames are the DNS and IP names of a certificate, or its common name
// when it has none.
func certNames(c *x509.Certificate) []string {
	names := append([]string{}, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 && c.Subject.CommonName != "" {
		names = append(names, c.Subject.CommonName)
	}
	return names
}

// probeSummary is a probe observation in a few words: "STARTTLS offered,
// TLS 1.3, 45 ms".
func (p *ProbeObservation) summary(rtt int64) string {
	var parts []string
	if p.EHLOName != "" {
		parts = append(parts, "EHLO "+p.EHLOName)
	}
	if p.StartTLS != "" {
		parts = append(parts, "STARTTLS "+p.StartTLS)
	}
	if p.TLS != nil {
		parts = append(parts, fmt.Sprintf("%s, certificate for %s until %s", p.TLS.Version, strings.Join(p.TLS.Names, ", "), p.TLS.NotAfter.Format("2006-01-02")))
	}
	if p.Relay != nil {
		parts = append(parts, "RCPT TO: "+p.Relay.RcptTo)
	}
	if p.HTTP != nil {
		parts = append(parts, fmt.Sprintf("HTTP %d, %d bytes", p.HTTP.Status, p.HTTP.BodyBytes))
	}
	if p.From != "" {
		parts = append(parts, "from "+p.From)
	}
	return strings.Join(append(parts, fmt.Sprintf("%d ms", rtt)), ", ")
}
