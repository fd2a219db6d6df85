package ui

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// profileModel starts the wizard as a re-run with a saved profile (so it
// opens on the overview) in a window of w×h, settled.
func profileModel(t testing.TB, be backend, w, h int) model {
	t.Helper()
	mc := modelConfig{cfg: testConfig(t), haveProfile: true, interval: time.Minute, look: look{dark: true}}
	m := newModel(mc, be, steps.All())
	var tm tea.Model = m
	tm = sized(t, tm, w, h)
	tm = settle(t, tm, m.Init())
	return tm.(model)
}

// onStep opens the step with the given id from the overview.
func onStep(t testing.TB, m model, id string) model {
	t.Helper()
	next, cmd := m.goStep(stepIndex(t, id))
	return settle(t, next, cmd).(model)
}

// messages runs cmd and returns the messages it gives within a moment,
// batches unpacked.
func messages(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	select {
	case msg := <-ch:
		if b, ok := msg.(tea.BatchMsg); ok {
			var out []tea.Msg
			for _, c := range b {
				out = append(out, messages(c)...)
			}
			return out
		}
		return []tea.Msg{msg}
	case <-time.After(100 * time.Millisecond):
		return nil
	}
}

// clipboard returns what cmd puts on the clipboard.
func clipboard(cmd tea.Cmd) (string, bool) {
	for _, msg := range messages(cmd) {
		v := reflect.ValueOf(msg)
		if v.Type().String() == "tea.setClipboardMsg" {
			return v.String(), true
		}
	}
	return "", false
}

func TestStepKeys(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		start string
		keys  []string
		demo  bool
		want  []string // on screen afterwards
		not   []string // not on screen
		check func(t *testing.T, m model, d *fakeDemo)
	}{
		"right goes to the next step": {
			start: steps.IDMX, keys: []string{"right"},
			want: []string{stepNumber(position(steps.IDMX) + 1)},
		},
		"enter on the last step opens the summary": {
			start: lastStep(), keys: []string{"enter"},
			want: []string{"Summary · "},
		},
		"left goes back": {
			start: steps.IDMX, keys: []string{"left"},
			want: []string{stepNumber(position(steps.IDMX) - 1)},
		},
		"left on the first step stays and says so": {
			start: steps.All()[0].ID, keys: []string{"left"},
			want: []string{stepNumber(1), "This is the first step."},
		},
		"o opens the overview and esc comes back": {
			start: steps.IDDKIM, keys: []string{"o"},
			want: []string{"Overview · "},
			check: func(t *testing.T, m model, _ *fakeDemo) {
				m = keys(t, m, "esc").(model)
				requireContains(t, m, stepHeading(steps.IDDKIM))
			},
		},
		"z shows the zone-file lines and z again the form fields": {
			start: steps.IDMX, keys: []string{"z"},
			want: []string{"Zone file", "example.com. 3600 IN MX 10 mail.example.com."},
			not:  []string{"▸ Name"},
			check: func(t *testing.T, m model, _ *fakeDemo) {
				m = keys(t, m, "z").(model)
				requireContains(t, m, "▸ Name")
			},
		},
		"tab selects the next field": {
			start: steps.IDMX, keys: []string{"tab"},
			want: []string{"▸ Type"},
			not:  []string{"▸ Name"},
		},
		"shift+tab from the first field selects the last": {
			start: steps.IDMX, keys: []string{"shift+tab"},
			want: []string{"▸ TTL"},
		},
		"? shows the full help and ? again hides it": {
			start: steps.IDMX, keys: []string{"?"},
			want: []string{"quit now", "previous field", "page up"},
			check: func(t *testing.T, m model, _ *fakeDemo) {
				m = keys(t, m, "?").(model)
				requireAbsent(t, m, "previous field")
			},
		},
		"s asks first and does nothing else": {
			start: steps.IDAutoconfig, keys: []string{"s"},
			want: []string{stepHeading(steps.IDAutoconfig), "Press s again to mark"},
			check: func(t *testing.T, m model, _ *fakeDemo) {
				if slices.Contains(m.cfg.Skip, steps.IDAutoconfig) {
					t.Errorf("Skip = %v after one s", m.cfg.Skip)
				}
				m = keys(t, m, "tab", "s").(model)
				requireContains(t, m, "Press s again")
				if slices.Contains(m.cfg.Skip, steps.IDAutoconfig) {
					t.Errorf("Skip = %v: another key between the two s did not keep the step", m.cfg.Skip)
				}
			},
		},
		"s twice marks the step not mine, moves on and says how to undo it": {
			start: steps.IDAutoconfig, keys: []string{"s", "s"},
			want: []string{stepNumber(position(steps.IDAutoconfig) + 1), "Skipped", "press s"},
			check: func(t *testing.T, m model, _ *fakeDemo) {
				if !slices.Contains(m.cfg.Skip, steps.IDAutoconfig) {
					t.Errorf("Skip = %v, want autoconfig in it", m.cfg.Skip)
				}
				m = keys(t, m, "o").(model)
				requireContains(t, m, fmt.Sprintf("– %d", position(steps.IDAutoconfig)), "skipped", "1 skipped")
			},
		},
		"s on a skipped step takes it back": {
			start: steps.IDAutoconfig, keys: []string{"s", "s", "left", "s"},
			want: []string{stepHeading(steps.IDAutoconfig), "Checking"},
			check: func(t *testing.T, m model, _ *fakeDemo) {
				if slices.Contains(m.cfg.Skip, steps.IDAutoconfig) {
					t.Errorf("Skip = %v, want autoconfig out of it", m.cfg.Skip)
				}
			},
		},
		"p shows the plan in the demo and y publishes it": {
			start: steps.IDDKIM, keys: []string{"p"}, demo: true,
			want: []string{"Plan for the zone example.com. at the demo's DNS provider", "+ mail._domainkey.example.com. 3600 IN TXT", "y publishes"},
			check: func(t *testing.T, m model, d *fakeDemo) {
				if slices.Contains(d.Calls(), "append 1") {
					t.Errorf("published before yes: %v", d.Calls())
				}
				m = keys(t, m, "y").(model)
				if !slices.Contains(d.Calls(), "append 1") {
					t.Errorf("demo calls = %v, want the record appended", d.Calls())
				}
				requireContains(t, m, "✓ Verified", "Press enter for the next step")
			},
		},
		"n cancels a plan": {
			start: steps.IDDKIM, keys: []string{"p", "n"}, demo: true,
			want: []string{"Nothing was published."},
			not:  []string{"Plan for the zone"},
		},
		"m publishes a mistake in the demo": {
			start: steps.IDSPF, keys: []string{"m"}, demo: true,
			want: []string{"Published a typical mistake for spf."},
		},
		"p does nothing without a provider": {
			start: steps.IDDKIM, keys: []string{"p"},
			not: []string{"Published", "mistake", "Plan"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newFakeWorld()
			be, demo := demoBackend(t, w)
			if !tc.demo {
				be.publishing = nil
			}
			m := onStep(t, profileModel(t, be, 100, 40), tc.start)
			m = keys(t, m, tc.keys...).(model)
			requireContains(t, m, tc.want...)
			requireAbsent(t, m, tc.not...)
			if tc.check != nil {
				tc.check(t, m, demo)
			}
		})
	}
}

