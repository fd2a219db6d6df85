package main

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailwizard/mailwizard/internal/report"
	"github.com/mailwizard/mailwizard/internal/steps"
	"github.com/mailwizard/mailwizard/internal/verify/verifytest"
)

// connections counts what the stand-in mail host accepted.
func (w checkWorld) connections() int {
	n := w.host.Web.Connections()
	for _, s := range w.host.Mail {
		n += s.Connections()
	}
	return n
}

func serverStep(t *testing.T, r report.Report) report.Step {
	t.Helper()
	for _, s := range r.Steps {
		if s.ID == steps.IDServer {
			return s
		}
	}
	t.Fatalf("no server step in %+v", r)
	return report.Step{}
}

// TestCheckNoProbe: --no-probe keeps the check to DNS: not one connection
// to the mail server, the server step skipped, and --save records it.
func TestCheckNoProbe(t *testing.T) {
	w := newCheckWorld(t)
	profile := filepath.Join(t.TempDir(), "example.com.toml")
	r := w.check(t, "--json", "--no-probe", "--save", "--profile", profile)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if s := serverStep(t, decodeReport(t, r.stdout)); s.Status != steps.StatusSkipped || len(s.Observed) != 0 {
		t.Errorf("server step %s with %d observations, want skipped with none", s.Status, len(s.Observed))
	}
	if n := w.connections(); n != 0 {
		t.Errorf("the mail server got %d connections with --no-probe", n)
	}
	data, err := os.ReadFile(profile)
	if err != nil || !strings.Contains(string(data), "no-probe = true") {
		t.Errorf("profile %q (%v) does not record no-probe", data, err)
	}
	// The saved choice holds without the flag.
	r = runMW(t, w.e, "check", "--json", "--profile", profile, "--resolver", w.lab.Resolver.Addr())
	if s := serverStep(t, decodeReport(t, r.stdout)); s.Status != steps.StatusSkipped || w.connections() != 0 {
		t.Errorf("with the saved profile: server step %s, %d connections", s.Status, w.connections())
	}
}

// TestCheckServer: the server step in check's JSON: a row per address and
// port that says where it ran from, and each probe's transcript summary in
// the observed list.
func TestCheckServer(t *testing.T) {
	w := newCheckWorld(t)
	r := w.check(t, "--json")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	s := serverStep(t, decodeReport(t, r.stdout))
	if s.Status != steps.StatusPass || len(s.Probes) != 12 {
		t.Fatalf("server step %s with %d rows, want pass with 12:\n%+v", s.Status, len(s.Probes), s.Findings)
	}
	for _, row := range s.Probes {
		if row.From != "127.0.0.1" {
			t.Errorf("%s %s ran from %q", row.Service, row.Address, row.From)
		}
	}
	smtp := s.Observed[0]
	if smtp.Probe == nil || smtp.Probe.EHLOName != "mail.example.com" || smtp.Probe.StartTLS != "offered" || smtp.Probe.TLS == nil || !smtp.Probe.TLS.Trusted {
		t.Errorf("first observation %+v, want port 25's probe", smtp)
	}
}

// TestCheckPort25BlockedHere: port 25 dropping every connection attempt
// while the other ports answer is "could not check" (exit 3), never a
// failure, and says where the check ran from.
func TestCheckPort25BlockedHere(t *testing.T) {
	w := newCheckWorld(t)
	hole := verifytest.StartBlackhole(t)
	for _, ip := range w.cfg.IPs {
		w.host.Routes.Set(netip.AddrPortFrom(ip, 25), hole.Addr())
	}
	start := time.Now()
	r := w.check(t, "--json")
	t.Logf("check with port 25 blocked: %s", time.Since(start).Round(time.Millisecond))
	if r.code != 3 {
		t.Fatalf("exit %d, want 3 (could not check)\n%s%s", r.code, r.stdout, r.stderr)
	}
	s := serverStep(t, decodeReport(t, r.stdout))
	if s.Status != steps.StatusError || len(s.Findings) != 1 || s.Findings[0].Code != steps.CodeSMTPPort25Blocked {
		t.Fatalf("server step %s with %+v", s.Status, s.Findings)
	}
	if msg := s.Findings[0].Message; !strings.Contains(msg, "checked from 127.0.0.1") || !strings.Contains(msg, "i/o timeout after 5s") {
		t.Errorf("message %q", msg)
	}
}
