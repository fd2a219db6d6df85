package steps

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mailwizard/mailwizard/internal/dkimkey"
)

// readTestdata reads key files from testdata, as cmd reads them from disk.
func readTestdata(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join("testdata", name))
}

func TestNormalizeDefaults(t *testing.T) {
	cfg := Config{Domain: "Bücher.Example", IPs: []netip.Addr{netip.MustParseAddr("::ffff:192.0.2.10")}}
	if err := cfg.Normalize(readTestdata); err != nil {
		t.Fatal(err)
	}
	checks := map[string]struct{ got, want any }{
		"domain in punycode": {cfg.Domain, "xn--bcher-kva.example."},
		"host":               {cfg.Host, "mail.xn--bcher-kva.example."},
		"mapped IPv4":        {cfg.IPs[0], netip.MustParseAddr("192.0.2.10")},
		"policy":             {cfg.DMARCPolicy, "none"},
		"report address":     {cfg.DMARCRUA, "dmarc-reports@xn--bcher-kva.example"},
		"services":           {strings.Join(cfg.Services, " "), "submission submissions imaps"},
		"blocklists":         {strings.Join(cfg.DNSBL, " "), "zen.spamhaus.org. bl.spamcop.net. psbl.surriel.com. bl.mailspike.net."},
		"ttl":                {cfg.TTL, uint32(3600)},
	}
	for name, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", name, c.got, c.want)
		}
	}
}

