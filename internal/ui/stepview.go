package ui

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"charm.land/lipgloss/v2"

	"github.com/mailwizard/mailwizard/assets"
	"github.com/mailwizard/mailwizard/internal/steps"
)

// headerHeight is the title line and the rule under it.
const headerHeight = 2

// View draws the screen: the progress header, as much of the scrolling
// part as fits (with a line saying how much more there is), and, on narrow
// windows, the live status pinned under it so that it is always in view.
func (s stepScreen) View() string {
	st := s.sh.styles
	title := fmt.Sprintf("Step %d of %d · %s", s.index+1, s.total, s.step.Title)
	out := []string{
		spread(st.brand.Render("mailwizard")+st.subtle.Render(" · "+trimDot(s.cfg.Domain)), st.heading.Render(title), s.w),
		st.rule.Render(strings.Repeat("─", max(s.w, 1))),
	}
	scroll, pinned, _ := s.layout()
	room := s.scrollHeight(pinned)
	if len(scroll) <= room {
		out = append(out, scroll...)
	} else {
		off := s.clampOffset(s.offset)
		end := min(off+room-1, len(scroll))
		out = append(out, scroll[off:end]...)
		var more []string
		if off > 0 {
			more = append(more, fmt.Sprintf("↑ %d lines above", off))
		}
		if end < len(scroll) {
			more = append(more, fmt.Sprintf("↓ %d more lines", len(scroll)-end))
		}
		out = append(out, st.subtle.Render(strings.Join(more, " · ")+" · scroll with ↑/↓"))
	}
	if len(pinned) > 0 {
		out = append(out, blank(1+st.gap)...)
		out = append(out, pinned...)
	}
	return strings.Join(out, "\n")
}

// bodyHeight is how many lines there are under the header.
func (s stepScreen) bodyHeight() int { return max(s.h-headerHeight, 3) }

// scrollHeight is how many lines the scrolling part may use.
func (s stepScreen) scrollHeight(pinned []string) int {
	if len(pinned) == 0 {
		return s.bodyHeight()
	}
	return max(s.bodyHeight()-len(pinned)-1-s.sh.styles.gap, 3)
}

// clampOffset keeps a scroll offset within the scrolling part.
func (s stepScreen) clampOffset(off int) int {
	scroll, pinned, _ := s.layout()
	room := s.scrollHeight(pinned)
	if len(scroll) <= room {
		return 0
	}
	return max(0, min(off, len(scroll)-room+1))
}

// reveal returns the offset that keeps the selected field in view.
func (s stepScreen) reveal() int {
	_, pinned, line := s.layout()
	room := s.scrollHeight(pinned) - 1
	off := s.offset
	switch {
	case line < 0:
	case line < off:
		off = line
	case line >= off+room:
		off = line - room + 1
	}
	return s.clampOffset(off)
}

// Widths that keep lines readable on very wide windows: paragraphs, the
// record card and the status beside it.
const (
	maxTextWidth   = 110
	maxCardWidth   = 84
	maxStatusWidth = 96
)

// minCardWidth is the least width of the record card beside the status.
const minCardWidth = 48

// cardWidth is the width the record card needs for its longest field on
// one line (a DKIM key wraps anyway), frame included.
func (s stepScreen) cardWidth() int {
	need := 0
	for _, c := range s.cards {
		labelW := 0
		for _, f := range c.fields {
			labelW = max(labelW, lipgloss.Width(f.label))
		}
		need = max(need, lipgloss.Width(c.title))
		for _, f := range c.fields {
			value := f.value
			if f.shown != "" {
				value = f.shown
			}
			need = max(need, 2+labelW+2+lipgloss.Width(value))
		}
	}
	return need + s.sh.styles.card.GetHorizontalFrameSize()
}

// minScroll is the least room the scrolling part keeps on a narrow window.
const minScroll = 12

