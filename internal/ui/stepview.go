package ui

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mailwizard/mailwizard/assets"
	"github.com/mailwizard/mailwizard/internal/steps"
)

// A step screen has three parts, top to bottom, measured for the window
// every time it is drawn (a title that wraps, a finding of many lines):
//
//   - the header: the domain, the step's place in the walk and its title,
//     on one line or two, and a rule;
//   - the pinned status, always in view: the status line, the invitation
//     to go on once green, the resolver-mode warning, each server's
//     verdict when there is room, and the first line of each finding when
//     the findings are not in view below;
//   - the body, which scrolls: where to publish, the records, the servers
//     (when not pinned) and the resolvers, the findings in full, why the
//     step matters. Wide windows put the records in a column of their own
//     (several columns of records on very wide ones) beside the rest.
//
// The root model draws the key bar under it all.

// frame is a step screen laid out for its area.
type frame struct {
	head, pinned, body []string
	// sel is the line of the selected field in body, -1 when none shows.
	sel int
	// room is how many lines of body fit, the scroll line included.
	room int
}

// Layout limits of a step screen.
const (
	// minBody is the least room the body keeps when the pinned status
	// could take more.
	minBody = 5
	// maxHeadlines is how many findings have their first line pinned.
	maxHeadlines = 3
	// Widths that keep lines readable on very wide windows: paragraphs,
	// one column of the records and the column beside them.
	maxTextWidth   = 110
	maxCardWidth   = 84
	maxStatusWidth = 110
	// minCardWidth is the least width of a column of records.
	minCardWidth = 44
)

// View draws the screen.
func (s stepScreen) View() string {
	f := s.frame()
	out := append(slices.Clone(f.head), f.pinned...)
	if len(f.pinned) > 0 {
		out = append(out, "")
	}
	return strings.Join(append(out, s.window(f)...), "\n")
}

// window is the part of the body in view, with a line saying how much
// more there is when it does not all fit.
func (s stepScreen) window(f frame) []string {
	if len(f.body) <= f.room {
		return f.body
	}
	if f.room < 1 {
		return nil
	}
	off := clampScroll(s.offset, len(f.body), f.room)
	end := min(off+f.room-1, len(f.body))
	out := slices.Clone(f.body[off:end])
	var more []string
	if off > 0 {
		more = append(more, fmt.Sprintf("↑ %s above", plural(off, "line", "lines")))
	}
	if end < len(f.body) {
		more = append(more, fmt.Sprintf("↓ %s", plural(len(f.body)-end, "more line", "more lines")))
	}
	more = append(more, "↑/↓ scroll")
	return append(out, s.sh.styles.subtle.Render(cut(strings.Join(more, " · "), s.w)))
}

// clampScroll keeps an offset within a body of n lines shown in room
// lines, one of which says how much more there is.
func clampScroll(off, n, room int) int {
	if n <= room {
		return 0
	}
	return max(0, min(off, n-room+1))
}

// scrolled is the scroll offset moved by lines and by pages (a page is
// the body's lines in view less one, kept for context), in range; the
// screen is laid out once for both.
func (s stepScreen) scrolled(lines, pages int) int {
	f := s.frame()
	page := max(f.room-1, 1) - 1
	return clampScroll(s.offset+lines+pages*page, len(f.body), f.room)
}

// reveal returns the offset that keeps the selected field in view.
func (s stepScreen) reveal() int {
	f := s.frame()
	room := f.room - 1
	off := s.offset
	switch {
	case f.sel < 0:
	case f.sel < off:
		off = f.sel
	case f.sel >= off+room:
		off = f.sel - room + 1
	}
	return clampScroll(off, len(f.body), f.room)
}

// frame lays the screen out for its area.
func (s stepScreen) frame() frame {
	w := max(s.w, 20)
	f := frame{head: s.header(w)}
	avail := s.h - len(f.head)
	core := s.coreLines(w)
	servers := s.serverLines(w, true)
	budget := avail - minBody - 1
	// Servers are pinned when they fit with two lines to spare for the
	// findings' first lines.
	reserve := min(len(s.result.Findings), 2)
	serversPinned := len(servers) > 0 && len(core)+len(servers)+reserve <= budget
	pinned := slices.Clone(core)
	if serversPinned {
		pinned = append(pinned, servers...)
	}
	body, sel, findings := s.bodyLines(w, !serversPinned)
	room := avail - len(pinned) - 1
	// The findings are pinned by their first lines unless they are in
	// view in full at the top of the body.
	if findings[1] > 0 && findings[1] > room {
		heads := s.headlines(w, max(budget-len(pinned), 1))
		pinned = append(pinned, heads...)
		room -= len(heads)
	}
	f.pinned, f.body, f.sel, f.room = pinned, body, sel, max(room, 0)
	return f
}

