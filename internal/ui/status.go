package ui

import "github.com/mailwizard/mailwizard/internal/steps"

// The live status shows what the step's judge said of each server and what
// the resolvers say (steps.Result's Servers and SecondOpinion): ui only
// draws them.

// verdictIcon marks a server's verdict: ✓ ok, ✗ bad, ? unknown, styled
// when st is given.
func verdictIcon(st *styles, v steps.Verdict) string {
	switch {
	case v == steps.VerdictBad && st != nil:
		return st.fail.Render("✗")
	case v == steps.VerdictBad:
		return "✗"
	case v == steps.VerdictUnknown && st != nil:
		return st.errored.Render("?")
	case v == steps.VerdictUnknown:
		return "?"
	case st != nil:
		return st.pass.Render("✓")
	}
	return "✓"
}

// countOK counts the servers that serve every record.
func countOK(servers []steps.ServerVerdict) int {
	n := 0
	for _, l := range servers {
		if l.Verdict == steps.VerdictOK {
			n++
		}
	}
	return n
}
