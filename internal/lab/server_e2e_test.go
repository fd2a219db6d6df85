package lab_test

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailwizard/mailwizard/internal/lab"
	"github.com/mailwizard/mailwizard/internal/probeserver"
	"github.com/mailwizard/mailwizard/internal/report"
	"github.com/mailwizard/mailwizard/internal/steps"
)

// postfixErr installs Postfix (once per test process) and says why the
// server step's end-to-end tests cannot run, if they cannot.
var postfixErr = sync.OnceValue(func() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	return lab.EnsurePostfix(ctx, os.Stderr)
})

// mailLab is a real Postfix on a loopback address of its own, with a
// certificate from a CA made for the test, and the lab's nameservers
// serving example.com. with the mail host at that address (A, MX, PTR and
// the SRV records of submission on 587 and 465).
type mailLab struct {
	dns     *lab.Lab
	postfix *lab.Postfix
	// caFile is the CA's certificate, the only root mailwizard trusts
	// (SSL_CERT_FILE), so nothing of the system's trust store changes.
	caFile string
}

// startMailLab starts Postfix as startMailServer does, and the DNS lab
// that points at it.
func startMailLab(t *testing.T, cfg lab.PostfixConfig, certName string, blocked25 bool) mailLab {
	t.Helper()
	pf, ca, _ := startMailServer(t, cfg, certName, blocked25)
	addr := pf.Addr().As4()
	rev := fmt.Sprintf("%d.25.127.in-addr.arpa.", addr[2])
	zones := []lab.Zone{
		{Apex: domain, Records: []string{
			"example.com. 3600 IN MX 10 mail.example.com.",
			"mail.example.com. 3600 IN A " + pf.Addr().String(),
			"_submission._tcp.example.com. 3600 IN SRV 0 1 587 mail.example.com.",
			"_submissions._tcp.example.com. 3600 IN SRV 0 1 465 mail.example.com.",
		}},
		{Apex: rev, Records: []string{fmt.Sprintf("1.%s 3600 IN PTR mail.example.com.", rev)}},
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, ca.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	return mailLab{dns: lab.Start(t, progs, lab.Config{Zones: zones}), postfix: pf, caFile: caFile}
}

// startMailServer starts Postfix as cfg says (the host name, domain and
// certificate are filled in: a certificate for certName, or for the mail
// host, from a CA made for the test) and returns it, the CA and the PEM
// chain it serves. blocked25, when set, puts a port that drops every
// connection attempt where port 25 would be.
func startMailServer(t *testing.T, cfg lab.PostfixConfig, certName string, blocked25 bool) (*lab.Postfix, *probeserver.CA, []byte) {
	t.Helper()
	lab.Require(t, labErr)
	lab.Require(t, postfixErr())
	ca, err := probeserver.NewCA("mailwizard e2e CA")
	if err != nil {
		t.Fatal(err)
	}
	if certName == "" {
		certName = "mail.example.com"
	}
	cert, err := ca.Issue(probeserver.Cert{Names: []string{certName}})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Hostname, cfg.Domain = "mail.example.com", "example.com"
	if cfg.Chain, cfg.Key, err = probeserver.PEM(cert); err != nil {
		t.Fatal(err)
	}
	cfg.No25 = cfg.No25 || blocked25
	pf := lab.StartPostfix(t, cfg)
	if blocked25 {
		hole, err := probeserver.StartBlackholeAt(netip.AddrPortFrom(pf.Addr(), 25))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = hole.Close() })
	}
	return pf, ca, cfg.Chain
}

