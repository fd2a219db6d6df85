package steps

import (
	"crypto/x509"
	"net/netip"
	"strings"

	"github.com/mailwizard/mailwizard/internal/mtasts"
	"github.com/mailwizard/mailwizard/internal/probeserver"
	"github.com/mailwizard/mailwizard/internal/verify"
	"github.com/mailwizard/mailwizard/internal/verify/verifytest"
)

// probing is the part of a world that answers probes: a healthy mail host
// (verifytest.FakeProbes) serving the autoconfig file of the Config being
// judged, changed by hooks.
type probing struct {
	// cfg is the Config being judged, for the autoconfig file.
	cfg   Config
	fakes verifytest.FakeProbes
}

// probe answers a probe.
func (w *world) probe(q verify.Question) verify.Answer {
	cfg := w.cfg
	if cfg.Domain == "" {
		cfg = Config{Domain: strings.TrimPrefix(strings.TrimPrefix(q.Probe.Name, "autoconfig."), "mta-sts.")}
	}
	w.fakes.Autoconfig = []byte(AutoconfigXML(cfg))
	a := w.fakes.Answer(q)
	if res := a.Probe; res != nil && res.HTTP != nil && res.HTTP.Status == 200 && q.Probe.Path == mtasts.Path && len(res.HTTP.Body) == 0 {
		// The web server serves the policy the Config proposes, unless a
		// hook served something else.
		res.HTTP.ContentType, res.HTTP.Body = mtasts.ContentType, []byte(proposedPolicy(cfg.withDefaults()).String())
	}
	return a
}

// onProbe changes the results of the probes that match.
func (w *world) onProbe(match func(verify.Probe) bool, change func(*verify.ProbeResult)) {
	w.fakes.On(match, change)
}

// fail makes the matching probes fail at a stage.
func (w *world) fail(match func(verify.Probe) bool, stage verify.Stage, cause error) {
	w.onProbe(match, func(r *verify.ProbeResult) { verifytest.FailAt(r, stage, cause) })
}

// leaf makes the matching probes see a certificate as c says.
func (w *world) leaf(match func(verify.Probe) bool, c probeserver.Cert, trustErr error) {
	cert := w.fakes.Cert(c)
	w.onProbe(match, func(r *verify.ProbeResult) {
		r.TLS.Chain = []*x509.Certificate{cert}
		r.TLS.TrustErr = trustErr
	})
}

// port matches the probes of a port, open-relay tests aside.
func port(n uint16) func(verify.Probe) bool {
	return func(p verify.Probe) bool { return p.Addr.Port() == n && p.Relay == (verify.Relay{}) }
}

// port25 matches every probe of port 25, open-relay tests included.
func port25(p verify.Probe) bool { return p.Addr.Port() == smtpPort }

// anyPort matches every probe.
func anyPort(verify.Probe) bool { return true }

// relayTests matches the open-relay tests.
func relayTests(p verify.Probe) bool { return p.Relay != (verify.Relay{}) }

// probeAt matches the probes of a port at one address.
func probeAt(addr string, n uint16) func(verify.Probe) bool {
	return func(p verify.Probe) bool {
		return p.Addr == netip.AddrPortFrom(netip.MustParseAddr(addr), n) && p.Relay == (verify.Relay{})
	}
}
