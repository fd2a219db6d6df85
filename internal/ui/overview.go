package ui

import (
	"fmt"
	"iter"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// overview lists every step with its status and counts; at the end of the
// walk it is the summary. Under the list, when there is room, it shows the
// step under the cursor in detail: each server's verdict and the findings.
// It can also show the whole zone snippet.
type overview struct {
	sh      *shared
	all     []steps.Step
	cfg     steps.Config
	results map[string]steps.Result
	notes   []string
	cursor  int
	// domains and res are every domain of the mail host and its results,
	// when there are several: the overview is then a grid, whose cursor
	// is on row (0 the mail host, then each domain) and column cursor.
	domains []steps.Config
	res     []map[string]steps.Result
	row     int
	summary bool
	zone    bool
	offset  int
	live    live
	w, h    int
}

func newOverview(sh *shared, all []steps.Step, cfg steps.Config) overview {
	return overview{sh: sh, all: all, cfg: cfg, results: map[string]steps.Result{}}
}

// SetSize gives the overview its area.
func (o overview) SetSize(w, h int) overview {
	o.w, o.h = w, h
	o.offset = o.clampOffset(o.offset)
	return o
}

// withResults shows the latest verdicts (the map is copied).
func (o overview) withResults(results map[string]steps.Result) overview {
	o.results = make(map[string]steps.Result, len(results))
	for id, r := range results {
		o.results[id] = r
	}
	return o
}

// withNotes shows what the last round said about the network.
func (o overview) withNotes(notes []string) overview {
	o.notes = notes
	return o
}

func (o overview) withLive(l live) overview {
	o.live = l
	return o
}

// Update moves the cursor, toggles the zone snippet and copies it.
// Opening a step, re-checking and exporting are the root's.
func (o overview) Update(msg tea.Msg) (overview, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return o, nil
	}
	k := o.sh.keys
	switch {
	case key.Matches(kp, k.Zone), key.Matches(kp, k.Overview) && o.zone:
		o.zone = !o.zone
		o.offset = 0
	case key.Matches(kp, k.Copy) && o.zone:
		return o, tea.Batch(tea.SetClipboard(strings.Join(o.zoneSnippet(), "\n")), flash(clipboardSent("the whole zone snippet", "select the lines on screen instead")))
	case key.Matches(kp, k.Up) && o.zone:
		o.offset = o.clampOffset(o.offset - 1)
	case key.Matches(kp, k.Down) && o.zone:
		o.offset = o.clampOffset(o.offset + 1)
	case key.Matches(kp, k.PageUp) && o.zone:
		o.offset = o.clampOffset(o.offset - o.bodyHeight() + 1)
	case key.Matches(kp, k.PageDown) && o.zone:
		o.offset = o.clampOffset(o.offset + o.bodyHeight() - 1)
	case key.Matches(kp, k.Up) && o.grid():
		o = o.moveGrid(-1, 0)
	case key.Matches(kp, k.Down) && o.grid():
		o = o.moveGrid(1, 0)
	case key.Matches(kp, k.Up) && len(o.all) > 0:
		o.cursor = (o.cursor + len(o.all) - 1) % len(o.all)
	case key.Matches(kp, k.Down) && len(o.all) > 0:
		o.cursor = (o.cursor + 1) % len(o.all)
	}
	return o, nil
}

// status is the verdict of a step so far.
func (o overview) status(st steps.Step) (steps.Result, bool) {
	if isSkipped(o.cfg, st.ID) {
		return steps.Result{Step: st.ID, Status: steps.StatusSkipped}, true
	}
	r, ok := o.results[st.ID]
	return r, ok
}

// statusWord says a step's status as its own screen does.
func (o overview) statusWord(st steps.Step, r steps.Result, checked bool) string {
	return statusPhrase(st, o.cfg, r, checked)
}

// tally counts verdicts: how many are verified (pass or warn) out of
// those not skipped, and how many are skipped.
type tally struct{ verified, total, skipped int }

