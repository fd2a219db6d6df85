package main

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/mailwizard/mailwizard/internal/profile"
	"github.com/mailwizard/mailwizard/internal/report"
	"github.com/mailwizard/mailwizard/internal/steps"
)

// comparable is a JSON report without what differs between two checks of
// the same data: the time of the check and round-trip times, and the
// fields named in without.
func comparable(t *testing.T, line string, without ...string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(line), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, line)
	}
	var strip func(any) any
	strip = func(v any) any {
		switch v := v.(type) {
		case map[string]any:
			delete(v, "checked_at")
			delete(v, "rtt_ms")
			for _, k := range without {
				delete(v, k)
			}
			for k, x := range v {
				v[k] = strip(x)
			}
		case []any:
			for i, x := range v {
				v[i] = strip(x)
			}
		}
		return v
	}
	out, _ := json.Marshal(strip(v))
	return string(out)
}

// domainsFile writes a domains file into a temp folder.
func domainsFile(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "domains.txt")
	writeFile(t, path, text)
	return path
}

// TestBulkLinesEqualSingleChecks: a file of one domain a line, checked
// with the mail server's flags for all: each JSON line is the report a
// check of that domain alone prints, but for the resolver's second
// opinion, which it asks only with --second-opinion (then the same
// questions).
func TestBulkLinesEqualSingleChecks(t *testing.T) {
	w := newHostWorld(t, map[string][]string{"example.org.": {steps.IDDKIM}})
	file := domainsFile(t, "# two customers\nexample.com\n\nexample.org # no DKIM yet\n")
	var singles []string
	for _, domain := range []string{"example.com", "example.org"} {
		r := runMW(t, w.e, append([]string{"check", "--json", "--domain", domain}, w.args...)...)
		var rep report.Report
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Fatal(err)
		}
		compact, _ := json.Marshal(rep)
		singles = append(singles, string(compact))
	}
	for _, second := range []bool{true, false} {
		args := append([]string{"check", "--json", "--ordered", "--domains-file", file}, w.args...)
		if second {
			args = append(args, "--second-opinion")
		}
		r := runMW(t, w.e, args...)
		if r.code != 1 {
			t.Errorf("exit %d, want 1 (example.org. has no DKIM record)\n%s", r.code, r.stderr)
		}
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		if len(lines) != 2 {
			t.Fatalf("%d lines, want 2:\n%s", len(lines), r.stdout)
		}
		// The second opinion is not waited for: a reply later than the
		// nameservers' is "late", so which ones made it depends on the
		// moment. With --second-opinion the resolver was asked the same.
		without := []string{"resolvers", "second_opinion"}
		for i := range lines {
			if got, want := comparable(t, lines[i], without...), comparable(t, singles[i], without...); got != want {
				t.Errorf("second opinion %v, line %d: the bulk line differs from the single check\nbulk:   %s\nsingle: %s", second, i+1, got, want)
			}
			bulk, single := decodeReport(t, lines[i]), decodeReport(t, singles[i])
			for j, s := range bulk.Steps {
				if want := len(single.Steps[j].Resolvers); second && len(s.Resolvers) != want || !second && len(s.Resolvers) > 0 {
					t.Errorf("second opinion %v, line %d, step %s: %d questions to the resolver", second, i+1, s.ID, len(s.Resolvers))
				}
			}
		}
	}
}

// bulkWithSaved saves one profile of saved (check --save with w's flags),
// then checks the domains of rows in a domains file with the resolver
// alone, and returns the reports, one a row; the bulk check must exit 0.
func bulkWithSaved(t *testing.T, w hostWorld, saved []string, rows ...string) []report.Report {
	t.Helper()
	save := []string{"check", "--save"}
	for _, d := range saved {
		save = append(save, "--domain", d)
	}
	if r := runMW(t, w.e, append(save, w.args...)...); r.code != 0 {
		t.Fatalf("save: exit %d\n%s", r.code, r.stderr)
	}
	file := domainsFile(t, strings.Join(rows, "\n")+"\n")
	r := runMW(t, w.e, "check", "--json", "--ordered", "--domains-file", file, "--resolver", w.lab.Resolver.Addr())
	rs := jsonLines(t, r.stdout)
	if r.code != 0 || len(rs) != len(rows) {
		t.Fatalf("exit %d, %d reports\n%s", r.code, len(rs), r.stderr)
	}
	return rs
}

