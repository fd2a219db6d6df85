package profile

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// hostDomains are three domains of one mail host, each with answers of its
// own: the second has no DKIM selector although the first has one, so a
// key missing from a [[domains]] table must not be the first domain's.
func hostDomains() []steps.Config {
	first := fullConfig()
	second := steps.Config{Domain: "example.org.", DMARCPolicy: steps.DMARCReject, Skip: []string{steps.IDAutoconfig}}
	third := steps.Config{Domain: "example.net.", DKIMSelector: "2026", DKIMKeyFile: "/etc/mail/example.net.pem",
		Services: []string{}, PublishProvider: "cloudflare"}
	return []steps.Config{first, second.WithHostOf(first), third.WithHostOf(first)}
}

func TestSaveAllLoadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "example.com.toml")
	cfgs := hostDomains()
	if err := SaveAll(path, cfgs); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	t.Logf("%s", text)
	if !strings.Contains(text, "version = 2") || strings.Count(text, "\n[[domains]]") != 2 || strings.Count(text, "host =") != 1 {
		t.Errorf("want version 2, two [[domains]] tables and the host once:\n%s", text)
	}
	p, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p.Domains, cfgs) {
		t.Errorf("loaded %#v\nwant   %#v", p.Domains, cfgs)
	}
	if !reflect.DeepEqual(p.Config, cfgs[0]) {
		t.Errorf("Config is not the first domain: %#v", p.Config)
	}
	if i, ok := p.Index("EXAMPLE.net"); !ok || i != 2 {
		t.Errorf("Index(EXAMPLE.net) = %d, %v", i, ok)
	}
	if _, ok := p.Index("example.info"); ok {
		t.Error("Index found a domain the profile does not hold")
	}
}

// TestOneDomainProfileUnchanged: a profile of one domain is written as
// before (version 1, no table) and a version 1 file loads as before, its
// one domain in Domains.
func TestOneDomainProfileUnchanged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "example.com.toml")
	if err := Save(path, fullConfig()); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), "version = 1\n") || strings.Contains(string(data), "domains") {
		t.Errorf("a one-domain profile changed shape:\n%s", data)
	}
	old := `version = 1
domain = "example.com."
host = "mail.example.com."
ip = ["192.0.2.25", "2001:db8::25"]
dkim-selector = "mail"
dkim-key = "/etc/mail/dkim/mail.pem"
dmarc-policy = "none"
dmarc-rua = "mailto:dmarc-reports@example.com"
services = ["submission", "submissions", "imaps"]
dnsbl = []
skip = ["ptr"]
no-probe = true
`
	writeFile(t, path, old)
	p, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Domains) != 1 || !reflect.DeepEqual(p.Domains[0], p.Config) || p.Config.DKIMSelector != "mail" || !p.Config.NoProbe {
		t.Errorf("loaded %#v", p)
	}
}

func TestLoadDomainsErrors(t *testing.T) {
	top := "version = 2\ndomain = \"example.com.\"\nhost = \"mail.example.com.\"\nskip = [\"ptr\"]\n"
	tests := map[string]struct {
		text string
		want []Problem
	}{
		"a shared key in a table": {
			text: top + "\n[[domains]]\ndomain = \"example.org.\"\n\n[[domains]]\ndomain = \"example.net.\"\nhost = \"mx.example.net.\"\n",
			want: []Problem{{Line: 11, Key: "host", Problem: "the domains of a profile share their host: set it once, at the top, not in a [[domains]] table"}},
		},
		"a table without its domain": {
			text: top + "[[domains]]\ndkim-selector = \"mail\"\n",
			want: []Problem{{Line: 5, Key: "domain", Problem: "missing: each [[domains]] table names its domain"}},
		},
		"a domain listed twice": {
			text: top + "[[domains]]\ndomain = \"Example.COM\"\n",
			want: []Problem{{Line: 6, Key: "domain", Problem: "example.com. is already listed at the top"}},
		},
		"a shared step skipped in a table": {
			text: top + "[[domains]]\ndomain = \"example.org.\"\nskip = [\"dkim\", \"blocklist\"]\n",
			want: []Problem{{Line: 7, Key: "skip", Problem: "the blocklist step is about the mail host, so it is judged once for every domain: skip it at the top"}},
		},
		"no domain at the top": {
			text: "host = \"mail.example.com.\"\n[[domains]]\ndomain = \"example.org.\"\n",
			want: []Problem{{Line: 2, Key: "domain", Problem: "the top of a profile with [[domains]] tables holds its first domain: set domain there"}},
		},
		"an unknown key in a table": {
			text: top + "[[domains]]\ndomain = \"example.org.\"\ndkim-selectr = \"mail\"\n",
			want: []Problem{{Line: 7, Key: "domains.dkim-selectr", Problem: `unknown key; did you mean "dkim-selector"?`}},
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
			if !reflect.DeepEqual(pe.Problems, tc.want) {
				t.Errorf("problems\n%+v\nwant\n%+v", pe.Problems, tc.want)
			}
		})
	}
}

