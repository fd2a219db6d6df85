package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/mailwizard/mailwizard/internal/report"
	"github.com/mailwizard/mailwizard/internal/steps"
	"github.com/mailwizard/mailwizard/internal/verify/verifytest"
)

// TestCheckResolverMode: on a network that answers every query to a
// nameserver itself, check judges from the resolver, says so once in the
// table and marks the JSON; the exit code follows the verdict as always.
// On an ordinary network the JSON says "authoritative".
func TestCheckResolverMode(t *testing.T) {
	w := newCheckWorld(t)
	if r := w.check(t, "--json"); r.code != 0 || decodeReport(t, r.stdout).Mode != report.ModeAuthoritative {
		t.Fatalf("ordinary network: exit %d, %s", r.code, r.stdout)
	}
	if err := w.lab.BlockDirect(verifytest.InterceptDirect); err != nil {
		t.Fatal(err)
	}
	r := w.check(t, "--json")
	if r.code != 0 {
		t.Fatalf("exit %d, want 0 (everything is published)\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	rep := decodeReport(t, r.stdout)
	if rep.Mode != report.ModeResolver || len(rep.Notes) != 1 || rep.Notes[0] != steps.ResolverModeText {
		t.Errorf("mode %q notes %q, want resolver mode said once", rep.Mode, rep.Notes)
	}
	if strings.Contains(r.stdout, "lame server") {
		t.Errorf("the report blames the zone:\n%s", r.stdout)
	}
	table := w.check(t)
	if n := strings.Count(strings.Join(strings.Fields(table.stdout), " "), "Resolver mode: this network does not let mailwizard ask nameservers directly"); n != 1 {
		t.Errorf("the table says resolver mode %d times, want once:\n%s", n, table.stdout)
	}
}

// TestCheckHostileNameservers: a zone that names 1,000 nameservers at 1,000
// addresses is checked at 13 of them, says so (ns-too-many, and the other
// 987 in the JSON), and costs a few hundred queries, not tens of
// thousands.
func TestCheckHostileNameservers(t *testing.T) {
	w := newCheckWorld(t)
	var lines []string
	for _, st := range steps.All() {
		for _, rec := range st.Records(w.cfg) {
			if strings.HasSuffix(rec.Name, "example.com.") {
				lines = append(lines, rec.ZoneLines()...)
			}
		}
	}
	lab := verifytest.StartManyNameservers(t, 1000, false, lines...)
	e := testEnv(t)
	e.mapAddr = lab.MapAddr
	args := append([]string{"check", "--json"}, w.args...)
	args[len(args)-1] = lab.Resolver.Addr() // --resolver is the last flag
	r := runMW(t, e, args...)
	rep := decodeReport(t, r.stdout)
	var host report.Step
	for _, s := range rep.Steps {
		if s.ID == steps.IDHost {
			host = s
		}
	}
	var codes []string
	for _, f := range host.Findings {
		codes = append(codes, f.Code)
	}
	if !slices.Contains(codes, steps.CodeNSTooMany) || len(host.OmittedNameservers) != 987 {
		t.Errorf("host: findings %v, %d nameservers omitted; want ns-too-many and 987", codes, len(host.OmittedNameservers))
	}
	sent := len(lab.Resolver.Queries()) + len(lab.Servers[0].Queries())
	t.Logf("check --json of a zone with 1000 nameservers: %d queries", sent)
	// About 45 questions of 13 servers each, and the discovery around
	// them: the bound grows by 13 queries for each question a step adds.
	if sent > 800 {
		t.Errorf("the check sent %d queries, want a few hundred", sent)
	}
}
