package report

import (
	"slices"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// Change is a step whose verdict differs between two rounds.
type Change struct {
	ID    string
	Title string
	// From is the earlier status, empty when the step is new.
	From steps.Status
	To   steps.Status
	// Findings are the step's findings in the later round.
	Findings []steps.Finding
}

// Changes lists the steps of cur whose status or set of finding codes
// differs from prev, in cur's order. With an empty prev every step is a
// change.
func Changes(prev, cur Report) []Change {
	before := make(map[string]Step, len(prev.Steps))
	for _, s := range prev.Steps {
		before[s.ID] = s
	}
	var out []Change
	for _, s := range cur.Steps {
		old, seen := before[s.ID]
		if seen && old.Status == s.Status && slices.Equal(findingCodes(old), findingCodes(s)) {
			continue
		}
		c := Change{ID: s.ID, Title: s.Title, To: s.Status, Findings: s.Findings}
		if seen {
			c.From = old.Status
		}
		out = append(out, c)
	}
	return out
}

func findingCodes(s Step) []string {
	codes := make([]string, 0, len(s.Findings))
	for _, f := range s.Findings {
		codes = append(codes, f.Code)
	}
	slices.Sort(codes)
	return codes
}
