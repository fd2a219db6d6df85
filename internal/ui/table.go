package ui

// The headless views of cmd/mailwizard: the check table, the --watch change
// lines and the records to publish. They write to any io.Writer, colour
// only what the writer and the environment allow (NO_COLOR, CLICOLOR_FORCE,
// TERM=dumb, not a terminal), and use the terminal's own 16 colours so they
// read on light and dark backgrounds alike.

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"charm.land/lipgloss/v2/table"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/term"

	"github.com/mailwizard/mailwizard/internal/report"
	"github.com/mailwizard/mailwizard/internal/steps"
)

// TableOptions configure the headless views.
type TableOptions struct {
	// Env is the environment that decides colour (NO_COLOR, TERM, …); nil
	// means the process's.
	Env []string
	// Width is the width to fit; 0 means the terminal's, or 100 columns
	// when the writer is not a terminal.
	Width int
}

// Widths of the check table: the whole table when the output is not a
// terminal, and the step and status columns (padding included); the
// details get the rest.
const (
	tableFallbackWidth = 100
	tableStepWidth     = 26
	tableStatusWidth   = 11
)

func (o TableOptions) width(w io.Writer) int {
	if o.Width > 0 {
		return o.Width
	}
	if f, ok := w.(*os.File); ok && term.IsTerminal(f.Fd()) {
		if cols, _, err := term.GetSize(f.Fd()); err == nil && cols > 0 {
			return cols
		}
	}
	return tableFallbackWidth
}

func (o TableOptions) writer(w io.Writer) *colorprofile.Writer {
	env := o.Env
	if env == nil {
		env = os.Environ()
	}
	return colorprofile.NewWriter(w, env)
}

// tableStyles are the headless views' styles, in ANSI colours.
type tableStyles struct {
	heading, dim, label, code lipgloss.Style
	status                    map[steps.Status]lipgloss.Style
}

func tableNewStyles() tableStyles {
	fg := func(c string) lipgloss.Style { return lipgloss.NewStyle().Foreground(lipgloss.Color(c)) }
	return tableStyles{
		heading: lipgloss.NewStyle().Bold(true),
		dim:     fg("8"),
		label:   fg("8"),
		code:    lipgloss.NewStyle().Bold(true),
		status: map[steps.Status]lipgloss.Style{
			steps.StatusPass:    fg("2").Bold(true),
			steps.StatusWarn:    fg("2"),
			steps.StatusPending: fg("8").Bold(true),
			steps.StatusFail:    fg("1").Bold(true),
			steps.StatusError:   fg("3").Bold(true),
			steps.StatusSkipped: fg("8"),
		},
	}
}

func (s tableStyles) statusText(st steps.Status) string {
	return s.status[st].Render(statusIcon(st) + " " + string(st))
}

// WriteCheckTable writes a check round as a table: one row per step with
// its status, the servers that do not serve it, its findings and, for
// published records, how long a resolver still caches "no". A line above names the domain, the overall status and
// the time.
func WriteCheckTable(w io.Writer, r report.Report, opts TableOptions) error {
	st := tableNewStyles()
	width := opts.width(w)
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %s  %s\n\n", st.heading.Render(r.Domain), st.statusText(r.Status),
		st.dim.Render("checked "+r.CheckedAt.UTC().Format("2006-01-02 15:04:05 UTC")))
	for _, n := range r.Notes {
		b.WriteString(strings.Join(wrap("Note: "+n, width), "\n") + "\n\n")
	}

	t := table.New().
		Border(lipgloss.RoundedBorder()).
		BorderStyle(st.dim).
		BorderRow(true).
		Headers("Step", "Status", "Details").
		Width(width).
		Wrap(true).
		StyleFunc(func(row, col int) lipgloss.Style {
			s := lipgloss.NewStyle().Padding(0, 1)
			switch col {
			case 0:
				s = s.Width(tableStepWidth)
			case 1:
				s = s.Width(tableStatusWidth)
			}
			if row == table.HeaderRow {
				return s.Bold(true)
			}
			return s
		})
	for _, s := range r.Steps {
		t.Row(s.Title+"\n"+st.dim.Render(s.ID), st.statusText(s.Status), tableDetails(st, s))
	}
	b.WriteString(t.Render())
	b.WriteString("\n")
	b.WriteString(tableTally(st, r))
	b.WriteString("\n")
	return tableWrite(opts.writer(w), b.String())
}

// tableDetails is what is wrong on each server that does not serve the
// step's records, then the step's findings, one paragraph each, then the
// resolver notes.
func tableDetails(st tableStyles, s report.Step) string {
	var parts []string
	for _, v := range s.Servers {
		if v.Verdict != steps.VerdictOK {
			parts = append(parts, verdictIcon(nil, v.Verdict)+" "+v.Server+": "+v.Detail)
		}
	}
	for _, f := range s.Findings {
		text := st.code.Render(f.Code) + ": " + f.Message
		if f.Hint != "" {
			text += " " + f.Hint
		}
		parts = append(parts, text)
	}
	for _, n := range s.ResolverNotes() {
		parts = append(parts, st.dim.Render("note: "+n))
	}
	return strings.Join(parts, "\n")
}

