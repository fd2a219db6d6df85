package demo

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// TestWorldServer: the demo's mail server answers the server step from
// the start (port 25 and the services offered at the mail host), and its
// autoconfig and autodiscover endpoints once their names are published.
func TestWorldServer(t *testing.T) {
	w := startWorld(t, time.Hour)
	r := check(t, w)[steps.IDServer]
	if r.Status != steps.StatusPass || len(r.Probes) != 8 {
		t.Fatalf("server step %s with %d rows, want pass with 8 (ports 25, 587, 465 and 993 of both addresses): %+v", r.Status, len(r.Probes), r.Findings)
	}
	for _, row := range r.Probes {
		if row.From != "127.0.0.1" || row.Status != steps.StatusPass {
			t.Errorf("row %+v", row)
		}
	}
	if !strings.Contains(r.Probes[0].Detail, "greets as mail.example.com") || !strings.HasPrefix(r.Probes[0].TLSA, "3 1 1 ") {
		t.Errorf("port 25 row %+v", r.Probes[0])
	}
	publishAll(t, w, steps.IDHost, steps.IDPTR, steps.IDAutoconfig)
	r = check(t, w)[steps.IDServer]
	if r.Status != steps.StatusPass || len(r.Probes) != 12 {
		t.Fatalf("server step %s with %d rows once autoconfig is published, want pass with 12: %+v", r.Status, len(r.Probes), r.Findings)
	}
	msg, err := w.Publish(steps.IDServer)
	if err != nil || !strings.Contains(msg, "Nothing to publish") {
		t.Errorf("Publish(server) = %q, %v", msg, err)
	}
}

// TestWorldServerMistake: the server step's typical mistake shows at the
// next check (a greeting as localhost, a self-signed certificate for it),
// and Publish puts it right.
func TestWorldServerMistake(t *testing.T) {
	w := startWorld(t, time.Hour)
	publishAll(t, w, steps.IDHost, steps.IDPTR)
	msg, err := w.PublishMistake(steps.IDServer)
	if err != nil || !strings.Contains(msg, "greets as localhost.localdomain") {
		t.Fatalf("PublishMistake(server) = %q, %v", msg, err)
	}
	r := check(t, w)[steps.IDServer]
	got := codes(r)
	for _, want := range []string{steps.CodeSMTPGreetingName, steps.CodeTLSCertUntrusted, steps.CodeTLSCertName} {
		if !slices.Contains(got, want) {
			t.Errorf("with the mistake: %s missing from %v", want, got)
		}
	}
	if r.Status != steps.StatusFail {
		t.Errorf("with the mistake: %s, want fail", r.Status)
	}
	if msg, err := w.Publish(steps.IDServer); err != nil || !strings.Contains(msg, "Fixed the demo's mail server") {
		t.Fatalf("Publish(server) = %q, %v", msg, err)
	}
	if r := check(t, w)[steps.IDServer]; r.Status != steps.StatusPass {
		t.Errorf("fixed: %s %v, want pass", r.Status, codes(r))
	}
}
