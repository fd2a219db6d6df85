package lab_test

import (
	"crypto/tls"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/lab"
	"github.com/mailwizard/mailwizard/internal/probeserver"
	"github.com/mailwizard/mailwizard/internal/report"
	"github.com/mailwizard/mailwizard/internal/steps"
	"github.com/mailwizard/mailwizard/internal/verify/dnsworld"
)

// The transport security steps end to end: a zone Knot signs with a DS at
// its parent (which the lab's Unbound validates from its own trust
// anchor), a broken DS, an expired signature, the MTA-STS policy served
// over HTTPS on loopback, and TLSA records compared with the certificate a
// real Postfix presents after STARTTLS, each through `mailwizard check
// --json`.

// parentZone is com., served by ns3, delegating example.com. to ns1 and
// ns2 as the zone itself says.
func parentZone() lab.Zone {
	return lab.Zone{Apex: "com.", Records: []string{
		"example.com. 3600 IN NS ns1.example.com.",
		"example.com. 3600 IN NS ns2.example.com.",
	}}
}

// signedLab is the lab's mail server zones with example.com. signed by
// Knot (ns2 its secondary), its parent com. signed too, and the DS in com.:
// ds when given, else the DS of the key Knot made.
func signedLab(t *testing.T, zs []lab.Zone, ds ...string) *lab.Lab {
	t.Helper()
	return lab.Start(t, progs, lab.Config{Zones: zs, Apart: []lab.Zone{parentZone()}, Secondary: true,
		Signed: []string{domain, "com."}, DS: ds})
}

// opinions are the second opinions of a step, joined.
func opinions(s report.Step) string {
	var out []string
	for _, o := range s.SecondOpinion {
		out = append(out, o.Note)
	}
	return strings.Join(out, " | ")
}

// logStep logs a step's findings and second opinions.
func logStep(t *testing.T, s report.Step) {
	t.Helper()
	for _, f := range s.Findings {
		t.Logf("  %s %s (%s): %s", s.ID, f.Code, f.Severity, f.Message)
	}
	for _, o := range s.SecondOpinion {
		t.Logf("  %s second opinion: %s", s.ID, o.Note)
	}
}

// findingOf is the message of a step's first finding with code.
func findingOf(s report.Step, code string) string {
	for _, f := range s.Findings {
		if f.Code == code {
			return f.Message
		}
	}
	return ""
}

