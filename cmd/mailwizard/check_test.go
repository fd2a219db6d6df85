package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/probeserver"
	"github.com/mailwizard/mailwizard/internal/report"
	"github.com/mailwizard/mailwizard/internal/steps"
	"github.com/mailwizard/mailwizard/internal/verify"
	"github.com/mailwizard/mailwizard/internal/verify/verifytest"
)

// checkWorld is a mail server's Config, an in-process DNS lab that can
// serve its records, and a stand-in for the mail server itself.
type checkWorld struct {
	lab  *verifytest.Lab
	host *probeserver.Host
	cfg  steps.Config
	e    env
	args []string // the config flags of cfg
}

// newCheckWorld starts a lab serving every record of the test mail server
// except those of the steps in missing.
func newCheckWorld(t testing.TB, missing ...string) checkWorld {
	t.Helper()
	key := writeKey(t, t.TempDir())
	args := []string{"--domain", "example.com", "--ip", "192.0.2.25", "--ip", "2001:db8::25",
		"--dkim-selector", "mail", "--dkim-key", key, "--dnsbl", "none"}
	cfg := steps.Config{
		Domain: "example.com", IPs: []netip.Addr{netip.MustParseAddr("192.0.2.25"), netip.MustParseAddr("2001:db8::25")},
		DKIMSelector: "mail", DKIMKeyFile: key, DNSBL: []string{},
	}
	if err := cfg.Normalize(os.ReadFile); err != nil {
		t.Fatal(err)
	}
	zones := map[string][]string{"example.com.": nil, "2.0.192.in-addr.arpa.": nil, "8.b.d.0.1.0.0.2.ip6.arpa.": nil}
	for _, st := range steps.All() {
		if contains(missing, st.ID) {
			continue
		}
		for _, rec := range st.Records(cfg) {
			for apex := range zones {
				if rec.Name == apex || strings.HasSuffix(rec.Name, "."+apex) {
					zones[apex] = append(zones[apex], rec.ZoneLines()...)
				}
			}
		}
	}
	var texts []string
	for apex, lines := range zones {
		texts = append(texts, verifytest.Zone(apex, lines...))
	}
	lab := verifytest.StartLab(t, verifytest.LabConfig{Zones: texts})
	// The mail server itself, for the server step.
	host := verifytest.StartHost(t, probeserver.HostConfig{Name: cfg.Host, Domain: cfg.Domain, Addrs: cfg.IPs, Autoconfig: []byte(steps.AutoconfigXML(cfg)), MTASTSPolicy: []byte(steps.MTASTSPolicy(cfg))})
	e := testEnv(t)
	e.mapAddr, e.roots = host.Routes.Map(lab.MapAddr), host.CA.Pool()
	return checkWorld{lab: lab, host: host, cfg: cfg, e: e, args: append(args, "--resolver", lab.Resolver.Addr())}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (w checkWorld) check(t *testing.T, extra ...string) result {
	t.Helper()
	return runMW(t, w.e, append(append([]string{"check"}, w.args...), extra...)...)
}

func decodeReport(t *testing.T, s string) report.Report {
	t.Helper()
	var r report.Report
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		t.Fatalf("output is not a JSON report: %v\n%s", err, s)
	}
	return r
}

func statuses(r report.Report) map[string]steps.Status {
	m := map[string]steps.Status{}
	for _, s := range r.Steps {
		m[s.ID] = s.Status
	}
	return m
}

func TestCheckExitCodesAndJSON(t *testing.T) {
	tests := map[string]struct {
		missing     []string
		wantCode    int
		wantPending []string
	}{
		"every record published": {wantCode: 0},
		"DKIM and DMARC missing": {missing: []string{steps.IDDKIM, steps.IDDMARC}, wantCode: 1, wantPending: []string{steps.IDDKIM, steps.IDDMARC}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newCheckWorld(t, tc.missing...)
			r := w.check(t, "--json")
			if r.code != tc.wantCode {
				t.Fatalf("exit code = %d, want %d\nstdout: %s\nstderr: %s", r.code, tc.wantCode, r.stdout, r.stderr)
			}
			rep := decodeReport(t, r.stdout)
			if rep.Domain != "example.com." || !rep.CheckedAt.Equal(testNow) {
				t.Errorf("report domain %q at %v, want example.com. at %v", rep.Domain, rep.CheckedAt, testNow)
			}
			for id, st := range statuses(rep) {
				want := []steps.Status{steps.StatusPass, steps.StatusWarn, steps.StatusSkipped}
				if contains(tc.wantPending, id) {
					want = []steps.Status{steps.StatusPending}
				}
				if !containsStatus(want, st) {
					t.Errorf("step %s is %s, want one of %v", id, st, want)
				}
			}
		})
	}
}