// TestBulkProfilesAndDomainOnly: a domain with a saved profile is checked
// with it; one without is checked for what needs no profile, its other
// steps skipped.
func TestBulkProfilesAndDomainOnly(t *testing.T) {
	w := newHostWorld(t, nil)
	rs := bulkWithSaved(t, w, []string{"example.com"}, "example.com", "example.org")
	if st := statuses(rs[0]); st[steps.IDHost] != steps.StatusPass || st[steps.IDDKIM] == steps.StatusSkipped {
		t.Errorf("example.com. from its profile: %v", st)
	}
	st := statuses(rs[1])
	for _, id := range []string{steps.IDHost, steps.IDPTR, steps.IDDKIM, steps.IDAutoconfig, steps.IDBlocklist, steps.IDServer} {
		if st[id] != steps.StatusSkipped {
			t.Errorf("example.org. without a profile: %s is %s, want skipped", id, st[id])
		}
	}
	for _, id := range []string{steps.IDMX, steps.IDSPF, steps.IDDMARC} {
		if st[id] != steps.StatusPass && st[id] != steps.StatusWarn {
			t.Errorf("example.org. without a profile: %s is %s", id, st[id])
		}
	}
}

// TestBulkProfileOfSeveralDomains: the domains of a profile of several
// domains are each checked with their part of it, the profile read once
// for all of them.
func TestBulkProfileOfSeveralDomains(t *testing.T) {
	w := newHostWorld(t, nil)
	rs := bulkWithSaved(t, w, []string{"example.com", "example.org"}, "example.org", "example.com", "example.org.")
	for i, rep := range rs {
		if st := statuses(rep); st[steps.IDHost] != steps.StatusPass || st[steps.IDDKIM] != steps.StatusPass {
			t.Errorf("row %d, %s, from the profile: %v", i+1, rep.Domain, st)
		}
	}

	run := &bulkRun{}
	path := filepath.Join(w.e.getenv("XDG_CONFIG_HOME"), "mailwizard", "example.com.toml")
	a, errA := run.loadProfile(path)
	b, errB := run.loadProfile(path)
	if errA != nil || errB != nil || a != b || len(a.Domains) != 2 {
		t.Errorf("the profile of two domains loaded twice: %v, %v, same %v", errA, errB, a == b)
	}
}

// TestBulkProfileLoadedOnce: the rows that ask at once for a profile of
// several domains, as the first rows of a batch do, share one load.
func TestBulkProfileLoadedOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "example.com.toml")
	writeFile(t, path, "version = 2\ndomain = \"example.com.\"\nip = [\"192.0.2.25\"]\n"+
		"[[domains]]\n  domain = \"example.org.\"\n[[domains]]\n  domain = \"example.net.\"\n")
	run := &bulkRun{}
	loaded := make([]*profile.Profile, 16)
	var wg sync.WaitGroup
	for i := range loaded {
		wg.Go(func() {
			p, err := run.loadProfile(path)
			if err != nil {
				t.Error(err)
			}
			loaded[i] = p
		})
	}
	wg.Wait()
	for i, p := range loaded {
		if p == nil || p != loaded[0] || len(p.Domains) != 3 {
			t.Fatalf("row %d: a load of its own, or not the profile's three domains", i+1)
		}
	}
}

// TestBulkCSV: a CSV file's columns apply to their row, over the flags;
// a bad row is named with its file, line and column, the others are
// checked, and the exit code says bad input.
func TestBulkCSV(t *testing.T) {
	w := newHostWorld(t, nil)
	file := domainsFile(t, "domain,ip,dmarc-policy\n"+
		"example.com,\"192.0.2.25 2001:db8::25\",\n"+
		"example.org,192.0.2.x,\n"+
		"example.org,,reject\n")
	args := []string{"check", "--csv", "--ordered", "--domains-file", file, "--host", "mail.example.com", "--dnsbl", "none", "--dkim-selector", "mail",
		"--resolver", w.lab.Resolver.Addr()}
	r := runMW(t, w.e, args...)
	if r.code != 2 {
		t.Errorf("exit %d, want 2 for the bad row", r.code)
	}
	want := file + `:3: ip: "192.0.2.x" is not an IP address`
	if !strings.Contains(r.stderr, "mailwizard: "+want+"\n") {
		t.Errorf("stderr %q, want %q", r.stderr, want)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	ids := []string{}
	for _, s := range steps.All() {
		ids = append(ids, s.ID)
	}
	if len(lines) != 3 || lines[0] != "domain,status,"+strings.Join(ids, ",") {
		t.Fatalf("output:\n%s", r.stdout)
	}
	// The lab's zones are not signed: dnssec warns, as it should, and
	// nothing else does.
	if !strings.HasPrefix(lines[1], "example.com.,warn,pass,pass,pass,") || strings.Count(lines[1], "warn") != 2 {
		t.Errorf("example.com.: %s", lines[1])
	}
	// example.org. without an address: DomainOnly; its DMARC record says
	// p=none, and the row wants reject, which is still a valid record.
	if !strings.HasPrefix(lines[2], "example.org.,") || !strings.Contains(lines[2], ",skipped,") {
		t.Errorf("example.org.: %s", lines[2])
	}
}

// TestBulkTableAndStdin: the default output is a compact table, a line
// per domain and a tally; the file can come on standard input.
func TestBulkTableAndStdin(t *testing.T) {
	w := newHostWorld(t, map[string][]string{"example.org.": {steps.IDMX}})
	e := w.e
	e.stdin = strings.NewReader("example.com\nexample.org\n")
	r := runMW(t, e, append([]string{"check", "--domains-file", "-"}, w.args...)...)
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	t.Log(r.stdout)
	if !strings.HasPrefix(r.stdout, "domain ") || !regexp.MustCompile(`(?m)^example\.org\. +✗ fail +✓ +… `).MatchString(r.stdout) ||
		!strings.Contains(r.stdout, "2 domains: 1 warn · 1 fail") { // warn: the lab's zones are not signed
		t.Errorf("table:\n%s", r.stdout)
	}
}

func TestBulkBadInput(t *testing.T) {
	w := newHostWorld(t, nil)
	good := domainsFile(t, "example.com\n")
	tests := map[string]struct {
		args []string
		want string
	}{
		"an unknown column":       {[]string{"--domains-file", domainsFile(t, "domain,ipv6\nexample.com,::1\n")}, `:1: column "ipv6" is not a flag of check`},
		"no such file":            {[]string{"--domains-file", "/nonexistent/d.txt"}, "--domains-file /nonexistent/d.txt: no such file or directory"},
		"a folder":                {[]string{"--domains-file", t.TempDir()}, "it is a folder"},
		"with --domain":           {[]string{"--domains-file", good, "--domain", "example.com"}, "--domain: not with --domains-file"},
		"with --watch":            {[]string{"--domains-file", good, "--watch"}, "--watch: not with --domains-file"},
		"json and csv":            {[]string{"--domains-file", good, "--json", "--csv"}, "--json and --csv: choose one"},
		"csv without a file":      {[]string{"--domain", "example.com", "--csv"}, "--csv only applies with --domains-file"},
		"no concurrency":          {[]string{"--domains-file", good, "--concurrency", "0"}, "--concurrency 0: must be 1 or more"},
		"a bad flag for all rows": {[]string{"--domains-file", good, "--ip", "x"}, `--ip: "x" is not an IP address`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := runMW(t, w.e, append(append([]string{"check"}, tc.args...), "--resolver", w.lab.Resolver.Addr())...)
			if r.code != 2 || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and %q", r.code, r.stdout, r.stderr, tc.want)
			}
		})
	}
}

