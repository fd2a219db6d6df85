package report

import (
	"testing"

	"github.com/mailwizard/mailwizard/internal/steps"
)

func TestChanges(t *testing.T) {
	partial := []steps.Finding{{Code: "partial-propagation", Severity: steps.SeverityWarning}}
	extra := []steps.Finding{{Code: "mx-extra-host", Severity: steps.SeverityWarning}}
	tests := map[string]struct {
		prev, cur Report
		want      []Change
	}{
		"first round: every step is new": {
			cur:  Report{Steps: []Step{{ID: "mx", Status: steps.StatusPass}, {ID: "dkim", Status: steps.StatusPending}}},
			want: []Change{{ID: "mx", To: steps.StatusPass}, {ID: "dkim", To: steps.StatusPending}},
		},
		"nothing changed": {
			prev: Report{Steps: []Step{{ID: "mx", Status: steps.StatusPass, Findings: extra}}},
			cur:  Report{Steps: []Step{{ID: "mx", Status: steps.StatusPass, Findings: extra}}},
		},
		"status changed": {
			prev: Report{Steps: []Step{{ID: "mx", Status: steps.StatusPass}, {ID: "dkim", Status: steps.StatusPending}}},
			cur:  Report{Steps: []Step{{ID: "mx", Status: steps.StatusPass}, {ID: "dkim", Status: steps.StatusPass}}},
			want: []Change{{ID: "dkim", From: steps.StatusPending, To: steps.StatusPass}},
		},
		"same status, a new finding": {
			prev: Report{Steps: []Step{{ID: "dkim", Status: steps.StatusPending}}},
			cur:  Report{Steps: []Step{{ID: "dkim", Status: steps.StatusPending, Findings: partial}}},
			want: []Change{{ID: "dkim", From: steps.StatusPending, To: steps.StatusPending, Findings: partial}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := Changes(tc.prev, tc.cur)
			if len(got) != len(tc.want) {
				t.Fatalf("Changes = %+v, want %+v", got, tc.want)
			}
			for i := range tc.want {
				g, w := got[i], tc.want[i]
				if g.ID != w.ID || g.From != w.From || g.To != w.To || len(g.Findings) != len(w.Findings) {
					t.Errorf("change %d = %+v, want %+v", i, g, w)
				}
			}
		})
	}
}