// layout splits the screen into the scrolling part and the pinned status
// and returns the line of the selected field in the scrolling part (-1
// when none is shown).
//
// Wide windows show why and where, then the records beside the status,
// and pin nothing. Narrow ones pin the status under the scrolling part so
// that it is always in view, with the findings when they fit; the
// scrolling part is where, the records and why, with the findings first
// when the step is wrong (they say what to change) and after the records
// otherwise.
func (s stepScreen) layout() (scroll, pinned []string, sel int) {
	w := max(s.w, 20)
	gap := blank(s.sh.styles.gap + 1)
	if s.sh.wide() {
		textW := min(w, maxTextWidth)
		about := append(append(s.whyLines(textW), s.whereLines(textW)...), gap...)
		left := max(min(s.cardWidth(), w*11/20, maxCardWidth), minCardWidth)
		right := min(w-left-2, maxStatusWidth)
		recs, sel := s.recordLines(left)
		status := append(s.statusLines(right), s.findingLines(right)...)
		joined := strings.Split(lipgloss.JoinHorizontal(lipgloss.Top,
			lipgloss.NewStyle().Width(left+2).Render(strings.Join(recs, "\n")),
			strings.Join(status, "\n")), "\n")
		if sel >= 0 {
			sel += len(about)
		}
		return append(about, joined...), nil, sel
	}
	core, findings := s.statusLines(w), s.findingLines(w)
	limit := s.bodyHeight() - minScroll
	switch {
	case len(core)+len(findings) <= limit:
		pinned, findings = append(core, findings...), nil
	case len(core) <= limit:
		pinned = core
	default:
		findings = append(append(slices.Clone(gap), core...), findings...)
	}
	wrong := s.result.Status == steps.StatusFail || s.result.Status == steps.StatusError || s.result.Status == steps.StatusWarn
	if wrong && len(findings) > 0 {
		scroll = append(scroll, findings[1:]...) // without its leading blank
		scroll = append(scroll, gap...)
		findings = nil
	}
	scroll = append(scroll, s.whereLines(w)...)
	scroll = append(scroll, gap...)
	recs, sel := s.recordLines(w)
	if sel >= 0 {
		sel += len(scroll)
	}
	scroll = append(scroll, recs...)
	scroll = append(scroll, findings...)
	if why := s.whyLines(w); len(why) > 0 {
		scroll = append(append(scroll, gap...), why...)
	}
	return scroll, pinned, sel
}

func blank(n int) []string { return make([]string, n) }

// whyLines say why the step matters.
func (s stepScreen) whyLines(w int) []string {
	if s.text.Why == "" {
		return nil
	}
	return hanging(s.sh.styles.label.Render("Why    "), s.text.Why, w)
}

// whereLines say where the records are set.
func (s stepScreen) whereLines(w int) []string {
	var out []string
	for i, line := range s.whereText() {
		prefix := "       "
		if i == 0 {
			prefix = s.sh.styles.label.Render("Where  ")
		}
		out = append(out, hanging(prefix, line, w)...)
	}
	return out
}

// whereText says who publishes the step's records, with the provider's
// own hints.
func (s stepScreen) whereText() []string {
	switch s.step.Where {
	case steps.Nowhere:
		return []string{orText(s.text.Where, "Nothing to publish for this step.")}
	case steps.AtHostingProvider:
		out := []string{orText(s.text.Where, "At the hosting provider that owns the server's IP address (its control panel's reverse DNS setting), not at your DNS provider.")}
		if h, ok := s.hosting(); ok {
			out = append(out, "Your server looks like it is at "+h.Name+". "+h.PTR)
			if h.Port25 != "" {
				out = append(out, h.Port25)
			}
		}
		return out
	default:
		out := []string{orText(s.text.Where, "At your DNS provider, in the zone of "+trimDot(s.cfg.Domain)+".")}
		if s.provider.ID != "other" && s.provider.Name != "" && len(s.records) > 0 {
			out = append(out, "Your DNS is at "+s.provider.Name+": use its form, with the fields below.")
		}
		return out
	}
}

