package ui

import (
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/mailwizard/mailwizard/internal/steps"
	"github.com/mailwizard/mailwizard/internal/verify"
	"github.com/mailwizard/mailwizard/internal/verify/verifytest"
)

// probe sees the screen of a running program: a filter shows it every
// model before a message is handled.
type probe struct {
	mu   sync.Mutex
	last string
}

func (p *probe) filter(m tea.Model, msg tea.Msg) tea.Msg {
	s := screen(m)
	p.mu.Lock()
	p.last = s
	p.mu.Unlock()
	return msg
}

func (p *probe) screen() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.last
}

// nudge is a message no one handles; it makes the probe look again.
type nudge struct{}

// start runs m under teatest with the ASCII profile at w×h.
func start(t *testing.T, m tea.Model, w, h int) (*teatest.TestModel, *probe) {
	t.Helper()
	p := &probe{}
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii), tea.WithFilter(p.filter)))
	return tm, p
}

// waitScreen waits until the screen shows every text.
func waitScreen(t *testing.T, tm *teatest.TestModel, p *probe, texts ...string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		tm.Send(nudge{})
		time.Sleep(20 * time.Millisecond)
		s, all := p.screen(), true
		for _, text := range texts {
			all = all && strings.Contains(s, text)
		}
		if all {
			return
		}
	}
	t.Fatalf("the screen never showed %q:\n%s", texts, p.screen())
}

// quitScreen quits and returns the final screen.
func quitScreen(t *testing.T, tm *teatest.TestModel) string {
	t.Helper()
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	return screen(tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)))
}

var goldenSizes = [][2]int{{80, 24}, {120, 40}}

func TestGoldenForm(t *testing.T) {
	t.Parallel()
	for _, size := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			t.Parallel()
			mc := modelConfig{keyDir: "/home/ann/.config/mailwizard", look: look{dark: true}}
			tm, p := start(t, newModel(mc, testBackend(newFakeWorld()), steps.All()), size[0], size[1])
			waitScreen(t, tm, p, "Mail domain")
			tm.Type("example.com")
			waitScreen(t, tm, p, "> example.com")
			golden.RequireEqual(t, quitScreen(t, tm))
		})
	}
}

func TestGoldenScreens(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		setup func(t *testing.T, w *fakeWorld, cfg steps.Config)
		keys  []string // from the overview
		want  []string // on the screen once it is ready
	}{
		"pending step": {
			keys: openFromOverview(steps.IDMX),
			want: []string{stepHeading(steps.IDMX), "Waiting for the record"},
		},
		"partially propagated step": {
			setup: func(t *testing.T, w *fakeWorld, cfg steps.Config) {
				w.publishRecords(t, []string{ns1}, recordsOf(t, cfg, steps.IDDKIM))
				w.cached["mail._domainkey.example.com."] = true
			},
			keys: openFromOverview(steps.IDDKIM),
			want: []string{stepHeading(steps.IDDKIM), "✓ ns1.example.net.", "✗ ns2.example.net."},
		},
		"failing step with findings": {
			setup: func(t *testing.T, w *fakeWorld, cfg steps.Config) {
				rec := recordsOf(t, cfg, steps.IDDKIM)[0]
				rec.Value = rec.Value[:120] + `" "` + rec.Value[120:] // pasted from a zone file
				w.publishRecords(t, []string{ns1, ns2}, []steps.Record{rec})
			},
			keys: openFromOverview(steps.IDDKIM),
			want: []string{stepHeading(steps.IDDKIM), "Published but wrong"},
		},
		"green step": {
			setup: func(t *testing.T, w *fakeWorld, cfg steps.Config) {
				w.publishRecords(t, []string{ns1, ns2}, recordsOf(t, cfg, steps.IDHost))
				w.publishRecords(t, []string{ns1, ns2}, recordsOf(t, cfg, steps.IDMX))
			},
			keys: openFromOverview(steps.IDMX),
			want: []string{stepHeading(steps.IDMX), "Done: every authoritative nameserver serves it"},
		},
		"server step": {
			setup: func(t *testing.T, w *fakeWorld, cfg steps.Config) {
				for _, id := range []string{steps.IDHost, steps.IDPTR} {
					w.publishRecords(t, []string{ns1, ns2}, recordsOf(t, cfg, id))
				}
				w.probes.On(func(p verify.Probe) bool { return p.Addr.Addr().Is6() && p.Addr.Port() == 25 }, func(r *verify.ProbeResult) {
					verifytest.FailAt(r, verify.StageConnect, syscall.ECONNREFUSED)
				})
			},
			keys: openFromOverview(steps.IDServer),
			want: []string{stepHeading(steps.IDServer), "smtp 192.0.2.25:25"},
		},
		"mta-sts step": {
			keys: openFromOverview(steps.IDMTASTS),
			want: []string{stepHeading(steps.IDMTASTS), "_mta-sts"},
		},
		"dnssec step": {
			keys: openFromOverview(steps.IDDNSSEC),
			want: []string{stepHeading(steps.IDDNSSEC), "is not signed", "see the advice"},
		},
		"summary": {
			setup: func(t *testing.T, w *fakeWorld, cfg steps.Config) {
				for _, id := range []string{steps.IDHost, steps.IDMX, steps.IDSPF, steps.IDDMARC} {
					w.publishRecords(t, []string{ns1, ns2}, recordsOf(t, cfg, id))
				}
				w.publishRecords(t, []string{ns1}, recordsOf(t, cfg, steps.IDDKIM))
			},
			keys: []string{"up", "enter", "enter"},
			want: []string{"Summary · ", "verified"},
		},
	}
	for name, tc := range tests {
		for _, size := range goldenSizes {
			t.Run(fmt.Sprintf("%s/%dx%d", strings.ReplaceAll(name, " ", "_"), size[0], size[1]), func(t *testing.T) {
				t.Parallel()
				w, cfg := newFakeWorld(), testConfig(t)
				if tc.setup != nil {
					tc.setup(t, w, cfg)
				}
				mc := modelConfig{cfg: cfg, haveProfile: true, interval: time.Minute, look: look{dark: true}}
				tm, p := start(t, newModel(mc, testBackend(w), steps.All()), size[0], size[1])
				waitScreen(t, tm, p, "Overview · ", "Watching")
				for _, k := range tc.keys {
					tm.Send(press(k))
				}
				waitScreen(t, tm, p, append(tc.want, "next in 60 s")...) // its own round is in
				golden.RequireEqual(t, quitScreen(t, tm))
			})
		}
	}
}