// header is the domain and the step's place and title, on one line when
// they fit and on two (the title wrapped, at most two lines) when not;
// then the rule.
func (s stepScreen) header(w int) []string {
	st := s.sh.styles
	brand := st.brand.Render("mailwizard") + st.subtle.Render(" · "+stepPlace(s.cfg, s.forHost))
	title := fmt.Sprintf("Step %d of %d · %s", s.number, s.count, s.step.Title)
	rule := st.rule.Render(strings.Repeat("─", w))
	if lipgloss.Width(brand)+2+lipgloss.Width(title) <= w {
		return []string{spread(brand, st.heading.Render(title), w), rule}
	}
	out := []string{cut(brand, w)}
	out = append(out, styled(st.heading, atMost(wrap(title, w), 2, w))...)
	return append(out, rule)
}

// stepPlace is whom a step's screen is for: the domain, or the mail host
// for every domain when forHost.
func stepPlace(cfg steps.Config, forHost bool) string {
	if forHost {
		return trimDot(cfg.Host) + ", for every domain"
	}
	return trimDot(cfg.Domain)
}

// statusHead is the status in words: "✓ Verified", "… On 1 of 2
// nameservers so far", "– Skipped: not yours".
func (s stepScreen) statusHead() string {
	return statusIcon(s.result.Status) + " " + capitalize(statusPhrase(s.step, s.cfg, s.result, s.checked))
}

// statusPhrase says a step's status in a few words, as every screen says
// it: a step with nothing to publish is never "published but wrong".
func statusPhrase(st steps.Step, cfg steps.Config, r steps.Result, checked bool) string {
	status := r.Status
	nothing := st.Where == steps.Nowhere
	switch {
	case status == steps.StatusSkipped && st.ID == steps.IDServer && cfg.NoProbe:
		return "not checked: DNS only (--no-probe)"
	case status == steps.StatusSkipped:
		return "skipped: not yours"
	case !checked:
		return "not checked yet"
	case status == steps.StatusPending && !nothing:
		if ok := countOK(r.Servers); ok > 0 && ok < len(r.Servers) {
			return fmt.Sprintf("on %d of %d nameservers so far", ok, len(r.Servers))
		}
	case nothing && status == steps.StatusFail:
		return "problems found"
	case nothing && status == steps.StatusPass:
		return "no problems found"
	case nothing && status == steps.StatusWarn:
		return "no problems, with advice"
	case nothing && status == steps.StatusPending:
		return "not checked yet"
	}
	return statusWord(status)
}

// coreLines are what is pinned on every screen: the status line with the
// timing, the resolver-mode warning, a check that could not run, and the
// invitation to go on (or how to undo a skip).
func (s stepScreen) coreLines(w int) []string {
	st := s.sh.styles
	status := s.result.Status
	head := st.status(status).Render(s.statusHead())
	var out []string
	if s.live.checking {
		out = append(out, spreadAny(head, w, s.live.spinner+st.subtle.Render(" checking…"), s.live.spinner))
	} else {
		out = append(out, spreadAny(head, w, st.subtle.Render(s.live.timing), st.subtle.Render(shortTiming(s.live.timing))))
	}
	if s.result.FromResolver {
		out = append(out, atMost(hangingStyled(st.errored.Render("! "), steps.ResolverModeText, st.errored, w), 2, w)...)
	}
	if s.live.err != nil {
		out = append(out, atMost(hanging(st.errored.Render("? "), "Could not run the check: "+s.live.err.Error(), w), 2, w)...)
	}
	switch {
	case s.checked && green(status):
		next := "Press enter for " + s.after + "."
		msg := "Done: every authoritative nameserver serves it. " + next
		switch {
		case s.step.Where == steps.Nowhere: // a step that publishes nothing
			msg = "Done: nothing to fix here. " + next
		case len(s.result.Expected) == 0 && status == steps.StatusWarn: // advice, nothing to publish
			msg = "Nothing to publish now; see the advice. " + next
		case len(s.result.Expected) == 0:
			msg = "Done. " + next
		}
		out = append(out, atMost(hangingStyled(st.banner.Render("✓ "), msg, st.banner, w), 2, w)...)
	case status == steps.StatusSkipped && s.step.ID == steps.IDServer && s.cfg.NoProbe:
		out = append(out, atMost(hanging("  ", "mailwizard does not connect to the mail server in this run. Run it without --no-probe to check the server.", w), 2, w)...)
	case status == steps.StatusSkipped:
		out = append(out, atMost(hanging("  ", "You said this is not yours, so it is not checked. Press s to check it again.", w), 2, w)...)
	}
	return out
}