// TestBulkResolverDown: a resolver that does not answer is one line and
// exit 3, not a line per domain.
func TestBulkResolverDown(t *testing.T) {
	e := testEnv(t)
	r := runMW(t, e, "check", "--domains-file", domainsFile(t, "example.com\nexample.org\n"), "--resolver", "127.0.0.1:1")
	if r.code != 3 || len(r.errLines()) != 1 || !strings.Contains(r.stderr, "no domain can be checked") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestBulkSharedQuestionsOnce: many domains on the same nameservers and
// mail host: no (server, name, type) is asked twice in the batch.
func TestBulkSharedQuestionsOnce(t *testing.T) {
	w := newHostWorld(t, nil)
	file := domainsFile(t, "example.com\nexample.org\n")
	for _, s := range append(w.lab.Servers, w.lab.Resolver) {
		s.ResetQueries()
	}
	r := runMW(t, w.e, append([]string{"check", "--json", "--domains-file", file}, w.args...)...)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if q, dup := received(append(w.lab.Servers, w.lab.Resolver)); dup > 0 {
		t.Errorf("%d of %d queries asked twice", dup, q)
	}
}

// TestBulkTransportColumns: the transport flags are columns too; a bad
// value is named by its line and column, and the other rows are checked.
func TestBulkTransportColumns(t *testing.T) {
	w := newHostWorld(t, nil)
	file := domainsFile(t, "domain,mta-sts-mode,dane,tls-rpt-rua\n"+
		"example.com,enforce,false,mailto:tls@example.com\n"+
		"example.org,sometimes,maybe,\n")
	r := runMW(t, w.e, append([]string{"check", "--json", "--ordered", "--domains-file", file}, w.args...)...)
	if r.code != 2 {
		t.Errorf("exit %d, want 2 for the bad row", r.code)
	}
	for _, want := range []string{file + ":3: mta-sts-mode: ", file + `:3: dane: "maybe": want true or false`} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr %q, want %q", r.stderr, want)
		}
	}
	rs := jsonLines(t, r.stdout)
	if len(rs) != 1 || rs[0].Domain != "example.com." {
		t.Fatalf("want example.com.'s report alone, got %d", len(rs))
	}
	for _, s := range rs[0].Steps {
		switch s.ID {
		case steps.IDMTASTS:
			if len(s.Files) != 1 || !strings.Contains(s.Files[0].Body, "mode: enforce") {
				t.Errorf("mta-sts files %+v, want the policy in enforce mode", s.Files)
			}
		case steps.IDTLSRPT:
			if len(s.Expected) != 1 || !strings.Contains(s.Expected[0].Value, "rua=mailto:tls@example.com") {
				t.Errorf("tls-rpt expected %+v, want the row's address", s.Expected)
			}
		}
	}
}
