package lab_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/mailwizard/mailwizard/internal/lab"
	"github.com/mailwizard/mailwizard/internal/steps"
)

// TestE2EDMARCInherited: news.example.com has no DMARC record of its own,
// and receivers apply the policy of example.com (RFC 7489 §6.6.3). The
// check says where the policy comes from, asks for both records in its one
// round, and passes; once example.com has no record either, it is missing.
func TestE2EDMARCInherited(t *testing.T) {
	lab.Require(t, labErr)
	t.Parallel()
	const org = `_dmarc.example.com. 3600 IN TXT "v=DMARC1; p=none; sp=reject; rua=mailto:dmarc@example.com"`
	var skip []string // every step but dmarc
	for _, s := range steps.All() {
		if s.ID != steps.IDDMARC {
			skip = append(skip, s.ID)
		}
	}
	args := func(l *lab.Lab) []string {
		return []string{"check", "--json", "--resolver", l.Resolver(), "--domain", "news.example.com", "--ip", "192.0.2.25", "--skip", strings.Join(skip, ",")}
	}

	l := lab.Start(t, progs, lab.Config{Zones: []lab.Zone{{Apex: domain, Records: []string{org}}}})
	r := mw(t, args(l)...)
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	dmarc := step(t, decode(t, r.stdout), steps.IDDMARC)
	if dmarc.Status != steps.StatusPass || !slices.Contains(codes(dmarc), steps.CodeDMARCInherited) || slices.Contains(codes(dmarc), steps.CodeDMARCPolicyNone) {
		t.Errorf("dmarc is %s with %+v, want a pass that inherits sp=reject", dmarc.Status, dmarc.Findings)
	}
	for _, f := range dmarc.Findings {
		if f.Code == steps.CodeDMARCInherited && !strings.Contains(f.Message, "sp=reject from _dmarc.example.com.") {
			t.Errorf("%s does not say where the policy comes from: %s", f.Code, f.Message)
		}
	}
	asked := map[string]bool{}
	for _, o := range dmarc.Observed {
		asked[o.Question] = true
	}
	for _, q := range []string{"TXT _dmarc.news.example.com.", "TXT _dmarc.example.com."} {
		if !asked[q] {
			t.Errorf("observed %v, want %s", asked, q)
		}
	}

	empty := lab.Start(t, progs, lab.Config{Zones: []lab.Zone{{Apex: domain}}})
	r = mw(t, args(empty)...)
	if r.code != 1 {
		t.Fatalf("without any record: exit %d, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if dmarc := step(t, decode(t, r.stdout), steps.IDDMARC); !slices.Contains(codes(dmarc), steps.CodeDMARCMissing) {
		t.Errorf("without any record, dmarc has %+v, want %s", dmarc.Findings, steps.CodeDMARCMissing)
	}
}
