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
