package lab_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailwizard/mailwizard/internal/lab"
	"github.com/mailwizard/mailwizard/internal/report"
	"github.com/mailwizard/mailwizard/internal/steps"
)

// The engine against real servers: records published as CNAMEs into other
// zones, a wildcard zone, a delegation that differs from the zone's own NS
// records, a zone cut below the mail domain, and nameservers whose IPv6
// address goes nowhere, each through `mailwizard check --json`.

// recordOf is the lab mail server's record of a step, moved to name.
func recordOf(t *testing.T, id, name string) []string {
	t.Helper()
	recs := records(t)[id]
	if len(recs) == 0 {
		t.Fatalf("no %s record", id)
	}
	rec := recs[0]
	rec.Name = name
	return rec.ZoneLines()
}

// withFwd adds lines to the lab's forward zone (the first).
func withFwd(zs []lab.Zone, lines ...string) []lab.Zone {
	zs[0].Records = append(zs[0].Records, lines...)
	return zs
}

// observedAt returns the observations of a question in a step.
func observedAt(s report.Step, question string) []report.Observation {
	var out []report.Observation
	for _, o := range s.Observed {
		if o.Question == question {
			out = append(out, o)
		}
	}
	return out
}

func TestE2ECNAMEdDKIMInAnotherZone(t *testing.T) {
	lab.Require(t, labErr)
	t.Parallel()
	const target = "lab.keys.mailhost.example."
	zs := withFwd(zones(t, []string{steps.IDDKIM}, nil), "lab._domainkey.example.com. 3600 IN CNAME "+target)
	zs = append(zs, lab.Zone{Apex: "mailhost.example.", Records: recordOf(t, steps.IDDKIM, target)})
	l := lab.Start(t, progs, lab.Config{Zones: zs})
	r, rep := check(t, l)
	if r.code != 0 {
		t.Fatalf("exit %d, want 0: the key behind the CNAME is the right one\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	wantStatuses(t, rep, map[string]steps.Status{steps.IDDKIM: steps.StatusPass})
	dkim := step(t, rep, steps.IDDKIM)
	hop := observedAt(dkim, "TXT "+target)
	if len(hop) != 2 || hop[0].Error != "" || len(hop[0].Records) != 1 {
		t.Errorf("observed at the CNAME's target: %+v, want each server's key record", hop)
	}
	first := observedAt(dkim, "TXT lab._domainkey.example.com.")
	if len(first) != 2 || !strings.Contains(strings.Join(first[0].Records, " "), "CNAME "+target) {
		t.Errorf("observed at the selector: %+v, want the CNAME", first)
	}
}

func TestE2ECNAMEdDMARC(t *testing.T) {
	lab.Require(t, labErr)
	t.Parallel()
	const target = "example.com.dmarc.reports.example."
	zs := withFwd(zones(t, []string{steps.IDDMARC}, nil), "_dmarc.example.com. 3600 IN CNAME "+target)
	zs = append(zs, lab.Zone{Apex: "reports.example.", Records: recordOf(t, steps.IDDMARC, target)})
	l := lab.Start(t, progs, lab.Config{Zones: zs})
	r, rep := check(t, l)
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	wantStatuses(t, rep, nil)
	dmarc := step(t, rep, steps.IDDMARC)
	if slices.Contains(codes(dmarc), steps.CodeDMARCMissing) || len(observedAt(dmarc, "TXT "+target)) != 2 {
		t.Errorf("dmarc: findings %v, observed %+v; want the record at the report service judged", codes(dmarc), dmarc.Observed)
	}
}

func TestE2EWildcardZone(t *testing.T) {
	lab.Require(t, labErr)
	t.Parallel()
	dmarc := recordOf(t, steps.IDDMARC, "*.example.com.")
	zs := withFwd(zones(t, []string{steps.IDDMARC}, nil), dmarc...)
	l := lab.Start(t, progs, lab.Config{Zones: zs})
	r, rep := check(t, l)
	if r.code != 0 {
		t.Fatalf("exit %d, want 0 (the wildcard's record is a good one)\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	wantStatuses(t, rep, map[string]steps.Status{steps.IDDMARC: steps.StatusWarn})
	if got := codes(step(t, rep, steps.IDDMARC)); !slices.Contains(got, steps.CodeWildcardOnly) {
		t.Errorf("dmarc findings %v, want %s", got, steps.CodeWildcardOnly)
	}
	for _, s := range rep.Steps {
		if slices.Contains(codes(s), steps.CodeDoubledDomain) {
			t.Errorf("%s: doubled-domain for a name only the wildcard answers: %+v", s.ID, s.Findings)
		}
	}
}

func TestE2EDelegationDiffersFromApex(t *testing.T) {
	lab.Require(t, labErr)
	t.Parallel()
	com := lab.Zone{Apex: "com.", Records: []string{
		"example.com. 3600 IN NS ns1.example.com.",
		"example.com. 3600 IN NS ns3.example.com.",
	}}
	l := lab.Start(t, progs, lab.Config{Zones: zones(t, nil, nil), Apart: []lab.Zone{com}})
	r, rep := check(t, l)
	if r.code != 0 {
		t.Fatalf("exit %d, want 0 (a warning)\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	wantStatuses(t, rep, nil)
	for _, id := range []string{steps.IDHost, steps.IDMX, steps.IDDMARC} {
		s := step(t, rep, id)
		i := slices.Index(codes(s), steps.CodeNSDelegationMismatch)
		if i < 0 {
			t.Errorf("%s findings %v lack %s", id, codes(s), steps.CodeNSDelegationMismatch)
			continue
		}
		msg := s.Findings[i].Message
		for _, want := range []string{"ns1.example.com. and ns3.example.com.", "ns1.example.com. and ns2.example.com."} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s: %q does not name %s", id, msg, want)
			}
		}
	}
	if s := step(t, rep, steps.IDPTR); slices.Contains(codes(s), steps.CodeNSDelegationMismatch) {
		t.Errorf("ptr: the domain's delegation is not the hosting provider's business: %v", codes(s))
	}
}

func TestE2EDelegatedSubzone(t *testing.T) {
	lab.Require(t, labErr)
	t.Parallel()
	zs := withFwd(zones(t, []string{steps.IDDKIM}, nil), "_domainkey.example.com. 3600 IN NS ns3.example.com.")
	child := lab.Zone{Apex: "_domainkey.example.com.", Records: recordOf(t, steps.IDDKIM, "lab._domainkey.example.com.")}
	l := lab.Start(t, progs, lab.Config{Zones: zs, Apart: []lab.Zone{child}})
	ns3, _ := l.Apart()
	r, rep := check(t, l)
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	wantStatuses(t, rep, nil)
	got := observedAt(step(t, rep, steps.IDDKIM), "TXT lab._domainkey.example.com.")
	if len(got) != 1 || got[0].Server != ns3 || got[0].Error != "" || len(got[0].Records) != 1 {
		t.Errorf("the key was asked of %+v, want %s, the subzone's own server", got, ns3)
	}
}

func TestE2EAAAAGlueGoesNowhere(t *testing.T) {
	lab.Require(t, labErr)
	t.Parallel()
	l := lab.Start(t, progs, lab.Config{Zones: zones(t, nil, nil), AAAANowhere: true})
	r, rep := check(t, l)
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r.took > 2*time.Second {
		t.Errorf("check took %s: the IPv6 addresses were waited for", r.took)
	}
	wantStatuses(t, rep, nil)
	var v6 int
	for _, s := range rep.Steps {
		if slices.Contains(codes(s), steps.CodeNSUnreachable) {
			t.Errorf("%s: ns-unreachable though every server answered over IPv4: %+v", s.ID, s.Findings)
		}
		for _, o := range s.Observed {
			if strings.HasPrefix(o.Address, "[::1]") {
				v6++
				if o.Error == "" {
					t.Errorf("%s: %+v answered at ::1", s.ID, o)
				}
			}
		}
	}
	if v6 == 0 {
		t.Error("no observation at the IPv6 addresses: the test lost its teeth")
	}
	if len(rep.Notes) != 1 || !strings.Contains(rep.Notes[0], "no IPv6 path") {
		t.Errorf("notes %q, want one that says this machine has no IPv6 path", rep.Notes)
	}
}
