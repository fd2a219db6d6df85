package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mailwizard/mailwizard/internal/demo"
	"github.com/mailwizard/mailwizard/internal/steps"
	"github.com/mailwizard/mailwizard/internal/verify"
)

// layoutState is one state a step screen can be in: how the world and the
// answers are set up before the step is checked, and what is done to the
// screen after. setup returns false when the state does not apply to the
// step (a step with nothing to publish cannot be half published).
type layoutState struct {
	setup func(t testing.TB, w *fakeWorld, cfg *steps.Config, st steps.Step) bool
	after func(t testing.TB, m model) model
}

// publishes reports whether a step has records to publish for cfg.
func publishes(cfg steps.Config, st steps.Step) bool {
	return st.Where != steps.Nowhere && len(st.Records(cfg)) > 0
}

// layoutStates are every state of a step the wizard can show: waiting,
// partly published, green, the demo's typical mistake, servers that do
// not answer, resolver mode, a check that could not run, findings and
// server names longer than any screen, the step skipped, the zone-file
// view, the full help, a long message, and the server step's probes
// failing or turned off.
func layoutStates() map[string]layoutState {
	always := func(testing.TB, *fakeWorld, *steps.Config, steps.Step) bool { return true }
	published := func(t testing.TB, w *fakeWorld, cfg *steps.Config, st steps.Step) bool {
		for _, s := range steps.All() {
			if s.Where != steps.Nowhere {
				w.publishRecords(t, []string{ns1, ns2}, s.Records(*cfg))
			}
		}
		return true
	}
	return map[string]layoutState{
		"waiting": {setup: always},
		"partial": {setup: func(t testing.TB, w *fakeWorld, cfg *steps.Config, st steps.Step) bool {
			if !publishes(*cfg, st) {
				return false
			}
			w.publishRecords(t, []string{ns1}, st.Records(*cfg))
			return true
		}},
		"green": {setup: published},
		"mistake": {setup: func(t testing.TB, w *fakeWorld, cfg *steps.Config, st steps.Step) bool {
			if st.ID == steps.IDServer {
				published(t, w, cfg, st)
				w.probes.On(func(p verify.Probe) bool { return p.Addr.Port() == 25 }, func(r *verify.ProbeResult) {
					r.Greeting = verify.Reply{Code: 220, Lines: []string{"220 localhost.localdomain ESMTP"}}
					r.EHLO = verify.Reply{Code: 250, Lines: []string{"250-localhost.localdomain", "250 STARTTLS"}}
					if r.TLS != nil {
						r.TLS = w.probes.TLS("localhost.localdomain")
					}
				})
				return true
			}
			recs, _, err := demo.Mistake(st.ID, *cfg)
			if err != nil {
				return false
			}
			for _, s := range steps.All() {
				if s.ID != st.ID && s.Where != steps.Nowhere {
					w.publishRecords(t, []string{ns1, ns2}, s.Records(*cfg))
				}
			}
			w.publishRecords(t, []string{ns1, ns2}, recs)
			return true
		}},
		"one server down": {setup: func(t testing.TB, w *fakeWorld, cfg *steps.Config, st steps.Step) bool {
			published(t, w, cfg, st)
			w.down[ns2] = true
			return true
		}},
		"every server down": {setup: func(t testing.TB, w *fakeWorld, cfg *steps.Config, st steps.Step) bool {
			w.down[ns1], w.down[ns2], w.down[resolver] = true, true, true
			w.probes.Err = errors.New("connect 192.0.2.25:25: i/o timeout after 5 s")
			return true
		}},
		"resolver mode": {setup: func(t testing.TB, w *fakeWorld, cfg *steps.Config, st steps.Step) bool {
			w.resolverMode = true
			return published(t, w, cfg, st)
		}},
		"check error": {setup: always, after: func(t testing.TB, m model) model {
			next, _ := m.checked(checkedMsg{gen: m.watch.gen, ids: m.watch.ids, at: testNow,
				err: errors.New("start the checker: no resolver: open /etc/resolv.conf: no such file or directory, and no --resolver was given")})
			return next.(model)
		}},
		"long findings": {setup: always, after: func(t testing.TB, m model) model {
			r := m.results[m.step.step.ID]
			long := strings.Repeat("A very long finding that names _submissions._tcp.example.com. and dmarc-reports@example.com, ", 6) +
				"then a value without a space: " + strings.Repeat("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A", 8) + "."
			r.Findings = append([]steps.Finding{{Code: "x", Severity: steps.SeverityError, Message: long, Hint: long}}, r.Findings...)
			r.Servers = append(r.Servers, steps.ServerVerdict{Server: strings.Repeat("a-very-long-nameserver-name.", 4), Verdict: steps.VerdictBad, Detail: long})
			r.SecondOpinion = append(r.SecondOpinion, steps.Opinion{Resolver: resolver, Note: long})
			m.results[r.Step] = r
			m.step = m.step.withResult(r)
			return m
		}},
		"skipped": {setup: func(t testing.TB, w *fakeWorld, cfg *steps.Config, st steps.Step) bool {
			cfg.Skip = append(cfg.Skip, st.ID)
			return true
		}},
		"zone view": {setup: published, after: func(t testing.TB, m model) model {
			next, _ := m.Update(press("z"))
			return next.(model)
		}},
		"full help": {setup: always, after: func(t testing.TB, m model) model {
			next, _ := m.Update(press("?"))
			return next.(model)
		}},
		"long message": {setup: always, after: func(t testing.TB, m model) model {
			return m.say("Published a typical mistake: the SRV record _submissions._tcp.example.com. points mail apps at port 587 instead of 465. It is on ns1.example.net. now; ns2.example.net. follows in 5 s. Publish the step again to put the right records in its place.")
		}},
		"green after publishing": {setup: published, after: func(t testing.TB, m model) model {
			return m.say("Published MX example.com. on ns1.example.net. now; ns2.example.net. follows in 5 s.")
		}},
		"no probe": {setup: func(t testing.TB, w *fakeWorld, cfg *steps.Config, st steps.Step) bool {
			if st.ID != steps.IDServer {
				return false
			}
			cfg.NoProbe = true
			return true
		}},
	}
}

