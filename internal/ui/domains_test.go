package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// twoDomains are two domains of the test mail host: example.com and
// example.org, which shares its host and addresses.
func twoDomains(t testing.TB) []steps.Config {
	t.Helper()
	first := testConfig(t)
	second := steps.Config{Domain: "example.org", DKIMSelector: "org", DKIMPublicKey: first.DKIMPublicKey, Provider: "cloudflare"}.WithHostOf(first)
	if err := second.Normalize(nil); err != nil {
		t.Fatal(err)
	}
	return []steps.Config{first, second}
}

// domainsModel is the wizard re-run on a saved profile of the two
// domains, at w×h, settled on the grid.
func domainsModel(t testing.TB, be backend, w, h int) model {
	t.Helper()
	cfgs := twoDomains(t)
	mc := modelConfig{cfg: cfgs[0], domains: cfgs, haveProfile: true, interval: time.Minute, look: look{dark: true}}
	m := newModel(mc, be, steps.All())
	var tm tea.Model = m
	tm = sized(t, tm, w, h)
	return settle(t, tm, m.Init()).(model)
}

// ownSteps are the steps a further domain walks: those not shared.
func ownSteps() []steps.Step {
	return slices.DeleteFunc(steps.All(), func(s steps.Step) bool { return s.Shared })
}

// TestFormAnotherDomain: after the first domain, the form asks whether the
// mail host serves another; yes asks that domain's own answers only (not
// the host or addresses again), and the wizard then has both, sharing the
// host, saved together.
func TestFormAnotherDomain(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	be, _ := keyBackend(t, newFakeWorld())
	var saved [][]steps.Config
	var mu sync.Mutex
	be.save = func(cs []steps.Config) error {
		mu.Lock()
		defer mu.Unlock()
		saved = append(saved, slices.Clone(cs))
		return nil
	}
	m := formIn(t, be, dir)
	m = keys(t, typeText(t, m, "example.com"), "enter", "enter") // domain, default host
	m = keys(t, m, "enter", "enter")                             // offered address, generate a key
	m = keys(t, m, "enter", "enter")                             // selector, proposed path
	m = keys(t, m, "enter", "enter", "enter")                    // DMARC, report address, services
	m = keys(t, m, "enter", "enter", "enter")                    // MTA-STS mode, DANE, provider
	requireContains(t, m, "Does mail.example.com serve another domain?")
	m = keys(t, m, "left", "enter") // yes
	requireContains(t, m, "Another mail domain")
	requireAbsent(t, m, "Mail host")
	m = keys(t, typeText(t, m, "example.com"), "enter")
	requireContains(t, m, "already one of this mail host's domains")
	for range len("example.com") {
		m = keys(t, m, "backspace")
	}
	m = keys(t, typeText(t, m, "example.org"), "enter")
	requireAbsent(t, m, "Server IP addresses")
	m = keys(t, m, "enter")                   // generate a key
	m = keys(t, m, "enter", "enter")          // selector, proposed path
	m = keys(t, m, "enter", "enter", "enter") // DMARC, report address, services
	requireAbsent(t, m, "DNSSEC and DANE")    // the mail host's, asked with the first domain
	m = keys(t, m, "enter", "enter", "enter") // MTA-STS mode, provider, no more
	nm := m.(model)
	if nm.phase != phaseStep || len(nm.domains) != 2 {
		t.Fatalf("phase %d with %d domains, want the first step of two:\n%s", nm.phase, len(nm.domains), screen(m))
	}
	first, second := nm.domains[0], nm.domains[1]
	if second.Domain != "example.org." || second.Host != first.Host || !slices.Equal(second.IPs, first.IPs) {
		t.Errorf("second domain %q host %q ips %v; want example.org. on %q %v", second.Domain, second.Host, second.IPs, first.Host, first.IPs)
	}
	if second.DKIMKeyFile == first.DKIMKeyFile || !strings.HasSuffix(second.DKIMKeyFile, "example.org.mail.dkim.pem") {
		t.Errorf("second domain's key %q, want its own (first's is %q)", second.DKIMKeyFile, first.DKIMKeyFile)
	}
	mu.Lock()
	last := saved[len(saved)-1]
	mu.Unlock()
	if len(last) != 2 || last[0].Domain != "example.com." || last[1].Domain != "example.org." {
		t.Errorf("saved %d domains last, want both in order", len(last))
	}
}

// TestWalkOfSeveralDomains: the first domain walks every step; the next
// one only its own, numbered on its own walk, its host's steps not again;
// back from its first step is the first domain's last.
func TestWalkOfSeveralDomains(t *testing.T) {
	t.Parallel()
	m := domainsModel(t, testBackend(newFakeWorld()), 100, 40)
	last := len(steps.All()) - 1
	m = m.toDomain(0)
	m, _ = m.goStep(last)
	d, i, ok := m.nextStop(last)
	if !ok || d != 1 || steps.All()[i].Shared {
		t.Fatalf("after the first domain's last step: domain %d step %d (%v), want the second's first own step", d, i, ok)
	}
	m = settle(t, m, nil).(model)
	m = keys(t, m, "enter").(model)
	own := ownSteps()
	requireContains(t, m, "mailwizard · example.org", fmt.Sprintf("Step 1 of %d · %s", len(own), own[0].Title))
	var seen []string
	for range own {
		seen = append(seen, m.step.step.ID)
		m = keys(t, m, "enter").(model)
	}
	for _, id := range seen {
		if steps.IsShared(id) {
			t.Errorf("the second domain walks the host's step %s again", id)
		}
	}
	if m.phase != phaseOverview {
		t.Errorf("after the last domain's last step: phase %d, want the summary", m.phase)
	}
	m = m.toDomain(1)
	m, _ = m.goStep(slices.IndexFunc(steps.All(), func(s steps.Step) bool { return !s.Shared }))
	m = keys(t, m, "left").(model)
	if m.cur != 0 || m.step.index != last {
		t.Errorf("back from the second domain's first step: domain %d step %d, want the first's last", m.cur, m.step.index)
	}
}

