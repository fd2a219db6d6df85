package profile

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/mailwizard/mailwizard/internal/steps"
)

func fullConfig() steps.Config {
	return steps.Config{
		Domain:        "example.com.",
		Host:          "mail.example.com.",
		IPs:           []netip.Addr{netip.MustParseAddr("192.0.2.25"), netip.MustParseAddr("2001:db8::25")},
		DKIMSelector:  "mail",
		DKIMKeyFile:   "/etc/mail/dkim.pem",
		DMARCPolicy:   steps.DMARCQuarantine,
		DMARCRUA:      "mailto:dmarc@example.com",
		SPFIncludes:   []string{"relay.example.net."},
		SPFIPs:        []netip.Prefix{netip.MustParsePrefix("198.51.100.0/28")},
		Services:      []string{steps.ServiceSubmissions, steps.ServiceIMAPS},
		NullUnoffered: true,
		DNSBL:         []string{"bl.example.org."},
		TTL:           300,
		Provider:      "cloudflare",
		Skip:          []string{steps.IDPTR},
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	tests := map[string]struct {
		mutate func(*steps.Config)
	}{
		"every field":                       {func(*steps.Config) {}},
		"default blocklists stay default":   {func(c *steps.Config) { c.DNSBL = nil }},
		"disabled blocklists stay disabled": {func(c *steps.Config) { c.DNSBL = []string{} }},
		"public key file instead of a key":  {func(c *steps.Config) { c.DKIMKeyFile, c.DKIMPublicKeyFile = "", "/etc/mail/dkim.pub" }},
		"only a domain":                     {func(c *steps.Config) { *c = steps.Config{Domain: "example.com."} }},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			cfg := fullConfig()
			tc.mutate(&cfg)
			path := filepath.Join(t.TempDir(), "conf", "example.com.toml")
			if err := Save(path, cfg); err != nil {
				t.Fatalf("Save: %v", err)
			}
			p, err := Load(path)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if !reflect.DeepEqual(p.Config, cfg) {
				t.Errorf("loaded %#v\nwant  %#v", p.Config, cfg)
			}
		})
	}
}

func TestSaveFileModeAndNoLeftovers(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mailwizard")
	path := filepath.Join(dir, "example.com.toml")
	for range 2 { // create, then replace
		if err := Save(path, fullConfig()); err != nil {
			t.Fatalf("Save: %v", err)
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("profile mode = %v, want 0600", st.Mode().Perm())
	}
	dst, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if dst.Mode().Perm() != 0o700 {
		t.Errorf("folder mode = %v, want 0700", dst.Mode().Perm())
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("folder holds %v, want only the profile (no temp files)", entries)
	}
}

func TestSaveKeepsNoSecret(t *testing.T) {
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := fullConfig()
	cfg.DKIMPublicKey = pub
	path := filepath.Join(t.TempDir(), "example.com.toml")
	if err := Save(path, cfg); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, secretish := range []string{base64.StdEncoding.EncodeToString(pub), "BEGIN", "PRIVATE"} {
		if strings.Contains(string(data), secretish) {
			t.Errorf("profile contains %q:\n%s", secretish, data)
		}
	}
	if !strings.Contains(string(data), `dkim-key = "/etc/mail/dkim.pem"`) {
		t.Errorf("profile does not hold the key path:\n%s", data)
	}
}

func TestSaveMakesKeyPathsAbsolute(t *testing.T) {
	t.Chdir(t.TempDir())
	cfg := steps.Config{Domain: "example.com.", DKIMKeyFile: "keys/dkim.pem"}
	path := filepath.Join(t.TempDir(), "example.com.toml")
	if err := Save(path, cfg); err != nil {
		t.Fatal(err)
	}
	p, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(wd, "keys/dkim.pem"); p.Config.DKIMKeyFile != want {
		t.Errorf("DKIMKeyFile = %q, want %q", p.Config.DKIMKeyFile, want)
	}
}

func TestLoadRelativeKeyPathFromProfileFolder(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "example.com.toml")
	writeFile(t, path, "version = 1\ndomain = \"example.com.\"\ndkim-key = \"keys/dkim.pem\"\n")
	p, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "keys/dkim.pem"); p.Config.DKIMKeyFile != want {
		t.Errorf("DKIMKeyFile = %q, want %q", p.Config.DKIMKeyFile, want)
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := map[string]struct {
		text string
		want []Problem
	}{
		"syntax error names the line": {
			text: "version = 1\ndomain = \"example.com.\"\nhost = \n",
			want: []Problem{{Line: 3, Key: "host", Problem: "expected value but found '\\n' instead"}},
		},
		"bad address names line and key": {
			text: "domain = \"example.com.\"\n\nip = [\"192.0.2.25\", \"192.0.2.x\"]\n",
			want: []Problem{{Line: 3, Key: "ip", Problem: `"192.0.2.x" is not an IP address`}},
		},
		"bad address range names line and key": {
			text: "domain = \"example.com.\"\nspf-ip = [\"192.0.2.0/33\"]\n",
			want: []Problem{{Line: 2, Key: "spf-ip", Problem: `"192.0.2.0/33" is not an address range such as 192.0.2.0/24`}},
		},
		"wrong type names line and key": {
			text: "domain = \"example.com.\"\nttl = \"an hour\"\n",
			want: []Problem{{Line: 2, Key: "ttl", Problem: "incompatible types: TOML value has type string; destination has type integer"}},
		},
		"unknown keys, with a suggestion when close": {
			text: "domain = \"example.com.\"\ndkim-selctor = \"mail\"\n[extra]\ncolour = \"blue\"\n",
			want: []Problem{
				{Line: 2, Key: "dkim-selctor", Problem: `unknown key; did you mean "dkim-selector"?`},
				{Line: 3, Key: "extra", Problem: "unknown key"},
			},
		},
		"newer format": {
			text: "version = 3\ndomain = \"example.com.\"\n",
			want: []Problem{{Line: 1, Key: "version", Problem: "format 3 was written by a newer mailwizard; this one reads format 2 and older"}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "example.com.toml")
			writeFile(t, path, tc.text)
			_, err := Load(path)
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("Load error = %v, want *Error", err)
			}
			if pe.Path != path {
				t.Errorf("error path = %q, want %q", pe.Path, path)
			}
			if len(pe.Problems) != len(tc.want) {
				t.Fatalf("problems = %+v, want %+v", pe.Problems, tc.want)
			}
			for i, want := range tc.want {
				got := pe.Problems[i]
				// The problem text comes from the TOML library; the line
				// and key are ours.
				if got.Line != want.Line || got.Key != want.Key || !strings.Contains(got.Problem, strings.SplitN(want.Problem, ":", 2)[0]) {
					t.Errorf("problem %d = %+v, want %+v", i, got, want)
				}
			}
			if lines := strings.Split(err.Error(), "\n"); len(lines) != len(tc.want) || !strings.HasPrefix(lines[0], "profile "+path+":") {
				t.Errorf("error text = %q, want one line per problem naming %s and the line", err.Error(), path)
			}
		})
	}
}

