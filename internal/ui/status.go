package ui

import (
	"slices"
	"strings"

	"github.com/mailwizard/mailwizard/internal/steps"
)

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

// probeFrom says where the server step's probes ran from: "Checked from
// 192.0.2.1 and 2001:db8::1.", or "" when the step connected nowhere.
func probeFrom(res steps.Result) string {
	var froms []string
	for _, r := range res.Probes {
		if r.From != "" && !slices.Contains(froms, r.From) {
			froms = append(froms, r.From)
		}
	}
	switch len(froms) {
	case 0:
		return ""
	case 1:
		return "Checked from " + froms[0] + "."
	}
	return "Checked from " + strings.Join(froms[:len(froms)-1], ", ") + " and " + froms[len(froms)-1] + "."
}
