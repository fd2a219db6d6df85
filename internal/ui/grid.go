package ui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// The overview of several domains is a grid: a row for the mail host,
// whose shared steps are judged once, and a row per domain with its own
// steps; a column per step. Narrow windows number the columns and say
// which step each number is under the grid; wide ones name the steps and
// say each cell's status in a word. Rows scroll when there are more
// domains than lines, columns when there are more steps than room, always
// keeping the cell under the cursor in view; under the grid, when there is
// room, the cell under the cursor in detail.

// withDomains gives the overview every domain and its results (the maps
// are shared with the model, which is their only writer).
func (o overview) withDomains(cfgs []steps.Config, res []map[string]steps.Result) overview {
	o.domains, o.res = cfgs, res
	return o
}

// grid reports whether the overview is the grid of several domains.
func (o overview) grid() bool { return len(o.domains) > 1 }

// gridRows are the grid's rows: the mail host, then each domain.
func (o overview) gridRows() int { return len(o.domains) + 1 }

// rowLabel names a grid row: "mail host", then each domain.
func (o overview) rowLabel(row int) string {
	if row == 0 {
		return "mail host"
	}
	return trimDot(o.domains[row-1].Domain)
}

// cell is the result of step col for grid row row, and whether the cell
// has one: the host row has the shared steps, a domain row its own.
func (o overview) cell(row, col int) (steps.Result, bool, bool) {
	st := o.all[col]
	domain := max(row-1, 0)
	if (row == 0) != st.Shared {
		return steps.Result{}, false, false
	}
	cfg := o.domains[domain]
	if isSkipped(cfg, st.ID) {
		return steps.Result{Step: st.ID, Status: steps.StatusSkipped}, true, true
	}
	r, ok := o.res[domain][st.ID]
	return r, ok, true
}

// gridWord says a cell's status in a word or two, for wide cells.
func gridWord(r steps.Result, ok bool) string {
	if !ok {
		return "not checked"
	}
	switch r.Status {
	case steps.StatusPending:
		if n := countOK(r.Servers); n > 0 && n < len(r.Servers) {
			return fmt.Sprintf("%d of %d", n, len(r.Servers))
		}
	}
	return statusShort(r.Status)
}

// gridView draws the grid, the legend or step names, the details of the
// cell under the cursor, and the foot.
func (o overview) gridView() []string {
	st := o.sh.styles
	w := max(o.w, 20)
	head := o.header()
	foot := o.footLines()
	room := max(o.h-len(head)-len(foot)-1, 3)

	labelW := 0
	for row := range o.gridRows() {
		labelW = max(labelW, lipgloss.Width(o.rowLabel(row)))
	}
	labelW = min(labelW, max(w/3, 12)) + 3 // the marker and a space after
	idW := 0
	for _, s := range o.all {
		idW = max(idW, lipgloss.Width(s.ID))
	}
	// Three widths of cell, the widest that fits every column: a word
	// under the step's id, an icon under it, or an icon under a number
	// that the legend names.
	wide, named, cellW := false, false, 4
	switch {
	case labelW+len(o.all)*(max(idW, len("not checked")+2)+3) <= w:
		wide, named, cellW = true, true, max(idW, len("not checked")+2)+3
	case labelW+len(o.all)*(idW+2) <= w:
		named, cellW = true, idW+2
	}
	// The columns in view: all when they fit, else a window around the
	// cursor.
	fit := max((w-labelW)/cellW, 1)
	first := 0
	if fit < len(o.all) {
		first = max(0, min(o.cursor-fit/2, len(o.all)-fit))
	}
	cols := make([]int, 0, fit)
	for c := first; c < min(first+fit, len(o.all)); c++ {
		cols = append(cols, c)
	}

	var header strings.Builder
	header.WriteString(strings.Repeat(" ", labelW+1))
	for _, c := range cols {
		name := fmt.Sprint(c + 1)
		if named {
			name = o.all[c].ID
		}
		if c == o.cursor {
			name = st.selected.Render(name)
		}
		header.WriteString(name + strings.Repeat(" ", max(cellW-lipgloss.Width(name), 1)))
	}
	lines := []string{cut(header.String(), w)}

	var rows []string
	for row := range o.gridRows() {
		label := cut(o.rowLabel(row), labelW-3)
		marker := "  "
		if row == o.row {
			marker = st.selected.Render("▸ ")
		}
		var b strings.Builder
		b.WriteString(marker + label + strings.Repeat(" ", labelW-2-lipgloss.Width(label)))
		for _, c := range cols {
			r, ok, has := o.cell(row, c)
			var text string
			switch {
			case !has:
				text = st.subtle.Render("·")
			case wide:
				text = st.status(r.Status).Render(statusIcon(r.Status) + " " + gridWord(r, ok))
			default:
				status := r.Status
				if !ok {
					status = ""
				}
				text = st.status(status).Render(statusIcon(status))
			}
			if row == o.row && c == o.cursor {
				text = st.selected.Render("[") + text + st.selected.Render("]")
			} else {
				text = " " + text + " "
			}
			b.WriteString(text + strings.Repeat(" ", max(cellW-lipgloss.Width(text), 0)))
		}
		rows = append(rows, cut(strings.TrimRight(b.String(), " "), w))
	}
	// The rows in view, the cursor's among them.
	legend := o.legend(cols, named, w)
	fitRows := max(room-len(lines)-len(legend)-1, 1)
	if len(rows) > fitRows {
		n := max(fitRows-1, 1)
		off := max(0, min(o.row-n/2, len(rows)-n))
		more := fmt.Sprintf("rows %d–%d of %d · ↑/↓ moves", off+1, off+n, len(rows))
		rows = append(slices.Clone(rows[off:off+n]), st.subtle.Render(cut(more, w)))
	}
	lines = append(lines, rows...)
	if first > 0 || first+len(cols) < len(o.all) {
		lines = append(lines, st.subtle.Render(cut(fmt.Sprintf("steps %d–%d of %d · ←/→ moves", first+1, first+len(cols), len(o.all)), w)))
	}
	lines = append(lines, legend...)
	if left := room - len(lines) - 1; left >= 6 {
		if d := o.gridDetails(left); len(d) > 0 {
			lines = append(append(lines, ""), d...)
		}
	}
	if left := room - len(lines) - 1; left >= 4 {
		if todo := o.gridLeft(left); len(todo) > 0 {
			lines = append(append(lines, ""), todo...)
		}
	}
	out := append(head, lines...)
	return append(append(out, ""), foot...)
}

