package ui

import (
	"slices"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// TestStepScrollKeys pins the step screen's scrolling: down and up move
// the body a line, a page down shows the last line in view at the top, a
// page up comes back, and the offset stays in range at either end.
func TestStepScrollKeys(t *testing.T) {
	st := steps.All()[stepIndex(t, steps.IDDKIM)]
	m, _ := layoutModel(t, st, layoutStates()["waiting"])
	m = sizedModel(m, 80, 24)
	s := m.step
	f := s.frame()
	if len(f.body) <= 2*f.room {
		t.Fatalf("the body (%d lines) fits in less than two pages of %d lines: the test needs a longer one", len(f.body), f.room)
	}
	// inView is the body's lines on screen, without the scroll line.
	inView := func(s stepScreen) []string {
		w := s.window(s.frame())
		return w[:len(w)-1]
	}
	pages := map[string]tea.KeyPressMsg{"pgdown": {Code: tea.KeyPgDown}, "pgup": {Code: tea.KeyPgUp}}
	hit := func(s stepScreen, k string) stepScreen {
		msg, ok := pages[k]
		if !ok {
			msg = press(k)
		}
		next, _ := s.Update(msg)
		return next
	}
	top := hit(s, "up")
	if top.offset != 0 {
		t.Fatalf("up at the top: offset %d, want 0", top.offset)
	}
	down := hit(s, "down")
	if down.offset != 1 {
		t.Fatalf("down: offset %d, want 1", down.offset)
	}
	if up := hit(down, "up"); up.offset != 0 {
		t.Fatalf("down, up: offset %d, want 0", up.offset)
	}
	first := inView(s)
	for _, k := range []string{"pgdown", "space"} {
		paged := hit(s, k)
		if got := inView(paged); got[0] != first[len(first)-1] || !slices.Equal(got, f.body[paged.offset:paged.offset+len(got)]) {
			t.Fatalf("%s: the page starts at body line %d, want the last line in view before, %d", k, paged.offset, len(first)-1)
		}
		if back := hit(paged, "pgup"); back.offset != 0 {
			t.Fatalf("%s, pgup: offset %d, want 0", k, back.offset)
		}
	}
	end := s
	for range len(f.body) {
		end = hit(end, "pgdown")
	}
	if want := len(f.body) - f.room + 1; end.offset != want {
		t.Fatalf("paged to the end: offset %d, want %d", end.offset, want)
	}
	if again := hit(end, "down"); again.offset != end.offset {
		t.Fatalf("down at the end: offset %d, want %d", again.offset, end.offset)
	}
}
