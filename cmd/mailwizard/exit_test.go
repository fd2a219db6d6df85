package main

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailwizard/mailwizard/internal/buildinfo"
	"github.com/mailwizard/mailwizard/internal/profile"
	"github.com/mailwizard/mailwizard/internal/steps"
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

// TestWizardExit: the wizard's end as an exit code: 0 done, check's code
// for the last results when unfinished, 2 when the input ended before the
// form did, 130 after Ctrl+C.
func TestWizardExit(t *testing.T) {
	tests := map[string]struct {
		err  error
		code int
	}{
		"every step verified":        {nil, 0},
		"steps pending":              {&ui.Unfinished{Code: 1}, 1},
		"the rest could not check":   {&ui.Unfinished{Code: 3}, 3},
		"the input ended":            {ui.ErrInputEnded, 2},
		"interrupted":                {ui.ErrInterrupted, 130},
		"anything else is a failure": {errors.New("run the wizard: broken terminal"), 1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := exitCode(wizardExit(tc.err)); got != tc.code {
				t.Errorf("exit code %d, want %d", got, tc.code)
			}
		})
	}
}

// TestWizardInputEnds: the plain wizard whose input ends before the form
// is answered exits 2, says why, and saves nothing.
func TestWizardInputEnds(t *testing.T) {
	e := testEnv(t)
	e.stdin = strings.NewReader("example.com\n")
	r := runMW(t, e, "--accessible", "--resolver", "127.0.0.1:1")
	if r.code != 2 || !strings.Contains(r.stderr, "the input ended before every question was answered; nothing was saved") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	if files, _ := filepath.Glob(filepath.Join(e.getenv("XDG_CONFIG_HOME"), "mailwizard", "*")); len(files) > 0 {
		t.Errorf("saved %v", files)
	}
}

// TestWizardProfileOfSeveralDomains: --domain naming a further domain of a
// profile of several domains opens the wizard on all of them, from that
// profile, and saves them back there, the file keeping both.
func TestWizardProfileOfSeveralDomains(t *testing.T) {
	e := testEnv(t)
	dir := filepath.Join(e.getenv("XDG_CONFIG_HOME"), "mailwizard")
	first := steps.Config{Domain: "example.com.", Host: "mail.example.com.", IPs: []netip.Addr{netip.MustParseAddr("192.0.2.25")}, DNSBL: []string{}}
	second := steps.Config{Domain: "example.org."}.WithHostOf(first)
	path := filepath.Join(dir, "example.com.toml")
	if err := profile.SaveAll(path, []steps.Config{first, second}); err != nil {
		t.Fatal(err)
	}
	e.stdin = strings.NewReader("q\n")
	r := runMW(t, e, "--accessible", "--domain", "example.org", "--resolver", "127.0.0.1:1", "--no-probe")
	for _, want := range []string{"Overview of example.com", "n goes on to example.org's steps"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("no %q in:\n%s", want, r.stdout)
		}
	}
	p, err := profile.Load(path)
	if err != nil || len(p.Domains) != 2 {
		t.Fatalf("the profile after the wizard: %v, %d domains", err, len(p.Domains))
	}
	if _, err := os.Stat(filepath.Join(dir, "example.org.toml")); err == nil {
		t.Error("the wizard wrote example.org.toml beside the profile that holds it")
	}
}