func TestCopy(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		step, provider string
		keys           []string
		want, flash    string
	}{
		"the MX host at Cloudflare is @": {
			step: steps.IDMX, provider: "cloudflare", want: "@", flash: "Sent Name (@)",
		},
		"the MX target without its priority where the form has a priority box": {
			step: steps.IDMX, provider: "cloudflare", keys: []string{"tab", "tab", "tab"},
			want: "mail.example.com.", flash: "Sent Content (mail.example.com.)",
		},
		"the DKIM value whole and bare at Cloudflare": {
			step: steps.IDDKIM, provider: "cloudflare", keys: []string{"tab", "tab"},
			want: "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA", flash: "Sent Content (v=DKIM1; k=rsa;…ER0Wxxw3wIDAQAB)",
		},
		"the zone-file lines in the zone view": {
			step: steps.IDMX, provider: "cloudflare", keys: []string{"z"},
			want: "example.com.", flash: "Sent the zone-file lines",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m := onStep(t, profileModel(t, testBackend(newFakeWorld()), 100, 40), tc.step)
			m = keys(t, m, tc.keys...).(model)
			next, cmd := m.Update(press("c"))
			got, ok := clipboard(cmd)
			if !ok {
				t.Fatal("c did not set the clipboard")
			}
			if !strings.HasPrefix(got, tc.want) {
				t.Errorf("clipboard = %q, want it to start with %q", got, tc.want)
			}
			if strings.Contains(got, `"`) && tc.step == steps.IDDKIM {
				t.Errorf("clipboard %q has quotes; Cloudflare wants the bare value", got)
			}
			next = settle(t, next, cmd)
			requireContains(t, next, tc.flash)
		})
	}
}

