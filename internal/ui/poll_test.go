package ui

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mailwizard/mailwizard/internal/steps"
)

func TestPolling(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		run   func(t *testing.T, m model) model
		check func(t *testing.T, m model, w *fakeWorld)
	}{
		"a poll of the current generation checks again": {
			run: func(t *testing.T, m model) model {
				next, cmd := m.Update(pollMsg{gen: m.watch.gen})
				if !next.(model).watch.checking {
					t.Error("no round started")
				}
				return settle(t, next, cmd).(model)
			},
			check: func(t *testing.T, _ model, w *fakeWorld) {
				if w.rounds != 3 { // overview, step, poll
					t.Errorf("%d rounds, want 3", w.rounds)
				}
			},
		},
		"a poll of an older generation is dropped": {
			run: func(t *testing.T, m model) model {
				next, cmd := m.Update(pollMsg{gen: m.watch.gen - 1})
				if cmd != nil || next.(model).watch.checking {
					t.Error("a stale poll started a round")
				}
				return next.(model)
			},
			check: func(t *testing.T, _ model, w *fakeWorld) {
				if w.rounds != 2 {
					t.Errorf("%d rounds, want 2", w.rounds)
				}
			},
		},
		"a poll while a round is running is dropped": {
			run: func(t *testing.T, m model) model {
				busy, _ := m.checkNow()
				next, cmd := busy.Update(pollMsg{gen: busy.watch.gen})
				if cmd != nil {
					t.Error("a poll during a round started another")
				}
				return next.(model)
			},
		},
		"an answer of an older generation is dropped": {
			run: func(t *testing.T, m model) model {
				stale := checkedMsg{gen: m.watch.gen - 1, ids: []string{steps.IDMX}, at: testNow,
					results: []steps.Result{{Step: steps.IDMX, Status: steps.StatusFail, Findings: []steps.Finding{{Message: "stale answer"}}}}}
				next, _ := m.Update(stale)
				return next.(model)
			},
			check: func(t *testing.T, m model, _ *fakeWorld) {
				requireAbsent(t, m, "stale answer")
				requireContains(t, m, "Waiting for the record")
			},
		},
		"an answer of the current generation is shown": {
			run: func(t *testing.T, m model) model {
				busy, _ := m.checkNow()
				fresh := checkedMsg{gen: busy.watch.gen, ids: []string{steps.IDMX}, at: testNow,
					results: []steps.Result{{Step: steps.IDMX, Status: steps.StatusFail, Findings: []steps.Finding{{Severity: steps.SeverityError, Message: "fresh answer"}}}}}
				next, _ := busy.Update(fresh)
				return next.(model)
			},
			check: func(t *testing.T, m model, _ *fakeWorld) {
				requireContains(t, m, "fresh answer", "Published but wrong")
			},
		},
		"r checks at once and drops the round in flight": {
			run: func(t *testing.T, m model) model {
				busy, _ := m.checkNow()
				old := busy.watch.gen
				next, cmd := busy.Update(press("r"))
				if next.(model).watch.gen == old {
					t.Error("r did not start a new generation")
				}
				late := checkedMsg{gen: old, ids: []string{steps.IDMX}, at: testNow,
					results: []steps.Result{{Step: steps.IDMX, Status: steps.StatusPass}}}
				next, _ = next.Update(late)
				return settle(t, next, cmd).(model)
			},
			check: func(t *testing.T, m model, _ *fakeWorld) {
				requireAbsent(t, m, "✓ Verified")
				requireContains(t, m, "Waiting for the record")
			},
		},
		"a failed round is said, not hidden": {
			run: func(t *testing.T, m model) model {
				busy, _ := m.checkNow()
				next, _ := busy.Update(checkedMsg{gen: busy.watch.gen, at: testNow, err: errors.New("no resolver answered")})
				return next.(model)
			},
			check: func(t *testing.T, m model, _ *fakeWorld) {
				requireContains(t, m, "Could not run the check: no resolver answered")
			},
		},
		"the step screen watches only its own step": {
			check: func(t *testing.T, m model, _ *fakeWorld) {
				if len(m.watch.ids) != 1 || m.watch.ids[0] != steps.IDMX {
					t.Errorf("watching %v, want [mx]", m.watch.ids)
				}
			},
		},
		"the overview watches every step that is not skipped": {
			run: func(t *testing.T, m model) model {
				m = keys(t, m, "s", "s").(model) // mx is not mine
				return keys(t, m, "o").(model)
			},
			check: func(t *testing.T, m model, _ *fakeWorld) {
				if len(m.watch.ids) != len(steps.All())-1 {
					t.Errorf("watching %v, want every step but the skipped one", m.watch.ids)
				}
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newFakeWorld()
			m := onStep(t, profileModel(t, testBackend(w), 100, 40), steps.IDMX)
			if tc.run != nil {
				m = tc.run(t, m)
			}
			if tc.check != nil {
				tc.check(t, m, w)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	pass := []steps.Result{{Step: steps.IDMX, Status: steps.StatusPass}}
	pending := []steps.Result{{Step: steps.IDMX, Status: steps.StatusPending}}
	tests := map[string]struct {
		rounds [][]steps.Result
		want   time.Duration
	}{
		"the first answer keeps the base interval": {
			rounds: [][]steps.Result{pending}, want: 5 * time.Second,
		},
		"two unchanged rounds keep the base interval": {
			rounds: [][]steps.Result{pending, pending, pending}, want: 5 * time.Second,
		},
		"three unchanged rounds double it": {
			rounds: [][]steps.Result{pending, pending, pending, pending}, want: 10 * time.Second,
		},
		"it never passes a minute": {
			rounds: repeat(pending, 40), want: time.Minute,
		},
		"a change brings it back to the base": {
			rounds: append(repeat(pending, 10), pass), want: 5 * time.Second,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newWatch(5 * time.Second).retarget([]string{steps.IDMX})
			var scheduled time.Duration
			tick := func(d time.Duration, _ func(time.Time) tea.Msg) tea.Cmd {
				scheduled = d
				return nil
			}
			for i, r := range tc.rounds {
				w.checking = true
				next, _, fresh := w.done(checkedMsg{gen: w.gen, results: r, at: testNow}, tick)
				if !fresh {
					t.Fatalf("round %d was taken as stale", i)
				}
				w = next
			}
			if scheduled != tc.want {
				t.Errorf("next round scheduled in %s after %d rounds, want %s", scheduled, len(tc.rounds), tc.want)
			}
			if got := w.nextAt.Sub(testNow); got != tc.want {
				t.Errorf("next round in %s, want %s", got, tc.want)
			}
		})
	}
}

func repeat(r []steps.Result, n int) [][]steps.Result {
	out := make([][]steps.Result, n)
	for i := range out {
		out[i] = r
	}
	return out
}

func TestTiming(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		w    watch
		now  time.Time
		want string
	}{
		"before the first round": {w: watch{}, now: testNow, want: "not checked yet"},
		"during a round":         {w: watch{checking: true}, now: testNow, want: "checking…"},
		"between rounds": {
			w:   watch{checkedAt: testNow, nextAt: testNow.Add(5 * time.Second)},
			now: testNow.Add(2 * time.Second), want: "checked 2 s ago · next in 3 s",
		},
		"a late round says next in 0 s": {
			w:   watch{checkedAt: testNow, nextAt: testNow.Add(5 * time.Second)},
			now: testNow.Add(9 * time.Second), want: "checked 9 s ago · next in 0 s",
		},
		"minutes past two": {
			w:   watch{checkedAt: testNow, nextAt: testNow.Add(time.Minute)},
			now: testNow.Add(3 * time.Minute), want: "checked 3 min ago · next in 0 s",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := tc.w.timing(tc.now); got != tc.want {
				t.Errorf("timing = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestWorkEndsWithTheProgram: a check round and the form's lookups run
// within the program's context, so they end when it does, not only at
// their own deadlines.
func TestWorkEndsWithTheProgram(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	be := testBackend(newFakeWorld())
	be.ctx = ctx
	be.check = func(ctx context.Context, _ steps.Config, _ []string) ([]steps.Result, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	be.lookupAddrs = func(ctx context.Context, _ string) ([]netip.Addr, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	be.lookupNS = func(ctx context.Context, _ string) ([]string, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	done := make(chan tea.Msg, 2)
	_, round := newWatch(time.Minute).start(be, []steps.Config{{}})
	go func() { done <- round() }()
	go func() { done <- lookup(be.programContext(), be, steps.Config{Domain: "example.com"})() }()
	for range 2 {
		select {
		case msg := <-done:
			switch msg := msg.(type) {
			case checkedMsg:
				if !errors.Is(msg.err, context.Canceled) {
					t.Errorf("the round ended with %v, want the program's cancellation", msg.err)
				}
			case lookedUpMsg:
				if !errors.Is(msg.addrErr, context.Canceled) {
					t.Errorf("the lookup ended with %v, want the program's cancellation", msg.addrErr)
				}
			}
		case <-time.After(2 * time.Second):
			t.Fatal("work went on after the program's context ended")
		}
	}
}
