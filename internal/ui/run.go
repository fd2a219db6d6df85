// Package ui is mailwizard's terminal interface: the bubbletea wizard, its
// huh form, lipgloss styles, key map, and the plain/accessible renderer. It
// is the only package that imports charm.land/*.
package ui

// CONTRACT STUB: the UI engineer replaces the body; cmd relies on the
// signature.

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/mailwizard/mailwizard/internal/steps"
	"github.com/mailwizard/mailwizard/internal/verify"
)

// ErrInterrupted is returned by Run when the user pressed Ctrl+C; the
// command exits 130.
var ErrInterrupted = errors.New("interrupted")

// Publisher publishes records into the demo world: the record of a step on
// the first server at once and on the second a little later, or a typical
// mistake instead. It returns a sentence saying what it did.
type Publisher interface {
	Publish(stepID string) (string, error)
	PublishMistake(stepID string) (string, error)
}

// Options configure a wizard run.
type Options struct {
	// Config is what is known so far (from flags or a profile); it may be
	// partial. HaveProfile means it came from a saved profile: go straight
	// to the overview and re-verify.
	Config      steps.Config
	HaveProfile bool
	// Verify are the engine options (resolver, second opinion, test
	// address mapping).
	Verify verify.Options
	// Save persists the answers (the profile); nil in the demo.
	Save func(steps.Config) error
	// KeyDir is where a generated DKIM key is proposed to be written.
	KeyDir string
	// Demo, when set, enables the demo's publish keys.
	Demo Publisher
	// Interval is the polling interval; default 5 s.
	Interval time.Duration
	// Accessible gives plain prompts and lines (also for TERM=dumb or no
	// TTY); Present gives the high-contrast screen-share layout.
	Accessible bool
	Present    bool
	In         io.Reader
	Out        io.Writer
}

// Run runs the wizard until the user quits. It returns ErrInterrupted on
// Ctrl+C, after restoring the terminal and saving the answers.
func Run(ctx context.Context, opts Options) error { return nil }