func TestNormalizeFields(t *testing.T) {
	ip := []netip.Addr{netip.MustParseAddr("192.0.2.10")}
	tests := map[string]struct {
		cfg     Config
		field   string // "" when the Config is valid
		problem string
		check   func(t *testing.T, c Config)
	}{
		"empty domain":           {cfg: Config{IPs: ip}, field: "domain", problem: "is missing"},
		"empty label":            {cfg: Config{Domain: "mail..example.com", IPs: ip}, field: "domain", problem: "empty label"},
		"label over 63":          {cfg: Config{Domain: strings.Repeat("a", 64) + ".com", IPs: ip}, field: "domain", problem: "at most 63"},
		"label of 63":            {cfg: Config{Domain: strings.Repeat("a", 63) + ".com", IPs: ip}},
		"name over 253":          {cfg: Config{Domain: strings.Repeat(strings.Repeat("a", 60)+".", 5) + "com", IPs: ip}, field: "domain", problem: "at most 253"},
		"single label":           {cfg: Config{Domain: "localhost", IPs: ip}, field: "domain", problem: "needs at least one dot"},
		"underscore in domain":   {cfg: Config{Domain: "ex_ample.com", IPs: ip}, field: "domain", problem: `contains '_'`},
		"hyphen at label start":  {cfg: Config{Domain: "-example.com", IPs: ip}, field: "domain", problem: "hyphen"},
		"bad international name": {cfg: Config{Domain: "ex\u200dample.com", IPs: ip}, field: "domain", problem: "international"},
		"trailing dot accepted":  {cfg: Config{Domain: "EXAMPLE.com.", IPs: ip}, check: func(t *testing.T, c Config) { equal(t, c.Domain, "example.com.") }},
		"host relative": {cfg: Config{Domain: "example.com", Host: "mx", IPs: ip},
			check: func(t *testing.T, c Config) { equal(t, c.Host, "mx.example.com.") }},
		"host outside the domain": {cfg: Config{Domain: "example.com", Host: "mx1.provider.example.net", IPs: ip},
			check: func(t *testing.T, c Config) { equal(t, c.Host, "mx1.provider.example.net.") }},
		"bad host":          {cfg: Config{Domain: "example.com", Host: "mail..example.com", IPs: ip}, field: "host", problem: "empty label"},
		"no address":        {cfg: Config{Domain: "example.com"}, field: "ip", problem: "at least one"},
		"address with zone": {cfg: Config{Domain: "example.com", IPs: []netip.Addr{netip.MustParseAddr("fe80::1%eth0")}}, field: "ip", problem: "zone"},
		"unspecified":       {cfg: Config{Domain: "example.com", IPs: []netip.Addr{netip.IPv4Unspecified()}}, field: "ip", problem: "unspecified"},
		"multicast":         {cfg: Config{Domain: "example.com", IPs: []netip.Addr{netip.MustParseAddr("ff02::1")}}, field: "ip", problem: "multicast"},
		"invalid address":   {cfg: Config{Domain: "example.com", IPs: []netip.Addr{{}}}, field: "ip", problem: "empty address"},
		"duplicates merged": {cfg: Config{Domain: "example.com", IPs: []netip.Addr{netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:0db8::0001")}},
			check: func(t *testing.T, c Config) { equal(t, len(c.IPs), 1) }},
		"bad selector": {cfg: Config{Domain: "example.com", IPs: ip, DKIMSelector: "my selector"}, field: "dkim-selector", problem: `"my selector" is not a selector: it contains ' '; a selector is letters`},
		"selector with dots": {cfg: Config{Domain: "example.com", IPs: ip, DKIMSelector: "2026a.eu"},
			check: func(t *testing.T, c Config) { equal(t, c.DKIMSelector, "2026a.eu") }},
		"policy":         {cfg: Config{Domain: "example.com", IPs: ip, DMARCPolicy: "Reject"}, check: func(t *testing.T, c Config) { equal(t, c.DMARCPolicy, "reject") }},
		"unknown policy": {cfg: Config{Domain: "example.com", IPs: ip, DMARCPolicy: "strict"}, field: "dmarc-policy", problem: `"strict" is not a DMARC policy`},
		"report address with mailto": {cfg: Config{Domain: "example.com", IPs: ip, DMARCRUA: "MAILTO:dmarc@Example.NET"},
			check: func(t *testing.T, c Config) { equal(t, c.DMARCRUA, "dmarc@example.net") }},
		"report address without @":   {cfg: Config{Domain: "example.com", IPs: ip, DMARCRUA: "dmarc"}, field: "dmarc-rua", problem: "not a mail address"},
		"report address with comma":  {cfg: Config{Domain: "example.com", IPs: ip, DMARCRUA: "a,b@example.com"}, field: "dmarc-rua", problem: `','`},
		"report address at bad name": {cfg: Config{Domain: "example.com", IPs: ip, DMARCRUA: "a@example"}, field: "dmarc-rua", problem: "needs at least one dot"},
		"include with its mechanism": {cfg: Config{Domain: "example.com", IPs: ip, SPFIncludes: []string{"include:_spf.Example.NET", "_spf.example.net."}},
			check: func(t *testing.T, c Config) { equal(t, strings.Join(c.SPFIncludes, " "), "_spf.example.net.") }},
		"bad include": {cfg: Config{Domain: "example.com", IPs: ip, SPFIncludes: []string{"relay..example.net"}}, field: "spf-include", problem: "empty label"},
		"SPF prefix masked": {cfg: Config{Domain: "example.com", IPs: ip, SPFIPs: []netip.Prefix{netip.MustParsePrefix("198.51.100.7/24")}},
			check: func(t *testing.T, c Config) { equal(t, c.SPFIPs[0], netip.MustParsePrefix("198.51.100.0/24")) }},
		"bad SPF prefix": {cfg: Config{Domain: "example.com", IPs: ip, SPFIPs: []netip.Prefix{{}}}, field: "spf-ip", problem: "not an address"},
		"services in order": {cfg: Config{Domain: "example.com", IPs: ip, Services: []string{"IMAPS", "pop3s", "submission"}},
			check: func(t *testing.T, c Config) { equal(t, strings.Join(c.Services, " "), "submission imaps pop3s") }},
		"no services": {cfg: Config{Domain: "example.com", IPs: ip, Services: []string{}},
			check: func(t *testing.T, c Config) { equal(t, len(c.Services), 0) }},
		"unknown service": {cfg: Config{Domain: "example.com", IPs: ip, Services: []string{"smtp"}}, field: "services", problem: `"smtp" is not a service`},
		"blocklists off":  {cfg: Config{Domain: "example.com", IPs: ip, DNSBL: []string{}}, check: func(t *testing.T, c Config) { equal(t, len(c.DNSBL), 0) }},
		"bad blocklist":   {cfg: Config{Domain: "example.com", IPs: ip, DNSBL: []string{"zen..example"}}, field: "dnsbl", problem: "empty label"},
		"TTL too short":   {cfg: Config{Domain: "example.com", IPs: ip, TTL: 30}, field: "ttl", problem: "out of range"},
		"TTL too long":    {cfg: Config{Domain: "example.com", IPs: ip, TTL: 1 << 30}, field: "ttl", problem: "out of range"},
		"TTL of a minute": {cfg: Config{Domain: "example.com", IPs: ip, TTL: 60}, check: func(t *testing.T, c Config) { equal(t, c.TTL, uint32(60)) }},
		"unknown step":    {cfg: Config{Domain: "example.com", IPs: ip, Skip: []string{"no-such-step"}}, field: "skip", problem: `"no-such-step" is not a step`},
		"skip a step":     {cfg: Config{Domain: "example.com", IPs: ip, Skip: []string{"PTR"}}, check: func(t *testing.T, c Config) { equal(t, strings.Join(c.Skip, " "), "ptr") }},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			cfg := tc.cfg
			err := cfg.Normalize(readTestdata)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if tc.check != nil {
					tc.check(t, cfg)
				}
				return
			}
			problem := fieldProblem(t, err, tc.field)
			if !strings.Contains(problem, tc.problem) {
				t.Errorf("%s: %q does not say %q", tc.field, problem, tc.problem)
			}
		})
	}
}

