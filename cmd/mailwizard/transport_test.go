package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailwizard/mailwizard/internal/probeserver"
	"github.com/mailwizard/mailwizard/internal/profile"
	"github.com/mailwizard/mailwizard/internal/verify/dnsworld"
)

// TestTransportFlagsBadInput: a bad value of the transport-security flags,
// or of their profile keys, is one line naming the flag or the profile's
// line, exit 2.
func TestTransportFlagsBadInput(t *testing.T) {
	base := []string{"records", "--domain", "example.com", "--ip", "192.0.2.25", "--dnsbl", "none"}
	tests := map[string]struct {
		args     func(dir string) []string
		profile  string // written as the profile when not empty
		wantLine string
	}{
		"mode":                {args: func(string) []string { return []string{"--mta-sts-mode", "strict"} }, wantLine: `mailwizard: --mta-sts-mode: "strict" is not an MTA-STS mode; use testing or enforce`},
		"mode none":           {args: func(string) []string { return []string{"--mta-sts-mode", "none"} }, wantLine: "mailwizard: --mta-sts-mode: none withdraws a policy"},
		"report address":      {args: func(string) []string { return []string{"--tls-rpt-rua", "reports"} }, wantLine: `mailwizard: --tls-rpt-rua: "reports" is not a mail address`},
		"report URL":          {args: func(string) []string { return []string{"--tls-rpt-rua", "http://r.example.net/"} }, wantLine: "mailwizard: --tls-rpt-rua: "},
		"no certificate file": {args: func(dir string) []string { return []string{"--tls-cert", filepath.Join(dir, "none.pem")} }, wantLine: "mailwizard: --tls-cert: cannot read "},
		"a key as the certificate": {args: func(dir string) []string {
			return []string{"--tls-cert", writeKey(t, dir)}
		}, wantLine: "mailwizard: --tls-cert: "},
		"profile mode": {profile: "version = 1\ndomain = \"example.com.\"\nip = [\"192.0.2.25\"]\nmta-sts-mode = \"enforced\"\n",
			args: func(string) []string { return nil }, wantLine: "mailwizard: profile "},
		"profile id": {profile: "version = 1\ndomain = \"example.com.\"\nip = [\"192.0.2.25\"]\nmta-sts-id = \"2026-03-01\"\n",
			args: func(string) []string { return nil }, wantLine: "mailwizard: profile "},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			e := testEnv(t)
			dir := t.TempDir()
			args := append(append([]string{}, base...), tc.args(dir)...)
			if tc.profile != "" {
				path := filepath.Join(dir, "p.toml")
				writeFile(t, path, tc.profile)
				args = []string{"records", "--profile", path}
			}
			r := runMW(t, e, args...)
			lines := r.errLines()
			if r.code != 2 || len(lines) != 1 || !strings.HasPrefix(lines[0], tc.wantLine) {
				t.Fatalf("exit %d, stderr:\n%s\nwant exit 2 and one line starting %q", r.code, r.stderr, tc.wantLine)
			}
			if strings.Contains(r.stderr, "PRIVATE KEY") || strings.Contains(r.stderr, "goroutine") {
				t.Fatalf("stderr shows a key or a stack trace:\n%s", r.stderr)
			}
			if tc.profile != "" && !strings.Contains(lines[0], ":4: mta-sts-") {
				t.Errorf("the line does not name the profile's line 4 and key: %s", lines[0])
			}
		})
	}
}

// TestTransportProfile: the transport choices are saved under the flags'
// names, and the MTA-STS id stays while the policy stays the same.
func TestTransportProfile(t *testing.T) {
	e := testEnv(t)
	path := filepath.Join(t.TempDir(), "example.com.toml")
	args := []string{"records", "--profile", path, "--domain", "example.com", "--ip", "192.0.2.25", "--dnsbl", "none"}
	if r := runMW(t, e, append(args, "--save", "--dane", "--tls-rpt-rua", "tls@example.net")...); r.code != 0 {
		t.Fatalf("first save: exit %d\n%s", r.code, r.stderr)
	}
	first, err := profile.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	c := first.Config
	if c.MTASTSID != "20260301T120000Z" || c.MTASTSMode != "testing" || !c.DANE || c.TLSRPTRUA != "mailto:tls@example.net" {
		t.Fatalf("saved %+v", c)
	}
	e.now = func() time.Time { return testNow.Add(time.Hour) }
	if r := runMW(t, e, "records", "--profile", path, "--save"); r.code != 0 {
		t.Fatalf("second save: exit %d\n%s", r.code, r.stderr)
	}
	if again, _ := profile.Load(path); again.Config.MTASTSID != "20260301T120000Z" {
		t.Errorf("the id changed to %q, though the policy did not", again.Config.MTASTSID)
	}
	if r := runMW(t, e, "records", "--profile", path, "--save", "--mta-sts-mode", "enforce"); r.code != 0 {
		t.Fatalf("third save: exit %d\n%s", r.code, r.stderr)
	}
	if again, _ := profile.Load(path); again.Config.MTASTSID != "20260301T130000Z" || again.Config.MTASTSMode != "enforce" {
		t.Errorf("after switching to enforce the profile has id %q, mode %q; want a new id", again.Config.MTASTSID, again.Config.MTASTSMode)
	}
}

// TestPublishTLSAOnlyIntoASignedZone: publish --dane leaves the TLSA
// records out of the plan while the zone is not signed with a DS at its
// parent, and says why; once it is, they are planned.
func TestPublishTLSAOnlyIntoASignedZone(t *testing.T) {
	t.Parallel()
	w := newPublishWorld(t)
	chain, _, err := probeserver.PEM(w.host.Cert)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "chain.pem")
	writeFile(t, file, string(chain))
	const tlsa = "+ _25._tcp.mail.example.com."
	r := w.publish(t, "--provider", "ovh", "--dane", "--tls-cert", file)
	if r.code != 1 || !strings.Contains(r.stdout, "The TLSA records are left out: the zone example.com. is not signed (no DNSKEY).") || strings.Contains(r.stdout, tlsa) {
		t.Fatalf("unsigned zone: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	signer, err := dnsworld.NewZoneSigner("example.com.")
	if err != nil {
		t.Fatal(err)
	}
	w.lab.Sign("example.com.", signer)
	parent, err := w.lab.ServeParent("example.com.")
	if err != nil {
		t.Fatal(err)
	}
	r = w.publish(t, "--provider", "ovh", "--dane", "--tls-cert", file)
	if r.code != 1 || !strings.Contains(r.stdout, "its parent has no DS record") || strings.Contains(r.stdout, tlsa) {
		t.Fatalf("signed, no DS: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if err := parent.Zones().AddRR(signer.DS()); err != nil {
		t.Fatal(err)
	}
	r = w.publish(t, "--provider", "ovh", "--dane", "--tls-cert", file)
	if r.code != 1 || strings.Contains(r.stdout, "left out") || !strings.Contains(r.stdout, tlsa) {
		t.Fatalf("signed with a DS: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}