func (t *tally) add(r steps.Result, ok bool) {
	switch {
	case ok && r.Status == steps.StatusSkipped:
		t.skipped++
	case ok && green(r.Status):
		t.verified++
		t.total++
	default:
		t.total++
	}
}

// counts returns how many steps (on a grid, cells with a step) are
// verified (pass or warn) out of those not skipped, and how many are
// skipped.
func (o overview) counts() (verified, total, skipped int) {
	var t tally
	if o.grid() {
		for row := range o.gridRows() {
			for col := range o.all {
				if r, ok, has := o.cell(row, col); has {
					t.add(r, ok)
				}
			}
		}
	} else {
		for _, st := range o.all {
			t.add(o.status(st))
		}
	}
	return t.verified, t.total, t.skipped
}

// countLine is "5/8 verified" (", 1 skipped").
func (o overview) countLine() string {
	v, t, s := o.counts()
	line := fmt.Sprintf("%d/%d verified", v, t)
	if s > 0 {
		line += fmt.Sprintf(", %d skipped", s)
	}
	return line
}

// header is the domain and the overview's name and counts, on one line
// or two; then the rule.
func (o overview) header() []string {
	st := o.sh.styles
	name := "Overview"
	if o.summary {
		name = "Summary"
	}
	what := trimDot(o.cfg.Domain)
	if o.grid() {
		what = fmt.Sprintf("%s · %d domains", trimDot(o.cfg.Host), len(o.domains))
	}
	brand := st.brand.Render("mailwizard") + st.subtle.Render(" · "+what)
	right := name + " · " + o.countLine()
	rule := st.rule.Render(strings.Repeat("─", max(o.w, 1)))
	if lipgloss.Width(brand)+2+lipgloss.Width(right) <= o.w {
		return []string{spread(brand, st.heading.Render(right), o.w), rule}
	}
	return []string{cut(brand, o.w), st.heading.Render(cut(right, o.w)), rule}
}

func (o overview) bodyHeight() int { return max(o.h-len(o.header()), 3) }

func (o overview) clampOffset(off int) int {
	if !o.zone {
		return 0
	}
	n := len(o.zoneWrapped())
	room := o.bodyHeight() - 2
	if n <= room {
		return 0
	}
	return max(0, min(off, n-room))
}

// zoneRecords are the records of every step that is not skipped and is
// published at the DNS provider, with their step.
func (o overview) zoneRecords() iter.Seq2[steps.Step, []steps.Record] {
	return func(yield func(steps.Step, []steps.Record) bool) {
		for _, st := range o.all {
			if isSkipped(o.cfg, st.ID) || st.Records == nil || st.Where != steps.AtDNSProvider {
				continue
			}
			if recs := st.Records(o.cfg); len(recs) > 0 && !yield(st, recs) {
				return
			}
		}
	}
}

// zoneSnippet is the zone records as zone-file lines.
func (o overview) zoneSnippet() []string {
	var out []string
	for st, recs := range o.zoneRecords() {
		out = append(out, "; "+st.Title)
		out = append(out, zoneLines(recs)...)
	}
	return out
}

// zoneWrapped is the zone snippet laid out for the window: long records
// in the ( … ) form, never broken inside a quoted string.
func (o overview) zoneWrapped() []string {
	var out []string
	w := max(o.w, 20)
	for st, recs := range o.zoneRecords() {
		out = append(out, cut("; "+st.Title, w))
		lines, _ := zoneText(recs, w)
		out = append(out, lines...)
	}
	return out
}

// View draws the list with the details of the step under the cursor, or
// the zone snippet.
func (o overview) View() string {
	head := o.header()
	if o.zone {
		return strings.Join(append(head, o.zoneView()...), "\n")
	}
	if o.grid() {
		return strings.Join(o.gridView(), "\n")
	}
	foot := o.footLines()
	room := max(o.h-len(head)-len(foot)-1, 1)
	rows := o.rowLines(room)
	list := o.window(rows, room)
	out := append(head, list...)
	if left := room - len(list) - 1; left >= 6 {
		if details := o.details(left); len(details) > 0 {
			out = append(out, "")
			out = append(out, details...)
		}
	}
	out = append(out, "")
	return strings.Join(append(out, foot...), "\n")
}