// fieldProblem returns the problem Normalize found with field.
func fieldProblem(t *testing.T, err error, field string) string {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v, want a *ValidationError", err)
	}
	for _, p := range ve.Problems {
		if p.Field == field {
			return p.Problem
		}
	}
	t.Fatalf("no problem with %s in %v", field, ve)
	return ""
}

// algorithmOf names the algorithm of the Config's DKIM key.
func algorithmOf(c Config) string { return dkimkey.Algorithm(c.DKIMPublicKey) }

func equal[T comparable](t *testing.T, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestNormalizeReportsEveryProblem(t *testing.T) {
	cfg := Config{Domain: "bad..example", DMARCPolicy: "strict", Services: []string{"smtp"}, TTL: 5}
	err := cfg.Normalize(readTestdata)
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v, want a *ValidationError", err)
	}
	var fields []string
	for _, p := range ve.Problems {
		fields = append(fields, p.Field)
	}
	want := []string{"domain", "ip", "dmarc-policy", "services", "ttl"}
	if !slices.Equal(fields, want) {
		t.Errorf("fields %v, want %v", fields, want)
	}
	if !strings.HasPrefix(err.Error(), `domain: "bad..example" is not a domain name`) {
		t.Errorf("error text %q", err)
	}
}

func TestNormalizeKeys(t *testing.T) {
	ip := []netip.Addr{netip.MustParseAddr("192.0.2.10")}
	secret := "NOT-A-KEY-BUT-SECRET-TEXT"
	readFile := func(name string) ([]byte, error) {
		if name == "garbage.pem" {
			return []byte("-----BEGIN PRIVATE KEY-----\n" + secret + "\n-----END PRIVATE KEY-----\n"), nil
		}
		return readTestdata(name)
	}
	tests := map[string]struct {
		key, pub string
		selector string
		field    string
		problem  string
		alg      string
	}{
		"RSA 2048":                 {key: "rsa2048.pem", selector: "mail", alg: "rsa"},
		"Ed25519":                  {key: "ed25519.pem", selector: "mail", alg: "ed25519"},
		"RSA 1024 is accepted":     {key: "rsa1024.pem", selector: "mail", alg: "rsa"},
		"RSA 512 is refused":       {key: "rsa512.pem", selector: "mail", field: "dkim-key", problem: "rsa512.pem holds a 512-bit RSA key"},
		"ECDSA is refused":         {key: "ecdsa.pem", selector: "mail", field: "dkim-key", problem: "ecdsa.pem"},
		"missing file":             {key: "nope.pem", selector: "mail", field: "dkim-key", problem: "cannot read nope.pem"},
		"not a key":                {key: "garbage.pem", selector: "mail", field: "dkim-key", problem: "garbage.pem does not hold"},
		"public key only":          {pub: "rsa2048.pub.pem", selector: "mail", alg: "rsa"},
		"matching pair":            {key: "rsa2048.pem", pub: "rsa2048.pub.pem", selector: "mail", alg: "rsa"},
		"pair that does not match": {key: "ed25519.pem", pub: "rsa2048.pub.pem", selector: "mail", field: "dkim-public-key", problem: "is not the public half"},
		"key without selector":     {key: "ed25519.pem", field: "dkim-selector", problem: "is needed with a DKIM key"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			cfg := Config{Domain: "example.com", IPs: ip, DKIMKeyFile: tc.key, DKIMPublicKeyFile: tc.pub, DKIMSelector: tc.selector}
			err := cfg.Normalize(readFile)
			if err != nil && strings.Contains(err.Error(), secret) {
				t.Fatalf("the error quotes the file's content: %v", err)
			}
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got := algorithmOf(cfg); got != tc.alg {
					t.Errorf("key algorithm %q, want %q", got, tc.alg)
				}
				return
			}
			if problem := fieldProblem(t, err, tc.field); !strings.Contains(problem, tc.problem) {
				t.Errorf("%q does not say %q", problem, tc.problem)
			}
		})
	}
}

