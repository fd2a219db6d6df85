package verify_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mailwizard/mailwizard/internal/verify"
)

func TestPoll(t *testing.T) {
	tests := map[string]struct {
		doneAt   int // the check that satisfies done; 0: never
		interval time.Duration
		timeout  time.Duration
		checks   int // how many checks ran
		wantErr  error
	}{
		"done at once":      {doneAt: 1, interval: time.Hour, timeout: time.Second, checks: 1},
		"done on the third": {doneAt: 3, interval: 10 * time.Millisecond, timeout: time.Second, checks: 3},
		"context ends":      {doneAt: 0, interval: time.Hour, timeout: 50 * time.Millisecond, checks: 1, wantErr: context.DeadlineExceeded},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), tc.timeout)
			defer cancel()
			n := 0
			start := time.Now()
			got, err := verify.Poll(ctx, tc.interval, func(context.Context) int {
				n++
				return n
			}, func(v int) bool { return v == tc.doneAt })
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("error %v, want %v", err, tc.wantErr)
			}
			if n != tc.checks || got != tc.checks {
				t.Errorf("%d checks, last result %d; want %d", n, got, tc.checks)
			}
			if tc.doneAt > 1 {
				if took := time.Since(start); took < time.Duration(tc.doneAt-1)*tc.interval {
					t.Errorf("took %s, want at least %d intervals", took, tc.doneAt-1)
				}
			}
		})
	}
}

func TestPollRejectsBadArguments(t *testing.T) {
	check := func(context.Context) bool { t.Error("check ran"); return true }
	done := func(v bool) bool { return v }
	tests := map[string]func() error{
		"zero interval": func() error { _, err := verify.Poll(context.Background(), 0, check, done); return err },
		"nil check":     func() error { _, err := verify.Poll(context.Background(), time.Second, nil, done); return err },
		"nil done":      func() error { _, err := verify.Poll(context.Background(), time.Second, check, nil); return err },
	}
	for name, call := range tests {
		t.Run(name, func(t *testing.T) {
			if err := call(); err == nil {
				t.Error("want an error")
			}
		})
	}
}

// TestContextErrAtTheDeadline: once a deadline has passed, ContextErr says
// so even before the context's own timer has marked it done (a read
// deadline set from it can fire first).
func TestContextErrAtTheDeadline(t *testing.T) {
	live, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	if err := verify.ContextErr(live); err != nil {
		t.Errorf("ContextErr of a live context = %v, want nil", err)
	}
	notYetNoticed := lateContext{Context: context.Background(), deadline: time.Now().Add(-time.Millisecond)}
	if err := verify.ContextErr(notYetNoticed); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("ContextErr past a deadline the context has not noticed = %v, want DeadlineExceeded", err)
	}
}

// lateContext has a deadline but, like a context whose timer has not run
// yet, no error.
type lateContext struct {
	context.Context
	deadline time.Time
}

func (c lateContext) Deadline() (time.Time, bool) { return c.deadline, true }