func containsStatus(list []steps.Status, s steps.Status) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestCheckFormats(t *testing.T) {
	w := newCheckWorld(t, steps.IDDMARC)
	tests := map[string]struct {
		flags []string
		want  []string
	}{
		"table":    {nil, []string{"example.com.", "pending", "DMARC", "checked 2026-03-01 12:00:00 UTC"}},
		"markdown": {[]string{"--markdown"}, []string{"## mailwizard check of `example.com.`", "**Status: pending**", "### DMARC", "_dmarc.example.com."}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := w.check(t, tc.flags...)
			if r.code != 1 {
				t.Fatalf("exit code = %d, want 1; stderr: %s", r.code, r.stderr)
			}
			for _, s := range tc.want {
				if !strings.Contains(r.stdout, s) {
					t.Errorf("output lacks %q:\n%s", s, r.stdout)
				}
			}
			if strings.Contains(r.stdout, "\x1b[") {
				t.Errorf("output has colour though NO_COLOR is set:\n%q", r.stdout)
			}
		})
	}
}

func TestCheckCouldNotCheck(t *testing.T) {
	tests := map[string]struct {
		setup    func(w checkWorld)
		args     []string
		wantCode int
		wantErr  string
	}{
		"resolver unreachable: one line naming it, exit 3": {
			args:     []string{"--resolver", "127.0.0.1:1"},
			wantCode: 3,
			wantErr:  "mailwizard: --resolver 127.0.0.1:1: no reply (connection refused), so the nameservers of example.com. cannot be found",
		},
		"every nameserver failing: exit 3, a report of errors": {
			setup: func(w checkWorld) {
				w.lab.SetFault(verifytest.Fault{Rcode: dns.RcodeServerFailure})
			},
			wantCode: 3,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			w := newCheckWorld(t)
			if tc.setup != nil {
				tc.setup(w)
			}
			r := w.check(t, append([]string{"--json"}, tc.args...)...)
			if r.code != tc.wantCode {
				t.Fatalf("exit code = %d, want %d\nstdout: %s\nstderr: %s", r.code, tc.wantCode, r.stdout, r.stderr)
			}
			if tc.wantErr != "" {
				// The notes about the documentation addresses wait for a
				// check that ran.
				if lines := r.errLines(); len(lines) != 1 || lines[0] != tc.wantErr {
					t.Errorf("stderr = %q, want the one line %q", r.stderr, tc.wantErr)
				}
				return
			}
			for id, st := range statuses(decodeReport(t, r.stdout)) {
				if st != steps.StatusError && st != steps.StatusSkipped {
					t.Errorf("step %s is %s, want error", id, st)
				}
			}
		})
	}
}

// TestCheckWatch publishes the missing records while check --watch runs:
// it prints the first report, then only what changed, and exits 0.
func TestCheckWatch(t *testing.T) {
	tests := map[string]struct {
		format    string
		wantLines func(t *testing.T, lines []string)
	}{
		"json: a report line for each change": {
			format: "--json",
			wantLines: func(t *testing.T, lines []string) {
				if len(lines) != 2 {
					t.Fatalf("got %d JSON lines, want 2 (the first round, the change):\n%s", len(lines), strings.Join(lines, "\n"))
				}
				if got := statuses(decodeReport(t, lines[0]))[steps.IDDMARC]; got != steps.StatusPending {
					t.Errorf("first report: dmarc is %s, want pending", got)
				}
				if got := statuses(decodeReport(t, lines[1]))[steps.IDDMARC]; got != steps.StatusWarn && got != steps.StatusPass {
					t.Errorf("last report: dmarc is %s, want pass or warn", got)
				}
			},
		},
		"table: the table once, then a line per change": {
			wantLines: func(t *testing.T, lines []string) {
				all := strings.Join(lines, "\n")
				if !strings.Contains(all, "(dmarc): … pending → ✓") {
					t.Errorf("output lacks the dmarc change:\n%s", all)
				}
				if strings.Contains(all, "(mx): ") {
					t.Errorf("output has a line for mx, which did not change:\n%s", all)
				}
				if n := strings.Count(strings.Join(lines, "\n"), "Step"); n != 1 {
					t.Errorf("the table header appears %d times, want once", n)
				}
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newCheckWorld(t, steps.IDDMARC)
			var dmarc []string
			for _, rec := range mustStep(t, steps.IDDMARC).Records(w.cfg) {
				dmarc = append(dmarc, rec.ZoneLines()...)
			}
			out := &syncBuffer{}
			e := w.e
			e.stdout, e.stderr = out, &bytes.Buffer{}
			args := append(append([]string{"check"}, w.args...), "--watch", "--interval", "50ms", "--timeout", "10s")
			if tc.format != "" {
				args = append(args, tc.format)
			}
			done := make(chan int, 1)
			go func() { done <- run(context.Background(), args, e) }()
			waitFor(t, func() bool { return strings.Contains(out.String(), "pending") })
			if err := w.lab.Add(dmarc...); err != nil {
				t.Fatal(err)
			}
			select {
			case code := <-done:
				if code != 0 {
					t.Fatalf("exit code = %d, want 0\n%s", code, out.String())
				}
			case <-time.After(10 * time.Second):
				t.Fatal("check --watch did not end after the record was published")
			}
			tc.wantLines(t, nonEmptyLines(out.String()))
		})
	}
}

