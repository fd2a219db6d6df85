package provider

import (
	"net/http"
	"strings"
	"testing"

	"github.com/mailwizard/mailwizard/internal/publish"
	"github.com/mailwizard/mailwizard/internal/steps"
)

// openWith opens the provider name with the credentials env holds, read
// as from the environment, and client (nil: the one Open makes).
func openWith(t *testing.T, name string, env map[string]string, client *http.Client) *Libdns {
	t.Helper()
	spec, ok := ByName(name)
	if !ok {
		t.Fatalf("no provider %q", name)
	}
	creds, err := spec.ReadCredentials(func(v string) string { return env[v] }, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	prov, err := spec.Open(creds, client)
	if err != nil {
		t.Fatal(err)
	}
	return prov
}

// newDKIMKey is the DKIM record of a new 2048-bit key: 410 octets, more
// than one TXT string holds.
var newDKIMKey = "v=DKIM1; k=rsa; p=" + strings.Repeat("A", 392)

// mailRecordsWithDKIM are mailRecords and the new DKIM key at the
// selector mail.
func mailRecordsWithDKIM() []publish.StepRecords {
	return append(mailRecords(), publish.StepRecords{ID: steps.IDDKIM, Where: steps.AtDNSProvider,
		Records: []steps.Record{{Name: "mail._domainkey.example.com.", Type: "TXT", TTL: 3600, Value: newDKIMKey}}})
}

// planAndApply plans mailRecordsWithDKIM into example.com at prov,
// checks that the plan holds every line of want and no record that is
// not the mail server's, and applies it.
func planAndApply(t *testing.T, prov *Libdns, want ...string) {
	t.Helper()
	p, err := publish.Read(t.Context(), prov, "example.com.", mailRecordsWithDKIM())
	if err != nil {
		t.Fatal(err)
	}
	plan := strings.Join(publish.Lines(p), "\n")
	for _, w := range want {
		if !strings.Contains(plan, w) {
			t.Errorf("the plan lacks %q:\n%s", w, plan)
		}
	}
	if strings.Contains(plan, "google-site-verification") || strings.Contains(plan, "other._domainkey") {
		t.Errorf("the plan names records that are not the mail server's:\n%s", plan)
	}
	if _, err := publish.Apply(t.Context(), prov, p); err != nil {
		t.Fatalf("apply: %v", err)
	}
}

// wantNothingLeft fails the test when a second plan at prov has changes.
func wantNothingLeft(t *testing.T, prov *Libdns) {
	t.Helper()
	again, err := publish.Read(t.Context(), prov, "example.com.", mailRecordsWithDKIM())
	if err != nil {
		t.Fatal(err)
	}
	if again.Pending() {
		t.Errorf("second plan is not empty:\n%s", strings.Join(publish.Lines(again), "\n"))
	}
}