// layoutModel is the wizard on step st, checked once in a world set up by
// state, or false when the state does not apply to st.
func layoutModel(t testing.TB, st steps.Step, state layoutState) (model, bool) {
	t.Helper()
	w, cfg := newFakeWorld(), testConfig(t)
	if !state.setup(t, w, &cfg, st) {
		return model{}, false
	}
	m := newModel(modelConfig{cfg: cfg, interval: time.Minute, look: look{dark: true}}, testBackend(w), steps.All())
	m.cfg = cfg
	m = sizedModel(m, 80, 24)
	m, _ = m.goStep(stepIndex(t, st.ID))
	ids := m.watch.ids
	results, err := w.check(context.Background(), cfg, ids)
	next, _ := m.checked(checkedMsg{gen: m.watch.gen, ids: ids, results: results, err: err, at: testNow.Add(-2 * time.Second)})
	m = next.(model)
	if state.after != nil {
		m = state.after(t, m)
	}
	return m, true
}

func sizedModel(m model, w, h int) model {
	next, _ := m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return next.(model)
}

// layoutSizes are the window sizes the layout tests draw. By default,
// every width from the smallest to 200 at the smallest height and at 24,
// 40 and 60 lines; every height from the smallest to 60 at the widths
// where the layout changes (the smallest, 80, either side of the
// two-column width, 200); and a grid every 9 columns and 5 lines in
// between. -short keeps every seventh width and every third height. Under
// the race detector, which makes drawing ten times slower, the widths and
// heights where the layout changes and a few between.
func layoutSizes() [][2]int {
	seen := map[[2]int]bool{}
	var out [][2]int
	add := func(w, h int) {
		if s := [2]int{w, h}; !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	edges := []int{minWidth, 80, wideWidth - 1, wideWidth, 200}
	if raceEnabled {
		for _, w := range []int{minWidth, minWidth + 1, 79, 80, 81, 100, wideWidth - 1, wideWidth, wideWidth + 1, 160, 199, 200} {
			for _, h := range []int{minHeight, 24, 60} {
				add(w, h)
			}
		}
		for h := minHeight + 1; h <= 60; h += 7 {
			for _, w := range edges {
				add(w, h)
			}
		}
		return out
	}
	stride := 1
	if testing.Short() {
		stride = 7
	}
	for w := minWidth; w <= 200; w += stride {
		for _, h := range []int{minHeight, 24, 40, 60} {
			add(w, h)
		}
	}
	for h := minHeight; h <= 60; h += max(stride/2, 1) {
		for _, w := range edges {
			add(w, h)
		}
	}
	for w := minWidth; w <= 200; w += 9 {
		for h := minHeight; h <= 60; h += 5 {
			add(w, h)
		}
	}
	add(200, 60)
	return out
}

// TestLayoutEverySize draws every step (steps.All(), so a new step is
// covered when it is added) in every state at every size from the smallest
// the wizard draws up to 200x60, and checks what must hold on every
// screen: no more lines than the window and no line wider than it; the
// status line and the key bar on screen; once green, the invitation to go
// on; when there are findings, the first words of the first one.
func TestLayoutEverySize(t *testing.T) {
	t.Parallel()
	sizes := layoutSizes()
	for name, state := range layoutStates() {
		for _, st := range steps.All() {
			t.Run(strings.ReplaceAll(name, " ", "_")+"/"+st.ID, func(t *testing.T) {
				t.Parallel()
				m, ok := layoutModel(t, st, state)
				if !ok {
					t.Skipf("%s does not apply to %s", name, st.ID)
				}
				var failed []string
				for _, size := range sizes {
					m = sizedModel(m, size[0], size[1])
					if problem := layoutProblem(m, size[0], size[1]); problem != "" {
						if len(failed) < 2 {
							t.Errorf("at %dx%d: %s\n%s", size[0], size[1], problem, framed(screen(m), size[0]))
						}
						failed = append(failed, fmt.Sprintf("%dx%d (%s)", size[0], size[1], problem))
					}
				}
				if len(failed) > 2 {
					t.Errorf("wrong at %d sizes in all: %s", len(failed), strings.Join(failed, "; "))
				}
			})
		}
	}
}

// layoutProblem says what is wrong with the screen of m at w×h, or "".
func layoutProblem(m model, w, h int) string {
	s := screen(m)
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		return fmt.Sprintf("%d lines in a window of %d", len(lines), h)
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			return fmt.Sprintf("line %d is %d cells wide in a window of %d: %q", i+1, lw, w, l)
		}
	}
	keyBar := lines[len(lines)-1]
	if m.showHelp {
		keyBar = strings.Join(lines[max(len(lines)-6, 0):], "\n")
	}
	if !strings.Contains(keyBar, "quit") {
		return "the key bar is not on the last line"
	}
	flat := flatten(s)
	for _, want := range mustShow(m) {
		if !strings.Contains(flat, flatten(want)) {
			return fmt.Sprintf("%q is not on screen", want)
		}
	}
	return ""
}

