package lab_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/mailwizard/mailwizard/internal/lab"
	"github.com/mailwizard/mailwizard/internal/steps"
)

// spfZones are the lab's zones with the domain's SPF record replaced by
// lines, the mail host's own record kept.
func spfZones(t *testing.T, lines ...string) []lab.Zone {
	t.Helper()
	zs := zones(t, []string{steps.IDSPF}, nil)
	for _, rec := range records(t)[steps.IDSPF] {
		if rec.Name != domain {
			zs[0].Records = append(zs[0].Records, rec.ZoneLines()...)
		}
	}
	zs[0].Records = append(zs[0].Records, lines...)
	return zs
}

// TestE2ESPFPassesOnlyThroughPTR: a record that authorizes the server only
// through ptr (the lab serves its reverse DNS, which names the mail host,
// whose addresses lead back) is a warning with the ptr advice and a fix
// that covers the server, never spf-ip-not-authorized.
func TestE2ESPFPassesOnlyThroughPTR(t *testing.T) {
	lab.Require(t, labErr)
	t.Parallel()
	l := lab.Start(t, progs, lab.Config{Zones: spfZones(t, domain+` 3600 IN TXT "v=spf1 ptr -all"`)})
	r, rep := check(t, l)
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	wantStatuses(t, rep, map[string]steps.Status{steps.IDSPF: steps.StatusWarn})
	spf := step(t, rep, steps.IDSPF)
	got := codes(spf)
	if !slices.Contains(got, steps.CodeSPFPTR) || slices.Contains(got, steps.CodeSPFIPNotAuthorized) {
		t.Fatalf("spf findings %v, want %s and no %s: %+v", got, steps.CodeSPFPTR, steps.CodeSPFIPNotAuthorized, spf.Findings)
	}
	for _, f := range spf.Findings {
		if f.Code == steps.CodeSPFPTR && (!strings.Contains(f.Message, "ptr is slow and receivers may skip it; use ip4/ip6 or a") ||
			!strings.Contains(f.Message, `Replace the record with "v=spf1 mx -all"`)) {
			t.Errorf("%s message: %s", f.Code, f.Message)
		}
	}
}

// TestE2ESPFIncludeThroughCNAME: an include target published as a CNAME
// within the zone is read at the end of the chain, which the
// authoritative server's answer already holds.
func TestE2ESPFIncludeThroughCNAME(t *testing.T) {
	lab.Require(t, labErr)
	t.Parallel()
	l := lab.Start(t, progs, lab.Config{Zones: spfZones(t,
		domain+` 3600 IN TXT "v=spf1 include:_spf.example.com -all"`,
		"_spf.example.com. 3600 IN CNAME spf.relay.example.com.",
		`spf.relay.example.com. 3600 IN TXT "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all"`,
	)})
	r, rep := check(t, l)
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	wantStatuses(t, rep, nil)
	if spf := step(t, rep, steps.IDSPF); len(spf.Findings) != 0 {
		t.Errorf("spf findings: %+v", spf.Findings)
	}
}