func TestNormalizeWithoutReader(t *testing.T) {
	cfg := Config{Domain: "example.com", IPs: []netip.Addr{netip.MustParseAddr("192.0.2.10")}, DKIMKeyFile: "k.pem", DKIMSelector: "mail"}
	if problem := fieldProblem(t, cfg.Normalize(nil), "dkim-key"); !strings.Contains(problem, "cannot be read") {
		t.Errorf("problem %q", problem)
	}
}

func TestWarnings(t *testing.T) {
	tests := map[string]struct {
		ip   string
		says string // "" for no warning
	}{
		"public IPv4":      {ip: "8.8.4.4"},
		"public IPv6":      {ip: "2a00:1450:4001::1"},
		"private":          {ip: "192.168.1.10", says: "private"},
		"unique local":     {ip: "fd00::1", says: "private"},
		"loopback":         {ip: "127.0.0.1", says: "loopback"},
		"link-local":       {ip: "169.254.0.1", says: "link-local"},
		"carrier-grade":    {ip: "100.64.0.1", says: "carrier-grade NAT"},
		"documentation v4": {ip: "203.0.113.5", says: "documentation"},
		"documentation v6": {ip: "2001:db8::25", says: "documentation"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			cfg := Config{IPs: []netip.Addr{netip.MustParseAddr(tc.ip)}}
			warnings := cfg.Warnings()
			switch {
			case tc.says == "" && len(warnings) > 0:
				t.Errorf("unexpected warning %v", warnings)
			case tc.says != "" && (len(warnings) != 1 || warnings[0].Field != "ip" || !strings.Contains(warnings[0].Problem, tc.says)):
				t.Errorf("warnings %v, want one about ip saying %q", warnings, tc.says)
			}
		})
	}
}

// TestNamesOfAnySize: a name of any size is refused by its length before
// anything else looks at it, and the message quotes a few dozen characters
// of it.
func TestNamesOfAnySize(t *testing.T) {
	ip := []netip.Addr{netip.MustParseAddr("192.0.2.25")}
	huge := strings.Repeat("a", 130000)
	for name, cfg := range map[string]Config{
		"domain":        {Domain: huge, IPs: ip},
		"dotted domain": {Domain: strings.Repeat("ab.", 50000) + "example", IPs: ip},
		"unicode":       {Domain: strings.Repeat("é", 70000) + ".example", IPs: ip},
		"host":          {Domain: "example.com", Host: huge + ".example.com", IPs: ip},
		"report domain": {Domain: "example.com", DMARCRUA: "d@" + huge + ".example", IPs: ip},
		"report local":  {Domain: "example.com", DMARCRUA: huge + "@example.com", IPs: ip},
		"include":       {Domain: "example.com", SPFIncludes: []string{huge}, IPs: ip},
		"blocklist":     {Domain: "example.com", DNSBL: []string{huge}, IPs: ip},
		"selector":      {Domain: "example.com", DKIMSelector: huge, IPs: ip},
		"skip":          {Domain: "example.com", Skip: []string{huge}, IPs: ip},
		"service":       {Domain: "example.com", Services: []string{huge}, IPs: ip},
		"policy":        {Domain: "example.com", DMARCPolicy: huge, IPs: ip},
	} {
		t.Run(name, func(t *testing.T) {
			err := cfg.Normalize(nil)
			if err == nil {
				t.Fatal("accepted")
			}
			if len(err.Error()) > 300 {
				t.Errorf("a message of %d characters: %.400s", len(err.Error()), err)
			}
		})
	}
	if _, err := CheckDomain(huge); err == nil || !strings.Contains(err.Error(), "is 130000 characters long; a domain name can have at most 253") {
		t.Errorf("CheckDomain: %v", err)
	}
	if got, err := CheckDomain(" Bücher.Example. "); err != nil || got != "xn--bcher-kva.example." {
		t.Errorf("CheckDomain = %q, %v", got, err)
	}
}