// mustShow is what the step screen of m must show at any size: the status
// line, the invitation to go on once green, and the first words of the
// first finding.
func mustShow(m model) []string {
	r := m.step.result
	out := []string{statusHeadline(m.step)}
	if m.step.checked && green(r.Status) {
		out = append(out, "Press enter")
	}
	if len(r.Findings) > 0 && r.Status != steps.StatusSkipped {
		words := strings.Fields(ansi.Strip(r.Findings[0].Message))
		out = append(out, strings.Join(words[:min(3, len(words))], " "))
	}
	return out
}

// statusHeadline is the start of the status line of a step screen.
func statusHeadline(s stepScreen) string { return s.statusHead() }

// flatten joins a screen's lines into one, without the card's borders and
// with each run of spaces made one, so that text wrapped over several
// lines is found whole.
func flatten(s string) string {
	s = strings.NewReplacer("│", " ", "┃", " ", "\n", " ").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// framed shows a screen with its right edge marked, for failure messages.
func framed(s string, w int) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		b.WriteString(l + strings.Repeat(" ", max(w-ansi.StringWidth(l), 0)) + "|\n")
	}
	return b.String()
}

// TestLayoutGridEverySize draws the overview of several domains (two, and
// thirty, more than any window has lines) at every size of layoutSizes,
// the cursor on the last domain's last own step, and checks that it fits,
// keeps its key bar on the last line and shows the cursor's row.
func TestLayoutGridEverySize(t *testing.T) {
	t.Parallel()
	for _, n := range []int{2, 30} {
		t.Run(fmt.Sprintf("%d_domains", n), func(t *testing.T) {
			t.Parallel()
			first := testConfig(t)
			cfgs := []steps.Config{first}
			for i := 1; i < n; i++ {
				c := steps.Config{Domain: fmt.Sprintf("domain-%02d.example", i), DKIMSelector: "mail", DKIMPublicKey: first.DKIMPublicKey}.WithHostOf(first)
				if err := c.Normalize(nil); err != nil {
					t.Fatal(err)
				}
				cfgs = append(cfgs, c)
			}
			mc := modelConfig{cfg: first, domains: cfgs, haveProfile: true, interval: time.Minute, look: look{dark: true}}
			var m tea.Model = newModel(mc, testBackend(newFakeWorld()), steps.All())
			m = sizedModel(m.(model), 80, 24)
			m = settle(t, m, m.(model).Init())
			m = keys(t, m, "up", "left") // from the host row up to the last domain, its last own step
			var failed []string
			for _, size := range layoutSizes() {
				m = sizedModel(m.(model), size[0], size[1])
				if problem := overviewProblem(m.(model), size[0], size[1]); problem != "" {
					failed = append(failed, fmt.Sprintf("%dx%d: %s", size[0], size[1], problem))
				} else if !strings.Contains(screen(m), "▸ "+trimDot(cfgs[n-1].Domain)) {
					failed = append(failed, fmt.Sprintf("%dx%d: the cursor's row is not on screen", size[0], size[1]))
				}
			}
			if len(failed) > 0 {
				t.Errorf("wrong at %d sizes: %s\nthe last:\n%s", len(failed), strings.Join(failed[:min(len(failed), 20)], "; "), screen(m))
			}
		})
	}
}