// shortTiming is the timing line without "next in": what fits beside a
// long status.
func shortTiming(timing string) string {
	short, _, _ := strings.Cut(timing, " · ")
	return short
}

// serverLines are the verdict of each server the step asked, one line
// each when compact (pinned), two at most otherwise; and where probes ran
// from.
func (s stepScreen) serverLines(w int, compact bool) []string {
	st := s.sh.styles
	servers := s.result.Servers
	nameW := 0
	for _, l := range servers {
		nameW = max(nameW, min(lipgloss.Width(l.Server), 30, w/3))
	}
	var out []string
	if from := probeFrom(s.result); from != "" {
		out = append(out, atMost(hangingStyled("  ", from, st.subtle, w), 1, w)...)
	}
	for _, l := range servers {
		name := cut(l.Server, nameW)
		prefix := "  " + verdictIcon(&st, l.Verdict) + " " + name + strings.Repeat(" ", nameW-lipgloss.Width(name)) + "  "
		n := 2
		if compact {
			n = 1
		}
		out = append(out, atMost(hanging(prefix, l.Detail, w), n, w)...)
	}
	return out
}

// opinionLines are the resolvers' second opinion.
func (s stepScreen) opinionLines(w int) []string {
	var out []string
	for _, o := range s.result.SecondOpinion {
		out = append(out, hanging("  "+s.sh.styles.label.Render("Resolver")+" ", o.Note, w)...)
	}
	return out
}

// headlines are the first line of each finding, at most n lines in all:
// pinned when the findings themselves are out of view.
func (s stepScreen) headlines(w, n int) []string {
	st := s.sh.styles
	fs := s.result.Findings
	n = min(n, maxHeadlines)
	if s.result.Status == steps.StatusSkipped || len(fs) == 0 || n < 1 {
		return nil
	}
	var out []string
	for i, f := range fs {
		if left := len(fs) - i; n > 1 && len(out) == n-1 && left > 1 {
			more := fmt.Sprintf("  … and %s below", plural(left, "more finding", "more findings"))
			return append(out, st.subtle.Render(cut(more, w)))
		}
		out = append(out, atMost(hanging(severityIcon(st, f.Severity)+" ", f.Message, w), 1, w)...)
		if len(out) == n {
			break
		}
	}
	return out
}

// bodyLines are the scrolling part: where, the records, the servers when
// they are not pinned, the resolvers, the findings in full and why. It
// returns the line of the selected field (-1 when none) and the lines the
// findings take, from and to (0, 0 when there are none).
func (s stepScreen) bodyLines(w int, withServers bool) (body []string, sel int, findings [2]int) {
	gap := blank(s.sh.styles.gap + 1)
	if s.plan != nil {
		for _, l := range s.plan {
			indent := len(l) - len(strings.TrimLeft(l, " "))
			body = append(body, hanging(l[:indent], l[indent:], min(w, maxTextWidth+20))...)
		}
		return body, -1, [2]int{}
	}
	if s.sh.wide() && len(s.records) > 0 {
		left := s.leftWidth(w)
		right := min(w-left-2, maxStatusWidth)
		where := s.whereLines(left)
		recs, sel := s.recordLines(left)
		if sel >= 0 {
			sel += len(where) + len(gap)
		}
		leftCol := append(append(where, gap...), recs...)
		col := s.statusColumn(right, withServers)
		rightCol := col.lines
		if why := s.whyLines(right); len(why) > 0 {
			if len(rightCol) > 0 {
				rightCol = append(rightCol, gap...)
			}
			rightCol = append(rightCol, why...)
		}
		joined := strings.Split(lipgloss.JoinHorizontal(lipgloss.Top,
			lipgloss.NewStyle().Width(left+2).Render(strings.Join(leftCol, "\n")),
			strings.Join(rightCol, "\n")), "\n")
		return trimRight(joined), sel, col.findings
	}
	textW := min(w, maxTextWidth)
	body = append(body, s.whereLines(textW)...)
	sel = -1
	if len(s.records) > 0 || s.step.Where != steps.Nowhere {
		body = append(body, gap...)
		recs, recSel := s.recordLines(w)
		if recSel >= 0 {
			sel = recSel + len(body)
		}
		body = append(body, recs...)
	}
	if col := s.statusColumn(w, withServers); len(col.lines) > 0 {
		body = append(body, gap...)
		if col.findings[1] > 0 {
			findings = [2]int{col.findings[0] + len(body), col.findings[1] + len(body)}
		}
		body = append(body, col.lines...)
	}
	if why := s.whyLines(textW); len(why) > 0 {
		body = append(append(body, gap...), why...)
	}
	return trimRight(body), sel, findings
}

