package main

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/mailwizard/mailwizard/internal/profile"
)

// TestDNSBLFlag: --dnsbl replaces the list, "none" switches the check off,
// and an empty value is refused rather than switching it off unnoticed.
func TestDNSBLFlag(t *testing.T) {
	tests := map[string]struct {
		values   []string
		wantCode int
		want     []string // the saved list
	}{
		"a zone replaces the list": {values: []string{"bl.example.org"}, want: []string{"bl.example.org."}},
		"zones by commas":          {values: []string{"bl.example.org,dnsbl.example.net"}, want: []string{"bl.example.org.", "dnsbl.example.net."}},
		"none switches it off":     {values: []string{"none"}, want: []string{}},
		"empty is refused":         {values: []string{""}, wantCode: 2},
		"a stray comma is refused": {values: []string{"bl.example.org,"}, wantCode: 2},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := testEnv(t)
			path := filepath.Join(t.TempDir(), "p.toml")
			args := []string{"records", "--domain", "example.com", "--ip", "192.0.2.25", "--profile", path, "--save"}
			for _, v := range tc.values {
				args = append(args, "--dnsbl", v)
			}
			r := runMW(t, e, args...)
			if r.code != tc.wantCode {
				t.Fatalf("exit %d, want %d; stderr: %s", r.code, tc.wantCode, r.stderr)
			}
			if tc.wantCode != 0 {
				return
			}
			p, err := profile.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if p.Config.DNSBL == nil || !slices.Equal(p.Config.DNSBL, tc.want) {
				t.Errorf("saved blocklists %#v, want %#v", p.Config.DNSBL, tc.want)
			}
		})
	}
}

// TestWizardDomainProblem: the wizard words a bad --domain exactly as
// records does, and lets a domain name through.
func TestWizardDomainProblem(t *testing.T) {
	tests := map[string]struct {
		domain  string
		wantBad bool
	}{
		"a space":                         {"exa mple.com", true},
		"an address":                      {"you@example.com", true},
		"a top-level name":                {"com", true},
		"a path":                          {"../../etc", true},
		"a domain":                        {"example.com", false},
		"typed in capitals, with the dot": {"Example.COM.", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := domainProblem(tc.domain); (got != "") != tc.wantBad {
				t.Fatalf("domainProblem(%q) = %q, want a problem: %v", tc.domain, got, tc.wantBad)
			}
			if !tc.wantBad {
				return
			}
			e := testEnv(t)
			wizard := runMW(t, e, "--domain", tc.domain)
			records := runMW(t, e, "records", "--domain", tc.domain, "--ip", "192.0.2.25", "--dnsbl", "none")
			if wizard.code != 2 || wizard.stderr != records.stderr {
				t.Errorf("wizard: exit %d, %q; want exit 2 and what records says: %q", wizard.code, wizard.stderr, records.stderr)
			}
		})
	}
}