func TestInterrupt(t *testing.T) {
	t.Parallel()
	t.Run("in a step, ctrl+c quits and says it was interrupted", func(t *testing.T) {
		m := onStep(t, profileModel(t, testBackend(newFakeWorld()), 80, 24), steps.IDMX)
		next, cmd := m.Update(press("ctrl+c"))
		nm := next.(model)
		if !nm.interrupted {
			t.Error("interrupted = false after ctrl+c")
		}
		if msgs := messages(cmd); len(msgs) != 1 || msgs[0] != (tea.QuitMsg{}) {
			t.Errorf("ctrl+c gave %v, want tea.Quit", msgs)
		}
		cfgs, ok := nm.config()
		if !ok || len(cfgs) != 1 || cfgs[0].Domain != "example.com." {
			t.Errorf("config() = %+v, %v; want the answers kept", cfgs, ok)
		}
	})
	t.Run("q quits without an interruption", func(t *testing.T) {
		m := onStep(t, profileModel(t, testBackend(newFakeWorld()), 80, 24), steps.IDMX)
		next, cmd := m.Update(press("q"))
		if next.(model).interrupted {
			t.Error("q counted as an interruption")
		}
		if msgs := messages(cmd); len(msgs) != 1 || msgs[0] != (tea.QuitMsg{}) {
			t.Errorf("q gave %v, want tea.Quit", msgs)
		}
	})
	t.Run("in the form, ctrl+c keeps the valid answers and drops the rest", func(t *testing.T) {
		m := formModelAt(t, testBackend(newFakeWorld()))
		m = typeText(t, m, "Example.COM")
		m = keys(t, m, "enter")
		m = typeText(t, m, "bad..host")
		next, cmd := m.Update(press("ctrl+c"))
		nm := next.(model)
		if !nm.interrupted {
			t.Fatal("interrupted = false after ctrl+c")
		}
		if msgs := messages(cmd); len(msgs) != 1 || msgs[0] != (tea.QuitMsg{}) {
			t.Errorf("ctrl+c gave %v, want tea.Quit", msgs)
		}
		var saved []steps.Config
		be := nm.be
		be.save = func(cs []steps.Config) error { saved = append(saved, cs...); return nil }
		if err := saveOnExit(nm, be); err != nil {
			t.Fatal(err)
		}
		if len(saved) != 1 {
			t.Fatalf("saved %d times, want once", len(saved))
		}
		if d := strings.ToLower(strings.TrimSuffix(saved[0].Domain, ".")); d != "example.com" {
			t.Errorf("saved domain %q, want example.com", saved[0].Domain)
		}
		if strings.Contains(saved[0].Host, "bad") {
			t.Errorf("saved host %q, want the invalid host left out", saved[0].Host)
		}
	})
	t.Run("in the form, nothing is saved before a valid domain", func(t *testing.T) {
		m := formModelAt(t, testBackend(newFakeWorld()))
		m = typeText(t, m, "not a domain")
		next, _ := m.Update(press("ctrl+c"))
		saves := 0
		be := next.(model).be
		be.save = func([]steps.Config) error { saves++; return nil }
		if err := saveOnExit(next.(model), be); err != nil {
			t.Fatal(err)
		}
		if saves != 0 {
			t.Errorf("saved %d times, want none", saves)
		}
	})
	t.Run("a failing save is reported", func(t *testing.T) {
		m := onStep(t, profileModel(t, testBackend(newFakeWorld()), 80, 24), steps.IDMX)
		be := m.be
		be.save = func([]steps.Config) error { return errors.New("disk full") }
		if err := saveOnExit(m, be); err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("saveOnExit = %v, want the save error", err)
		}
	})
}

// formModelAt starts the wizard on an empty form, 80×24.
func formModelAt(t testing.TB, be backend) tea.Model {
	t.Helper()
	mc := modelConfig{keyDir: "/keys", interval: time.Minute, look: look{dark: true}}
	m := newModel(mc, be, steps.All())
	var tm tea.Model = m
	tm = sized(t, tm, 80, 24)
	return settle(t, tm, m.Init())
}

