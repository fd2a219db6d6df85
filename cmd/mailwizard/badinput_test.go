package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadInput: every bad flag value, unreadable file and bad profile is
// one line naming the flag or the file, exit 2, and no stack trace.
func TestBadInput(t *testing.T) {
	base := []string{"--domain", "example.com", "--ip", "192.0.2.25", "--dnsbl", "none"}
	tests := map[string]struct {
		// setup prepares files in dir and returns the arguments.
		setup    func(t *testing.T, e env, dir string) []string
		wantLine string // the start of the one line printed
	}{
		"unknown flag": {
			setup:    func(*testing.T, env, string) []string { return []string{"check", "--colour"} },
			wantLine: "mailwizard: unknown flag: --colour",
		},
		"argument where none is taken": {
			setup:    func(*testing.T, env, string) []string { return []string{"records", "example.com"} },
			wantLine: "mailwizard: unknown command",
		},
		"no domain": {
			setup:    func(*testing.T, env, string) []string { return []string{"records", "--ip", "192.0.2.25"} },
			wantLine: "mailwizard: --domain: ",
		},
		"bad domain": {
			setup: func(*testing.T, env, string) []string {
				return []string{"records", "--domain", "exa mple.com", "--ip", "192.0.2.25"}
			},
			wantLine: "mailwizard: --domain: ",
		},
		"bad host": {
			setup: func(*testing.T, env, string) []string {
				return append([]string{"records", "--host", "mail..example.com"}, base...)
			},
			wantLine: "mailwizard: --host: ",
		},
		"bad address": {
			setup: func(*testing.T, env, string) []string {
				return []string{"records", "--domain", "example.com", "--ip", "192.0.2.x"}
			},
			wantLine: `mailwizard: --ip: "192.0.2.x" is not an IP address`,
		},
		"unreadable private key": {
			setup: func(_ *testing.T, _ env, dir string) []string {
				return append([]string{"records", "--dkim-selector", "mail", "--dkim-key", filepath.Join(dir, "none.pem")}, base...)
			},
			wantLine: "mailwizard: --dkim-key: ",
		},
		"private key file that holds no key": {
			setup: func(t *testing.T, _ env, dir string) []string {
				path := filepath.Join(dir, "notakey.pem")
				writeFile(t, path, "hello\n")
				return append([]string{"records", "--dkim-selector", "mail", "--dkim-key", path}, base...)
			},
			wantLine: "mailwizard: --dkim-key: ",
		},
		"a device as the private key": {
			setup: func(*testing.T, env, string) []string {
				return append([]string{"records", "--dkim-selector", "mail", "--dkim-key", os.DevNull}, base...)
			},
			wantLine: "mailwizard: --dkim-key: cannot read " + os.DevNull + ": it is not a regular file",
		},
		"a folder as the private key": {
			setup: func(_ *testing.T, _ env, dir string) []string {
				return append([]string{"records", "--dkim-selector", "mail", "--dkim-key", dir}, base...)
			},
			wantLine: "mailwizard: --dkim-key: cannot read ",
		},
		"unreadable public key": {
			setup: func(_ *testing.T, _ env, dir string) []string {
				return append([]string{"records", "--dkim-selector", "mail", "--dkim-public-key", filepath.Join(dir, "none.pub")}, base...)
			},
			wantLine: "mailwizard: --dkim-public-key: ",
		},
		"bad selector": {
			setup: func(t *testing.T, _ env, dir string) []string {
				return append([]string{"records", "--dkim-selector", "mail selector", "--dkim-key", writeKey(t, dir)}, base...)
			},
			wantLine: "mailwizard: --dkim-selector: ",
		},
		"bad DMARC policy": {
			setup: func(*testing.T, env, string) []string {
				return append([]string{"records", "--dmarc-policy", "block"}, base...)
			},
			wantLine: "mailwizard: --dmarc-policy: ",
		},
		"bad DMARC report address": {
			setup: func(*testing.T, env, string) []string {
				return append([]string{"records", "--dmarc-rua", "not an address"}, base...)
			},
			wantLine: "mailwizard: --dmarc-rua: ",
		},
		"bad SPF include": {
			setup: func(*testing.T, env, string) []string {
				return append([]string{"records", "--spf-include", "relay..example.net"}, base...)
			},
			wantLine: "mailwizard: --spf-include: ",
		},
		"unknown service": {
			setup: func(*testing.T, env, string) []string {
				return append([]string{"records", "--services", "smtp"}, base...)
			},
			wantLine: "mailwizard: --services: ",
		},
		"bad blocklist zone": {
			setup: func(*testing.T, env, string) []string {
				return []string{"records", "--domain", "example.com", "--ip", "192.0.2.25", "--dnsbl", "bl..example.org"}
			},
			wantLine: "mailwizard: --dnsbl: ",
		},
		"none among blocklists": {
			setup: func(*testing.T, env, string) []string {
				return []string{"records", "--domain", "example.com", "--ip", "192.0.2.25", "--dnsbl", "none", "--dnsbl", "bl.example.org"}
			},
			wantLine: `mailwizard: --dnsbl: "none" disables the blocklist check; give it alone`,
		},
		"empty blocklist value": {
			setup: func(*testing.T, env, string) []string {
				return []string{"records", "--domain", "example.com", "--ip", "192.0.2.25", "--dnsbl", ""}
			},
			wantLine: `mailwizard: --dnsbl: empty; give a blocklist zone`,
		},
		"stray commas among addresses": {
			setup: func(*testing.T, env, string) []string {
				return []string{"records", "--domain", "example.com", "--dnsbl", "none", "--ip", "192.0.2.25,,"}
			},
			wantLine: `mailwizard: --ip: an empty address (a stray comma?)`,
		},
		"stray commas among services": {
			setup: func(*testing.T, env, string) []string {
				return append([]string{"records", "--services", "imaps,,"}, base...)
			},
			wantLine: `mailwizard: --services: "" is not a service`,
		},
		"unknown step to skip": {
			setup: func(*testing.T, env, string) []string {
				return append([]string{"records", "--skip", "no-such-step"}, base...)
			},
			wantLine: "mailwizard: --skip: ",
		},
		"bad resolver": {
			setup: func(*testing.T, env, string) []string {
				return append([]string{"check", "--resolver", "dns.example:53"}, base...)
			},
			wantLine: `mailwizard: --resolver "dns.example:53": want an IP address`,
		},
		"bad format": {
			setup: func(*testing.T, env, string) []string {
				return append([]string{"records", "--format", "yaml"}, base...)
			},
			wantLine: `mailwizard: --format "yaml": use table, zone, json, dnscontrol or octodns`,
		},
		"json and markdown": {
			setup: func(*testing.T, env, string) []string {
				return append([]string{"check", "--json", "--markdown"}, base...)
			},
			wantLine: "mailwizard: --json and --markdown: choose one",
		},
		"zero interval": {
			setup: func(*testing.T, env, string) []string {
				return append([]string{"check", "--watch", "--interval", "0s"}, base...)
			},
			wantLine: "mailwizard: --interval 0s: must be more than 0",
		},
		"negative timeout": {
			setup: func(*testing.T, env, string) []string {
				return append([]string{"check", "--watch", "--timeout=-1s"}, base...)
			},
			wantLine: "mailwizard: --timeout -1s: must be 0 (no limit) or more",
		},
		"interval without watch": {
			setup:    func(*testing.T, env, string) []string { return append([]string{"check", "--interval", "1s"}, base...) },
			wantLine: "mailwizard: --interval and --timeout only apply with --watch",
		},
		"unparsable interval": {
			setup: func(*testing.T, env, string) []string {
				return append([]string{"check", "--watch", "--interval", "soon"}, base...)
			},
			wantLine: `mailwizard: --interval "soon": want a duration with a unit, like 5s, 1m or 1h30m`,
		},
		"interval without a unit": {
			setup: func(*testing.T, env, string) []string {
				return append([]string{"check", "--watch", "--interval", "5"}, base...)
			},
			wantLine: `mailwizard: --interval "5": want a duration with a unit`,
		},
		"a word for a switch": {
			setup: func(*testing.T, env, string) []string {
				return append([]string{"check", "--json=maybe"}, base...)
			},
			wantLine: `mailwizard: --json "maybe": want true or false`,
		},
		"dkim generate with a size in words": {
			setup: func(_ *testing.T, _ env, dir string) []string {
				return []string{"dkim", "generate", "--selector", "mail", "--bits", "big", "--out", filepath.Join(dir, "k.pem")}
			},
			wantLine: `mailwizard: --bits "big": want a whole number`,
		},
		"missing profile file": {
			setup: func(_ *testing.T, _ env, dir string) []string {
				return []string{"records", "--profile", filepath.Join(dir, "none.toml")}
			},
			wantLine: "mailwizard: --profile ",
		},
		"a folder as the profile": {
			setup: func(_ *testing.T, _ env, dir string) []string {
				return []string{"records", "--profile", dir, "--save"}
			},
			wantLine: "mailwizard: profile ",
		},
		"corrupt profile names file and line": {
			setup: func(t *testing.T, _ env, dir string) []string {
				path := filepath.Join(dir, "p.toml")
				writeFile(t, path, "domain = \"example.com.\"\nip = [\"192.0.2.25\"\n")
				return []string{"records", "--profile", path}
			},
			wantLine: "mailwizard: profile ",
		},
		"bad value in the domain's saved profile names file, line and key": {
			setup: func(t *testing.T, e env, _ string) []string {
				path := filepath.Join(e.getenv("XDG_CONFIG_HOME"), "mailwizard", "example.com.toml")
				writeFile(t, path, "version = 1\ndomain = \"example.com.\"\nip = [\"192.0.2.25\"]\ndmarc-policy = \"block\"\n")
				return []string{"records", "--domain", "example.com"}
			},
			wantLine: "mailwizard: profile ",
		},
		"wizard with a corrupt saved profile": {
			setup: func(t *testing.T, e env, _ string) []string {
				writeFile(t, filepath.Join(e.getenv("XDG_CONFIG_HOME"), "mailwizard", "example.com.toml"), "domain = \"example.com.\"\nttl = \"long\"\n")
				return []string{"--domain", "example.com"}
			},
			wantLine: "mailwizard: profile ",
		},
		"wizard with a domain that cannot name a profile": {
			setup:    func(*testing.T, env, string) []string { return []string{"--domain", "../../etc"} },
			wantLine: "mailwizard: --domain: ",
		},
		"dkim generate without selector": {
			setup: func(_ *testing.T, _ env, dir string) []string {
				return []string{"dkim", "generate", "--out", filepath.Join(dir, "k.pem")}
			},
			wantLine: "mailwizard: --selector: required",
		},
		"dkim generate with an unknown algorithm": {
			setup: func(_ *testing.T, _ env, dir string) []string {
				return []string{"dkim", "generate", "--selector", "mail", "--algorithm", "dsa", "--out", filepath.Join(dir, "k.pem")}
			},
			wantLine: `mailwizard: --algorithm "dsa": use rsa or ed25519`,
		},
		"dkim generate with a weak size": {
			setup: func(_ *testing.T, _ env, dir string) []string {
				return []string{"dkim", "generate", "--selector", "mail", "--bits", "1024", "--out", filepath.Join(dir, "k.pem")}
			},
			wantLine: "mailwizard: --bits 1024: use 2048",
		},
		"dkim generate with a size for ed25519": {
			setup: func(_ *testing.T, _ env, dir string) []string {
				return []string{"dkim", "generate", "--selector", "mail", "--algorithm", "ed25519", "--bits", "2048", "--out", filepath.Join(dir, "k.pem")}
			},
			wantLine: "mailwizard: --bits: only RSA keys have a size",
		},
		"dkim generate into a missing folder": {
			setup: func(_ *testing.T, _ env, dir string) []string {
				return []string{"dkim", "generate", "--selector", "mail", "--algorithm", "ed25519", "--out", filepath.Join(dir, "no", "k.pem")}
			},
			wantLine: "mailwizard: --out ",
		},
		"dkim generate into a folder": {
			setup: func(_ *testing.T, _ env, dir string) []string {
				return []string{"dkim", "generate", "--selector", "mail", "--algorithm", "ed25519", "--out", dir}
			},
			wantLine: "mailwizard: --out ",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := testEnv(t)
			r := runMW(t, e, tc.setup(t, e, t.TempDir())...)
			if r.code != 2 {
				t.Errorf("exit code = %d, want 2\nstderr: %s", r.code, r.stderr)
			}
			lines := r.errLines()
			if len(lines) != 1 || !strings.HasPrefix(lines[0], tc.wantLine) {
				t.Errorf("stderr = %q, want one line starting with %q", r.stderr, tc.wantLine)
			}
			if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, ".go:") {
				t.Errorf("stderr looks like a stack trace: %s", r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q, want nothing on bad input", r.stdout)
			}
		})
	}
}

