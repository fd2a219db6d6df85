package main

import (
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
