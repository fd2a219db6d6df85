package ui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
)

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
	// Publish shows the plan of a step's records and publishes them once
	// confirmed, through the configured provider or the demo's world.
	Publish key.Binding
	// Mistake publishes a typical mistake (the demo only).
	Mistake key.Binding
	// Confirm and Cancel answer a question (publish this plan?).
	Confirm, Cancel key.Binding
}

// newKeyMap returns the key map: publishing when there is somewhere to
// publish, the typical mistake in the demo only.
func newKeyMap(canPublish, demo bool) keyMap {
	k := keyMap{
		Next:      key.NewBinding(key.WithKeys("right", "l", "enter", "n"), key.WithHelp("→/enter", "next")),
		Back:      key.NewBinding(key.WithKeys("left", "h", "b"), key.WithHelp("←", "back")),
		NextField: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field")),
		PrevField: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous field")),
		Copy:      key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy")),
		Zone:      key.NewBinding(key.WithKeys("z"), key.WithHelp("z", "zone file")),
		Recheck:   key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "check again")),
		Skip:      key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "skip: not mine")),
		Overview:  key.NewBinding(key.WithKeys("o", "esc"), key.WithHelp("o", "overview")),
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑", "up")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓", "down")),
		PageUp:    key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown:  key.NewBinding(key.WithKeys("pgdown", "space"), key.WithHelp("pgdn", "page down")),
		Open:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "go to step")),
		Export:    key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "export report")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "all keys")),
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		Interrupt: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit now")),
		Publish:   key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "publish")),
		Mistake:   key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "publish a typical mistake")),
		Confirm:   key.NewBinding(key.WithKeys("y", "enter"), key.WithHelp("y", "yes, publish")),
		Cancel:    key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n", "cancel")),
	}
	k.Publish.SetEnabled(canPublish)
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

// flowHelp lays every binding out in rows of one-line help that fit in
// width, in order: the full help, which never cuts a key off.
func flowHelp(h help.Model, bindings []key.Binding, width int) []string {
	const sep = 3
	var rows [][]key.Binding
	var row []key.Binding
	used := 0
	for _, b := range bindings {
		if !b.Enabled() {
			continue
		}
		w := bindingWidth(b)
		if len(row) > 0 && used+sep+w > width {
			rows = append(rows, row)
			row, used = nil, 0
		}
		if len(row) > 0 {
			used += sep
		}
		row = append(row, b)
		used += w
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	h.SetWidth(width)
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = h.ShortHelpView(r)
	}
	return out
}

// stepKeys says which keys do something on a step screen.
type stepKeys struct {
	// fields: there are fields to select and copy; zone: records to
	// show as zone-file lines; publish: records to publish (or, in the
	// demo, a server to put right); mistake: a typical mistake to show.
	fields, zone, publish, mistake bool
	// asking: a question waits for y or n (publish this plan?).
	asking bool
}

// stepShort is the one-line help of a step screen.
func (k keyMap) stepShort(width int, c stepKeys) []key.Binding {
	if c.asking {
		return shortHelp(width, nil, k.Confirm, k.Cancel)
	}
	return shortHelp(width, k.stepWanted(c), short(k.Help, "more"), k.Quit)
}

// stepWanted are a step screen's keys, most useful first.
func (k keyMap) stepWanted(c stepKeys) []key.Binding {
	want := []key.Binding{}
	if c.publish {
		want = append(want, k.Publish)
	}
	if c.mistake {
		want = append(want, short(k.Mistake, "mistake"))
	}
	want = append(want, short(k.Next, "next"), k.Back)
	if c.fields {
		want = append(want, k.Copy)
	}
	want = append(want, short(k.Recheck, "check"))
	if c.fields {
		want = append(want, short(k.NextField, "field"))
	}
	if c.zone {
		want = append(want, short(k.Zone, "zone"))
	}
	return append(want, short(k.Skip, "skip"), k.Overview)
}

// stepFull is every key of a step screen.
func (k keyMap) stepFull(c stepKeys) []key.Binding {
	if c.asking {
		return []key.Binding{k.Confirm, k.Cancel, k.Up, k.Down}
	}
	out := []key.Binding{k.Next, k.Back, k.Overview, k.Skip, k.Recheck}
	if c.publish {
		out = append(out, k.Publish)
	}
	if c.mistake {
		out = append(out, k.Mistake)
	}
	if c.fields {
		out = append(out, k.NextField, k.PrevField, k.Copy)
	}
	if c.zone {
		out = append(out, k.Zone)
	}
	return append(out, k.Up, k.Down, k.PageUp, k.PageDown, short(k.Help, "fewer keys"), k.Quit, k.Interrupt)
}

// overviewShort is the one-line help of the overview.
func (k keyMap) overviewShort(width int) []key.Binding {
	return shortHelp(width, []key.Binding{
		short(k.Open, "open"), short(k.Recheck, "check all"), short(k.Export, "export"),
		short(k.Zone, "zone snippet"), short(k.Back, "back"),
	}, short(k.Help, "more"), k.Quit)
}

// overviewFull is every key of the overview.
func (k keyMap) overviewFull() []key.Binding {
	return []key.Binding{
		k.Up, k.Down, k.Open, k.Back,
		short(k.Recheck, "check every step again"), short(k.Export, "export a Markdown report"),
		short(k.Zone, "whole zone snippet"), short(k.Copy, "copy the snippet"),
		short(k.Help, "fewer keys"), k.Quit, k.Interrupt,
	}
}