// column is a block of lines and the lines its findings take.
type column struct {
	lines    []string
	findings [2]int
}

// statusColumn is the body's status part: the servers (unless pinned),
// the resolvers and the findings in full.
func (s stepScreen) statusColumn(w int, withServers bool) column {
	var c column
	if withServers {
		c.lines = append(c.lines, s.serverLines(w, false)...)
	}
	c.lines = append(c.lines, s.opinionLines(w)...)
	if fs := s.findingLines(w); len(fs) > 0 {
		if len(c.lines) > 0 {
			c.lines = append(c.lines, "")
		}
		c.findings[0] = len(c.lines)
		c.lines = append(c.lines, fs...)
		c.findings[1] = len(c.lines)
	}
	return c
}

// leftWidth is the width of the records' column on a wide window: as
// many columns of records as fit while the status keeps two fifths of the
// window.
func (s stepScreen) leftWidth(w int) int {
	frameW := s.sh.styles.card.GetHorizontalFrameSize()
	cw := s.columnWidth()
	most := w - max(48, w*2/5) - 2
	n := max(1, min(len(s.cards), (most-frameW+cardGap)/(cw+cardGap)))
	if s.zone {
		n = 1
	}
	return max(min(most, n*cw+(n-1)*cardGap+frameW), minCardWidth)
}

// cardGap is the space between two columns of records.
const cardGap = 3

