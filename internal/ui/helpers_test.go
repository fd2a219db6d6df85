package ui

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// settle runs cmd and feeds every message it leads to back into m until
// no command is left running, or nothing came for a while (a text input's
// cursor blinks for ever). The test backend's ticks never fire, so polling
// does not run on by itself.
func settle(t testing.TB, m tea.Model, cmd tea.Cmd) tea.Model {
	t.Helper()
	queue := make(chan tea.Msg, 256)
	running := 0
	launch := func(cmd tea.Cmd) {
		if cmd != nil {
			running++
			go func() { queue <- cmd() }()
		}
	}
	launch(cmd)
	deadline := time.After(10 * time.Second)
	for running > 0 {
		select {
		case msg := <-queue:
			running--
			if msg == nil {
				continue
			}
			if b, ok := msg.(tea.BatchMsg); ok {
				for _, c := range b {
					launch(c)
				}
				continue
			}
			if seq, ok := sequence(msg); ok {
				var cmds []tea.Cmd
				for _, c := range seq {
					if c != nil {
						cmds = append(cmds, c)
					}
				}
				running += len(cmds)
				go func() {
					for _, c := range cmds { // in order, as tea.Sequence
						queue <- c()
					}
				}()
				continue
			}
			var next tea.Cmd
			m, next = m.Update(msg)
			launch(next)
		case <-time.After(idle):
			return m
		case <-deadline:
			t.Fatal("the model never settled")
		}
	}
	return m
}

// idle is how long settle waits for a command still running.
const idle = 250 * time.Millisecond

// sequence unpacks tea.Sequence's message, which is not exported.
func sequence(msg tea.Msg) ([]tea.Cmd, bool) {
	v := reflect.ValueOf(msg)
	if v.Kind() != reflect.Slice || v.Type().String() != "tea.sequenceMsg" {
		return nil, false
	}
	out := make([]tea.Cmd, v.Len())
	for i := range out {
		out[i], _ = v.Index(i).Interface().(tea.Cmd)
	}
	return out, true
}

// press builds the message of a key: "enter", "ctrl+c", "shift+tab", "x".
func press(k string) tea.KeyPressMsg {
	named := map[string]tea.KeyPressMsg{
		"enter":     {Code: tea.KeyEnter},
		"esc":       {Code: tea.KeyEscape},
		"tab":       {Code: tea.KeyTab},
		"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift},
		"left":      {Code: tea.KeyLeft},
		"right":     {Code: tea.KeyRight},
		"up":        {Code: tea.KeyUp},
		"down":      {Code: tea.KeyDown},
		"space":     {Code: tea.KeySpace, Text: " "},
		"ctrl+c":    {Code: 'c', Mod: tea.ModCtrl},
		"backspace": {Code: tea.KeyBackspace},
	}
	if m, ok := named[k]; ok {
		return m
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// keys presses keys one after the other, letting the model settle after
// each.
func keys(t testing.TB, m tea.Model, ks ...string) tea.Model {
	t.Helper()
	for _, k := range ks {
		var cmd tea.Cmd
		m, cmd = m.Update(press(k))
		m = settle(t, m, cmd)
	}
	return m
}

// typeText types text into the model and settles once at the end.
func typeText(t testing.TB, m tea.Model, text string) tea.Model {
	t.Helper()
	var cmds []tea.Cmd
	for _, r := range text {
		var cmd tea.Cmd
		m, cmd = m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
		cmds = append(cmds, cmd)
	}
	return settle(t, m, tea.Batch(cmds...))
}

// screen is what the model shows, without escape codes.
func screen(m tea.Model) string {
	return ansi.Strip(m.View().Content)
}

// requireContains fails unless the screen shows each text.
func requireContains(t testing.TB, m tea.Model, texts ...string) {
	t.Helper()
	s := screen(m)
	for _, text := range texts {
		if !strings.Contains(s, text) {
			t.Fatalf("the screen does not show %q:\n%s", text, s)
		}
	}
}

// requireAbsent fails if the screen shows any of texts.
func requireAbsent(t testing.TB, m tea.Model, texts ...string) {
	t.Helper()
	s := screen(m)
	for _, text := range texts {
		if strings.Contains(s, text) {
			t.Fatalf("the screen shows %q:\n%s", text, s)
		}
	}
}

// sized sends a window size.
func sized(t testing.TB, m tea.Model, w, h int) tea.Model {
	t.Helper()
	m, cmd := m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return settle(t, m, cmd)
}

// stepHeading is what the screen of step id says at its top: "Step 2 of
// 8", counted from steps.All().
func stepHeading(id string) string { return stepNumber(position(id)) }

// stepNumber is the heading of the n-th step of the walk, from 1.
func stepNumber(n int) string { return fmt.Sprintf("Step %d of %d", n, len(steps.All())) }

// position is the place of step id in the walk, from 1; 0 when there is
// no such step.
func position(id string) int {
	return slices.IndexFunc(steps.All(), func(s steps.Step) bool { return s.ID == id }) + 1
}

// lastStep is the id of the walk's last step.
func lastStep() string {
	all := steps.All()
	return all[len(all)-1].ID
}

// openFromOverview are the keys that open step id from the overview, whose
// cursor starts on the first step.
func openFromOverview(id string) []string {
	var out []string
	for range position(id) - 1 {
		out = append(out, "down")
	}
	return append(out, "enter")
}

// requireUnfinished fails unless err says the wizard ended unfinished with
// the exit code.
func requireUnfinished(t testing.TB, err error, code int) {
	t.Helper()
	var u *Unfinished
	if !errors.As(err, &u) || u.Code != code {
		t.Fatalf("the wizard ended with %v, want it unfinished with exit code %d", err, code)
	}
}