// legend names the numbered columns of a narrow grid: "1 host · 2 mx …".
func (o overview) legend(cols []int, named bool, w int) []string {
	if named {
		return nil
	}
	var parts []string
	for _, c := range cols {
		parts = append(parts, fmt.Sprintf("%d%c%s", c+1, glueSpace, o.all[c].ID))
	}
	return styled(o.sh.styles.subtle, wrap(strings.Join(parts, "   "), w))
}

// gridDetails are the cell under the cursor in full, in at most n lines.
func (o overview) gridDetails(n int) []string {
	r, ok, has := o.cell(o.row, o.cursor)
	if !has || !ok {
		return nil
	}
	domain := max(o.row-1, 0)
	cfg := o.domains[domain]
	return o.detailLines(o.all[o.cursor], cfg, r, fmt.Sprintf("%s · %s", stepPlace(cfg, o.row == 0), o.all[o.cursor].Title), false, n)
}

// gridLeft lists, in at most n lines, what is left to do in every cell
// but the cursor's: each cell not verified with its first finding.
func (o overview) gridLeft(n int) []string {
	st := o.sh.styles
	var items []string
	for row := range o.gridRows() {
		where := o.rowLabel(row)
		for col, s := range o.all {
			r, ok, has := o.cell(row, col)
			if !has || !ok || green(r.Status) || r.Status == steps.StatusSkipped || row == o.row && col == o.cursor || len(r.Findings) == 0 {
				continue
			}
			items = append(items, cut(st.status(r.Status).Render(statusIcon(r.Status))+" "+where+" · "+s.ID+": "+r.Findings[0].Message, o.w))
		}
	}
	if len(items) == 0 {
		return nil
	}
	out := []string{st.heading.Render("Still to do")}
	if len(items) > n-1 {
		more := len(items) - (n - 2)
		items = append(items[:n-2], st.subtle.Render(fmt.Sprintf("… and %d more", more)))
	}
	return append(out, items...)
}

// moveGrid moves the grid's cursor by rows and columns, staying on cells
// that have a step: the host row has the shared steps, a domain row its
// own.
func (o overview) moveGrid(dRow, dCol int) overview {
	rows, cols := o.gridRows(), len(o.all)
	if dCol != 0 {
		for range cols {
			o.cursor = (o.cursor + dCol + cols) % cols
			if _, _, has := o.cell(o.row, o.cursor); has {
				break
			}
		}
		return o
	}
	o.row = (o.row + dRow + rows) % rows
	if _, _, has := o.cell(o.row, o.cursor); !has {
		// Onto the nearest column of the row's kind.
		for d := 1; d < cols; d++ {
			for _, c := range []int{o.cursor - d, o.cursor + d} {
				if c >= 0 && c < cols {
					if _, _, has := o.cell(o.row, c); has {
						o.cursor = c
						return o
					}
				}
			}
		}
	}
	return o
}