// TestE2EDNSSECSigned: Knot signs the zone, its parent serves the DS, the
// resolver validates: the dnssec step passes on every server, and the
// resolver's AD bit is its second opinion.
func TestE2EDNSSECSigned(t *testing.T) {
	lab.Require(t, labErr)
	t.Parallel()
	l := signedLab(t, zones(t, nil, nil))
	r, rep := check(t, l)
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	wantStatuses(t, rep, map[string]steps.Status{steps.IDDNSSEC: steps.StatusPass})
	s := step(t, rep, steps.IDDNSSEC)
	logStep(t, s)
	if len(s.Findings) != 0 {
		t.Errorf("dnssec findings %+v, want none", s.Findings)
	}
	if got := opinions(s); !strings.Contains(got, "validates the answers") {
		t.Errorf("second opinion %q, want the resolver to validate", got)
	}
	ds := observedAt(s, "DS example.com.")
	if len(ds) == 0 {
		t.Fatal("the DS was never asked")
	}
	ns3, _ := l.Apart()
	for _, o := range ds {
		if o.Server != ns3 || len(o.Records) != 1 {
			t.Errorf("DS observation %+v, want one record from %s", o, ns3)
		}
	}
	var signed int
	for _, o := range s.Observed {
		if o.DNSSEC {
			signed++
		}
	}
	if signed == 0 {
		t.Error("no observation asked with the DO bit")
	}
	// Not chosen: the same zone without the DS is a warning with advice,
	// never pending.
	l2 := lab.Start(t, progs, lab.Config{Zones: zones(t, nil, nil), Apart: []lab.Zone{parentZone()}, Secondary: true, Signed: []string{domain}})
	r, rep = check(t, l2)
	if r.code != 0 {
		t.Fatalf("without a DS: exit %d, want 0\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	wantStatuses(t, rep, map[string]steps.Status{steps.IDDNSSEC: steps.StatusWarn})
	if got := codes(step(t, rep, steps.IDDNSSEC)); !slices.Equal(got, []string{steps.CodeDNSSECDSMissing}) {
		t.Errorf("without a DS: dnssec findings %v, want %s", got, steps.CodeDNSSECDSMissing)
	}
	// Chosen (--dane): the missing DS is pending, and so is the TLSA.
	r, rep = check(t, l2, "--dane")
	if r.code != 1 {
		t.Fatalf("--dane without a DS: exit %d, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	wantStatuses(t, rep, map[string]steps.Status{steps.IDDNSSEC: steps.StatusPending, steps.IDDANE: steps.StatusPending})
}

// TestE2EDNSSECBrokenDS: the parent's DS matches no key of the zone: a
// failure, and the validating resolver answers SERVFAIL.
func TestE2EDNSSECBrokenDS(t *testing.T) {
	lab.Require(t, labErr)
	t.Parallel()
	wrong := "example.com. 3600 IN DS 4242 13 2 " + strings.Repeat("ab", 32)
	l := signedLab(t, zones(t, nil, nil), wrong)
	wantDNSSECFail(t, l, steps.CodeDNSSECDSMismatch, "4242")
}

// wantDNSSECFail checks the lab: exit 1, the dnssec step failed with code
// in a message that says says, and the validating resolver's SERVFAIL as
// its second opinion.
func wantDNSSECFail(t *testing.T, l *lab.Lab, code, says string) report.Step {
	t.Helper()
	r, rep := check(t, l)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	s := step(t, rep, steps.IDDNSSEC)
	logStep(t, s)
	if s.Status != steps.StatusFail || !slices.Contains(codes(s), code) {
		t.Fatalf("dnssec %s with %v, want fail with %s: %+v", s.Status, codes(s), code, s.Findings)
	}
	if msg := findingOf(s, code); !strings.Contains(msg, says) {
		t.Errorf("message %q does not say %q", msg, says)
	}
	if got := opinions(s); !strings.Contains(got, "SERVFAIL") {
		t.Errorf("second opinion %q, want the resolver's SERVFAIL", got)
	}
	return s
}

// TestE2EDNSSECExpiredSignature: a zone signed beforehand whose signatures
// expired three days ago, with the right DS: bogus. (Unbound forgives up
// to a day of clock skew, so a signature just expired still validates
// there.)
func TestE2EDNSSECExpiredSignature(t *testing.T) {
	lab.Require(t, labErr)
	t.Parallel()
	signer, err := dnsworld.NewZoneSigner(domain)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	signer.SetValidity(now.Add(-30*24*time.Hour), now.Add(-3*24*time.Hour))
	zs := zones(t, nil, nil)
	zs[0].Presign = func(lines []string) []string {
		rrs := []dns.RR{signer.DNSKEY()}
		for _, line := range lines {
			rr, err := dns.NewRR(line)
			if err != nil {
				t.Errorf("%q: %v", line, err)
				continue
			}
			rrs = append(rrs, rr)
		}
		var out []string
		for _, rr := range signer.Sign(rrs) {
			out = append(out, rr.String())
		}
		return out
	}
	l := lab.Start(t, progs, lab.Config{Zones: zs, Apart: []lab.Zone{parentZone()}, Signed: []string{"com."},
		DS: []string{signer.DS().String()}})
	s := wantDNSSECFail(t, l, steps.CodeDNSSECBogus, "expired")
	if slices.Contains(codes(s), steps.CodeDNSSECDSMismatch) {
		t.Errorf("the DS matches, yet %v", codes(s))
	}
}

// webAt starts an HTTPS server on port 443 of a free loopback address
// (127.44.N.1) with pages, serving cert.
func webAt(t *testing.T, cert *tls.Certificate, pages map[string]probeserver.Page) *probeserver.WebServer {
	t.Helper()
	var last error
	for n := 1; n < 255; n++ {
		at := netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 44, byte(n), 1}), 443)
		s, err := probeserver.StartWebAt(at, cert, pages)
		if err == nil {
			t.Cleanup(func() { _ = s.Close() })
			return s
		}
		last = err
		if !errors.Is(err, syscall.EADDRINUSE) {
			break
		}
	}
	t.Skipf("no loopback address with a free port 443: %v", last)
	return nil
}

// testCA is a CA made for one test, written where mailwizard is told to
// find its roots (SSL_CERT_FILE), so nothing of the system's trust store
// changes.
type testCA struct {
	ca  *probeserver.CA
	env []string
}

func newTestCA(t *testing.T) testCA {
	t.Helper()
	ca, err := probeserver.NewCA("mailwizard transport e2e CA")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(file, ca.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	return testCA{ca: ca, env: append(mwEnv(t), "SSL_CERT_FILE="+file, "SSL_CERT_DIR="+filepath.Dir(file))}
}

// only is the --skip flag that leaves only the steps ids.
func only(ids ...string) []string {
	var skip []string
	for _, st := range steps.All() {
		if !slices.Contains(ids, st.ID) {
			skip = append(skip, st.ID)
		}
	}
	return []string{"--skip", strings.Join(skip, ",")}
}

// probing are serverFlags without --no-probe.
func probing() []string {
	return slices.DeleteFunc(serverFlags(), func(s string) bool { return s == "--no-probe" })
}

// TestE2EMTASTSPolicy: the policy served over HTTPS on loopback by a web
// server with a certificate from the test's CA: as mailwizard proposes it
// (pass), in enforce mode without the MX host (fail), and missing (404).
func TestE2EMTASTSPolicy(t *testing.T) {
	lab.Require(t, labErr)
	t.Parallel()
	ca := newTestCA(t)
	cert, err := ca.ca.Issue(probeserver.Cert{Names: []string{"mta-sts.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	files := recordsOf(t, serverFlags()...)[steps.IDMTASTS].Files
	if len(files) != 1 || files[0].URL != "https://mta-sts.example.com/.well-known/mta-sts.txt" {
		t.Fatalf("records: the policy file is %+v", files)
	}
	body := files[0].Body
	web := webAt(t, &cert, map[string]probeserver.Page{"/.well-known/mta-sts.txt": {ContentType: "text/plain", Body: []byte(body)}})
	webAddr := netip.MustParseAddrPort(web.Addr()).Addr()
	zs := zones(t, nil, nil)
	zs[0].Records = slices.DeleteFunc(zs[0].Records, func(line string) bool { return strings.Fields(line)[0] == "mta-sts.example.com." })
	zs[0].Records = append(zs[0].Records, "mta-sts.example.com. 3600 IN A "+webAddr.String())
	l := lab.Start(t, progs, lab.Config{Zones: zs})
	checkSTS := func(extra ...string) (run, report.Step) {
		t.Helper()
		args := append(append(append([]string{"check", "--json", "--resolver", l.Resolver()}, probing()...), only(steps.IDMTASTS)...), extra...)
		r := mwEnvRun(t, ca.env, args...)
		t.Logf("check %v: exit %d in %s", extra, r.code, r.took.Round(time.Millisecond))
		s := step(t, decode(t, r.stdout), steps.IDMTASTS)
		for _, row := range s.Probes {
			t.Logf("  %s %s %s: %s", row.Service, row.Address, row.Status, row.Detail)
		}
		logStep(t, s)
		return r, s
	}

	r, s := checkSTS()
	if r.code != 0 || s.Status != steps.StatusPass || len(s.Findings) != 0 {
		t.Fatalf("served as proposed: exit %d, %s with %+v; want exit 0, pass\n%s", r.code, s.Status, s.Findings, r.stderr)
	}
	if len(s.Probes) != 1 || s.Probes[0].Status != steps.StatusPass || !strings.Contains(s.Probes[0].Detail, "mode testing") {
		t.Errorf("probe rows %+v, want the policy fetched from %s", s.Probes, web.Addr())
	}

	web.SetPage("/.well-known/mta-sts.txt", probeserver.Page{ContentType: "text/plain",
		Body: []byte("version: STSv1\nmode: enforce\nmx: mx.example.net\nmax_age: 604800\n")})
	r, s = checkSTS("--mta-sts-mode", "enforce")
	if r.code != 1 || s.Status != steps.StatusFail {
		t.Fatalf("enforce without the MX host: exit %d, %s; want exit 1, fail", r.code, s.Status)
	}
	if got := codes(s); !slices.Contains(got, steps.CodeMTASTSMXNotCovered) || !slices.Contains(got, steps.CodeMTASTSPatternUnused) || slices.Contains(got, steps.CodeMTASTSModeMismatch) {
		t.Errorf("findings %v, want %s and %s, no %s", got, steps.CodeMTASTSMXNotCovered, steps.CodeMTASTSPatternUnused, steps.CodeMTASTSModeMismatch)
	}
	if msg := findingOf(s, steps.CodeMTASTSMXNotCovered); !strings.Contains(msg, "mail.example.com") {
		t.Errorf("message %q does not name the MX host", msg)
	}

	web.SetPage("/.well-known/mta-sts.txt", probeserver.Page{Status: 404, ContentType: "text/plain", Body: []byte("not here\n")})
	r, s = checkSTS()
	if r.code != 1 || s.Status != steps.StatusFail || !slices.Equal(codes(s), []string{steps.CodeMTASTSPolicyUnreachable}) {
		t.Fatalf("no policy: exit %d, %s with %v; want exit 1, fail with %s", r.code, s.Status, codes(s), steps.CodeMTASTSPolicyUnreachable)
	}
	if msg := findingOf(s, steps.CodeMTASTSPolicyUnreachable); !strings.Contains(msg, "404") {
		t.Errorf("message %q does not say what the server answered", msg)
	}

	// Port 443 drops every connection attempt from here: could not
	// check (exit 3), never a failure of the web server.
	if err := web.Close(); err != nil {
		t.Fatal(err)
	}
	hole, err := probeserver.StartBlackholeAt(netip.AddrPortFrom(webAddr, 443))
	if err != nil {
		t.Fatal(err)
	}
	defer hole.Close()
	r, s = checkSTS()
	if r.code != 3 || s.Status != steps.StatusError || !slices.Equal(codes(s), []string{steps.CodeLookupError}) {
		t.Fatalf("port 443 blocked here: exit %d, %s with %v; want exit 3, error with %s", r.code, s.Status, codes(s), steps.CodeLookupError)
	}
	if msg := findingOf(s, steps.CodeLookupError); !strings.Contains(msg, "from this machine") {
		t.Errorf("message %q does not say the fetch failed from here", msg)
	}
}

// daneLab is a real Postfix with a certificate from a test CA, in a lab
// where example.com. is signed with its DS at the parent and serves the
// TLSA lines startDANELab's tlsa makes from the chain file.
type daneLab struct {
	dns     *lab.Lab
	postfix *lab.Postfix
	// chainFile is the PEM chain Postfix serves, for --tls-cert.
	chainFile string
}

func startDANELab(t *testing.T, blocked25 bool, tlsa func(chainFile string) []string) daneLab {
	t.Helper()
	pf, _, chain := startMailServer(t, lab.PostfixConfig{}, "", blocked25)
	chainFile := filepath.Join(t.TempDir(), "chain.pem")
	if err := os.WriteFile(chainFile, chain, 0o600); err != nil {
		t.Fatal(err)
	}
	fwd := lab.Zone{Apex: domain, Records: append([]string{
		"example.com. 3600 IN MX 10 mail.example.com.",
		"mail.example.com. 3600 IN A " + pf.Addr().String(),
	}, tlsa(chainFile)...)}
	return daneLab{dns: signedLab(t, []lab.Zone{fwd}), postfix: pf, chainFile: chainFile}
}

// tlsaOf are the TLSA lines `mailwizard records --dane --tls-cert` makes
// for a chain.
func tlsaOf(t *testing.T, chainFile string) []string {
	t.Helper()
	var out []string
	for _, rec := range recordsOf(t, "--domain", "example.com", "--ip", "192.0.2.25", "--dane", "--tls-cert", chainFile)[steps.IDDANE].Records {
		if rec.Name != "_25._tcp.mail.example.com." || rec.Type != "TLSA" {
			t.Errorf("dane record %+v, want TLSA at _25._tcp.mail.example.com.", rec)
		}
		out = append(out, rec.ZoneLines()...)
	}
	if len(out) != 2 {
		t.Fatalf("TLSA lines %q, want 3 1 1 and 2 1 1", out)
	}
	return out
}

// checkDANE runs `mailwizard check --json --dane` with the dnssec and dane
// steps only.
func (d daneLab) checkDANE(t *testing.T, extra ...string) (run, report.Report) {
	t.Helper()
	args := append(append([]string{"check", "--json", "--resolver", d.dns.Resolver(), "--domain", "example.com",
		"--ip", d.postfix.Addr().String(), "--dane"}, only(steps.IDDNSSEC, steps.IDDANE)...), extra...)
	r := mw(t, args...)
	t.Logf("check %v: exit %d in %s", extra, r.code, r.took.Round(time.Millisecond))
	rep := decode(t, r.stdout)
	for _, s := range rep.Steps {
		logStep(t, s)
	}
	return r, rep
}

// TestE2EDANE: TLSA records compared with the certificate Postfix presents
// on port 25 after STARTTLS: mailwizard's own records (3 1 1 and 2 1 1)
// pass, a record of another key fails.
func TestE2EDANE(t *testing.T) {
	tests := map[string]struct {
		tlsa func(t *testing.T, chainFile string) []string
		code int
		want steps.Status
		find []string
	}{
		"the served key": {tlsa: tlsaOf, want: steps.StatusPass},
		"another key": {tlsa: func(t *testing.T, _ string) []string {
			return []string{"_25._tcp.mail.example.com. 3600 IN TLSA 3 1 1 " + strings.Repeat("0f", 32)}
		}, code: 1, want: steps.StatusFail, find: []string{steps.CodeTLSAMismatch, steps.CodeTLSANoRollover}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := startDANELab(t, false, func(chainFile string) []string { return tc.tlsa(t, chainFile) })
			r, rep := d.checkDANE(t)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d\n%s", r.code, tc.code, r.stderr)
			}
			if s := step(t, rep, steps.IDDNSSEC); s.Status != steps.StatusPass {
				t.Errorf("dnssec %s with %v, want pass", s.Status, codes(s))
			}
			s := step(t, rep, steps.IDDANE)
			if s.Status != tc.want || !slices.Equal(codes(s), tc.find) {
				t.Errorf("dane %s with %v, want %s with %v", s.Status, codes(s), tc.want, tc.find)
			}
			var probed bool
			for _, o := range s.Observed {
				probed = probed || (o.Probe != nil && strings.HasPrefix(o.Question, "SMTP"))
			}
			if !probed {
				t.Errorf("no probe of port 25 among %d observations", len(s.Observed))
			}
		})
	}
}

// TestE2EDANEPort25BlockedHere: port 25 drops every connection attempt
// from here: the TLSA records cannot be compared (a warning that says
// so), and --tls-cert compares them with the certificate file instead.
func TestE2EDANEPort25BlockedHere(t *testing.T) {
	t.Parallel()
	var chain string
	d := startDANELab(t, true, func(chainFile string) []string {
		chain = chainFile
		return tlsaOf(t, chainFile)
	})
	r, rep := d.checkDANE(t)
	if r.code != 0 {
		t.Fatalf("exit %d, want 0 (a warning)\n%s", r.code, r.stderr)
	}
	s := step(t, rep, steps.IDDANE)
	if s.Status != steps.StatusWarn || !slices.Equal(codes(s), []string{steps.CodeTLSAUnverified}) {
		t.Errorf("dane %s with %v, want warn with %s", s.Status, codes(s), steps.CodeTLSAUnverified)
	}
	if msg := findingOf(s, steps.CodeTLSAUnverified); !strings.Contains(msg, "--tls-cert") {
		t.Errorf("message %q does not mention --tls-cert", msg)
	}
	r, rep = d.checkDANE(t, "--tls-cert", chain)
	if s := step(t, rep, steps.IDDANE); r.code != 0 || s.Status != steps.StatusPass {
		t.Errorf("--tls-cert: exit %d, dane %s with %v; want exit 0, pass", r.code, s.Status, codes(s))
	}
}
