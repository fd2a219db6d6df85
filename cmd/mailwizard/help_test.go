package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"

	"github.com/mailwizard/mailwizard/internal/lab"
)

// helpCommands are every command's help: the root and each command under
// it.
func helpCommands(t *testing.T) [][]string {
	t.Helper()
	out := [][]string{{"--help"}}
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		for _, sc := range c.Commands() {
			if !sc.IsAvailableCommand() {
				continue
			}
			p := append(append([]string(nil), path...), sc.Name())
			out = append(out, append(append([]string(nil), p...), "--help"))
			walk(sc, p)
		}
	}
	root := newRootCmd(testEnv(t))
	root.AddCommand(newDemoCmd(testEnv(t)), newCheckCmd(testEnv(t)), newRecordsCmd(testEnv(t)), newDKIMCmd(testEnv(t)),
		newPublishCmd(testEnv(t)), newCompletionCmd(), newManCmd())
	walk(root, nil)
	return out
}

// TestHelpAt80Columns: every command's --help at 80 columns keeps within
// them, breaks lines only between words (a long example with a backslash,
// as a shell reads it), pads nothing, cuts nothing, and says defaults in
// plain words.
func TestHelpAt80Columns(t *testing.T) {
	for _, args := range helpCommands(t) {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			e := testEnv(t)
			vars := map[string]string{"COLUMNS": "80"}
			e.getenv = func(k string) string { return vars[k] }
			r := runMW(t, e, args...)
			if r.code != 0 || r.stdout == "" {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			for i, l := range strings.Split(r.stdout, "\n") {
				switch {
				case ansi.StringWidth(l) > 80:
					t.Errorf("line %d is %d wide: %q", i+1, ansi.StringWidth(l), l)
				case strings.HasSuffix(l, " ") && !strings.HasSuffix(l, " \\"):
					t.Errorf("line %d is padded: %q", i+1, l)
				case strings.HasSuffix(strings.TrimSuffix(l, " \\"), "…"):
					t.Errorf("line %d is cut: %q", i+1, l)
				case regexp.MustCompile(`\(0s\)|\(0\)|\(false\)|\(default: \)`).MatchString(l):
					t.Errorf("line %d says an empty default: %q", i+1, l)
				}
			}
			for _, want := range []string{"Usage:", "Flags:", "  -h, --help"} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("no %q in:\n%s", want, r.stdout)
				}
			}
		})
	}
	t.Run("the command list names man and completion", func(t *testing.T) {
		r := runMW(t, testEnv(t), "--help")
		for _, want := range []string{"\n  man ", "\n  completion ", "\n  publish "} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("no %q in the command list:\n%s", strings.TrimSpace(want), r.stdout)
			}
		}
	})
	t.Run("a long example is broken between words, never cut", func(t *testing.T) {
		r := runMW(t, testEnv(t), "publish", "--help")
		if !strings.Contains(r.stdout, "--provider \\\n      cloudflare --apply --watch") {
			t.Errorf("the Cloudflare example is not broken with a backslash:\n%s", r.stdout)
		}
	})
}

// TestCompletion: a shell mailwizard has no script for is bad input (exit
// 2, one line), never the help with exit 0.
func TestCompletion(t *testing.T) {
	tests := map[string]struct {
		args []string
		code int
		want string
	}{
		"bash":         {args: []string{"completion", "bash"}, want: "__start_mailwizard"},
		"zsh":          {args: []string{"completion", "zsh"}, want: "#compdef mailwizard"},
		"fish":         {args: []string{"completion", "fish"}, want: "complete -c mailwizard"},
		"tcsh":         {args: []string{"completion", "tcsh"}, code: 2, want: `mailwizard: completion: unknown shell "tcsh"; use bash, zsh, fish, powershell`},
		"no shell":     {args: []string{"completion"}, code: 2, want: "mailwizard: completion: name one shell"},
		"two shells":   {args: []string{"completion", "bash", "zsh"}, code: 2, want: "name one shell"},
		"a flag typed": {args: []string{"completion", "--bash"}, code: 2, want: "unknown flag: --bash"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := runMW(t, testEnv(t), tc.args...)
			if r.code != tc.code || !strings.Contains(r.stdout+r.stderr, tc.want) {
				t.Errorf("exit %d, stdout %.200q, stderr %q; want exit %d and %q", r.code, r.stdout, r.stderr, tc.code, tc.want)
			}
		})
	}
}

// TestManPage renders the man page with man -l, as a user reads it, at 80
// columns: nothing wider than that, the title line without overlap, no
// warning from groff, and each paragraph of the source one paragraph of
// the page. man and groff are installed (man-db, groff-base) when they
// are missing and the test runs as root on Debian, as the lab installs
// its programs; otherwise the test is skipped, or fails with
// MAILWIZARD_E2E=require.
func TestManPage(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var log bytes.Buffer
	lab.Require(t, lab.EnsureCommands(ctx, &log, map[string]string{"man": "man-db", "groff": "groff-base"}))

	r := runMW(t, testEnv(t), "man")
	if r.code != 0 {
		t.Fatalf("man: exit %d, %s", r.code, r.stderr)
	}
	page := filepath.Join(t.TempDir(), "mailwizard.1")
	if err := os.WriteFile(page, []byte(r.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, "man", "--warnings", "-E", "UTF-8", "-l", page)
	cmd.Env = append(os.Environ(), "MANWIDTH=80", "MANPAGER=cat", "PAGER=cat", "LC_ALL=C.UTF-8")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("man -l: %v: %s", err, errOut.String())
	}
	if errOut.Len() > 0 {
		t.Errorf("man -l warned:\n%s", errOut.String())
	}
	text := out.String()
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > 80 {
			t.Errorf("line %d is %d wide: %q", i+1, w, l)
		}
	}
	if title := strings.Fields(lines[0]); len(title) < 3 || title[0] != "MAILWIZARD(1)" || title[len(title)-1] != "MAILWIZARD(1)" {
		t.Errorf("title line %q: want MAILWIZARD(1) at both ends with the heading between", lines[0])
	}
	for _, want := range []string{"NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "COMMANDS", "EXIT STATUS", "FILES", "EXAMPLES",
		"mailwizard publish", "mailwizard completion SHELL", "130"} {
		if !strings.Contains(text, want) {
			t.Errorf("the page has no %q", want)
		}
	}
	// The description is two paragraphs in the source: two on the page.
	desc := section(text, "DESCRIPTION", "OPTIONS")
	if n := len(strings.Split(strings.TrimSpace(desc), "\n\n")); n != 2 {
		t.Errorf("DESCRIPTION has %d paragraphs, want 2:\n%s", n, desc)
	}
	if strings.Contains(text, "re‐\n") || strings.Contains(text, "‐\n") {
		t.Errorf("the page hyphenates a word at the end of a line:\n%s", text)
	}
}

// section is the text of a man page between two headings.
func section(text, from, to string) string {
	_, rest, _ := strings.Cut(text, "\n"+from+"\n")
	body, _, _ := strings.Cut(rest, "\n"+to+"\n")
	return body
}