func TestWhereAtAndHasAt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "example.com.toml")
	writeFile(t, path, "domain = \"example.com.\"\nip = [\"192.0.2.25\"]\ndkim-selector = \"a\"\n\n[[domains]]\ndomain = \"example.org.\"\ndkim-selector = \"b\"\n")
	p, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		i     int
		key   string
		has   bool
		where string
	}{
		{0, "dkim-selector", true, path + ":3"},
		{1, "dkim-selector", true, path + ":7"},
		{1, "domain", true, path + ":6"},
		{1, "ip", true, path + ":2"},
		{1, "dmarc-rua", false, path},
	} {
		if got := p.HasAt(tc.i, tc.key); got != tc.has {
			t.Errorf("HasAt(%d, %s) = %v", tc.i, tc.key, got)
		}
		if got := p.WhereAt(tc.i, tc.key); got != tc.where {
			t.Errorf("WhereAt(%d, %s) = %q, want %q", tc.i, tc.key, got, tc.where)
		}
	}
}

// TestSaveKeepsTheOtherDomains: saving one domain of a profile of several
// replaces that domain and keeps the others, and what the domains share
// follows the saved one; a domain the profile does not hold is added.
func TestSaveKeepsTheOtherDomains(t *testing.T) {
	path := filepath.Join(t.TempDir(), "example.com.toml")
	cfgs := hostDomains()
	if err := SaveAll(path, cfgs); err != nil {
		t.Fatal(err)
	}
	changed := cfgs[1]
	changed.DKIMSelector = "new"
	changed.Host = "mx.example.com."
	if err := Save(path, changed); err != nil {
		t.Fatal(err)
	}
	added := steps.Config{Domain: "example.info."}.WithHostOf(changed)
	if err := Save(path, added); err != nil {
		t.Fatal(err)
	}
	p, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Domains) != 4 {
		t.Fatalf("%d domains, want 4", len(p.Domains))
	}
	for i, want := range []string{"example.com.", "example.org.", "example.net.", "example.info."} {
		d := p.Domains[i]
		if d.Domain != want || d.Host != "mx.example.com." {
			t.Errorf("domain %d: %s with host %s", i, d.Domain, d.Host)
		}
	}
	if p.Domains[1].DKIMSelector != "new" || p.Domains[2].DKIMSelector != "2026" || p.Domains[0].DKIMSelector != "mail" {
		t.Errorf("selectors %q, %q, %q", p.Domains[0].DKIMSelector, p.Domains[1].DKIMSelector, p.Domains[2].DKIMSelector)
	}
}

func TestSaveAllRefuses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "example.com.toml")
	cfgs := hostDomains()
	other := cfgs[1]
	other.Host = "mx.example.org."
	if err := SaveAll(path, []steps.Config{cfgs[0], other}); err == nil || !strings.Contains(err.Error(), "not served by the same mail host") {
		t.Errorf("two hosts: %v", err)
	}
	if err := SaveAll(path, []steps.Config{cfgs[0], cfgs[1], cfgs[1]}); err == nil || !strings.Contains(err.Error(), "listed twice") {
		t.Errorf("a domain twice: %v", err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("a refused save wrote the file")
	}
}

func TestFinder(t *testing.T) {
	dir := t.TempDir()
	cfgs := hostDomains()
	if err := SaveAll(filepath.Join(dir, "hosting.toml"), cfgs); err != nil {
		t.Fatal(err)
	}
	own := steps.Config{Domain: "example.org.", Host: "mx.example.org."}
	if err := Save(filepath.Join(dir, "example.org.toml"), own); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "broken.toml"), "[[domains]]\nnot toml")
	f := NewFinder(dir)
	for domain, want := range map[string]string{
		"example.net":  "hosting.toml",
		"EXAMPLE.com.": "hosting.toml",
		"example.org":  "example.org.toml", // its own file wins
		"example.info": "",
	} {
		path, ok := f.Find(domain)
		if got := filepath.Base(path); ok != (want != "") || ok && got != want {
			t.Errorf("Find(%s) = %s, %v; want %q", domain, path, ok, want)
		}
	}
}

// TestSaveDomains: domains saved together join a profile of one domain
// they name (which stays first), and replace a profile of one other
// domain, as Save does.
func TestSaveDomains(t *testing.T) {
	dir := t.TempDir()
	cfgs := hostDomains()
	joined := filepath.Join(dir, "example.com.toml")
	if err := Save(joined, cfgs[0]); err != nil {
		t.Fatal(err)
	}
	if err := SaveDomains(joined, []steps.Config{cfgs[1], cfgs[0], cfgs[2]}); err != nil {
		t.Fatal(err)
	}
	if p, err := Load(joined); err != nil || len(p.Domains) != 3 || p.Domains[0].Domain != "example.com." {
		t.Errorf("joined: %v, %d domains, want 3", err, len(p.Domains))
	}
	replaced := filepath.Join(dir, "other.toml")
	if err := Save(replaced, steps.Config{Domain: "example.info."}); err != nil {
		t.Fatal(err)
	}
	if err := SaveDomains(replaced, cfgs[1:]); err != nil {
		t.Fatal(err)
	}
	if p, err := Load(replaced); err != nil || len(p.Domains) != 2 || p.Domains[0].Domain != "example.org." {
		t.Errorf("replaced: %v, %+v", err, p.Domains)
	}
}
