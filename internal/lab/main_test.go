package lab_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/mailwizard/mailwizard/internal/lab"
)

// Set once by TestMain, read by the tests.
var (
	progs  lab.Programs
	labErr error
	// bin is the mailwizard binary under test; dir holds it and the lab
	// mail server's DKIM key.
	bin, dir string
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	progs, labErr = lab.Ensure(ctx, os.Stderr)
	var err error
	dir, err = os.MkdirTemp("", "mailwizard-e2e-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if labErr == nil {
		start := time.Now()
		bin = filepath.Join(dir, "mailwizard")
		if err := build(ctx, bin); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Fprintf(os.Stderr, "e2e: built mailwizard in %s\n", time.Since(start).Round(time.Millisecond))
		key := exec.CommandContext(ctx, bin, "dkim", "generate", "--selector", "lab", "--out", filepath.Join(dir, "lab.pem"))
		if out, err := key.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "mailwizard dkim generate: %v\n%s", err, out)
			return 1
		}
	}
	return m.Run()
}

// build builds mailwizard once for every e2e test, with the race detector
// when the tests have it (raceEnabled), which also reuses their build
// cache.
func build(ctx context.Context, out string) error {
	args := []string{"build", "-o", out}
	if raceEnabled {
		args = append(args, "-race")
	}
	cmd := exec.CommandContext(ctx, "go", append(args, "github.com/mailwizard/mailwizard/cmd/mailwizard")...)
	if output, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build mailwizard: %w\n%s", err, output)
	}
	return nil
}
