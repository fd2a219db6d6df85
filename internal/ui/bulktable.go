package ui

import (
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/mailwizard/mailwizard/internal/report"
	"github.com/mailwizard/mailwizard/internal/steps"
)

// bulkDomainWidth is the width of the domain column of the bulk table;
// a longer name pushes its line's other columns to the right.
const bulkDomainWidth = 32

// BulkTable is the compact table of `check --domains-file`: a header
// line, then one line per domain as it finishes (its overall status and
// an icon per step), then a tally. Its columns have fixed widths, so that
// lines written as domains finish line up without knowing the others.
type BulkTable struct {
	ids  []string
	opts TableOptions
	st   tableStyles
}

// NewBulkTable returns the table of the steps ids, in order.
func NewBulkTable(ids []string, opts TableOptions) BulkTable {
	return BulkTable{ids: ids, opts: opts, st: tableNewStyles()}
}

// Writer wraps w so that the table's colours show as the environment
// allows (NO_COLOR, TERM=dumb, not a terminal), as the check table's do.
func (t BulkTable) Writer(w io.Writer) io.Writer {
	return t.opts.writer(w)
}

// Header is the table's first line: the column names, the step ids.
func (t BulkTable) Header() string {
	cols := []string{bulkPad("domain", bulkDomainWidth), bulkPad("status", tableStatusWidth-2)}
	cols = append(cols, t.ids...)
	return t.st.heading.Render(strings.Join(cols, " ")) + "\n"
}

// Row is a domain's line: its name, its overall status, and each step's
// status as an icon under the step's id.
func (t BulkTable) Row(r report.Report) string {
	status := map[string]steps.Status{}
	for _, s := range r.Steps {
		status[s.ID] = s.Status
	}
	cols := []string{bulkPad(r.Domain, bulkDomainWidth),
		t.st.status[r.Status].Render(bulkPad(statusIcon(r.Status)+" "+string(r.Status), tableStatusWidth-2))}
	for _, id := range t.ids {
		st, ok := status[id]
		icon := " "
		if ok {
			icon = t.st.status[st].Render(statusIcon(st))
		}
		cols = append(cols, icon+strings.Repeat(" ", len(id)-1))
	}
	return strings.TrimRight(strings.Join(cols, " "), " ") + "\n"
}

// Tally is the table's last line: how many domains, by status, how many
// rows could not be used, and how long it took.
func (t BulkTable) Tally(statuses map[string]int, bad int, took time.Duration) string {
	total := bad
	var parts []string
	for _, st := range []steps.Status{steps.StatusPass, steps.StatusWarn, steps.StatusPending, steps.StatusFail, steps.StatusError} {
		n := statuses[string(st)]
		total += n
		if n > 0 {
			parts = append(parts, t.st.status[st].Render(strconv.Itoa(n)+" "+string(st)))
		}
	}
	if bad > 0 {
		parts = append(parts, plural(bad, "row", "rows")+" not checked (bad input)")
	}
	line := plural(total, "domain", "domains")
	if len(parts) > 0 {
		line += ": " + strings.Join(parts, t.st.dim.Render(" · "))
	}
	return "\n" + line + t.st.dim.Render(", in "+took.Round(100*time.Millisecond).String()) + "\n"
}

// bulkPad pads s with spaces to width columns, and leaves a longer s as it is.
func bulkPad(s string, width int) string {
	if n := len([]rune(s)); n < width {
		return s + strings.Repeat(" ", width-n)
	}
	return s
}