func TestCheckWatchTimeout(t *testing.T) {
	w := newCheckWorld(t, steps.IDDKIM)
	r := w.check(t, "--watch", "--interval", "50ms", "--timeout", "300ms", "--markdown")
	if r.code != 1 {
		t.Fatalf("exit code = %d, want 1 (still pending)\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "--timeout 300ms reached; still pending") {
		t.Errorf("stderr = %q, want it to say the timeout was reached", r.stderr)
	}
	if n := strings.Count(r.stdout, "## mailwizard check of"); n != 1 {
		t.Errorf("markdown report printed %d times, want once, at the end:\n%s", n, r.stdout)
	}
}

func TestCheckSaveThenDomainAlone(t *testing.T) {
	w := newCheckWorld(t)
	if r := w.check(t, "--save"); r.code != 0 {
		t.Fatalf("check --save: exit %d\n%s", r.code, r.stderr)
	}
	path := filepath.Join(w.e.getenv("XDG_CONFIG_HOME"), "mailwizard", "example.com.toml")
	st, err := os.Stat(path)
	if err != nil {
		t.Fatalf("profile not saved: %v", err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("profile mode %v, want 0600", st.Mode().Perm())
	}
	r := runMW(t, w.e, "check", "--domain", "example.com", "--resolver", w.lab.Resolver.Addr(), "--json")
	if r.code != 0 {
		t.Fatalf("check --domain alone: exit %d\n%s", r.code, r.stderr)
	}
	if rep := decodeReport(t, r.stdout); statuses(rep)[steps.IDDKIM] == steps.StatusSkipped {
		t.Errorf("the profile's DKIM key was not used: dkim is skipped")
	}
}

func mustStep(t *testing.T, id string) steps.Step {
	t.Helper()
	st, ok := steps.ByID(id)
	if !ok {
		t.Fatalf("no step %q", id)
	}
	return st
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func nonEmptyLines(s string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) != "" {
			out = append(out, sc.Text())
		}
	}
	return out
}

// TestZoneError: a resolver that does not answer is named with the flag
// that chooses it and the bare cause; a resolver that answers with a
// failure keeps the whole story.
func TestZoneError(t *testing.T) {
	q := verify.Question{Name: "example.com.", Type: dns.TypeNS}
	refused := &verify.ResolverError{Address: "127.0.0.1:1", Err: &verify.QueryError{Question: q, Server: "127.0.0.1:1",
		Err: &net.OpError{Op: "read", Net: "udp", Err: os.NewSyscallError("read", syscall.ECONNREFUSED)}}}
	timeout := &verify.ResolverError{Address: "127.0.0.1:1", Err: &verify.QueryError{Question: q, Server: "127.0.0.1:1",
		Err: fmt.Errorf("%w (2 tries of 2s)", verify.ErrTimeout)}}
	servfail := fmt.Errorf("find the zone of example.com.: %w", &verify.QueryError{Question: q, Server: "127.0.0.1:1", Err: &verify.RcodeError{Rcode: dns.RcodeServerFailure}})
	tests := map[string]struct {
		err   error
		given bool
		want  string
	}{
		"refused, --resolver": {refused, true, "--resolver 127.0.0.1:1: no reply (connection refused), so the nameservers of example.com. cannot be found"},
		"timeout, the system's": {timeout, false,
			"the system's resolver 127.0.0.1:1 (choose another with --resolver): no reply (i/o timeout (2 tries of 2s)), so the nameservers of example.com. cannot be found"},
		"an answer that is a failure": {servfail, true,
			"could not find the nameservers of example.com. through --resolver 127.0.0.1:1: find the zone of example.com.: query NS example.com. at 127.0.0.1:1: SERVFAIL"},
	}
	engine, err := verify.New(verify.Options{Resolver: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c := checker{engine: engine, cfg: steps.Config{Domain: "example.com."}, resolverGiven: tc.given}
			err := c.zoneError(tc.err)
			if err.Error() != tc.want || exitCode(err) != report.ExitCouldNotCheck {
				t.Errorf("zoneError = %q (exit %d), want %q (exit 3)", err, exitCode(err), tc.want)
			}
		})
	}
}
