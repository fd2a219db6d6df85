package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mailwizard/mailwizard/internal/demo"
	"github.com/mailwizard/mailwizard/internal/dkimkey"
	"github.com/mailwizard/mailwizard/internal/steps"
)

// demoOptions are Run's options on a fresh demo world.
func demoOptions(t *testing.T) Options {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	world, err := demo.StartWith(ctx, demo.Options{Delay: 100 * time.Millisecond, KeyAlgorithm: dkimkey.Ed25519})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = world.Close() })
	return Options{Config: world.Config(), Verify: world.Verify(), Demo: world, KeyDir: t.TempDir(), ReportDir: t.TempDir(),
		Getenv: func(string) string { return "" }}
}

// TestRunPlain runs the whole command path without a terminal: input that
// is not a TTY gives the plain walk, against the real engine and the demo
// world.
func TestRunPlain(t *testing.T) {
	t.Parallel()
	opts := demoOptions(t)
	var saved []steps.Config
	opts.Save = func(cs []steps.Config) error { saved = append(saved, cs...); return nil }
	var out bytes.Buffer
	opts.In = strings.NewReader(strings.Join([]string{
		"", "", "", "", "", "", "", "", "0", "", "", "", "", // keep every proposal of the form, no other domain
		"p", "y", // publish the host's records, as planned
		"o", // overview: every step checked at once
		"e", // the Markdown report
		"q",
	}, "\n") + "\n")
	opts.Out = &out
	requireUnfinished(t, Run(context.Background(), opts), 1)
	for _, want := range []string{stepNumber(1) + ": Mail host address", "+ mail.example.com. 3600 IN A 192.0.2.25", "Published at the demo's DNS provider: 2 records added.", "Overview of example.com:", "Wrote the report to"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the output has no %q:\n%s", want, out.String())
		}
	}
	report, err := os.ReadFile(filepath.Join(opts.ReportDir, "mailwizard-demo-report-example.com.md"))
	if err != nil || !bytes.Contains(report, []byte("example.com")) {
		t.Errorf("report: %v\n%s", err, report)
	}
	if len(saved) == 0 || saved[len(saved)-1].Domain != "example.com." {
		t.Errorf("saved %d times, want the answers", len(saved))
	}
}

func TestRunInterrupted(t *testing.T) {
	t.Parallel()
	opts := demoOptions(t)
	r, w := io.Pipe()
	t.Cleanup(func() { _ = w.Close() })
	opts.In, opts.Out = r, io.Discard
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, opts) }()
	time.Sleep(200 * time.Millisecond) // waiting for the domain
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, ErrInterrupted) {
			t.Errorf("Run = %v, want ErrInterrupted", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after ctrl+c")
	}
}

func TestPlainTerminal(t *testing.T) {
	t.Parallel()
	tty := openPTY(t)
	env := func(term string) func(string) string {
		return func(k string) string { return map[string]string{"TERM": term}[k] }
	}
	tests := map[string]struct {
		opts Options
		want bool
	}{
		"a terminal gets the full-screen wizard": {
			opts: Options{In: tty, Out: tty, Getenv: env("xterm-256color")}, want: false,
		},
		"TERM=dumb": {
			opts: Options{In: tty, Out: tty, Getenv: env("dumb")}, want: true,
		},
		"input that is not a terminal": {
			opts: Options{In: strings.NewReader(""), Out: tty, Getenv: env("xterm")}, want: true,
		},
		"output that is not a terminal": {
			opts: Options{In: tty, Out: &bytes.Buffer{}, Getenv: env("xterm")}, want: true,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := plainTerminal(tc.opts); got != tc.want {
				t.Errorf("plainTerminal = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestRunInTerminal runs the full-screen wizard on a pseudo-terminal and
// presses ctrl+c in the form: Run says it was interrupted, the answers
// typed so far are saved, and the terminal is back in its normal mode.
func TestRunInTerminal(t *testing.T) {
	t.Parallel()
	ptmx, tty := openPTYPair(t)
	if err := unix.IoctlSetWinsize(int(tty.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: 80}); err != nil {
		t.Fatal(err)
	}
	before, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	var screen safeBuffer
	go func() { _, _ = io.Copy(&screen, ptmx) }()

	opts := demoOptions(t)
	opts.In, opts.Out = tty, tty
	opts.Getenv = func(k string) string { return map[string]string{"TERM": "xterm-256color"}[k] }
	saved := make(chan steps.Config, 4)
	opts.Save = func(cs []steps.Config) error { saved <- cs[0]; return nil }
	done := make(chan error, 1)
	go func() { done <- Run(context.Background(), opts) }()

	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(screen.String(), "Mail domain") {
		if time.Now().After(deadline) {
			t.Fatalf("no form on the terminal:\n%q", screen.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := ptmx.Write([]byte{3}); err != nil { // ctrl+c
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, ErrInterrupted) {
			t.Errorf("Run = %v, want ErrInterrupted", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after ctrl+c")
	}
	select {
	case c := <-saved:
		if c.Domain != "example.com." {
			t.Errorf("saved domain %q, want example.com.", c.Domain)
		}
	default:
		t.Error("nothing was saved")
	}
	after, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	if after.Lflag != before.Lflag || after.Iflag != before.Iflag {
		t.Errorf("terminal modes not restored: lflag %#x → %#x, iflag %#x → %#x", before.Lflag, after.Lflag, before.Iflag, after.Iflag)
	}
}

// safeBuffer is a bytes.Buffer for one writer and one reader.
type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// openPTY opens a pseudo-terminal and returns its terminal side.
func openPTY(t *testing.T) *os.File {
	t.Helper()
	_, tty := openPTYPair(t)
	return tty
}

// openPTYPair opens a pseudo-terminal: its controller side and its
// terminal side.
func openPTYPair(t *testing.T) (ptmx, tty *os.File) {
	t.Helper()
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Fatalf("open /dev/ptmx: %v", err)
	}
	t.Cleanup(func() { _ = ptmx.Close() })
	if err := unix.IoctlSetPointerInt(int(ptmx.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlock the pty: %v", err)
	}
	n, err := unix.IoctlGetInt(int(ptmx.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("name the pty: %v", err)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open the pty: %v", err)
	}
	t.Cleanup(func() { _ = tty.Close() })
	return ptmx, tty
}
