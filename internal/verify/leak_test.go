package verify_test

import (
	"bytes"
	"context"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/mailwizard/mailwizard/internal/verify/verifytest"
)

// TestRunLeavesNoGoroutines ends rounds in each way a round ends: every
// question answered, servers failing (timeouts, truncation, SERVFAIL), and
// the context cancelled while queries are in flight. No goroutine of the
// engine may outlive Run. The lab's servers start before the count is
// taken and drop or answer at once, so they hold no goroutine per query.
func TestRunLeavesNoGoroutines(t *testing.T) {
	tests := map[string]struct {
		faults [2]verifytest.Fault
		cancel time.Duration // cancel the round after this long; 0 never
	}{
		"answered":            {},
		"failing servers":     {faults: [2]verifytest.Fault{{Drop: true}, {Truncate: true}}},
		"servfail and lame":   {faults: [2]verifytest.Fault{{Rcode: 2}, {NoAA: true}}},
		"cancelled in flight": {faults: [2]verifytest.Fault{{Drop: true}, {Drop: true}}, cancel: 30 * time.Millisecond},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			lab, e := world(t, verifytest.LabConfig{})
			for i, f := range tc.faults {
				lab.Servers[i].SetFault(f)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancel > 0 {
				time.AfterFunc(tc.cancel, cancel)
			}
			before := runtime.NumGoroutine()
			r := e.Round()
			r.Run(ctx, standardProfile()...)
			r.Next().Run(ctx, standardProfile()...)
			deadline := time.Now().Add(2 * time.Second)
			for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if after := runtime.NumGoroutine(); after > before {
				var stacks bytes.Buffer
				_ = pprof.Lookup("goroutine").WriteTo(&stacks, 1)
				t.Fatalf("%d goroutines before the round, %d after it:\n%s", before, after, stacks.String())
			}
		})
	}
}
