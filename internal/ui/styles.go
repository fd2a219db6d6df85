package ui

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// styles are the wizard's lipgloss styles for one look. They are rebuilt
// when the terminal reports its background colour.
type styles struct {
	padX int // horizontal padding of the whole screen
	gap  int // blank lines between sections

	brand, heading, subtle, rule lipgloss.Style
	label, value, selected       lipgloss.Style
	card, cardTitle              lipgloss.Style
	pass, warn, pending          lipgloss.Style
	fail, errored, skipped       lipgloss.Style
	banner, flash, alert         lipgloss.Style
	help                         help.Styles
	spinner                      lipgloss.Style
}

// newStyles builds the styles for a look. Without colour, meaning is still
// carried by the status icons and words; --present is high-contrast (bold,
// saturated colours, heavier borders) and roomier.
func newStyles(l look) styles {
	ld := lipgloss.LightDark(l.dark)
	col := func(light, dark string) color.Color {
		if l.noColor {
			return lipgloss.NoColor{}
		}
		return ld(lipgloss.Color(light), lipgloss.Color(dark))
	}
	accent := col("#5A4FCF", "#9D94FF")
	dim := col("#6B6B6B", "#8C8C8C")
	text := col("#1A1A1A", "#E8E8E8")
	green := col("#1B7F3B", "#5FD98A")
	amber := col("#9A6200", "#F2B84B")
	red := col("#B3261E", "#FF7A70")
	if l.present {
		dim = col("#303030", "#C8C8C8")
		text = col("#000000", "#FFFFFF")
		green = col("#006B21", "#3DFF7A")
		amber = col("#7A4A00", "#FFC53D")
		red = col("#A00000", "#FF5A4F")
	}

	s := styles{padX: 1}
	border := lipgloss.RoundedBorder()
	if l.present {
		s.padX, s.gap = 2, 1
		border = lipgloss.ThickBorder()
	}
	s.brand = lipgloss.NewStyle().Bold(true).Foreground(accent)
	s.heading = lipgloss.NewStyle().Bold(true).Foreground(text)
	s.subtle = lipgloss.NewStyle().Foreground(dim)
	s.rule = lipgloss.NewStyle().Foreground(dim)
	s.label = lipgloss.NewStyle().Foreground(dim)
	s.value = lipgloss.NewStyle().Foreground(text)
	s.selected = lipgloss.NewStyle().Bold(true).Foreground(accent)
	s.card = lipgloss.NewStyle().Border(border).BorderForeground(dim).Padding(0, 1)
	s.cardTitle = lipgloss.NewStyle().Bold(true).Foreground(accent)
	s.pass = lipgloss.NewStyle().Foreground(green)
	s.warn = lipgloss.NewStyle().Foreground(green)
	s.pending = lipgloss.NewStyle().Foreground(dim)
	s.fail = lipgloss.NewStyle().Foreground(red)
	s.errored = lipgloss.NewStyle().Foreground(amber)
	s.skipped = lipgloss.NewStyle().Foreground(dim).Faint(!l.present)
	s.banner = lipgloss.NewStyle().Bold(true).Foreground(green)
	s.flash = lipgloss.NewStyle().Foreground(accent)
	s.alert = lipgloss.NewStyle().Bold(true).Foreground(amber)
	s.spinner = lipgloss.NewStyle().Foreground(accent)
	if l.present {
		for _, st := range []*lipgloss.Style{&s.pass, &s.warn, &s.fail, &s.errored, &s.label, &s.value} {
			*st = st.Bold(true)
		}
		// Waiting is a state to see from the back of the room too, not
		// a grey that fades into the background.
		s.pending = lipgloss.NewStyle().Bold(true).Foreground(accent)
	}
	s.help = help.DefaultStyles(l.dark)
	if l.noColor {
		plain := lipgloss.NewStyle()
		s.help = help.Styles{
			Ellipsis: plain, ShortKey: plain.Bold(true), ShortDesc: plain, ShortSeparator: plain,
			FullKey: plain.Bold(true), FullDesc: plain, FullSeparator: plain,
		}
	}
	return s
}

// status returns the style of a step status.
func (s styles) status(st steps.Status) lipgloss.Style {
	switch st {
	case steps.StatusPass:
		return s.pass
	case steps.StatusWarn:
		return s.warn
	case steps.StatusFail:
		return s.fail
	case steps.StatusError:
		return s.errored
	case steps.StatusSkipped:
		return s.skipped
	default:
		return s.pending
	}
}

// statusIcon is the one-character sign of a status, readable without
// colour.
func statusIcon(st steps.Status) string {
	switch st {
	case steps.StatusPass:
		return "✓"
	case steps.StatusWarn:
		return "!"
	case steps.StatusFail:
		return "✗"
	case steps.StatusError:
		return "?"
	case steps.StatusSkipped:
		return "–"
	default:
		return "…"
	}
}

// statusWord says a status in a few words.
func statusWord(st steps.Status) string {
	switch st {
	case steps.StatusPass:
		return "verified"
	case steps.StatusWarn:
		return "verified, with advice"
	case steps.StatusFail:
		return "published but wrong"
	case steps.StatusError:
		return "could not check"
	case steps.StatusSkipped:
		return "skipped (not mine)"
	case steps.StatusPending:
		return "waiting for the record"
	default:
		return "not checked yet"
	}
}

// statusShort says a status in one word, for the overview's rows.
func statusShort(st steps.Status) string {
	switch st {
	case steps.StatusPass:
		return "verified"
	case steps.StatusWarn:
		return "advice"
	case steps.StatusFail:
		return "wrong"
	case steps.StatusError:
		return "couldn't check"
	case steps.StatusSkipped:
		return "skipped"
	case steps.StatusPending:
		return "waiting"
	default:
		return "not checked"
	}
}

// green reports whether a status means the step is done.
func green(st steps.Status) bool {
	return st == steps.StatusPass || st == steps.StatusWarn
}

// formTheme is the form's huh theme: huh's Charm theme, and for --present
// one that reads from the back of a room: titles bold in the text colour,
// descriptions in the text colour rather than dimmed, the selection and
// errors bold. Without colour, huh's base theme.
func formTheme(l look) huh.Theme {
	return huh.ThemeFunc(func(isDark bool) *huh.Styles {
		if l.noColor {
			return huh.ThemeBase(isDark)
		}
		t := huh.ThemeCharm(isDark)
		if !l.present {
			return t
		}
		ld := lipgloss.LightDark(isDark)
		text := ld(lipgloss.Color("#000000"), lipgloss.Color("#FFFFFF"))
		accent := ld(lipgloss.Color("#3A2FB0"), lipgloss.Color("#B8B2FF"))
		for _, fs := range []*huh.FieldStyles{&t.Focused, &t.Blurred} {
			fs.Title = fs.Title.Foreground(text).Bold(true)
			fs.Description = fs.Description.Foreground(text)
			fs.Option = fs.Option.Foreground(text)
			fs.UnselectedOption = fs.UnselectedOption.Foreground(text)
			fs.SelectedOption = fs.SelectedOption.Bold(true)
			fs.ErrorMessage = fs.ErrorMessage.Bold(true)
			fs.TextInput.Text = fs.TextInput.Text.Foreground(text).Bold(true)
		}
		t.Focused.Title = t.Focused.Title.Foreground(accent)
		t.Group.Title = t.Focused.Title
		t.Group.Description = t.Focused.Description
		return t
	})
}
