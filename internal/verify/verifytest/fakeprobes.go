package verifytest

import (
	"crypto/tls"
	"crypto/x509"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/mailwizard/mailwizard/internal/probeserver"
	"github.com/mailwizard/mailwizard/internal/verify"
)

// FakeProbes answers probes in memory, as a healthy mail host would, for
// tests that build their answers without a network: port 25 greets with
// the name asked, offers STARTTLS and serves a trusted certificate for that
// name, and relays nothing; IMAP and POP3 answer with TLS; HTTPS answers
// 200, with Autoconfig at /mail/config-v1.1.xml. Hooks change what a probe
// sees. It is safe for concurrent use.
type FakeProbes struct {
	// Autoconfig is the body served at /mail/config-v1.1.xml.
	Autoconfig []byte
	// MTASTSPolicy, when set, is served as text/plain at
	// /.well-known/mta-sts.txt (without it, an empty body; hooks change
	// that as a test needs).
	MTASTSPolicy []byte
	// Err, when set, is the error of every answer (probes turned off).
	Err error
	// Now, when set, is when every probe starts, and the certificates
	// issued without dates are valid from an hour before it for 90 days,
	// so that screens and reports show the same dates on every run.
	Now time.Time

	mu    sync.Mutex
	hooks []func(verify.Probe, *verify.ProbeResult)
	ca    *probeserver.CA
	certs map[string]*x509.Certificate
	asked map[verify.Probe]int
}

// On changes the results of the probes that match.
func (f *FakeProbes) On(match func(verify.Probe) bool, change func(*verify.ProbeResult)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hooks = append(f.hooks, func(p verify.Probe, res *verify.ProbeResult) {
		if match(p) {
			change(res)
		}
	})
}

// Asked is how many times each probe was answered.
func (f *FakeProbes) Asked() map[verify.Probe]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[verify.Probe]int, len(f.asked))
	for p, n := range f.asked {
		out[p] = n
	}
	return out
}

// Cert issues (once per description) a certificate from the fakes' CA; it
// panics if the CA cannot be made, which only a broken system does.
func (f *FakeProbes) Cert(c probeserver.Cert) *x509.Certificate {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.certLocked(c)
}

func (f *FakeProbes) certLocked(c probeserver.Cert) *x509.Certificate {
	if !f.Now.IsZero() && c.NotBefore.IsZero() && c.NotAfter.IsZero() {
		c.NotBefore, c.NotAfter = f.Now.Add(-time.Hour), f.Now.AddDate(0, 0, 90)
	}
	key := strings.Join(c.Names, ",") + "|" + c.NotBefore.String() + "|" + c.NotAfter.String()
	if c.SelfSigned {
		key += "|self"
	}
	if cert, ok := f.certs[key]; ok {
		return cert
	}
	if f.ca == nil {
		ca, err := probeserver.NewCA("mailwizard fake CA")
		if err != nil {
			panic("make the fake CA: " + err.Error())
		}
		f.ca, f.certs = ca, map[string]*x509.Certificate{}
	}
	tc, err := f.ca.Issue(c)
	if err != nil {
		panic("issue a fake certificate: " + err.Error())
	}
	f.certs[key] = tc.Leaf
	return tc.Leaf
}

// TLS is a healthy TLS 1.3 session with a certificate for names.
func (f *FakeProbes) TLS(names ...string) *verify.TLSState {
	return &verify.TLSState{Version: tls.VersionTLS13, CipherSuite: tls.TLS_AES_128_GCM_SHA256,
		Chain: []*x509.Certificate{f.Cert(probeserver.Cert{Names: names})}}
}

// Answer answers a Direct question.
func (f *FakeProbes) Answer(q verify.Question) verify.Answer {
	p := q.Probe
	f.mu.Lock()
	if f.asked == nil {
		f.asked = map[verify.Probe]int{}
	}
	f.asked[p]++
	err, now, hooks, policy := f.Err, f.Now, append([]func(verify.Probe, *verify.ProbeResult){}, f.hooks...), f.MTASTSPolicy
	f.mu.Unlock()
	if now.IsZero() {
		now = time.Now()
	}
	if err != nil {
		return verify.Answer{Question: q, Err: err}
	}
	name := strings.TrimSuffix(p.Name, ".")
	res := &verify.ProbeResult{
		Start:     now,
		Local:     netip.MustParseAddrPort("198.51.100.200:40000"),
		Connected: true,
		Timings:   verify.Timings{Connect: time.Millisecond, Total: 12 * time.Millisecond},
	}
	if p.Addr.Addr().Is6() {
		res.Local = netip.MustParseAddrPort("[2001:db8:100::200]:40000")
	}
	switch {
	case p.Kind == verify.ProbeHTTPS:
		res.TLS = f.TLS(name)
		res.HTTP = &verify.HTTPResponse{Status: 200, StatusLine: "HTTP/1.1 200 OK"}
		switch p.Path {
		case "/mail/config-v1.1.xml":
			res.HTTP.Body = f.Autoconfig
		case "/.well-known/mta-sts.txt":
			if policy != nil {
				res.HTTP.ContentType, res.HTTP.Body = "text/plain", policy
			}
		}
	case p.Protocol == verify.ProtoSMTP:
		res.Greeting = verify.Reply{Code: 220, Lines: []string{"220 " + name + " ESMTP"}}
		res.EHLO = verify.Reply{Code: 250, Lines: []string{"250-" + name, "250-PIPELINING", "250 STARTTLS"}}
		if p.TLS == verify.TLSStartTLS {
			res.StartTLSOffered = true
			res.StartTLS = verify.Reply{Code: 220, Lines: []string{"220 2.0.0 Ready"}}
		}
		if p.TLS != verify.TLSNone {
			res.TLS = f.TLS(name)
		}
		if p.Relay != (verify.Relay{}) {
			res.MailFrom = verify.Reply{Code: 250, Lines: []string{"250 2.1.0 Ok"}}
			res.RcptTo = verify.Reply{Code: 554, Lines: []string{"554 5.7.1 Relay access denied"}}
			res.RelayTested = true
		}
	default:
		res.Greeting = verify.Reply{Lines: []string{"* OK ready"}}
		res.StartTLSOffered = p.TLS == verify.TLSStartTLS
		res.TLS = f.TLS(name)
	}
	for _, h := range hooks {
		h(p, res)
	}
	return verify.Answer{Question: q, Probe: res}
}

// FailAt makes a result what the engine reports for a probe that stopped
// at stage because of cause.
func FailAt(res *verify.ProbeResult, stage verify.Stage, cause error) {
	res.Stage, res.Err = stage, &verify.ProbeError{Stage: stage, Err: cause}
	switch stage {
	case verify.StageConnect:
		res.Connected = false
		res.Greeting, res.EHLO, res.TLS, res.HTTP = verify.Reply{}, verify.Reply{}, nil, nil
		res.StartTLSOffered, res.RelayTested = false, false
	case verify.StageTLS, verify.StageStartTLS:
		res.TLS = nil
	}
}
