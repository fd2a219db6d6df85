package lab_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailwizard/mailwizard/internal/lab"
	"github.com/mailwizard/mailwizard/internal/report"
	"github.com/mailwizard/mailwizard/internal/steps"
)

// The lab's mail server: example.com., its DKIM key (made by `mailwizard
// dkim generate` in TestMain), and a blocklist zone the lab serves with one
// listed address and one refusal.
const (
	domain      = "example.com."
	selector    = "lab"
	blocklist   = "bl.example.org."
	listedIP    = "192.0.2.66"
	refusedIP   = "192.0.2.77"
	blocklistTX = `"listed by the mailwizard lab"`
)

func keyPath() string { return filepath.Join(dir, "lab.pem") }

// serverFlags describe the lab's mail server to mailwizard.
func serverFlags(ips ...string) []string {
	if len(ips) == 0 {
		ips = []string{"192.0.2.25", "2001:db8::25"}
	}
	// The mail server's addresses are documentation addresses: nothing
	// may connect to them (server_e2e_test.go probes a real Postfix).
	args := []string{"--domain", "example.com", "--dkim-selector", selector, "--dkim-key", keyPath(), "--dnsbl", blocklist, "--no-probe"}
	for _, ip := range ips {
		args = append(args, "--ip", ip)
	}
	return args
}

// run is one run of the mailwizard binary.
type run struct {
	code           int
	stdout, stderr string
	took           time.Duration
}

// mw runs the binary with its own empty config folder, without colour.
func mw(t *testing.T, args ...string) run {
	t.Helper()
	return mwEnvRun(t, mwEnv(t), args...)
}

// mwEnvRun runs the binary in the environment env.
func mwEnvRun(t *testing.T, env []string, args ...string) run {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	err := cmd.Run()
	r := run{stdout: out.String(), stderr: errOut.String(), took: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run mailwizard %v: %v", args, err)
	}
	return r
}

// mwEnv is the binary's environment: its own empty config folder, no
// colour, and no 1 s pause at exit when it was built with -race.
func mwEnv(t *testing.T) []string {
	return append(os.Environ(), "XDG_CONFIG_HOME="+t.TempDir(), "HOME="+t.TempDir(), "NO_COLOR=1", "GORACE=atexit_sleep_ms=0 halt_on_error=1")
}

// records are the lab mail server's records by step, from `mailwizard
// records --format json`.
func records(t *testing.T) map[string][]steps.Record {
	t.Helper()
	out := map[string][]steps.Record{}
	for id, s := range recordsOf(t, serverFlags()...) {
		out[id] = s.Records
	}
	return out
}

// recordsStep is one step of `mailwizard records --format json`.
type recordsStep struct {
	Records []steps.Record `json:"records"`
	Files   []steps.File   `json:"files"`
}

