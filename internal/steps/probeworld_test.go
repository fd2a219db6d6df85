package steps

import (
	"crypto/tls"
	"crypto/x509"
	"net/netip"
	"strings"
	"time"

	"github.com/mailwizard/mailwizard/internal/probeserver"
	"github.com/mailwizard/mailwizard/internal/verify"
)

// probing is the part of a world that answers probes: by default every
// server is healthy (port 25 greets with its name, offers STARTTLS with a
// trusted certificate for the name asked, relays nothing; the client
// services answer with TLS; the web endpoints serve the autoconfig file
// of the Config and an autodiscover answer). Hooks change what a probe
// sees.
type probing struct {
	// cfg is the Config being judged, for the autoconfig file.
	cfg Config
	// hooks change a probe's result, in order.
	hooks []func(p verify.Probe, res *verify.ProbeResult)
	// probeErr, when set, is the error of every probe's answer (probes
	// turned off, the round's end).
	probeErr error
	ca       *probeserver.CA
	certs    map[string]*x509.Certificate
	// probed counts the probes asked, by probe.
	probed map[verify.Probe]int
}

// onProbe adds a hook for the probes that match.
func (w *world) onProbe(match func(verify.Probe) bool, change func(*verify.ProbeResult)) {
	w.hooks = append(w.hooks, func(p verify.Probe, res *verify.ProbeResult) {
		if match(p) {
			change(res)
		}
	})
}

// port matches probes to a port.
func port(n uint16) func(verify.Probe) bool {
	return func(p verify.Probe) bool { return p.Addr.Port() == n && p.Relay == (verify.Relay{}) }
}

// relayTests matches the open-relay tests.
func relayTests(p verify.Probe) bool { return p.Relay != (verify.Relay{}) }

// probeAt matches the probes of a port at one address.
func probeAt(addr string, n uint16) func(verify.Probe) bool {
	return func(p verify.Probe) bool {
		return p.Addr == netip.AddrPortFrom(netip.MustParseAddr(addr), n) && p.Relay == (verify.Relay{})
	}
}

// cert issues (once per name) a certificate from the world's CA.
func (w *world) cert(c probeserver.Cert) *x509.Certificate {
	w.t.Helper()
	key := strings.Join(c.Names, ",") + c.NotAfter.String()
	if c.SelfSigned {
		key += ",self"
	}
	if cert, ok := w.certs[key]; ok {
		return cert
	}
	if w.ca == nil {
		ca, err := probeserver.NewCA("steps test CA")
		if err != nil {
			w.t.Fatal(err)
		}
		w.ca, w.certs = ca, map[string]*x509.Certificate{}
	}
	tc, err := w.ca.Issue(c)
	if err != nil {
		w.t.Fatal(err)
	}
	w.certs[key] = tc.Leaf
	return tc.Leaf
}

// tlsState is a healthy TLS 1.3 session with a certificate for names.
func (w *world) tlsState(names ...string) *verify.TLSState {
	return &verify.TLSState{Version: tls.VersionTLS13, CipherSuite: tls.TLS_AES_128_GCM_SHA256,
		Chain: []*x509.Certificate{w.cert(probeserver.Cert{Names: names})}}
}

// probe answers a probe as a healthy server would, changed by the hooks.
func (w *world) probe(q verify.Question) verify.Answer {
	p := q.Probe
	if w.probed == nil {
		w.probed = map[verify.Probe]int{}
	}
	w.probed[p]++
	if w.probeErr != nil {
		return verify.Answer{Question: q, Err: w.probeErr}
	}
	name := strings.TrimSuffix(p.Name, ".")
	res := &verify.ProbeResult{
		Start:     time.Now(),
		Local:     netip.MustParseAddrPort("198.51.100.200:40000"),
		Connected: true,
		Timings:   verify.Timings{Connect: time.Millisecond, Total: 12 * time.Millisecond},
	}
	if p.Addr.Addr().Is6() {
		res.Local = netip.MustParseAddrPort("[2001:db8:100::200]:40000")
	}
	switch {
	case p.Kind == verify.ProbeHTTPS:
		res.TLS = w.tlsState(name)
		res.HTTP = &verify.HTTPResponse{Status: 200, StatusLine: "HTTP/1.1 200 OK"}
		if p.Path == AutoconfigPath {
			cfg := w.cfg
			if cfg.Domain == "" {
				cfg = Config{Domain: strings.TrimPrefix(p.Name, "autoconfig.")}
			}
			res.HTTP.Body = []byte(AutoconfigXML(cfg))
		}
	case p.Protocol == verify.ProtoSMTP:
		res.Greeting = verify.Reply{Code: 220, Lines: []string{"220 " + name + " ESMTP"}}
		res.EHLO = verify.Reply{Code: 250, Lines: []string{"250-" + name, "250-PIPELINING", "250 STARTTLS"}}
		if p.TLS == verify.TLSStartTLS {
			res.StartTLSOffered = true
			res.StartTLS = verify.Reply{Code: 220, Lines: []string{"220 2.0.0 Ready"}}
		}
		if p.TLS != verify.TLSNone {
			res.TLS = w.tlsState(name)
		}
		if p.Relay != (verify.Relay{}) {
			res.MailFrom = verify.Reply{Code: 250, Lines: []string{"250 2.1.0 Ok"}}
			res.RcptTo = verify.Reply{Code: 554, Lines: []string{"554 5.7.1 Relay access denied"}}
			res.RelayTested = true
		}
	default:
		res.Greeting = verify.Reply{Lines: []string{"* OK ready"}}
		res.StartTLSOffered = p.TLS == verify.TLSStartTLS
		res.TLS = w.tlsState(name)
	}
	for _, h := range w.hooks {
		h(p, res)
	}
	return verify.Answer{Question: q, Probe: res}
}

// failAt makes a result a failure at stage: what the engine reports.
func failAt(res *verify.ProbeResult, stage verify.Stage, cause error) {
	res.Stage, res.Err = stage, &verify.ProbeError{Stage: stage, Err: cause}
	if stage == verify.StageConnect {
		res.Connected = false
		res.Greeting, res.EHLO, res.TLS, res.HTTP = verify.Reply{}, verify.Reply{}, nil, nil
		res.StartTLSOffered, res.RelayTested = false, false
	}
	if stage == verify.StageTLS || stage == verify.StageStartTLS {
		res.TLS = nil
	}
}
