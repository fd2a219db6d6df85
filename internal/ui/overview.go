package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// overview lists every step with its status and counts; at the end of the
// walk it is the summary. It can also show the whole zone snippet.
type overview struct {
	sh      *shared
	all     []steps.Step
	cfg     steps.Config
	results map[string]steps.Result
	cursor  int
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
		return o, tea.Batch(tea.SetClipboard(strings.Join(o.zoneSnippet(), "\n")), flash("Copied the whole zone snippet to the clipboard."))
	case key.Matches(kp, k.Up) && o.zone:
		o.offset = o.clampOffset(o.offset - 1)
	case key.Matches(kp, k.Down) && o.zone:
		o.offset = o.clampOffset(o.offset + 1)
	case key.Matches(kp, k.PageUp) && o.zone:
		o.offset = o.clampOffset(o.offset - o.bodyHeight() + 1)
	case key.Matches(kp, k.PageDown) && o.zone:
		o.offset = o.clampOffset(o.offset + o.bodyHeight() - 1)
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

// counts returns how many steps are verified (pass or warn) out of those
// not skipped, and how many are skipped.
func (o overview) counts() (verified, total, skipped int) {
	for _, st := range o.all {
		r, ok := o.status(st)
		switch {
		case ok && r.Status == steps.StatusSkipped:
			skipped++
		case ok && green(r.Status):
			verified++
			total++
		default:
			total++
		}
	}
	return verified, total, skipped
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

func (o overview) bodyHeight() int { return max(o.h-headerHeight, 3) }

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

// zoneSnippet is every record of every step that is not skipped, as
// zone-file lines.
func (o overview) zoneSnippet() []string {
	var out []string
	for _, st := range o.all {
		if isSkipped(o.cfg, st.ID) || st.Records == nil {
			continue
		}
		recs := st.Records(o.cfg)
		if len(recs) == 0 || st.Where != steps.AtDNSProvider {
			continue
		}
		out = append(out, "; "+st.Title)
		out = append(out, zoneLines(recs)...)
	}
	return out
}

// zoneWrapped is the zone snippet wrapped to the window, so that nothing
// of a long DKIM line is hidden.
func (o overview) zoneWrapped() []string {
	var out []string
	for _, l := range o.zoneSnippet() {
		out = append(out, wrap(l, max(o.w, 20))...)
	}
	return out
}

// View draws the list (or the zone snippet).
func (o overview) View() string {
	st := o.sh.styles
	name := "Overview"
	if o.summary {
		name = "Summary"
	}
	right := st.heading.Render(name + " · " + o.countLine())
	out := []string{
		spread(st.brand.Render("mailwizard")+st.subtle.Render(" · "+trimDot(o.cfg.Domain)), right, o.w),
		st.rule.Render(strings.Repeat("─", max(o.w, 1))),
	}
	if o.zone {
		return strings.Join(append(out, o.zoneView()...), "\n")
	}
	titleW := 0
	for _, s := range o.all {
		titleW = max(titleW, len([]rune(s.Title)))
	}
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
		title := s.Title
		row := fmt.Sprintf("%s %d  %s%s  %s", st.status(status).Render(statusIcon(status)), i+1,
			title, strings.Repeat(" ", titleW-len([]rune(title))), st.status(status).Render(statusShort(status)))
		out = append(out, cut(marker+row, o.w))
		if ok && (status == steps.StatusFail || status == steps.StatusError || status == steps.StatusWarn) && len(r.Findings) > 0 {
			out = append(out, st.subtle.Render(cut("       "+r.Findings[0].Message, o.w)))
		}
	}
	out = append(out, "", o.timingLine())
	v, t, _ := o.counts()
	switch {
	case t > 0 && v == t:
		out = append(out, "", st.banner.Render(cut("✓ Every step is verified. Your mail server's DNS is complete.", o.w)))
	case o.summary:
		out = append(out, "", cut("Steps not verified yet keep being watched here; enter opens one.", o.w))
	}
	return strings.Join(out, "\n")
}

// timingLine is the spinner or "checked 2 s ago · next in 3 s".
func (o overview) timingLine() string {
	st := o.sh.styles
	if o.live.checking {
		return o.live.spinner + st.subtle.Render(" checking every step…")
	}
	line := st.subtle.Render("Watching: " + o.live.timing)
	if o.live.err != nil {
		line += "\n" + st.errored.Render(cut("? Could not run the check: "+o.live.err.Error(), o.w))
	}
	return line
}

// zoneView is the zone snippet, scrolled.
func (o overview) zoneView() []string {
	st := o.sh.styles
	lines := o.zoneWrapped()
	out := []string{st.cardTitle.Render("Zone snippet") + st.subtle.Render(" · c copies all · z back")}
	room := o.bodyHeight() - 2
	off := o.clampOffset(o.offset)
	end := min(off+room, len(lines))
	out = append(out, lines[off:end]...)
	if len(lines) > room {
		out = append(out, st.subtle.Render(fmt.Sprintf("lines %d–%d of %d · scroll with ↑/↓", off+1, end, len(lines))))
	}
	return out
}