// recordsOf runs `mailwizard records --format json` with args and returns
// its steps by id.
func recordsOf(t *testing.T, args ...string) map[string]recordsStep {
	t.Helper()
	r := mw(t, append([]string{"records", "--format", "json"}, args...)...)
	if r.code != 0 {
		t.Fatalf("records %v: exit %d: %s", args, r.code, r.stderr)
	}
	var doc struct {
		Steps []struct {
			ID string `json:"id"`
			recordsStep
		} `json:"steps"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("records JSON: %v\n%s", err, r.stdout)
	}
	out := map[string]recordsStep{}
	for _, s := range doc.Steps {
		out[s.ID] = s.recordsStep
	}
	return out
}

// zones are the lab's zones for the mail server: its domain with the
// records of every step but those missing (and those firstOnly served by
// ns1 only), the reverse zones of its addresses, and the blocklist.
func zones(t *testing.T, missing, firstOnly []string) []lab.Zone {
	t.Helper()
	fwd := lab.Zone{Apex: domain}
	rev4 := lab.Zone{Apex: "2.0.192.in-addr.arpa."}
	rev6 := lab.Zone{Apex: "8.b.d.0.1.0.0.2.ip6.arpa."}
	for id, recs := range records(t) {
		if slices.Contains(missing, id) {
			continue
		}
		for _, rec := range recs {
			z := &fwd
			switch {
			case strings.HasSuffix(rec.Name, "."+rev4.Apex):
				z = &rev4
			case strings.HasSuffix(rec.Name, "."+rev6.Apex):
				z = &rev6
			case rec.Name != domain && !strings.HasSuffix(rec.Name, "."+domain):
				t.Fatalf("record %s is in no lab zone", rec.Name)
			}
			if slices.Contains(firstOnly, id) {
				z.FirstOnly = append(z.FirstOnly, rec.ZoneLines()...)
			} else {
				z.Records = append(z.Records, rec.ZoneLines()...)
			}
		}
	}
	bl := lab.Zone{Apex: blocklist, Records: []string{
		"66.2.0.192." + blocklist + " 3600 IN A 127.0.0.2",
		"66.2.0.192." + blocklist + " 3600 IN TXT " + blocklistTX,
		"77.2.0.192." + blocklist + " 3600 IN A 127.255.255.254",
	}}
	return []lab.Zone{fwd, rev4, rev6, bl}
}

// check runs `mailwizard check --json` against the lab.
func check(t *testing.T, l *lab.Lab, extra ...string) (run, report.Report) {
	t.Helper()
	args := append(append([]string{"check", "--json", "--resolver", l.Resolver()}, serverFlags()...), extra...)
	r := mw(t, args...)
	t.Logf("check %v: exit %d in %s", extra, r.code, r.took.Round(time.Millisecond))
	return r, decode(t, r.stdout)
}

func decode(t *testing.T, s string) report.Report {
	t.Helper()
	var rep report.Report
	if err := json.Unmarshal([]byte(s), &rep); err != nil {
		t.Fatalf("not a JSON report: %v\n%s", err, s)
	}
	return rep
}

func step(t *testing.T, rep report.Report, id string) report.Step {
	t.Helper()
	for _, s := range rep.Steps {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("report has no step %q", id)
	return report.Step{}
}

func codes(s report.Step) []string {
	var out []string
	for _, f := range s.Findings {
		out = append(out, f.Code)
	}
	return out
}

// wantStatuses checks every step's status: those in special as given,
// the server step skipped (--no-probe, see serverFlags), every other pass
// or warn.
func wantStatuses(t *testing.T, rep report.Report, special map[string]steps.Status) {
	t.Helper()
	for _, s := range rep.Steps {
		want, ok := special[s.ID]
		if !ok && s.ID == steps.IDServer {
			want, ok = steps.StatusSkipped, true
		}
		switch {
		case ok && s.Status != want:
			t.Errorf("step %s is %s, want %s; findings: %+v", s.ID, s.Status, want, s.Findings)
		case !ok && s.Status != steps.StatusPass && s.Status != steps.StatusWarn:
			t.Errorf("step %s is %s, want pass or warn; findings: %+v", s.ID, s.Status, s.Findings)
		}
	}
}

func TestE2EAllCorrect(t *testing.T) {
	lab.Require(t, labErr)
	t.Parallel()
	l := lab.Start(t, progs, lab.Config{Zones: zones(t, nil, nil)})
	r, rep := check(t, l)
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	wantStatuses(t, rep, nil)
	ns1, _ := l.Nameserver(0)
	ns2, _ := l.Nameserver(1)
	mx := step(t, rep, steps.IDMX)
	var servers []string
	for _, o := range mx.Observed {
		if o.Question == "MX example.com." {
			servers = append(servers, o.Server)
		}
		if o.Error != "" {
			t.Errorf("observation %+v has an error", o)
		}
	}
	if !slices.Contains(servers, ns1) || !slices.Contains(servers, ns2) {
		t.Errorf("MX was asked of %v, want both %s and %s", servers, ns1, ns2)
	}
	if len(mx.Resolvers) == 0 || mx.Resolvers[0].Address != l.Resolver() {
		t.Errorf("MX second opinion = %+v, want the lab resolver %s", mx.Resolvers, l.Resolver())
	}
	for _, format := range []string{"--markdown", ""} {
		args := append([]string{"check", "--resolver", l.Resolver()}, serverFlags()...)
		if format != "" {
			args = append(args, format)
		}
		if r := mw(t, args...); r.code != 0 || !strings.Contains(r.stdout, "example.com.") {
			t.Errorf("check %s: exit %d, output:\n%s", format, r.code, r.stdout)
		}
	}
}

func TestE2EMissingDKIMAndDMARC(t *testing.T) {
	lab.Require(t, labErr)
	t.Parallel()
	l := lab.Start(t, progs, lab.Config{Zones: zones(t, []string{steps.IDDKIM, steps.IDDMARC}, nil)})
	r, rep := check(t, l)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
	}
	wantStatuses(t, rep, map[string]steps.Status{steps.IDDKIM: steps.StatusPending, steps.IDDMARC: steps.StatusPending})
}

func TestE2EPartialPropagation(t *testing.T) {
	lab.Require(t, labErr)
	t.Parallel()
	l := lab.Start(t, progs, lab.Config{Zones: zones(t, nil, []string{steps.IDDKIM, steps.IDDMARC})})
	r, rep := check(t, l)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
	}
	wantStatuses(t, rep, map[string]steps.Status{steps.IDDKIM: steps.StatusPending, steps.IDDMARC: steps.StatusPending})
	for _, id := range []string{steps.IDDKIM, steps.IDDMARC} {
		if !slices.Contains(codes(step(t, rep, id)), steps.CodePartialPropagation) {
			t.Errorf("step %s findings %v lack %s", id, codes(step(t, rep, id)), steps.CodePartialPropagation)
		}
	}
}

func TestE2ENameserverDown(t *testing.T) {
	lab.Require(t, labErr)
	t.Parallel()
	l := lab.Start(t, progs, lab.Config{Zones: zones(t, nil, nil)})
	if err := l.StopNameserver(1); err != nil {
		t.Fatal(err)
	}
	ns1, _ := l.Nameserver(0)
	ns2, _ := l.Nameserver(1)
	r, rep := check(t, l)
	if r.code != 0 {
		t.Fatalf("exit %d, want 0 (ns1's answers count)\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	wantStatuses(t, rep, nil)
	for _, id := range []string{steps.IDHost, steps.IDMX, steps.IDDKIM, steps.IDDMARC} {
		s := step(t, rep, id)
		var sawDown, sawUp bool
		for _, o := range s.Observed {
			switch o.Server {
			case ns2:
				sawDown = true
				if o.Error == "" {
					t.Errorf("%s: the stopped %s has no error line: %+v", id, ns2, o)
				}
			case ns1:
				sawUp = true
				if o.Error != "" {
					t.Errorf("%s: %s failed: %s", id, ns1, o.Error)
				}
			}
		}
		if !sawDown || !sawUp {
			t.Errorf("%s observed %+v, want lines for both %s and %s", id, s.Observed, ns1, ns2)
		}
		if !slices.Contains(codes(s), steps.CodeNSUnreachable) {
			t.Errorf("%s findings %v lack %s", id, codes(s), steps.CodeNSUnreachable)
		}
	}
}

// TestE2EWatchSeesUpdateBeforeResolver: the resolver caches "no such name"
// for the DKIM and DMARC records, a TSIG-signed update adds them to both
// nameservers, and check --watch exits 0 within 3 s while the resolver
// still says no, and says for how long.
func TestE2EWatchSeesUpdateBeforeResolver(t *testing.T) {
	lab.Require(t, labErr)
	t.Parallel()
	missing := []string{steps.IDDKIM, steps.IDDMARC}
	l := lab.Start(t, progs, lab.Config{Zones: zones(t, missing, nil)})
	if r, _ := check(t, l); r.code != 1 { // the resolver now caches NXDOMAIN for both
		t.Fatalf("first check: exit %d, want 1\n%s", r.code, r.stderr)
	}

	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	args := append([]string{"check", "--json", "--watch", "--interval", "1s", "--resolver", l.Resolver()}, serverFlags()...)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = mwEnv(t)
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go readLines(stdout, lines)
	first, ok := <-lines
	if !ok {
		t.Fatalf("check --watch printed nothing: %s", errOut.String())
	}
	wantStatuses(t, decode(t, first), map[string]steps.Status{steps.IDDKIM: steps.StatusPending, steps.IDDMARC: steps.StatusPending})

	recs := records(t)
	var add []string
	for _, id := range missing {
		for _, rec := range recs[id] {
			add = append(add, rec.ZoneLines()...)
		}
	}
	for i := range 2 {
		if err := l.Update(ctx, i, domain, add); err != nil {
			t.Fatal(err)
		}
	}
	updated := time.Now()
	var last string
	for line := range lines {
		last = line
	}
	err = cmd.Wait()
	took := time.Since(updated)
	t.Logf("check --watch exited %v after the update", took.Round(time.Millisecond))
	if err != nil {
		t.Fatalf("check --watch: %v\n%s", err, errOut.String())
	}
	if took > 3*time.Second {
		t.Errorf("check --watch took %s after the update, want at most 3 s", took)
	}
	rep := decode(t, last)
	wantStatuses(t, rep, nil)
	for _, id := range missing {
		s := step(t, rep, id)
		if len(s.Resolvers) == 0 {
			t.Fatalf("%s has no second opinion", id)
		}
		res := s.Resolvers[0]
		if res.Rcode != "NXDOMAIN" || res.NegativeTTLSeconds < 3000 || res.NegativeTTLSeconds > 3600 {
			t.Errorf("%s: resolver says %s cached for %d s, want NXDOMAIN for nearly 3600 s", id, res.Rcode, res.NegativeTTLSeconds)
		}
		if notes := s.ResolverNotes(); len(notes) == 0 || !strings.Contains(notes[0], "for up to") {
			t.Errorf("%s: the report does not say how long the resolver keeps saying no: %q", id, notes)
		}
	}
}

func readLines(r io.Reader, out chan<- string) {
	defer close(out)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		out <- sc.Text()
	}
}

func TestE2EBlocklist(t *testing.T) {
	lab.Require(t, labErr)
	t.Parallel()
	l := lab.Start(t, progs, lab.Config{Zones: zones(t, nil, nil)})
	var others []string // every step but the blocklist, skipped
	for _, s := range steps.All() {
		if s.ID != steps.IDBlocklist {
			others = append(others, s.ID)
		}
	}
	tests := map[string]struct {
		ip         string
		wantCode   int
		wantStatus steps.Status
		wantFind   string
	}{
		"listed address fails":                  {listedIP, 1, steps.StatusFail, "blocklist-listed"},
		"a refusal is never a listing":          {refusedIP, 0, steps.StatusWarn, "blocklist-refused"},
		"an address not listed passes, no code": {"192.0.2.25", 0, steps.StatusPass, ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			args := append([]string{"check", "--json", "--resolver", l.Resolver(), "--skip", strings.Join(others, ",")}, serverFlags(tc.ip)...)
			r := mw(t, args...)
			if r.code != tc.wantCode {
				t.Fatalf("exit %d, want %d\n%s\n%s", r.code, tc.wantCode, r.stdout, r.stderr)
			}
			s := step(t, decode(t, r.stdout), steps.IDBlocklist)
			if s.Status != tc.wantStatus {
				t.Errorf("blocklist is %s, want %s: %+v", s.Status, tc.wantStatus, s.Findings)
			}
			if got := codes(s); (tc.wantFind == "" && len(got) > 0) || (tc.wantFind != "" && !slices.Contains(got, tc.wantFind)) {
				t.Errorf("findings %v, want %q", got, tc.wantFind)
			}
		})
	}
}

// TestE2EZoneOutputLoads: the lines `records --format zone` prints, put
// after an SOA and NS records, load into kzonecheck without errors.
func TestE2EZoneOutputLoads(t *testing.T) {
	lab.Require(t, labErr)
	t.Parallel()
	r := mw(t, append([]string{"records", "--format", "zone"}, serverFlags()...)...)
	if r.code != 0 {
		t.Fatalf("records: exit %d: %s", r.code, r.stderr)
	}
	zone := "$TTL 3600\n" +
		"example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 1 3600 600 86400 3600\n" +
		"example.com. 3600 IN NS ns1.example.com.\nexample.com. 3600 IN NS ns2.example.com.\n" +
		"ns1.example.com. 3600 IN A 192.0.2.53\nns2.example.com. 3600 IN A 192.0.2.54\n" + r.stdout
	path := filepath.Join(t.TempDir(), "example.com.zone")
	if err := os.WriteFile(path, []byte(zone), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(t.Context(), progs.Kzonecheck, "-o", domain, path).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("kzonecheck: %v\n%s\nzone:\n%s", err, out, zone)
	}
	// The loaded lines are the records mailwizard checks for.
	var want []string
	for _, recs := range records(t) {
		for _, rec := range recs {
			if rec.Name == domain || strings.HasSuffix(rec.Name, "."+domain) {
				want = append(want, rec.ZoneLines()...)
			}
		}
	}
	// Each run makes its MTA-STS policy id of the time it runs at.
	got := freshID.ReplaceAllString(r.stdout, "id=NOW")
	for _, line := range want {
		if line = freshID.ReplaceAllString(line, "id=NOW"); !strings.Contains(got, line+"\n") {
			t.Errorf("zone output lacks %q", line)
		}
	}
}
