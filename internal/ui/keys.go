package ui

import "charm.land/bubbles/v2/key"

// keyMap is every key of the wizard, matched with key.Matches. The form
// phase uses huh's own keys; ctrl+c works everywhere.
type keyMap struct {
	Next, Back           key.Binding
	NextField, PrevField key.Binding
	Copy, Zone           key.Binding
	Recheck, Skip        key.Binding
	Overview             key.Binding
	Up, Down             key.Binding
	PageUp, PageDown     key.Binding
	Open, Export         key.Binding
	Help, Quit           key.Binding
	Interrupt            key.Binding
	// Demo only.
	Publish, Mistake key.Binding
}

// newKeyMap returns the key map; the publish keys are enabled only in the
// demo.
func newKeyMap(demo bool) keyMap {
	k := keyMap{
		Next:      key.NewBinding(key.WithKeys("right", "l", "enter", "n"), key.WithHelp("→/enter", "next")),
		Back:      key.NewBinding(key.WithKeys("left", "h", "b"), key.WithHelp("←", "back")),
		NextField: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field")),
		PrevField: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous field")),
		Copy:      key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy")),
		Zone:      key.NewBinding(key.WithKeys("z"), key.WithHelp("z", "zone file")),
		Recheck:   key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "re-check")),
		Skip:      key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "skip: not mine")),
		Overview:  key.NewBinding(key.WithKeys("o", "esc"), key.WithHelp("o", "overview")),
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑", "up")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓", "down")),
		PageUp:    key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown:  key.NewBinding(key.WithKeys("pgdown", "space"), key.WithHelp("pgdn", "page down")),
		Open:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "go to step")),
		Export:    key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "export report")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		Interrupt: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit now")),
		Publish:   key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "publish (demo)")),
		Mistake:   key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "publish a mistake (demo)")),
	}
	k.Publish.SetEnabled(demo)
	k.Mistake.SetEnabled(demo)
	return k
}

// shortHelp picks the bindings of a one-line help that fit in width, most
// useful first, always ending with help and quit.
func shortHelp(width int, want []key.Binding, tail ...key.Binding) []key.Binding {
	const sep = 3 // " • "
	used := 0
	for _, b := range tail {
		used += bindingWidth(b) + sep
	}
	var out []key.Binding
	for _, b := range want {
		if !b.Enabled() {
			continue
		}
		if w := bindingWidth(b) + sep; used+w <= width {
			out = append(out, b)
			used += w
		}
	}
	return append(out, tail...)
}

func bindingWidth(b key.Binding) int {
	h := b.Help()
	return len([]rune(h.Key)) + 1 + len([]rune(h.Desc))
}

// short returns b with a shorter description for the one-line help.
func short(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}

// stepShort is the one-line help of a step screen.
func (k keyMap) stepShort(width int) []key.Binding {
	return shortHelp(width, []key.Binding{
		short(k.Publish, "publish"), short(k.Mistake, "mistake"),
		short(k.Next, "next"), k.Back, k.Copy, short(k.Recheck, "check"),
		short(k.NextField, "field"), short(k.Zone, "zone"), short(k.Skip, "skip"), k.Overview,
	}, short(k.Help, "more"), k.Quit)
}

// stepFull is the full help of a step screen.
func (k keyMap) stepFull() [][]key.Binding {
	return [][]key.Binding{
		{k.Next, k.Back, k.Overview, k.Skip},
		{k.NextField, k.PrevField, k.Copy, k.Zone},
		{k.Recheck, k.Up, k.Down, k.PageDown},
		{k.Publish, k.Mistake, k.Help, k.Quit, k.Interrupt},
	}
}

// overviewShort is the one-line help of the overview.
func (k keyMap) overviewShort(width int) []key.Binding {
	return shortHelp(width, []key.Binding{
		short(k.Open, "open"), short(k.Recheck, "re-check all"), short(k.Export, "export"),
		short(k.Zone, "zone snippet"), short(k.Back, "back"),
	}, short(k.Help, "more"), k.Quit)
}

// overviewFull is the full help of the overview.
func (k keyMap) overviewFull() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.Open, k.Back},
		{short(k.Recheck, "re-check all"), short(k.Export, "export a Markdown report"), short(k.Zone, "whole zone snippet"), k.Copy},
		{k.Help, k.Quit, k.Interrupt},
	}
}
