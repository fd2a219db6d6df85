package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// WriteMarkdown writes r as a Markdown report to paste into a ticket: a
// summary table of every step, then, for each step that is not a plain
// pass or skipped, the records expected, what each server said and the
// findings.
func WriteMarkdown(w io.Writer, r Report) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "## mailwizard check of %s\n\n", r.Domain)
	fmt.Fprintf(b, "**Status: %s**, checked %s\n\n", r.Status, r.CheckedAt.UTC().Format("2006-01-02 15:04:05 UTC"))
	b.WriteString("| Step | Status | Findings |\n| --- | --- | --- |\n")
	for _, s := range r.Steps {
		codes := make([]string, 0, len(s.Findings))
		for _, f := range s.Findings {
			codes = append(codes, "`"+f.Code+"`")
		}
		fmt.Fprintf(b, "| %s (`%s`) | %s | %s |\n", markdownCell(s.Title), s.ID, s.Status, strings.Join(codes, ", "))
	}
	for _, s := range r.Steps {
		if s.Status == steps.StatusSkipped || (s.Status == steps.StatusPass && len(s.ResolverNotes()) == 0) {
			continue
		}
		writeMarkdownStep(b, s)
	}
	if err := b.Flush(); err != nil {
		return fmt.Errorf("write markdown report: %w", err)
	}
	return nil
}

func writeMarkdownStep(b *bufio.Writer, s Step) {
	fmt.Fprintf(b, "\n### %s (`%s`): %s\n", s.Title, s.ID, s.Status)
	if len(s.Expected) > 0 {
		b.WriteString("\nExpected:\n\n```\n")
		for _, rec := range s.Expected {
			for _, line := range rec.ZoneLines() {
				b.WriteString(line + "\n")
			}
		}
		b.WriteString("```\n")
	}
	writeMarkdownProbes(b, s.Probes)
	var dns, probes []Observation
	for _, o := range s.Observed {
		if o.Probe != nil {
			probes = append(probes, o)
		} else {
			dns = append(dns, o)
		}
	}
	writeMarkdownObservations(b, "Authoritative servers", dns)
	writeMarkdownObservations(b, "Connections to the server", probes)
	writeMarkdownObservations(b, "Second opinion (recursive resolvers)", s.Resolvers)
	if notes := s.ResolverNotes(); len(notes) > 0 {
		b.WriteString("\nNotes:\n\n")
		for _, n := range notes {
			fmt.Fprintf(b, "- %s.\n", n)
		}
	}
	if len(s.Findings) > 0 {
		b.WriteString("\nFindings:\n\n")
		for _, f := range s.Findings {
			fmt.Fprintf(b, "- **%s** `%s`: %s", f.Severity, f.Code, markdownLine(f.Message))
			if f.Hint != "" {
				fmt.Fprintf(b, " %s", markdownLine(f.Hint))
			}
			b.WriteString("\n")
		}
	}
}

func writeMarkdownObservations(b *bufio.Writer, heading string, obs []Observation) {
	if len(obs) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s:\n\n", heading)
	for _, o := range obs {
		who := o.Server
		if o.Address != "" && o.Address != o.Server {
			who += " (" + o.Address + ")"
		}
		fmt.Fprintf(b, "- `%s` at %s: %s\n", o.Question, markdownLine(who), markdownLine(o.Summary()))
		for _, rec := range o.Records {
			fmt.Fprintf(b, "  - `%s`\n", strings.ReplaceAll(rec, "`", "'"))
		}
	}
}

// writeMarkdownProbes lists the server step's rows: what was found at
// each address and port, and where the check ran from.
func writeMarkdownProbes(b *bufio.Writer, rows []steps.ProbeRow) {
	if len(rows) == 0 {
		return
	}
	b.WriteString("\nServer (per address and port):\n\n")
	for _, r := range rows {
		fmt.Fprintf(b, "- `%s` %s (%s): %s, %s\n", r.Service, markdownLine(r.Address), markdownLine(r.Host), r.Status, markdownLine(r.Detail))
	}
}

// markdownLine keeps text on one line.
func markdownLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// markdownCell keeps text on one line and out of the table's syntax.
func markdownCell(s string) string {
	return strings.ReplaceAll(markdownLine(s), "|", `\|`)
}