// TestSharedStepsJudgedOnce: a round of several domains asks the host's
// steps for the first domain only, and every domain shows their result.
func TestSharedStepsJudgedOnce(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	asked := map[string][]string{}
	w := newFakeWorld()
	be := testBackend(w)
	be.check = func(ctx context.Context, cfg steps.Config, ids []string) ([]steps.Result, error) {
		mu.Lock()
		asked[cfg.Domain] = append(asked[cfg.Domain], ids...)
		mu.Unlock()
		return w.check(ctx, cfg, ids)
	}
	m := domainsModel(t, be, 100, 40)
	mu.Lock()
	for _, id := range asked["example.org."] {
		if steps.IsShared(id) {
			t.Errorf("example.org.'s round asked the host's step %s", id)
		}
	}
	mu.Unlock()
	for _, id := range steps.SharedIDs() {
		if _, ok := m.res[1][id]; !ok {
			t.Errorf("example.org has no result for the host's step %s", id)
		}
	}
}

// TestGridOverview: the overview of several domains is a grid with a row
// for the mail host and one per domain, which fits 80x24 (numbered
// columns and their legend) and names the steps at 200x60, with the cell
// under the cursor in detail; enter opens that domain's step.
func TestGridOverview(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{80, 24}, {120, 40}, {200, 60}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			t.Parallel()
			w := newFakeWorld()
			cfgs := twoDomains(t)
			for _, st := range steps.All() {
				if st.Where != steps.Nowhere {
					w.publishRecords(t, []string{ns1, ns2}, st.Records(cfgs[0]))
				}
			}
			w.probes.MTASTSPolicy = []byte(steps.MTASTSPolicy(cfgs[0]))
			m := domainsModel(t, testBackend(w), size[0], size[1])
			if problem := overviewProblem(m, size[0], size[1]); problem != "" {
				t.Fatalf("%s:\n%s", problem, screen(m))
			}
			requireContains(t, m, "mail host", "example.com", "example.org", "2 domains")
			golden.RequireEqual(t, screen(m))
			m = keys(t, m, "down", "down", "enter").(model)
			if m.phase != phaseStep || m.cur != 1 || steps.All()[m.step.index].Shared {
				t.Errorf("enter on example.org's row opened domain %d step %d", m.cur, m.step.index)
			}
		})
	}
}

// overviewProblem says what is wrong with an overview at w×h: too many
// lines, a line too wide, or no key bar at the bottom.
func overviewProblem(m model, w, h int) string {
	lines := strings.Split(screen(m), "\n")
	if len(lines) > h {
		return fmt.Sprintf("%d lines in a window of %d", len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			return fmt.Sprintf("line %d is %d wide", i+1, n)
		}
	}
	if !strings.Contains(lines[len(lines)-1], "quit") {
		return "the key bar is not on the last line"
	}
	return ""
}

// TestAccessibleSeveralDomains: the plain form asks for another domain
// and its own answers; the walk then shows the first domain's steps, and
// after its overview ("n") the second domain's own steps only. Both are
// saved together.
func TestAccessibleSeveralDomains(t *testing.T) {
	t.Parallel()
	be, _ := keyBackend(t, newFakeWorld())
	var saved [][]steps.Config
	be.save = func(cs []steps.Config) error { saved = append(saved, slices.Clone(cs)); return nil }
	script := strings.Join([]string{
		"example.com", "", "", "3", "", "testdata/dkim.pub.pem", "", "", "", "", "", "", "y", // the first domain, and yes, another
		"example.org", "3", "org", "testdata/dkim.pub.pem", "", "", "", "", "", "", // the second, no more
		"o", "n", // the first domain's overview, then the second's steps
		"o", "q",
	}, "\n") + "\n"
	var out strings.Builder
	err := runPlain(context.Background(), Options{In: strings.NewReader(script), Out: &out, KeyDir: t.TempDir()}, be, steps.All())
	requireUnfinished(t, err, 1)
	text := out.String()
	for _, want := range []string{"Does this mail host serve another domain?", "Another mail domain.", "Domain 2 of 2: example.org",
		"n goes on to example.org's steps", "Overview of example.org"} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in:\n%s", want, text)
		}
	}
	if strings.Count(text, "Server IP addresses.") != 1 {
		t.Errorf("the addresses were asked %d times, want once", strings.Count(text, "Server IP addresses."))
	}
	_, second, _ := strings.Cut(text, "Domain 2 of 2")
	for _, st := range steps.All() {
		if st.Shared && strings.Contains(second, ": "+st.Title+"\n") {
			t.Errorf("the second domain's walk shows the host's step %s", st.ID)
		}
	}
	last := saved[len(saved)-1]
	if len(last) != 2 || last[1].Domain != "example.org." || last[1].DKIMSelector != "org" || last[1].Host != last[0].Host {
		t.Errorf("saved %+v, want both domains, the second with its own selector on the first's host", last)
	}
}
