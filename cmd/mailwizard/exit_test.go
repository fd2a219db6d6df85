package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mailwizard/mailwizard/internal/buildinfo"
	"github.com/mailwizard/mailwizard/internal/ui"
)

func TestExitCode(t *testing.T) {
	tests := map[string]struct {
		err  error
		want int
	}{
		"success":                           {nil, 0},
		"pending, silent":                   {exitWith(1), 1},
		"could not check":                   {couldNotCheck("no resolver"), 3},
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

// TestCheckInterrupted: Ctrl+C during a check exits 130 without a report.
func TestCheckInterrupted(t *testing.T) {
	w := newCheckWorld(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	e := w.e
	var out, errOut syncBuffer
	e.stdout, e.stderr = &out, &errOut
	if code := run(ctx, append([]string{"check"}, w.args...), e); code != 130 {
		t.Errorf("exit code = %d, want 130; stderr: %s", code, errOut.String())
	}
	if out.String() != "" {
		t.Errorf("stdout = %q, want no report", out.String())
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
