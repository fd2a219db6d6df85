package lab_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/mailwizard/mailwizard/internal/lab"
	"github.com/mailwizard/mailwizard/internal/steps"
)

// The second domain of the bulk test: served by the lab's nameservers,
// with its mail at the lab's mail host, and no DMARC record.
const otherDomain = "example.org."

// hostFlags describe the lab's mail server for any of its domains (no
// --domain).
func hostFlags() []string {
	return []string{"--host", "mail.example.com", "--ip", "192.0.2.25", "--ip", "2001:db8::25",
		"--dkim-selector", selector, "--dkim-key", keyPath(), "--dnsbl", blocklist, "--no-probe"}
}

// otherZone is example.org.'s zone: the records of its steps but dmarc,
// from `mailwizard records`.
func otherZone(t *testing.T) lab.Zone {
	t.Helper()
	z := lab.Zone{Apex: otherDomain}
	for id, s := range recordsOf(t, append([]string{"--domain", otherDomain}, hostFlags()...)...) {
		for _, rec := range s.Records {
			if id != steps.IDDMARC && strings.HasSuffix(rec.Name, otherDomain) {
				z.Records = append(z.Records, rec.ZoneLines()...)
			}
		}
	}
	return z
}

// freshID is an MTA-STS policy id made of a UTC time.
var freshID = regexp.MustCompile(`id=\d{8}T\d{6}Z`)

// sameReport is a JSON report without what two checks of the same zones
// tell apart by when they ran: the time of the check, round-trip times
// and, in what the resolver (at the address given) answered (the
// blocklists), the TTLs, which count down in its cache (the records' and
// negative_ttl_s). The fields in without go too.
func sameReport(t *testing.T, line, resolver string, without ...string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(line), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, line)
	}
	var strip func(v any) any
	strip = func(v any) any {
		switch v := v.(type) {
		case map[string]any:
			delete(v, "checked_at")
			delete(v, "rtt_ms")
			for _, k := range without {
				delete(v, k)
			}
			if v["address"] == resolver {
				delete(v, "negative_ttl_s")
				if recs, ok := v["records"].([]any); ok {
					for i, r := range recs {
						if f := strings.Fields(r.(string)); len(f) > 2 {
							f[1] = "TTL"
							recs[i] = strings.Join(f, " ")
						}
					}
				}
			}
			for k, x := range v {
				v[k] = strip(x)
			}
		case []any:
			for i, x := range v {
				v[i] = strip(x)
			}
		case string:
			// An MTA-STS policy id made for a run that saves nothing is
			// the time of that run.
			return freshID.ReplaceAllString(v, "id=NOW")
		}
		return v
	}
	out, _ := json.Marshal(strip(v))
	return string(out)
}

// TestE2EDomainsFile runs a domains file against the Knot lab, in both
// forms, and compares each JSON line with a check of that domain alone:
// the same report but for the resolver's second opinion, which a bulk
// check asks only with --second-opinion (and then the same questions).
// --csv gives each step's status of those reports.
func TestE2EDomainsFile(t *testing.T) {
	lab.Require(t, labErr)
	t.Parallel()
	l := lab.Start(t, progs, lab.Config{Zones: append(zones(t, nil, nil), otherZone(t))})
	resolver := []string{"--resolver", l.Resolver()}

	var singles []string
	for _, d := range []string{domain, otherDomain} {
		r := mw(t, append(append([]string{"check", "--json", "--domain", d}, hostFlags()...), resolver...)...)
		if want := map[string]int{domain: 0, otherDomain: 1}[d]; r.code != want {
			t.Fatalf("check %s: exit %d, want %d\n%s", d, r.code, want, r.stderr)
		}
		var compact any
		if err := json.Unmarshal([]byte(r.stdout), &compact); err != nil {
			t.Fatal(err)
		}
		line, _ := json.Marshal(compact)
		singles = append(singles, string(line))
	}

	files := t.TempDir()
	plain := filepath.Join(files, "domains.txt")
	csvFile := filepath.Join(files, "domains.csv")
	writeE2EFile(t, plain, "# the lab's domains\nexample.com\n\nexample.org   # no DMARC record\n")
	row := ",mail.example.com,\"192.0.2.25,2001:db8::25\"," + selector + "," + keyPath() + "," + blocklist + ",true\n"
	writeE2EFile(t, csvFile, "domain,host,ip,dkim-selector,dkim-key,dnsbl,no-probe\nexample.com"+row+"example.org"+row)

	for _, tc := range []struct {
		name   string
		args   []string
		second bool
	}{
		{"one domain a line, second opinion", append([]string{"--domains-file", plain, "--second-opinion"}, hostFlags()...), true},
		{"CSV, second opinion", []string{"--domains-file", csvFile, "--second-opinion"}, true},
		{"one domain a line", append([]string{"--domains-file", plain}, hostFlags()...), false},
		{"CSV", []string{"--domains-file", csvFile}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := mw(t, append(append([]string{"check", "--json", "--ordered"}, tc.args...), resolver...)...)
			if r.code != 1 {
				t.Errorf("exit %d, want 1 (example.org. has no DMARC record)\n%s", r.code, r.stderr)
			}
			lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
			if len(lines) != 2 {
				t.Fatalf("%d lines, want one per domain:\n%s\n%s", len(lines), r.stdout, r.stderr)
			}
			// The resolver's second opinion is not waited for (a reply
			// later than the nameservers' is "late"), so which of its
			// replies made it depends on the moment: with
			// --second-opinion, each step asked it the same questions.
			without := []string{"resolvers", "second_opinion"}
			for i, line := range lines {
				got, want := sameReport(t, line, l.Resolver(), without...), sameReport(t, singles[i], l.Resolver(), without...)
				if got != want {
					t.Errorf("line %d differs from the check of its domain alone\nbulk:   %s\nsingle: %s", i+1, got, want)
				}
				bulkRep, single := decode(t, line), decode(t, singles[i])
				for j, s := range bulkRep.Steps {
					asked := len(single.Steps[j].Resolvers)
					if !tc.second {
						asked = 0
					}
					if len(s.Resolvers) != asked {
						t.Errorf("line %d, step %s: %d questions to the resolver, want %d", i+1, s.ID, len(s.Resolvers), asked)
					}
				}
			}
		})
	}

	r := mw(t, append([]string{"check", "--csv", "--ordered", "--domains-file", csvFile}, resolver...)...)
	rows := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 1 || len(rows) != 3 {
		t.Fatalf("--csv: exit %d, rows:\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	header := strings.Split(rows[0], ",")
	for i, single := range singles {
		rep := decode(t, single)
		fields := strings.Split(rows[i+1], ",")
		if fields[0] != rep.Domain || fields[1] != string(rep.Status) {
			t.Errorf("row %d: %s, want %s %s", i+1, rows[i+1], rep.Domain, rep.Status)
		}
		for _, s := range rep.Steps {
			if j := slices.Index(header, s.ID); j < 0 || fields[j] != string(s.Status) {
				t.Errorf("row %d: step %s is %q, want %s", i+1, s.ID, fields[max(j, 0)], s.Status)
			}
		}
	}
}

func writeE2EFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}
