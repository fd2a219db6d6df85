package ui

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/mailwizard/mailwizard/internal/steps"
	"github.com/mailwizard/mailwizard/internal/verify"
)

// TestPublishMessageEndsWithGreen: what publishing said stays while the
// step waits for its servers, over any key, and goes once the step is
// green: a message never outlives what it announced.
func TestPublishMessageEndsWithGreen(t *testing.T) {
	t.Parallel()
	w := newFakeWorld()
	be, _ := demoBackend(t, w)
	m := onStep(t, profileModel(t, be, 100, 40), steps.IDMX)
	next, _ := m.applied(appliedMsg{step: steps.IDMX, text: "Published MX example.com. on ns1.example.net. now; ns2.example.net. follows in 5 s."})
	m = next.(model)
	m = keys(t, m, "tab").(model)
	requireContains(t, m, "ns2.example.net. follows in 5 s")
	w.publishRecords(t, []string{ns1, ns2}, recordsOf(t, testConfig(t), steps.IDMX))
	w.publishRecords(t, []string{ns1, ns2}, recordsOf(t, testConfig(t), steps.IDHost))
	m = keys(t, m, "r").(model)
	requireContains(t, m, "✓ Verified")
	requireAbsent(t, m, "follows in 5 s")
}

// TestNetworkNoteSaidOnce: what a round says about the network (no IPv6
// path) is said once on a step's screen, not on every round; the overview
// shows it for as long as it holds.
func TestNetworkNoteSaidOnce(t *testing.T) {
	t.Parallel()
	w := newFakeWorld()
	be := testBackend(w)
	be.check = func(ctx context.Context, cfg steps.Config, ids []string) ([]steps.Result, error) {
		res, err := w.check(ctx, cfg, ids)
		for i := range res {
			res[i].Observed = append(res[i].Observed, noIPv6Path())
		}
		return res, err
	}
	m := onStep(t, profileModel(t, be, 100, 40), steps.IDMX)
	requireContains(t, m, "This machine seems to have no IPv6 path")
	m = keys(t, m, "tab", "r").(model)
	requireAbsent(t, m, "This machine seems to have no IPv6 path")
	// The overview keeps it in sight, below the steps, while it holds.
	over := keys(t, m, "o")
	requireContains(t, over, "Overview · ", "This machine seems to have no IPv6 path")
}

// noIPv6Path is an answer whose nameserver answered on IPv4 and not on
// IPv6, as on a network without IPv6.
func noIPv6Path() verify.Answer {
	q := verify.Q("example.com.", 1)
	return verify.Answer{Question: q, Servers: []verify.Observation{
		{Server: ns1, Address: "192.0.2.53:53", Authoritative: true},
		{Server: ns1, Address: "[2001:db8::53]:53", Rcode: -1, Err: &verify.NoPathError{Family: "IPv6"}},
	}}
}

// TestKeysOnStepsWithNothingToPublish: the key bar offers no publish, no
// typical mistake, no fields and no zone view where there is nothing to
// publish (the blocklist step), and publishing and the mistake on the
// server step in the demo, which has a mail server to break.
func TestKeysOnStepsWithNothingToPublish(t *testing.T) {
	t.Parallel()
	be, _ := demoBackend(t, newFakeWorld())
	m := profileModel(t, be, 200, 40)
	blocklist := onStep(t, m, steps.IDBlocklist)
	bar := lastLine(screen(blocklist))
	for _, k := range []string{"p publish", "m mistake", "c copy", "tab field", "z zone"} {
		if strings.Contains(bar, k) {
			t.Errorf("the blocklist step offers %q: %s", k, bar)
		}
	}
	server := lastLine(screen(onStep(t, m, steps.IDServer)))
	for _, k := range []string{"p publish", "m mistake"} {
		if !strings.Contains(server, k) {
			t.Errorf("the demo's server step does not offer %q: %s", k, server)
		}
	}
	if mx := lastLine(screen(onStep(t, m, steps.IDMX))); !strings.Contains(mx, "p publish") || !strings.Contains(mx, "m mistake") {
		t.Errorf("the MX step does not offer publishing: %s", mx)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// TestExitCode: the wizard ends with the exit code check gives for its
// last results: 1 while a step waits, 0 once every step is verified
// (skipped ones aside), 1 in the form.
func TestExitCode(t *testing.T) {
	t.Parallel()
	w := newFakeWorld()
	m := profileModel(t, testBackend(w), 100, 40)
	if code := m.exitCode(); code != 1 {
		t.Errorf("with steps waiting: exit code %d, want 1", code)
	}
	cfg := testConfig(t)
	for _, st := range steps.All() {
		if st.Where != steps.Nowhere {
			w.publishRecords(t, []string{ns1, ns2}, st.Records(cfg))
		}
	}
	w.mu.Lock()
	w.probes.MTASTSPolicy = []byte(steps.MTASTSPolicy(cfg))
	w.mu.Unlock()
	m = keys(t, m, "r").(model)
	if code := m.exitCode(); code != 0 {
		t.Errorf("with every step verified: exit code %d, want 0:\n%s", code, screen(m))
	}
	if code := formModelAt(t, testBackend(w)).(model).exitCode(); code != 1 {
		t.Errorf("in the form: exit code %d, want 1", code)
	}
}

// TestAccessibleCheckAgainSaysWhatChanged: in the plain walk, Enter checks
// again and prints only what changed: "No change" and the status, or the
// new lines, never the whole step again.
func TestAccessibleCheckAgainSaysWhatChanged(t *testing.T) {
	t.Parallel()
	w := newFakeWorld()
	be, _ := keyBackend(t, w)
	be = savedAs(be, testConfig(t), nil)
	var out bytes.Buffer
	in := strings.NewReader("1\n\n\nq\n")
	a := accessible{be: be, all: steps.All(), in: newLineReader(in), out: &out}
	cfg := testConfig(t)
	results := map[string]steps.Result{}
	_, _ = a.walk(context.Background(), cfg, true, results)
	text := out.String()
	if n := strings.Count(text, "Why: "); n != 1 {
		t.Errorf("the step was shown %d times, want once:\n%s", n, text)
	}
	if !strings.Contains(text, "No change: Status: … Waiting for the record") {
		t.Errorf("a check again without change does not say so:\n%s", text)
	}
}