func trimRight(lines []string) []string {
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// columnWidth is the inner width of one column of records: what the
// cards need, kept between minCardWidth and maxCardWidth, less the frame.
func (s stepScreen) columnWidth() int {
	return max(min(s.cardWidth(), maxCardWidth), minCardWidth) - s.sh.styles.card.GetHorizontalFrameSize()
}

// cardWidth is the width the record card needs for its longest field on
// one line (a DKIM key wraps anyway), frame included.
func (s stepScreen) cardWidth() int {
	need := 0
	for _, c := range s.cards {
		labelW := c.labelWidth()
		need = max(need, lipgloss.Width(c.title))
		for _, f := range c.fields {
			need = max(need, 2+labelW+2+lipgloss.Width(f.onScreen()))
		}
	}
	return need + s.sh.styles.card.GetHorizontalFrameSize()
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

// recordLines are the records in one box, as the provider's form fields,
// in as many columns as fit in w (or as zone-file lines, without a box so
// that they can be selected whole), with the provider's notes under them;
// and the line of the selected field.
func (s stepScreen) recordLines(w int) ([]string, int) {
	st := s.sh.styles
	if len(s.records) == 0 {
		lines := []string{st.subtle.Render("Nothing to publish for this step.")}
		if s.step.ID == steps.IDDNSSEC {
			for _, n := range s.provider.DNSSEC {
				lines = append(lines, hangingStyled(st.subtle.Render("• "), n, st.subtle, w)...)
			}
		}
		return lines, -1
	}
	if s.zone {
		return s.zoneView(w), -1
	}
	frameW := st.card.GetHorizontalFrameSize()
	inner := w - frameW
	cw := s.columnWidth()
	n := 1
	if s.sh.wide() {
		n = max(1, min(len(s.cards), (inner+cardGap)/(cw+cardGap)))
	}
	colW := (inner - (n-1)*cardGap) / n
	var (
		lines []string
		sel   = -1
		index int
	)
	for row := 0; row < len(s.cards); row += n {
		if row > 0 {
			lines = append(lines, "")
		}
		var cols []string
		rowSel := -1
		for i := row; i < min(row+n, len(s.cards)); i++ {
			c := s.cards[i]
			if i < len(s.records) {
				c.notes = append(c.notes, aliasNotes(s.step.ID, s.records[i], s.result.Aliases)...)
			}
			body, line := s.cardLines(c, colW, index)
			if line >= 0 {
				rowSel = line
			}
			index += len(c.fields)
			if n == 1 {
				cols = append(cols, strings.Join(body, "\n"))
				continue
			}
			if i > row {
				cols = append(cols, strings.Repeat(" ", cardGap))
			}
			cols = append(cols, lipgloss.NewStyle().Width(colW).Render(strings.Join(body, "\n")))
		}
		if rowSel >= 0 {
			sel = len(lines) + 1 + rowSel // +1 for the top border
		}
		if n == 1 {
			lines = append(lines, strings.Split(cols[0], "\n")...)
			continue
		}
		lines = append(lines, strings.Split(lipgloss.JoinHorizontal(lipgloss.Top, cols...), "\n")...)
	}
	if s.step.Where == steps.AtDNSProvider && len(s.provider.Notes) > 0 {
		lines = append(lines, "")
		for _, n := range s.provider.Notes {
			lines = append(lines, hangingStyled(st.subtle.Render("• "), n, st.subtle, inner)...)
		}
	}
	return box(st, trimRight(lines), w), sel
}

// box draws lines in the card's border, w wide in all: what lipgloss's
// bordered style draws, measured once per line.
func box(st styles, lines []string, w int) []string {
	b := st.card.GetBorderStyle()
	border := st.card.GetBorderTopForeground()
	edge := lipgloss.NewStyle().Foreground(border)
	inner := max(w-4, 1)
	out := make([]string, 0, len(lines)+2)
	out = append(out, edge.Render(b.TopLeft+strings.Repeat(b.Top, inner+2)+b.TopRight))
	left, right := edge.Render(b.Left)+" ", " "+edge.Render(b.Right)
	for _, l := range lines {
		if lw := ansi.StringWidth(l); lw < inner {
			l += strings.Repeat(" ", inner-lw)
		} else if lw > inner {
			l = cut(l, inner)
		}
		out = append(out, left+l+right)
	}
	return append(out, edge.Render(b.BottomLeft+strings.Repeat(b.Bottom, inner+2)+b.BottomRight))
}

// zoneView is the records as zone-file lines that fit the width without
// a line break inside a quoted string (zoneText), under a title.
func (s stepScreen) zoneView(w int) []string {
	st := s.sh.styles
	out := append([]string{st.cardTitle.Render("Zone file")}, hangingStyled("", "c copies it all · z for the form fields · long lines use the ( … ) form zone files allow", st.subtle, w)...)
	out = append(out, "")
	text, cutNames := zoneText(s.records, w)
	out = append(out, text...)
	for _, f := range s.files {
		for _, l := range f.CommentLines("; ") {
			out = append(out, wrap(l, w)...)
		}
	}
	if cutNames {
		out = append(out, "")
		out = append(out, hangingStyled("", "A name is wider than the window and is cut here (…): copy the lines with c, or widen the window.", st.subtle, w)...)
	}
	return out
}

// cardLines renders one card's inside: its title, then each field as
// "label  value", the selected one marked, long values wrapped under
// themselves.
func (s stepScreen) cardLines(c card, w, first int) ([]string, int) {
	st := s.sh.styles
	labelW := c.labelWidth()
	out := styled(st.cardTitle, atMost(wrap(c.title, w), 2, w))
	sel := -1
	for i, f := range c.fields {
		marker, label := "  ", st.label
		if first+i == s.sel {
			marker, label = "▸ ", st.selected
			sel = len(out)
		}
		prefix := marker + label.Render(f.label+strings.Repeat(" ", labelW-lipgloss.Width(f.label))) + "  "
		out = append(out, hangingStyled(prefix, f.onScreen(), st.value, w)...)
	}
	for _, n := range c.notes {
		out = append(out, hangingStyled("  ", n, st.subtle, w)...)
	}
	return out, sel
}

// findingLines are the findings in plain words, each with its fix.
func (s stepScreen) findingLines(w int) []string {
	st := s.sh.styles
	if s.result.Status == steps.StatusSkipped {
		return nil
	}
	var out []string
	for i, f := range s.result.Findings {
		if i > 0 {
			out = append(out, "")
		}
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