// TestProfileProblemsNameTheProfile: a bad value that came from the
// profile names the file, the line and the key; the same value given as a
// flag names the flag.
func TestProfileProblemsNameTheProfile(t *testing.T) {
	e := testEnv(t)
	path := filepath.Join(e.getenv("XDG_CONFIG_HOME"), "mailwizard", "example.com.toml")
	writeFile(t, path, "version = 1\ndomain = \"example.com.\"\nip = [\"192.0.2.25\"]\ndmarc-policy = \"block\"\ndnsbl = []\n")
	tests := map[string]struct {
		args []string
		want string
	}{
		"from the profile": {[]string{"records", "--domain", "example.com"}, "mailwizard: profile " + path + ":4: dmarc-policy: "},
		"from the flag":    {[]string{"records", "--domain", "example.com", "--dmarc-policy", "deny"}, "mailwizard: --dmarc-policy: "},
		"flag fixes it":    {[]string{"records", "--domain", "example.com", "--dmarc-policy", "reject"}, ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := runMW(t, e, tc.args...)
			if tc.want == "" {
				if r.code != 0 {
					t.Errorf("exit code = %d, want 0; stderr: %s", r.code, r.stderr)
				}
				return
			}
			if r.code != 2 || len(r.errLines()) != 1 || !strings.HasPrefix(r.errLines()[0], tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and one line starting with %q", r.code, r.stderr, tc.want)
			}
		})
	}
}