// tableTally counts the steps by status: "5 pass · 1 warn · 2 pending".
func tableTally(st tableStyles, r report.Report) string {
	counts := map[steps.Status]int{}
	for _, s := range r.Steps {
		counts[s.Status]++
	}
	var parts []string
	for _, status := range []steps.Status{steps.StatusPass, steps.StatusWarn, steps.StatusPending, steps.StatusFail, steps.StatusError, steps.StatusSkipped} {
		if n := counts[status]; n > 0 {
			parts = append(parts, st.status[status].Render(strconv.Itoa(n)+" "+string(status)))
		}
	}
	return strings.Join(parts, st.dim.Render(" · "))
}

// WriteChanges writes one line per step whose verdict changed since the
// last round, stamped with the time of the round, and the step's findings
// indented below it: what `check --watch` prints after its first table.
func WriteChanges(w io.Writer, at time.Time, changes []report.Change, opts TableOptions) error {
	st := tableNewStyles()
	var b strings.Builder
	for _, c := range changes {
		from := "new"
		if c.From != "" {
			from = st.statusText(c.From)
		}
		fmt.Fprintf(&b, "%s  %s (%s): %s → %s\n", st.dim.Render(at.UTC().Format("15:04:05")),
			c.Title, c.ID, from, st.statusText(c.To))
		for _, f := range c.Findings {
			fmt.Fprintf(&b, "          %s: %s\n", st.code.Render(f.Code), f.Message)
		}
	}
	return tableWrite(opts.writer(w), b.String())
}

func tableWrite(w io.Writer, s string) error {
	if _, err := io.WriteString(w, s); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}

// WriteRecords writes the records to publish as the fields of a record
// form, step by step: Host relative to zone ("@" for the apex), Type,
// Value, TTL, with MX and SRV values split into their own fields and PTR
// records shown as "IP address → name" for the hosting provider. Values
// are never wrapped, so they can be copied whole. Groups without records
// are left out.
func WriteRecords(w io.Writer, zone string, groups []report.RecordGroup, opts TableOptions) error {
	st := tableNewStyles()
	var b strings.Builder
	for _, g := range groups {
		if len(g.Records) == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s  %s\n", st.heading.Render(g.Title), st.dim.Render(g.ID+" · "+tableWhere(g.Where)))
		for _, r := range g.Records {
			title := r.Type + " record"
			if r.Optional {
				title += " (optional)"
			}
			fmt.Fprintf(&b, "\n  %s\n", title)
			for _, f := range tableFields(r, zone) {
				fmt.Fprintf(&b, "    %s %s\n", st.label.Render(fmt.Sprintf("%-17s", f[0])), f[1])
			}
		}
		for _, f := range g.Files {
			fmt.Fprintf(&b, "\n  File to serve (not a DNS record)\n")
			fmt.Fprintf(&b, "    %s %s\n", st.label.Render(fmt.Sprintf("%-13s", "URL")), f.URL)
			fmt.Fprintf(&b, "    %s %s\n", st.label.Render(fmt.Sprintf("%-13s", "Content type")), f.ContentType)
			for _, line := range strings.Split(strings.TrimSuffix(f.Body, "\n"), "\n") {
				fmt.Fprintf(&b, "    %s %s\n", st.label.Render(fmt.Sprintf("%-13s", "")), line)
			}
		}
	}
	return tableWrite(opts.writer(w), b.String())
}

func tableWhere(w steps.Where) string {
	switch w {
	case steps.AtHostingProvider:
		return "at your hosting provider (reverse DNS), not at your DNS provider"
	case steps.Nowhere:
		return "nothing to publish"
	}
	return "at your DNS provider"
}

// tableFields are a record's form fields as label, value pairs.
func tableFields(r steps.Record, zone string) [][2]string {
	ttl := [2]string{"TTL", strconv.FormatUint(uint64(r.TTL), 10)}
	if r.Type == "PTR" {
		return [][2]string{{"IP address", addrFromReverse(r.Name)}, {"Reverse DNS name", r.Value}, ttl}
	}
	f := r.Form(zone)
	out := [][2]string{{"Host", f.Host}, {"Type", f.Type}}
	switch {
	case f.Priority != nil && f.Port != nil && f.Weight != nil:
		out = append(out, [2]string{"Priority", strconv.Itoa(int(*f.Priority))}, [2]string{"Weight", strconv.Itoa(int(*f.Weight))},
			[2]string{"Port", strconv.Itoa(int(*f.Port))}, [2]string{"Target", f.Target})
	case f.Priority != nil:
		out = append(out, [2]string{"Priority", strconv.Itoa(int(*f.Priority))}, [2]string{"Value", f.Target})
	default:
		out = append(out, [2]string{"Value", f.Value})
	}
	if parts := r.Strings(); r.Type == "TXT" && len(parts) > 1 {
		quoted := make([]string, len(parts))
		for i, p := range parts {
			quoted[i] = strconv.Quote(p)
		}
		out = append(out, [2]string{"Split value", strings.Join(quoted, " ")})
	}
	return append(out, ttl)
}
