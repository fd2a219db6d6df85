package ui

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// savedAs makes a backend whose profile store holds cfg for its domain,
// or an error for every domain when broken is set.
func savedAs(be backend, cfg steps.Config, broken error) backend {
	be.load = func(domain string) (steps.Config, bool, error) {
		if broken != nil {
			return steps.Config{}, false, broken
		}
		if trimDot(strings.ToLower(domain)) != trimDot(cfg.Domain) {
			return steps.Config{}, false, nil
		}
		return cfg, true, nil
	}
	return be
}

// TestFormResumesASavedProfile: typing a domain that has saved answers
// resumes them (straight to the overview, re-checking), instead of starting
// over and later saving on top of them; a domain without one goes on to
// the questions.
func TestFormResumesASavedProfile(t *testing.T) {
	t.Parallel()
	saved := testConfig(t)
	saved.Host = "mx.example.com."
	tests := map[string]struct {
		domain      string
		wantPhase   phase
		wantHost    string
		wantOnPage  []string
		notOnScreen []string
	}{
		"a domain with saved answers": {
			domain: "example.com", wantPhase: phaseOverview, wantHost: "mx.example.com.",
			wantOnPage: []string{"Overview"},
		},
		"a domain without": {
			domain: "other.example", wantPhase: phaseForm,
			wantOnPage: []string{"Server IP addresses"}, notOnScreen: []string{"Overview"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			be, stored := keyBackend(t, newFakeWorld())
			be = savedAs(be, saved, nil)
			m := formIn(t, be, t.TempDir())
			m = keys(t, typeText(t, m, tc.domain), "enter", "enter")
			got := m.(model)
			if got.phase != tc.wantPhase {
				t.Fatalf("phase %d, want %d:\n%s", got.phase, tc.wantPhase, screen(m))
			}
			if tc.wantHost != "" && got.cfg.Host != tc.wantHost {
				t.Errorf("host %q, want the saved %q", got.cfg.Host, tc.wantHost)
			}
			requireContains(t, m, tc.wantOnPage...)
			requireAbsent(t, m, tc.notOnScreen...)
			if len(*stored) != 0 {
				t.Errorf("saved %d times while resuming, want never", len(*stored))
			}
		})
	}
}

// TestFormRefusesADomainWhoseProfileIsBroken: a saved profile that does not
// load is never saved over: its domain is refused with the reason.
func TestFormRefusesADomainWhoseProfileIsBroken(t *testing.T) {
	t.Parallel()
	be, stored := keyBackend(t, newFakeWorld())
	be = savedAs(be, steps.Config{}, errors.New("example.com.toml:4: ip: not an IP address"))
	m := formIn(t, be, t.TempDir())
	m = keys(t, typeText(t, m, "example.com"), "enter")
	if m.(model).phase != phaseForm {
		t.Fatalf("phase %d, want the form still", m.(model).phase)
	}
	requireContains(t, m, "do not load", "example.com.toml:4")
	m = keys(t, m, "enter", "enter")
	if m.(model).phase != phaseForm || strings.Contains(screen(m), "Server IP addresses") {
		t.Fatalf("the form went on past the refused domain:\n%s", screen(m))
	}
	if fm := m.(model); saveOnExit(fm, be) != nil || len(*stored) != 0 {
		t.Errorf("the unfinished form was saved over the broken profile: %+v", *stored)
	}
}

// TestInterruptedFormNeverReplacesAProfile: Ctrl+C in the form saves what
// was typed only when no profile exists for the domain.
func TestInterruptedFormNeverReplacesAProfile(t *testing.T) {
	t.Parallel()
	for name, haveProfile := range map[string]bool{"profile exists": true, "no profile": false} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			be, stored := keyBackend(t, newFakeWorld())
			if haveProfile {
				be = savedAs(be, testConfig(t), nil)
			}
			m := formIn(t, be, t.TempDir())
			m = typeText(t, m, "example.com") // typed, not yet entered
			m, _ = m.Update(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
			if err := saveOnExit(m.(model), be); err != nil {
				t.Fatal(err)
			}
			if wantSaved := !haveProfile; (len(*stored) > 0) != wantSaved {
				t.Errorf("saved %d times, want saved = %v", len(*stored), wantSaved)
			}
		})
	}
}

// TestAccessibleResumesASavedProfile: the plain walk does the same.
func TestAccessibleResumesASavedProfile(t *testing.T) {
	t.Parallel()
	be, stored := keyBackend(t, newFakeWorld())
	be = savedAs(be, testConfig(t), nil)
	var out bytes.Buffer
	opts := Options{In: strings.NewReader("example.com\n\nq\n"), Out: &out, KeyDir: t.TempDir()}
	requireUnfinished(t, runPlain(context.Background(), opts, be, steps.All()), 1)
	text := out.String()
	if !strings.Contains(text, "Found your saved answers for example.com") || !strings.Contains(text, "Overview of example.com") {
		t.Errorf("the walk did not resume the saved answers:\n%s", text)
	}
	if strings.Contains(text, "Server IP addresses") {
		t.Errorf("the walk asked the questions again:\n%s", text)
	}
	for _, c := range *stored {
		if c.Host != "mail.example.com." || len(c.IPs) != 2 {
			t.Errorf("saved %+v, want the profile's own answers", c)
		}
	}
}