// checkServer runs `mailwizard check --json` with only the server step,
// trusting the lab's CA alone, and returns the run and the step.
func (m mailLab) checkServer(t *testing.T) (run, report.Step) {
	t.Helper()
	t.Setenv("SSL_CERT_FILE", m.caFile)
	t.Setenv("SSL_CERT_DIR", filepath.Dir(m.caFile))
	r := mw(t, append([]string{"check", "--json", "--resolver", m.dns.Resolver(), "--domain", "example.com", "--ip", m.postfix.Addr().String(),
		"--services", "submission,submissions", "--dnsbl", "none"}, only(steps.IDServer)...)...)
	t.Logf("check with the server step: exit %d in %s", r.code, r.took.Round(time.Millisecond))
	rep := decode(t, r.stdout)
	for _, s := range rep.Steps {
		if s.ID == steps.IDServer {
			for _, row := range s.Probes {
				t.Logf("  %s %s %s: %s", row.Service, row.Address, row.Status, row.Detail)
			}
			for _, f := range s.Findings {
				t.Logf("  %s (%s): %s", f.Code, f.Severity, f.Message)
			}
			for _, o := range s.Observed {
				if p := o.Probe; p != nil {
					t.Logf("  %s: connect %d ms, greeting %d ms, TLS %d ms, total %d ms", o.Question, p.TimingsMillis.Connect, p.TimingsMillis.Greeting, p.TimingsMillis.TLS, p.TimingsMillis.Total)
				}
			}
			return r, s
		}
	}
	t.Fatalf("no server step in the report:\n%s", r.stdout)
	return r, report.Step{}
}

func findingCodes(s report.Step) []string {
	var out []string
	for _, f := range s.Findings {
		out = append(out, f.Code)
	}
	return out
}

// TestE2EServer probes a real Postfix: correct, with a certificate for
// another name, with STARTTLS off, and relaying for anyone.
func TestE2EServer(t *testing.T) {
	tests := map[string]struct {
		cfg      lab.PostfixConfig
		certName string
		status   steps.Status
		code     int
		want     []string
	}{
		"correct":                      {status: steps.StatusPass, code: 0},
		"certificate for a wrong name": {certName: "wrong.example.net", status: steps.StatusFail, code: 1, want: []string{steps.CodeTLSCertName}},
		"STARTTLS off":                 {cfg: lab.PostfixConfig{NoStartTLS: true}, status: steps.StatusFail, code: 1, want: []string{steps.CodeSMTPNoStartTLS}},
		"an open relay":                {cfg: lab.PostfixConfig{OpenRelay: true}, status: steps.StatusFail, code: 1, want: []string{steps.CodeSMTPOpenRelay}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			m := startMailLab(t, tc.cfg, tc.certName, false)
			r, s := m.checkServer(t)
			if r.code != tc.code || s.Status != tc.status {
				t.Fatalf("exit %d, server step %s; want exit %d, %s\n%s", r.code, s.Status, tc.code, tc.status, r.stderr)
			}
			got := findingCodes(s)
			slices.Sort(got)
			if got = slices.Compact(got); !slices.Equal(got, tc.want) {
				t.Errorf("findings %v, want %v", got, tc.want)
			}
			if len(s.Probes) != 3 {
				t.Errorf("%d rows, want port 25, 587 and 465", len(s.Probes))
			}
			for _, row := range s.Probes {
				if row.From != "127.0.0.1" {
					t.Errorf("%s %s ran from %q", row.Service, row.Address, row.From)
				}
			}
			smtp := s.Observed[0]
			if smtp.Probe == nil || smtp.Probe.EHLOName != "mail.example.com" || len(smtp.Probe.Greeting) == 0 || smtp.Probe.Greeting[0] != "220 mail.example.com ESMTP" {
				t.Fatalf("port 25's observation %+v", smtp)
			}
			if tls := smtp.Probe.TLS; tc.cfg.NoStartTLS != (tls == nil) || (tls != nil && !tls.Trusted) {
				t.Errorf("port 25's TLS %+v", tls)
			}
		})
	}
}

// TestE2EServerPort25BlockedHere: port 25 of the mail host drops every
// connection attempt while submission answers: "could not check" (exit 3),
// never a failure.
func TestE2EServerPort25BlockedHere(t *testing.T) {
	m := startMailLab(t, lab.PostfixConfig{}, "", true)
	r, s := m.checkServer(t)
	if r.code != 3 || s.Status != steps.StatusError || !slices.Equal(findingCodes(s), []string{steps.CodeSMTPPort25Blocked}) {
		t.Fatalf("exit %d, server step %s with %v; want exit 3, error with %s", r.code, s.Status, findingCodes(s), steps.CodeSMTPPort25Blocked)
	}
	if msg := s.Findings[0].Message; !strings.Contains(msg, "checked from 127.0.0.1") || !strings.Contains(msg, "did (587 and 465)") {
		t.Errorf("message %q", msg)
	}
}
