package steps

import (
	"errors"
	"fmt"
	"net/netip"
	"testing"

	"github.com/mailwizard/mailwizard/assets"
	"github.com/mailwizard/mailwizard/internal/verify"
)

// TestByID finds every step of All by its id; the order of All is kept in
// TestRegistry's golden file.
func TestByID(t *testing.T) {
	for _, want := range All() {
		s, ok := ByID(want.ID)
		if !ok || s.ID != want.ID || s.Title == "" || s.Records == nil || s.Questions == nil || s.Judge == nil {
			t.Errorf("ByID(%q) = %+v, %v", want.ID, s, ok)
		}
	}
	if _, ok := ByID("no-such-step"); ok {
		t.Error("ByID found a step that does not exist")
	}
	if s, _ := ByID(IDPTR); s.Where != AtHostingProvider {
		t.Errorf("PTR is set at %s, want the hosting provider", s.Where)
	}
}

// TestEveryStepHasText: the wizard explains every step with its text in
// assets/steps/<id>.md, and there is no text for a step that does not
// exist.
func TestEveryStepHasText(t *testing.T) {
	for _, s := range All() {
		if _, ok := assets.Step(s.ID); !ok {
			t.Errorf("step %s has no explanation: add assets/steps/%s.md", s.ID, s.ID)
		}
	}
	texts, err := assets.Steps()
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range texts {
		if _, ok := ByID(text.ID); !ok {
			t.Errorf("assets/steps/%s.md explains a step that does not exist", text.ID)
		}
	}
}

// TestEveryStepServers checks the findings common to every step that asks
// the authoritative servers: one server down, all servers down.
func TestEveryStepServers(t *testing.T) {
	for _, s := range All() {
		if s.ID == IDBlocklist {
			continue
		}
		t.Run(s.ID, func(t *testing.T) {
			runStepCases(t, s.ID, dkimConfig, map[string]stepCase{
				"every server answers": {
					status: StatusPass,
					not:    []string{CodeNSUnreachable, CodeLookupError, CodePartialPropagation, CodeDoubledDomain, CodeNSTooMany, CodeWildcardOnly, CodeNSDelegationMismatch},
				},
				"one server down": {
					world:  func(w *world) { w.down["ns1.example.net."] = errors.New("i/o timeout") },
					status: StatusWarn,
					want:   []string{CodeNSUnreachable},
					not:    []string{CodeLookupError, CodePartialPropagation},
					says:   []string{"ns1.example.net. gave no usable answer", "i/o timeout"},
				},
				"zone not found": {
					world:  func(w *world) { w.noZone = errors.New("SERVFAIL from the resolver") },
					status: StatusError,
					want:   []string{CodeLookupError},
					not:    []string{CodeNSUnreachable, CodePartialPropagation},
					says:   []string{"SERVFAIL from the resolver", "not a verdict on your records"},
				},
				"more nameservers than are asked": {
					world: func(w *world) {
						for i := range 20 {
							w.omitted = append(w.omitted, fmt.Sprintf("ns%d.example.net.", i+3))
						}
					},
					status: StatusWarn,
					want:   []string{CodeNSTooMany},
					not:    []string{CodeNSUnreachable, CodeLookupError},
					says:   []string{"names 22 nameservers", "the first 2 by name and not the other 20: ns3.example.net., ns4.example.net.", "and 10 more (all are in the JSON report)"},
				},
				"query budget spent": {
					world:  func(w *world) { w.budget = 1000 },
					status: StatusError,
					want:   []string{CodeLookupError},
					not:    []string{CodeNSUnreachable},
					says:   []string{"stopped after 1000 queries: the zone's data asks for more than a mail domain needs"},
				},
				"every server down": {
					world: func(w *world) {
						w.down["ns1.example.net."] = errors.New("i/o timeout")
						w.down["ns2.example.net."] = errors.New("i/o timeout")
					},
					status: StatusError,
					want:   []string{CodeLookupError},
					not:    []string{CodeNSUnreachable},
				},
			})
		})
	}
}

func TestSkipped(t *testing.T) {
	cfg := dkimConfig(t)
	cfg.Skip = []string{IDPTR, IDBlocklist}
	if got := len(Planners(cfg)); got != len(All())-2 {
		t.Errorf("%d planners, want one per step not skipped", got)
	}
	ptr, _ := ByID(IDPTR)
	if qs := ptr.Questions(cfg, verify.Answers{}); len(qs) != 0 {
		t.Errorf("a skipped step asks %v", qs)
	}
	w := newWorld(t)
	for _, s := range All() {
		w.publish(s.Records(cfg))
	}
	results := JudgeAll(cfg, w.run(Planners(cfg)...))
	for _, r := range results {
		skipped := r.Step == IDPTR || r.Step == IDBlocklist
		if skipped != (r.Status == StatusSkipped) {
			t.Errorf("%s: status %s", r.Step, r.Status)
		}
	}
	if got := Overall(results); got != StatusPass {
		t.Errorf("overall %s, want pass", got)
	}
}

func TestJudgeAllBeforeAnyAnswer(t *testing.T) {
	for _, r := range JudgeAll(dkimConfig(t), verify.Answers{}) {
		if r.Step == IDBlocklist {
			continue
		}
		if r.Status != StatusError {
			t.Errorf("%s: status %s with nothing asked, want error", r.Step, r.Status)
		}
	}
}

func TestOverall(t *testing.T) {
	tests := map[string]struct {
		statuses []Status
		want     Status
	}{
		"nothing":                   {nil, StatusPass},
		"all pass":                  {[]Status{StatusPass, StatusPass}, StatusPass},
		"warn over pass":            {[]Status{StatusPass, StatusWarn}, StatusWarn},
		"error over warn":           {[]Status{StatusWarn, StatusError}, StatusError},
		"pending over error":        {[]Status{StatusError, StatusPending, StatusWarn}, StatusPending},
		"fail over everything":      {[]Status{StatusPending, StatusFail, StatusError}, StatusFail},
		"skipped does not count":    {[]Status{StatusSkipped, StatusPass}, StatusPass},
		"only skipped":              {[]Status{StatusSkipped}, StatusPass},
		"skipped next to a failure": {[]Status{StatusSkipped, StatusFail}, StatusFail},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var results []Result
			for _, s := range tc.statuses {
				results = append(results, Result{Status: s})
			}
			if got := Overall(results); got != tc.want {
				t.Errorf("Overall = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestJudgeEmptyConfig(t *testing.T) {
	tests := map[string]Config{
		"empty":                   {},
		"addresses but no domain": {IPs: []netip.Addr{netip.MustParseAddr("192.0.2.10"), netip.MustParseAddr("2001:db8::10")}},
	}
	for name, cfg := range tests {
		t.Run(name, func(t *testing.T) {
			// Without a domain every step judges lookup-error, so none
			// asks a question whose answer it would not read.
			for _, p := range Planners(cfg) {
				if qs := p(verify.Answers{}); len(qs) != 0 {
					t.Errorf("a planner asks %v without a domain", qs)
				}
			}
			for _, r := range JudgeAll(cfg, nil) {
				if r.Status != StatusError || len(r.Findings) != 1 || r.Findings[0].Code != CodeLookupError {
					t.Errorf("%s: %s %v, want error with lookup-error", r.Step, r.Status, codes(r))
				}
			}
		})
	}
}