// TestLoadUnreadable: a folder, a device or a file under a file in place
// of the profile is one problem about the file as a whole, not a read
// error that repeats the path; a missing file is fs.ErrNotExist.
func TestLoadUnreadable(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "example.com.toml")
	writeFile(t, file, "domain = \"example.com.\"\n")
	tests := map[string]struct {
		path string
		want string
	}{
		"a folder":       {dir, "is a folder, not a profile file"},
		"a device":       {os.DevNull, "is not a regular file, so it cannot be a profile"},
		"under a file":   {filepath.Join(file, "x.toml"), "cannot be read: not a directory"},
		"a profile file": {file, ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Load(tc.path)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Load = %v, want the profile", err)
				}
				return
			}
			if want := "profile " + tc.path + ": " + tc.want; err == nil || err.Error() != want {
				t.Errorf("Load error = %v, want %q", err, want)
			}
		})
	}
}

func TestLoadMissingAndHuge(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(filepath.Join(dir, "none.toml")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load of a missing file = %v, want fs.ErrNotExist", err)
	}
	huge := filepath.Join(dir, "huge.toml")
	writeFile(t, huge, "# "+strings.Repeat("x", maxSize)+"\n")
	var pe *Error
	if _, err := Load(huge); !errors.As(err, &pe) {
		t.Errorf("Load of a huge file = %v, want *Error", err)
	}
}

func TestSaveRefusesCorruptProfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "example.com.toml")
	corrupt := "domain = \"example.com.\"\nip = [\"192.0.2.25\"\n"
	writeFile(t, path, corrupt)
	err := Save(path, fullConfig())
	var pe *Error
	if !errors.As(err, &pe) {
		t.Fatalf("Save over a corrupt profile = %v, want a refusal wrapping *Error", err)
	}
	if !strings.Contains(err.Error(), "refuse to overwrite "+path) {
		t.Errorf("error = %q, want it to say it refuses to overwrite %s", err, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != corrupt {
		t.Errorf("corrupt profile was changed to:\n%s", data)
	}
}

func TestWhereAndHas(t *testing.T) {
	path := filepath.Join(t.TempDir(), "example.com.toml")
	writeFile(t, path, "version = 1\n# comment\ndomain = \"example.com.\"\nip = [\n  \"192.0.2.25\",\n]\n")
	p, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		key       string
		wantHas   bool
		wantWhere string
	}{
		"set on line 3":           {"domain", true, path + ":3"},
		"array starts on line 4":  {"ip", true, path + ":4"},
		"not set: the file alone": {"dkim-key", false, path},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := p.Has(tc.key); got != tc.wantHas {
				t.Errorf("Has(%q) = %v, want %v", tc.key, got, tc.wantHas)
			}
			if got := p.Where(tc.key); got != tc.wantWhere {
				t.Errorf("Where(%q) = %q, want %q", tc.key, got, tc.wantWhere)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("version = 1\ndomain = \"example.com.\"\nip = [\"192.0.2.25\"]\n"))
	f.Add([]byte("[a]\nb = 1\n[[c]]\n"))
	f.Add([]byte("dnsbl = []\nttl = -1\n"))
	f.Add([]byte("domain = \"a.example\"\nhost = \"mx.example\"\n[[domains]]\ndomain = \"b.example\"\nskip = [\"ptr\"]\n[[domains]]\nip = []\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := parse("fuzz.toml", data)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || len(pe.Problems) == 0 {
				t.Fatalf("parse error %v is not an *Error with problems", err)
			}
			return
		}
		if p.Path != "fuzz.toml" {
			t.Fatalf("path = %q", p.Path)
		}
	})
}
