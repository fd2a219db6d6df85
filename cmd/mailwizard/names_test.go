package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHugeNames: a name far too long (or with a label too long) is refused
// before it names a profile file, on one short line: the message quotes a
// few dozen characters of it, never the whole.
func TestHugeNames(t *testing.T) {
	huge := strings.Repeat("a", 130000)
	dotted := strings.Repeat("abcdefgh.", 14000) + "com"
	longLabel := strings.Repeat("b", 64) + ".example.com"
	tests := map[string]struct {
		args []string
		want string
	}{
		"check --domain":           {[]string{"check", "--domain", huge}, `--domain: "aaaa`},
		"check --domain dotted":    {[]string{"check", "--domain", dotted, "--ip", "192.0.2.25"}, "is 126003 characters long; a domain name can have at most 253"},
		"check --domain label":     {[]string{"check", "--domain", longLabel, "--ip", "192.0.2.25"}, "has a label of 64 characters"},
		"records --domain":         {[]string{"records", "--domain", huge, "--ip", "192.0.2.25"}, "is 130000 characters long"},
		"check --save --domain":    {[]string{"check", "--domain", huge, "--ip", "192.0.2.25", "--save"}, "is 130000 characters long"},
		"wizard --domain":          {[]string{"--domain", huge}, "is 130000 characters long"},
		"unicode --domain":         {[]string{"check", "--domain", strings.Repeat("ü", 300) + ".example", "--ip", "192.0.2.25"}, "is 308 characters long"},
		"check --host":             {[]string{"check", "--domain", "example.com", "--ip", "192.0.2.25", "--host", huge + ".example.com"}, "--host: "},
		"check --dmarc-rua":        {[]string{"check", "--domain", "example.com", "--ip", "192.0.2.25", "--dmarc-rua", "a@" + huge}, "--dmarc-rua: "},
		"check --spf-include":      {[]string{"check", "--domain", "example.com", "--ip", "192.0.2.25", "--spf-include", huge}, "--spf-include: "},
		"check --dkim-selector":    {[]string{"check", "--domain", "example.com", "--ip", "192.0.2.25", "--dkim-selector", huge}, "--dkim-selector: "},
		"check --ip":               {[]string{"check", "--domain", "example.com", "--ip", huge}, "--ip: "},
		"check --resolver":         {[]string{"check", "--domain", "example.com", "--ip", "192.0.2.25", "--resolver", huge}, "--resolver "},
		"records --format":         {[]string{"records", "--domain", "example.com", "--ip", "192.0.2.25", "--format", huge}, "--format "},
		"dkim generate --selector": {[]string{"dkim", "generate", "--selector", huge, "--out", "x.pem"}, "is 130000 characters long; a selector"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			e := testEnv(t)
			badDomain := !strings.Contains(strings.Join(tc.args, " "), "--domain example.com")
			if badDomain {
				// A profile folder that is a file: a profile lookup of the
				// bad domain would fail with "not a directory" and say so.
				conf := filepath.Join(t.TempDir(), "conf")
				if err := os.WriteFile(conf, nil, 0o600); err != nil {
					t.Fatal(err)
				}
				e.getenv = func(k string) string {
					return map[string]string{"XDG_CONFIG_HOME": conf, "HOME": conf, "TERM": "dumb"}[k]
				}
			}
			r := runMW(t, e, tc.args...)
			if r.code != 2 {
				t.Errorf("exit %d, want 2", r.code)
			}
			if len(r.stderr) > 400 || len(r.stdout) > 400 {
				t.Errorf("%d bytes on stderr and %d on stdout, want one short line:\n%.600s", len(r.stderr), len(r.stdout), r.stderr)
			}
			if !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr %q, want it to say %q", r.stderr, tc.want)
			}
			if badDomain && (strings.Contains(r.stderr, "not a directory") || strings.Contains(r.stderr, "profile ")) {
				t.Errorf("the name reached the file system: %q", r.stderr)
			}
		})
	}
}

// TestHugeNameInAProfile: a profile's domain of any size is refused with
// the profile's file and line, in a short line.
func TestHugeNameInAProfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.toml")
	writeFile(t, path, "version = 1\ndomain = \""+strings.Repeat("a", 130000)+"\"\nip = [\"192.0.2.25\"]\n")
	r := runMW(t, testEnv(t), "records", "--profile", path)
	if r.code != 2 || len(r.stderr) > 400 || !strings.Contains(r.stderr, "profile "+path+":2: domain: ") || !strings.Contains(r.stderr, "is 130000 characters long") {
		t.Errorf("exit %d, stderr (%d bytes) %.500q", r.code, len(r.stderr), r.stderr)
	}
}
