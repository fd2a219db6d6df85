package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mailwizard/mailwizard/internal/buildinfo"
	"github.com/mailwizard/mailwizard/internal/ui"
	"github.com/mailwizard/mailwizard/internal/verify/verifytest"
)

func TestExitCode(t *testing.T) {
	tests := map[string]struct {
		err  error
		want int
	}{
		"success":                           {nil, 0},
		"pending, silent":                   {exitWith(1), 1},
		"could not check":                   {couldNotCheck("no resolver"), 3},
		"could not write":                   {couldNotWrite(errors.New("no space left on device")), 4},
		"bad input":                         {badInput("--ip: bad"), 2},
		"cobra's own usage errors":          {errors.New(`unknown command "x" for "mailwizard"`), 2},
		"wrapped exit error keeps its code": {fmt.Errorf("context: %w", couldNotCheck("x")), 3},
		"wizard interrupted":                {wizardExit(ui.ErrInterrupted), 130},
		"wizard done":                       {wizardExit(nil), 0},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := exitCode(tc.err); got != tc.want {
				t.Errorf("exitCode(%v) = %d, want %d", tc.err, got, tc.want)
			}
		})
	}
}

// TestCheckInterrupted: Ctrl+C before or during a check round exits 130
// without a report.
func TestCheckInterrupted(t *testing.T) {
	tests := map[string]struct {
		slow  bool          // the nameservers take 5 s to answer
		after time.Duration // when Ctrl+C comes
	}{
		"before the round": {after: 0},
		"during the round": {slow: true, after: 300 * time.Millisecond},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			w := newCheckWorld(t)
			if tc.slow {
				w.lab.SetFault(verifytest.Fault{Delay: 5 * time.Second})
			}
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(tc.after, cancel)
			e := w.e
			var out, errOut syncBuffer
			e.stdout, e.stderr = &out, &errOut
			start := time.Now()
			if code := run(ctx, append([]string{"check"}, w.args...), e); code != 130 {
				t.Errorf("exit code = %d, want 130; stderr: %s", code, errOut.String())
			}
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("took %s to stop after Ctrl+C", took)
			}
			if out.String() != "" {
				t.Errorf("stdout = %q, want no report", out.String())
			}
		})
	}
}

// TestVersion: --version prints the build's version line, commit and date
// included, as buildinfo renders it.
func TestVersion(t *testing.T) {
	r := runMW(t, testEnv(t), "--version")
	want := buildinfo.Get().String()
	if r.code != 0 || !strings.Contains(r.stdout, want) {
		t.Errorf("--version: exit %d, printed %q; want %q in it", r.code, r.stdout, want)
	}
}
