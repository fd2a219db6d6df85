package ui

import (
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mailwizard/mailwizard/internal/steps"
)

func TestOverviewActions(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		keys  []string
		want  []string
		not   []string
		check func(t *testing.T, m model, written map[string]string)
	}{
		"enter opens the step under the cursor": {
			keys: []string{"down", "down", "enter"},
			want: []string{stepNumber(3)},
		},
		"the cursor wraps from the top to the last step": {
			keys: []string{"up", "enter"},
			want: []string{stepNumber(len(steps.All()))},
		},
		"z shows the whole zone snippet without the steps set elsewhere": {
			keys: []string{"z"},
			want: []string{"Zone snippet", "; MX record", "example.com. 3600 IN MX 10 mail.example.com."},
			not:  []string{"PTR", "▸"},
		},
		"esc closes the zone snippet": {
			keys: []string{"z", "esc"},
			want: []string{"Overview · ", "▸ …  1"},
			not:  []string{"Zone snippet"},
		},
		"r checks every step again at once": {
			keys: []string{"r"},
			check: func(t *testing.T, m model, _ map[string]string) {
				if len(m.watch.ids) != len(steps.All()) {
					t.Errorf("re-checked %v, want every step", m.watch.ids)
				}
			},
		},
		"e writes the Markdown report next to the profile": {
			keys: []string{"e"},
			want: []string{"Wrote the report to /profiles/mailwizard-example.com.md."},
			check: func(t *testing.T, _ model, written map[string]string) {
				report, ok := written["/profiles/mailwizard-example.com.md"]
				if !ok {
					t.Fatalf("wrote %v, want the report", keysOf(written))
				}
				if !strings.Contains(report, "example.com") || !strings.Contains(report, "| Step |") {
					t.Errorf("the report is not the Markdown report:\n%s", report)
				}
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			written := map[string]string{}
			be := testBackend(newFakeWorld())
			be.writeFile = func(name string, data []byte) (string, error) {
				mu.Lock()
				defer mu.Unlock()
				written[name] = string(data)
				return name, nil
			}
			be.report = markdownReport(func() time.Time { return testNow })
			m := profileModel(t, be, 100, 40)
			m.exportDir = "/profiles"
			m = keys(t, m, tc.keys...).(model)
			requireContains(t, m, tc.want...)
			requireAbsent(t, m, tc.not...)
			if tc.check != nil {
				mu.Lock()
				defer mu.Unlock()
				tc.check(t, m, written)
			}
		})
	}
}

func keysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestProfileThatNoLongerValidates(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.DKIMKeyFile = "/gone/mail.pem" // the key was moved away
	be := testBackend(newFakeWorld())
	m := newModel(modelConfig{cfg: cfg, haveProfile: true, look: look{dark: true}}, be, steps.All())
	var tm tea.Model = m
	tm = settle(t, sized(t, tm, 100, 40), m.Init())
	if tm.(model).phase != phaseForm {
		t.Fatalf("phase %d, want the form", tm.(model).phase)
	}
	requireContains(t, tm, "The saved answers need fixing", "/gone/mail.pem", "> example.com")
}

func TestLooks(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		look look
		want []string // in the raw output or in its text
		not  []string
	}{
		"colour by default": {
			look: look{dark: true}, want: []string{"\x1b[38;2;"},
		},
		"NO_COLOR: no colour, meaning kept by the signs": {
			look: look{dark: true, noColor: true}, want: []string{"✗ ns1.example.net."}, not: []string{"38;2;"},
		},
		"present: heavy borders and a wider margin": {
			look: look{dark: true, present: true}, want: []string{"┏", "\n  mailwizard"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			mc := modelConfig{cfg: testConfig(t), haveProfile: true, interval: time.Minute, look: tc.look}
			m := newModel(mc, testBackend(newFakeWorld()), steps.All())
			var tm tea.Model = m
			tm = settle(t, sized(t, tm, 100, 40), m.Init())
			tm = onStep(t, tm.(model), steps.IDMX)
			raw := tm.View().Content // styled in full colour; the program downsamples it
			text := screen(tm)
			for _, w := range tc.want {
				if !strings.Contains(raw, w) && !strings.Contains(text, w) {
					t.Errorf("the screen has no %q", w)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(raw, n) {
					t.Errorf("the screen has %q", n)
				}
			}
		})
	}
}