func TestResize(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		w, h  int
		check func(t *testing.T, s string)
	}{
		"below the minimum it says so": {
			w: 50, h: 15,
			check: func(t *testing.T, s string) {
				if !strings.Contains(s, "needs at least 60×18") {
					t.Errorf("no size message:\n%s", s)
				}
			},
		},
		"at 80x24 the status is pinned in view": {
			w: 80, h: 24,
			check: func(t *testing.T, s string) {
				lines := strings.Split(s, "\n")
				if len(lines) > 24 {
					t.Errorf("%d lines in a 24-line window", len(lines))
				}
				if !strings.Contains(s, "✗ ns2.example.net.") || !strings.Contains(s, "more lines") {
					t.Errorf("want the server lines in view and the rest scrolling:\n%s", s)
				}
				for i, l := range lines {
					if w := len([]rune(l)); w > 80 {
						t.Errorf("line %d is %d wide: %q", i, w, l)
					}
				}
			},
		},
		"at 200x60 the records sit beside the findings, the status above both": {
			w: 200, h: 60,
			check: func(t *testing.T, s string) {
				lines := strings.Split(s, "\n")
				if !strings.Contains(lines[2], "Waiting for the record") {
					t.Errorf("the status is not under the header:\n%s", s)
				}
				for _, l := range lines {
					if strings.Contains(l, "│") && strings.Contains(l, "Why    DKIM lets") {
						return
					}
				}
				t.Errorf("no line has both the card and the text beside it:\n%s", s)
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m := onStep(t, profileModel(t, testBackend(newFakeWorld()), 100, 40), steps.IDDKIM)
			tc.check(t, screen(sized(t, m, tc.w, tc.h)))
		})
	}
}

func TestBackgroundColour(t *testing.T) {
	t.Parallel()
	m := onStep(t, profileModel(t, testBackend(newFakeWorld()), 80, 24), steps.IDMX)
	dark := m.sh.styles.pass.GetForeground()
	next, _ := m.Update(tea.BackgroundColorMsg{Color: lightGrey{}})
	nm := next.(model)
	if nm.sh.look.dark {
		t.Fatal("still dark after a light background was reported")
	}
	if nm.sh.styles.pass.GetForeground() == dark {
		t.Error("the pass colour did not change for a light background")
	}
}

// lightGrey is a light background colour.
type lightGrey struct{}

func (lightGrey) RGBA() (r, g, b, a uint32) { return 0xeeee, 0xeeee, 0xeeee, 0xffff }

// TestResolverModeBanner: a step judged from the resolver's answers (the
// network blocks direct DNS) says so on its screen; one judged from the
// nameservers does not.
func TestResolverModeBanner(t *testing.T) {
	for _, viaResolver := range []bool{true, false} {
		w := newFakeWorld()
		be := testBackend(w)
		be.check = func(ctx context.Context, cfg steps.Config, ids []string) ([]steps.Result, error) {
			res, err := w.check(ctx, cfg, ids)
			for i := range res {
				res[i].FromResolver = viaResolver
			}
			return res, err
		}
		m := onStep(t, profileModel(t, be, 120, 60), steps.IDMX)
		shown := strings.Contains(screen(m), "! Resolver mode: this network does not let mailwizard ask")
		if shown != viaResolver {
			t.Errorf("resolver mode %v: banner shown %v:\n%s", viaResolver, shown, screen(m))
		}
	}
}

// TestProposedRecord: when the SPF finding proposes a merged record, the
// card shows it, c copies it, and the answers keep its include, so that
// records and publish give the same record.
func TestProposedRecord(t *testing.T) {
	t.Parallel()
	w := newFakeWorld()
	cfg := testConfig(t)
	for _, id := range []string{steps.IDHost, steps.IDMX, steps.IDSPF} {
		w.publishRecords(t, []string{ns1, ns2}, recordsOf(t, cfg, id))
	}
	w.publish(t, []string{ns1, ns2}, `example.com. 3600 IN TXT "v=spf1 include:_spf.newsletter.example ~all"`)
	be := testBackend(w)
	var saved []steps.Config
	be.save = func(cs []steps.Config) error { saved = append(saved, cs...); return nil }
	m := onStep(t, profileModel(t, be, 100, 40), steps.IDSPF)
	merged := "v=spf1 mx include:_spf.newsletter.example -all"
	requireContains(t, m, merged, "The record the finding below proposes")
	m = keys(t, m, "tab", "tab").(model) // the value field
	next, cmd := m.Update(press("c"))
	if got, _ := clipboard(cmd); got != merged {
		t.Errorf("c copied %q, want the merged record %q", got, merged)
	}
	nm := settle(t, next, cmd).(model)
	if !slices.Contains(nm.cfg.SPFIncludes, "_spf.newsletter.example.") {
		t.Errorf("SPF includes %v, want the newsletter's kept", nm.cfg.SPFIncludes)
	}
	if st, _ := steps.ByID(steps.IDSPF); st.Records(nm.cfg)[0].Value != merged {
		t.Errorf("the answers give %q, want the merged record", st.Records(nm.cfg)[0].Value)
	}
	if len(saved) == 0 {
		t.Error("the kept include was not saved")
	}
}