// row is one step's line of the list, and the line under it (its first
// finding) that is shown when there is room.
type row struct {
	line, under string
}

// rowLines are the list's lines: one per step, with the first finding of
// a step that is not green under it when every such line fits in room.
func (o overview) rowLines(room int) []row {
	st := o.sh.styles
	titleW := 0
	for _, s := range o.all {
		titleW = max(titleW, lipgloss.Width(s.Title))
	}
	numW := len(fmt.Sprint(len(o.all)))
	wordW := 0
	for _, s := range o.all {
		r, ok := o.status(s)
		wordW = max(wordW, lipgloss.Width(o.statusWord(s, r, ok)))
	}
	wordW = min(wordW, 32)
	wide := o.sh.wide()
	// The title gets what the marker, number and status leave, keeping
	// room for the servers on a wide window.
	rest := o.w - (2 + 2 + numW + 2) - (2 + wordW)
	if wide {
		rest -= 40
	}
	titleW = min(titleW, max(rest, 16))
	out := make([]row, 0, len(o.all))
	for i, s := range o.all {
		r, ok := o.status(s)
		status := steps.Status("")
		if ok {
			status = r.Status
		}
		marker := "  "
		if i == o.cursor {
			marker = st.selected.Render("▸ ")
		}
		title := cut(s.Title, titleW)
		word := cut(o.statusWord(s, r, ok), wordW)
		line := fmt.Sprintf("%s%s %*d  %s%s  %s", marker, st.status(status).Render(statusIcon(status)), numW, i+1,
			title, strings.Repeat(" ", titleW-lipgloss.Width(title)), st.status(status).Render(word+strings.Repeat(" ", wordW-lipgloss.Width(word))))
		finding := ""
		if ok && status != steps.StatusSkipped && !green(status) && len(r.Findings) > 0 {
			finding = r.Findings[0].Message
		}
		if wide {
			if sv := serverSummary(&st, r.Servers); sv != "" && ok {
				line += "  " + sv
			}
			if finding != "" {
				line += "  " + st.subtle.Render(finding)
			}
			out = append(out, row{line: cut(line, o.w)})
			continue
		}
		under := ""
		if finding != "" {
			under = st.subtle.Render(cut(strings.Repeat(" ", 5+numW)+finding, o.w))
		}
		out = append(out, row{line: cut(line, o.w), under: under})
	}
	return out
}

// serverSummary is each server's verdict in a word: "✓ ns1.example.net.
// ✗ ns2.example.net.", at most four.
func serverSummary(st *styles, servers []steps.ServerVerdict) string {
	var parts []string
	for i, s := range servers {
		if i == 4 {
			parts = append(parts, fmt.Sprintf("+%d", len(servers)-4))
			break
		}
		parts = append(parts, verdictIcon(st, s.Verdict)+" "+cut(s.Server, 24))
	}
	return strings.Join(parts, "  ")
}

// window is the list in room lines: with the findings under the rows
// when they all fit, else the rows alone, scrolled to keep the cursor in
// view.
func (o overview) window(rows []row, room int) []string {
	var full []string
	for _, r := range rows {
		full = append(full, r.line)
		if r.under != "" {
			full = append(full, r.under)
		}
	}
	if len(full) <= room {
		return full
	}
	lines := make([]string, len(rows))
	for i, r := range rows {
		lines[i] = r.line
	}
	if len(lines) <= room {
		return lines
	}
	n := max(room-1, 1)
	off := max(0, min(o.cursor-n/2, len(lines)-n))
	out := slices.Clone(lines[off : off+n])
	more := fmt.Sprintf("steps %d–%d of %d · ↑/↓ moves", off+1, off+n, len(lines))
	return append(out, o.sh.styles.subtle.Render(cut(more, o.w)))
}