func orText(text, fallback string) string {
	if strings.TrimSpace(text) == "" {
		return fallback
	}
	return text
}

// hosting guesses the hosting provider from a generic PTR name the servers
// returned.
func (s stepScreen) hosting() (assets.Hosting, bool) {
	for _, name := range steps.PTRNames(s.result) {
		if h, ok := assets.DetectHosting(name); ok {
			return h, true
		}
	}
	return assets.Hosting{}, false
}

// recordLines are the records in one box, as the provider's form fields
// (or as zone-file lines), with the provider's notes under them, in width;
// and the line of the selected field.
func (s stepScreen) recordLines(w int) ([]string, int) {
	st := s.sh.styles
	inner := w - st.card.GetHorizontalFrameSize()
	if len(s.records) == 0 {
		lines := []string{st.subtle.Render("Nothing to publish for this step.")}
		if s.step.ID == steps.IDDNSSEC {
			for _, n := range s.provider.DNSSEC {
				lines = append(lines, hanging(st.subtle.Render("• "), st.subtle.Render(n), w)...)
			}
		}
		return lines, -1
	}
	if s.zone {
		lines := []string{st.cardTitle.Render("Zone file") + st.subtle.Render(" · c copies it all · z for the form fields")}
		for _, l := range zoneLines(s.records) {
			lines = append(lines, wrap(l, inner)...)
		}
		for _, f := range s.files {
			for _, l := range f.CommentLines("; ") {
				lines = append(lines, wrap(l, inner)...)
			}
		}
		return strings.Split(st.card.Width(w).Render(strings.Join(lines, "\n")), "\n"), -1
	}
	var (
		lines []string
		sel   = -1
		index int
	)
	for i, c := range s.cards {
		if i > 0 {
			lines = append(lines, "")
		}
		if i < len(s.records) {
			c.notes = append(c.notes, aliasNotes(s.step.ID, s.records[i], s.result.Aliases)...)
		}
		body, line := s.cardLines(c, inner, index)
		if line >= 0 {
			sel = len(lines) + 1 + line // +1 for the top border
		}
		index += len(c.fields)
		lines = append(lines, body...)
	}
	if s.step.Where == steps.AtDNSProvider && len(s.provider.Notes) > 0 {
		lines = append(lines, "")
		for _, n := range s.provider.Notes {
			lines = append(lines, hanging(st.subtle.Render("• "), st.subtle.Render(n), inner)...)
		}
	}
	return strings.Split(st.card.Width(w).Render(strings.Join(lines, "\n")), "\n"), sel
}

// cardLines renders one card's inside: its title, then each field as
// "label  value", the selected one marked, long values wrapped under
// themselves.
func (s stepScreen) cardLines(c card, w, first int) ([]string, int) {
	st := s.sh.styles
	labelW := 0
	for _, f := range c.fields {
		labelW = max(labelW, lipgloss.Width(f.label))
	}
	out := []string{st.cardTitle.Render(c.title)}
	sel := -1
	for i, f := range c.fields {
		marker, label := "  ", st.label
		if first+i == s.sel {
			marker, label = "▸ ", st.selected
			sel = len(out)
		}
		value := f.value
		if f.shown != "" {
			value = f.shown
		}
		prefix := marker + label.Render(f.label+strings.Repeat(" ", labelW-lipgloss.Width(f.label))) + "  "
		out = append(out, hanging(prefix, st.value.Render(value), w)...)
	}
	for _, n := range c.notes {
		out = append(out, hanging("  ", st.subtle.Render(n), w)...)
	}
	return out, sel
}

