package ui

import (
	"fmt"
	"io"
	"strings"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// plainStep writes a step screen as plain lines for the accessible walk:
// no colour, no boxes, no wrapping (a screen reader or the terminal wraps),
// every value on its own line so that it can be selected whole.
func plainStep(w io.Writer, s stepScreen, zone bool) {
	fmt.Fprintf(w, "\nStep %d of %d: %s\n", s.number, s.count, s.step.Title)
	if s.text.Why != "" {
		fmt.Fprintf(w, "Why: %s\n", s.text.Why)
	}
	for i, line := range s.whereText() {
		if i == 0 {
			line = "Where: " + line
		}
		fmt.Fprintln(w, line)
	}
	switch {
	case len(s.records) == 0:
		fmt.Fprintln(w, "Nothing to publish for this step.")
	case zone:
		fmt.Fprintln(w, "Zone-file lines:")
		for _, l := range zoneLines(s.records) {
			fmt.Fprintln(w, l)
		}
	default:
		for _, c := range s.cards {
			fmt.Fprintf(w, "%s:\n", capitalize(c.title))
			for _, f := range c.fields {
				fmt.Fprintf(w, "  %s: %s\n", f.label, f.onScreen())
			}
			for _, n := range c.notes {
				fmt.Fprintf(w, "  Note: %s\n", n)
			}
		}
	}
}

// plainStatus is a step's verdict, per server, the resolvers' second
// opinion and the findings, as lines; the first is the status.
func plainStatus(s stepScreen, checkErr error) []string {
	out := []string{"Status: " + s.statusHead()}
	if s.result.FromResolver {
		out = append(out, "Warning: "+steps.ResolverModeText)
	}
	if checkErr != nil {
		out = append(out, fmt.Sprintf("Could not run the check: %v", checkErr))
	}
	if from := probeFrom(s.result); from != "" {
		out = append(out, "  "+from)
	}
	for _, l := range s.result.Servers {
		out = append(out, fmt.Sprintf("  %s %s %s", verdictIcon(nil, l.Verdict), l.Server, l.Detail))
	}
	for _, o := range s.result.SecondOpinion {
		out = append(out, "  Resolver: "+o.Note)
	}
	if s.result.Status != steps.StatusSkipped {
		for _, f := range s.result.Findings {
			out = append(out, plainSeverity(f.Severity)+" "+f.Message)
			if f.Hint != "" {
				out = append(out, "  Fix: "+f.Hint)
			}
		}
	}
	if s.checked && green(s.result.Status) {
		out = append(out, "Done: this step is verified. Type n for the next step.")
	}
	return out
}

func plainSeverity(sev steps.Severity) string {
	switch sev {
	case steps.SeverityError:
		return "Problem:"
	case steps.SeverityWarning:
		return "Warning:"
	default:
		return "Note:"
	}
}

// plainOverview writes every step's status and the counts.
func plainOverview(w io.Writer, o overview) {
	fmt.Fprintf(w, "\nOverview of %s: %s\n", trimDot(o.cfg.Domain), o.countLine())
	for i, st := range o.all {
		r, ok := o.status(st)
		status := steps.Status("")
		if ok {
			status = r.Status
		}
		fmt.Fprintf(w, "  %d. %s %s: %s\n", i+1, statusIcon(status), st.Title, o.statusWord(st, r, ok))
		if ok && len(r.Findings) > 0 && !green(status) {
			fmt.Fprintf(w, "     %s\n", r.Findings[0].Message)
		}
	}
}

// plainZone writes the whole zone snippet.
func plainZone(w io.Writer, o overview) {
	lines := o.zoneSnippet()
	if len(lines) == 0 {
		fmt.Fprintln(w, "Nothing to publish.")
		return
	}
	fmt.Fprintln(w, strings.Join(lines, "\n"))
}