// details are the step under the cursor in full, in at most n lines: its
// status, each server's verdict, the resolvers and the findings.
func (o overview) details(n int) []string {
	if o.cursor < 0 || o.cursor >= len(o.all) {
		return nil
	}
	st := o.all[o.cursor]
	r, ok := o.status(st)
	if !ok {
		return nil
	}
	return o.detailLines(st, o.cfg, r, fmt.Sprintf("%d · %s", o.cursor+1, st.Title), true, n)
}

// detailLines are step's verdict r in full under a heading, in at most n
// lines: each server's verdict, the resolvers when asked, the findings.
// They are the lines of its screen, which draws them from the verdict
// alone: the screen is not prepared (records, cards) for them.
func (o overview) detailLines(step steps.Step, cfg steps.Config, r steps.Result, heading string, opinions bool, n int) []string {
	st := o.sh.styles
	s := stepScreen{sh: o.sh, step: step, cfg: cfg, result: r, checked: true}
	w := min(o.w, maxTextWidth+20)
	out := []string{cut(st.heading.Render(heading)+"  "+st.status(s.result.Status).Render(s.statusHead()), w)}
	out = append(out, s.serverLines(w, false)...)
	if opinions {
		out = append(out, s.opinionLines(w)...)
	}
	if fs := s.findingLines(w); len(fs) > 0 {
		out = append(append(out, ""), fs...)
	}
	if len(out) > n {
		out = append(out[:n-1], st.subtle.Render(cut("… the rest on its screen: enter opens it", w)))
	}
	return out
}

// footLines are the timing, the notes about the network and the verdict
// or what to do next.
func (o overview) footLines() []string {
	st := o.sh.styles
	out := []string{o.timingLine()}
	if o.live.err != nil {
		out = append(out, atMost(hangingStyled(st.errored.Render("? "), "Could not run the check: "+o.live.err.Error(), st.errored, o.w), 2, o.w)...)
	}
	for _, n := range o.notes {
		out = append(out, atMost(hangingStyled(st.errored.Render("! "), n, st.errored, o.w), 2, o.w)...)
	}
	v, t, _ := o.counts()
	switch {
	case t > 0 && v == t && o.grid():
		out = append(out, atMost(hangingStyled(st.banner.Render("✓ "), "Every step of every domain is verified. Your mail server's DNS is complete.", st.banner, o.w), 2, o.w)...)
	case t > 0 && v == t:
		out = append(out, atMost(hangingStyled(st.banner.Render("✓ "), "Every step is verified. Your mail server's DNS is complete.", st.banner, o.w), 2, o.w)...)
	case o.summary:
		out = append(out, atMost(wrap("Steps not verified yet keep being watched here; enter opens one.", o.w), 2, o.w)...)
	}
	return out
}

// timingLine is the spinner or "checked 2 s ago · next in 3 s".
func (o overview) timingLine() string {
	st := o.sh.styles
	if o.live.checking {
		return o.live.spinner + st.subtle.Render(" checking every step…")
	}
	return st.subtle.Render(cut("Watching: "+o.live.timing, o.w))
}

// zoneView is the zone snippet, scrolled.
func (o overview) zoneView() []string {
	st := o.sh.styles
	lines := o.zoneWrapped()
	out := []string{cut(st.cardTitle.Render("Zone snippet")+st.subtle.Render(" · c copies all · z back"), o.w)}
	room := o.bodyHeight() - 2
	off := o.clampOffset(o.offset)
	end := min(off+room, len(lines))
	out = append(out, lines[off:end]...)
	if len(lines) > room {
		out = append(out, st.subtle.Render(cut(fmt.Sprintf("lines %d–%d of %d · scroll with ↑/↓", off+1, end, len(lines)), o.w)))
	}
	return out
}