// statusLines are the live status: the verdict and timing, one line per
// authoritative server, the resolvers' second opinion and, once green, the
// invitation to go on. The findings are findingLines.
func (s stepScreen) statusLines(w int) []string {
	st := s.sh.styles
	status := s.result.Status
	word := statusWord(status)
	servers := s.result.Servers
	switch {
	case !s.checked && status != steps.StatusSkipped:
		word = "not checked yet"
	case status == steps.StatusPending:
		if ok := countOK(servers); ok > 0 && ok < len(servers) {
			word = fmt.Sprintf("on %d of %d nameservers so far", ok, len(servers))
		}
	}
	head := st.status(status).Render(statusIcon(status) + " " + capitalize(word))
	timing := st.subtle.Render(s.live.timing)
	if s.live.checking {
		timing = s.live.spinner + st.subtle.Render(" checking…")
	}
	out := []string{spread(head, timing, w)}
	if s.result.FromResolver {
		out = append(out, hanging(st.errored.Render("! "), st.errored.Render(steps.ResolverModeText), w)...)
	}
	if from := probeFrom(s.result); from != "" {
		out = append(out, hanging("  ", st.subtle.Render(from), w)...)
	}
	if s.live.err != nil {
		out = append(out, hanging(st.errored.Render("? "), "Could not run the check: "+s.live.err.Error(), w)...)
	}
	nameW := 0
	for _, l := range servers {
		nameW = max(nameW, min(lipgloss.Width(l.Server), 30))
	}
	for _, l := range servers {
		name := cut(l.Server, nameW)
		prefix := "  " + verdictIcon(&st, l.Verdict) + " " + name + strings.Repeat(" ", nameW-lipgloss.Width(name)) + "  "
		out = append(out, twoLines(hanging(prefix, l.Detail, w), w)...)
	}
	for _, o := range s.result.SecondOpinion {
		out = append(out, twoLines(hanging("  "+st.label.Render("Resolver")+" ", o.Note, w), w)...)
	}
	if s.checked && green(status) {
		next := "Press enter for the next step."
		if s.index == s.total-1 {
			next = "Press enter for the summary."
		}
		msg := "Done: every authoritative nameserver serves it. " + next
		switch {
		case s.step.Where == steps.Nowhere: // a step that publishes nothing
			msg = "Done. " + next
		case len(s.result.Expected) == 0 && status == steps.StatusWarn: // advice, nothing to publish
			msg = "Nothing to publish now; see the advice. " + next
		case len(s.result.Expected) == 0:
			msg = "Done. " + next
		}
		out = append(out, "")
		out = append(out, hanging(st.banner.Render("✓ "), st.banner.Render(msg), w)...)
	}
	if status == steps.StatusSkipped {
		out = append(out, "")
		out = append(out, hanging("– ", "You said this is not yours, so it is not checked. Press s to check it again.", w)...)
	}
	return out
}

// twoLines keeps a status line to two screen lines: the findings say the
// rest in full.
func twoLines(lines []string, w int) []string {
	if len(lines) <= 2 {
		return lines
	}
	// The second line may fill the width already: one ellipsis, in it.
	return []string{lines[0], cut(strings.TrimRight(lines[1], " ")+"…", w)}
}

// findingLines are the findings in plain words, each with its fix.
func (s stepScreen) findingLines(w int) []string {
	st := s.sh.styles
	var out []string
	for _, f := range s.result.Findings {
		out = append(out, "")
		out = append(out, hanging(severityIcon(st, f.Severity)+" ", f.Message, w)...)
		if f.Hint != "" {
			out = append(out, hanging("  "+st.label.Render("Fix: "), f.Hint, w)...)
		}
	}
	return out
}

// severityIcon marks a finding: ✗ error, ! warning, i information.
func severityIcon(st styles, sev steps.Severity) string {
	switch sev {
	case steps.SeverityError:
		return st.fail.Render("✗")
	case steps.SeverityWarning:
		return st.errored.Render("!")
	default:
		return st.subtle.Render("i")
	}
}

// capitalize upper-cases the first letter.
func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
