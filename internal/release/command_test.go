package release

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// command runs name with args in dir under ctx, with the process environment
// plus env, and returns its standard output. On failure it stops the test
// with the command line and everything the command printed.
func command(ctx context.Context, t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	// A killed command may leave children holding its pipes: stop waiting
	// for them after a while.
	cmd.WaitDelay = 10 * time.Second
	var stdout, stderr strings.Builder
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s (in %s): %v\nstdout:\n%s\nstderr:\n%s",
			name, strings.Join(args, " "), dir, err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// deadline returns a context that ends a minute before the test binary's
// -timeout, so a hung build fails with its output instead of a panic dump.
func deadline(t *testing.T) context.Context {
	t.Helper()
	end, ok := t.Deadline()
	if !ok {
		return t.Context()
	}
	ctx, cancel := context.WithDeadline(t.Context(), end.Add(-time.Minute))
	t.Cleanup(cancel)
	return ctx
}
