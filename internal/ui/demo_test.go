package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/mailwizard/mailwizard/internal/demo"
	"github.com/mailwizard/mailwizard/internal/dkimkey"
	"github.com/mailwizard/mailwizard/internal/steps"
)

// TestDemoToGreen walks the real wizard through the demo world by keys
// only: the form with every proposal kept, then on each step "p" to see
// the plan and "y" to publish it, wait for green, enter; it ends on an
// all-green summary.
func TestDemoToGreen(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	world, err := demo.StartWith(ctx, demo.Options{Delay: 300 * time.Millisecond, KeyAlgorithm: dkimkey.Ed25519})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = world.Close() })

	opts := Options{Config: world.Config(), Verify: world.Verify(), Demo: world, KeyDir: t.TempDir()}
	mc := modelConfig{cfg: opts.Config, keyDir: opts.KeyDir, interval: 400 * time.Millisecond, look: look{dark: true}}
	tm, p := start(t, newModel(mc, realBackend(t.Context(), opts), steps.All()), 100, 40)

	waitScreen(t, tm, p, "Mail domain", "> example.com")
	for presses := 0; !strings.Contains(p.screen(), stepNumber(1)); presses++ {
		if presses == 20 {
			t.Fatalf("the form never ended:\n%s", p.screen())
		}
		before := p.screen()
		tm.Send(press("enter"))
		waitSettled(t, tm, p, before)
	}
	total := len(steps.All())
	for i := 1; i <= total; i++ {
		waitScreen(t, tm, p, stepNumber(i), "next in")
		tm.Send(press("p"))
		if waitAny(t, tm, p, "y publishes", "✓ Done") == "y publishes" {
			tm.Send(press("y"))
		}
		waitScreen(t, tm, p, "✓ Done")
		tm.Send(press("enter"))
	}
	waitScreen(t, tm, p, fmt.Sprintf("Summary · %d/%d verified", total, total), "Every step is verified")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
}

// waitAny waits until the screen shows one of texts and returns it.
func waitAny(t *testing.T, tm *teatest.TestModel, p *probe, texts ...string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		tm.Send(nudge{})
		time.Sleep(20 * time.Millisecond)
		for _, text := range texts {
			if strings.Contains(p.screen(), text) {
				return text
			}
		}
	}
	t.Fatalf("the screen never showed any of %q:\n%s", texts, p.screen())
	return ""
}

// waitSettled waits until the screen differs from before and then stays
// the same for a moment (the form's lookups and key checks are done).
func waitSettled(t *testing.T, tm *teatest.TestModel, p *probe, before string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	last, since := before, time.Now()
	for time.Now().Before(deadline) {
		tm.Send(nudge{})
		time.Sleep(20 * time.Millisecond)
		now := p.screen()
		if now != last {
			last, since = now, time.Now()
			continue
		}
		if now != before && time.Since(since) > 300*time.Millisecond {
			return
		}
	}
	t.Fatalf("the screen did not settle after enter:\n%s", last)
}
