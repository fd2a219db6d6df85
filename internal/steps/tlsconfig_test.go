package steps

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestNormalizeTransport(t *testing.T) {
	ip := []netip.Addr{netip.MustParseAddr("192.0.2.10")}
	base := func(edit func(*Config)) Config {
		c := Config{Domain: "example.com", IPs: ip}
		edit(&c)
		return c
	}
	tests := map[string]struct {
		cfg     Config
		field   string // "" when the Config is valid
		problem string
		check   func(t *testing.T, c Config)
	}{
		"defaults": {cfg: base(func(*Config) {}), check: func(t *testing.T, c Config) {
			equal(t, c.MTASTSMode, "testing")
			equal(t, c.TLSRPTRUA, "mailto:tls-reports@example.com")
			equal(t, len(c.TLSCert), 0)
		}},
		"mode in capitals": {cfg: base(func(c *Config) { c.MTASTSMode = " Enforce " }), check: func(t *testing.T, c Config) { equal(t, c.MTASTSMode, "enforce") }},
		"mode none":        {cfg: base(func(c *Config) { c.MTASTSMode = "none" }), field: "mta-sts-mode", problem: "use testing, then enforce"},
		"mode misspelt":    {cfg: base(func(c *Config) { c.MTASTSMode = "enforcing" }), field: "mta-sts-mode", problem: `"enforcing" is not an MTA-STS mode`},
		"id":               {cfg: base(func(c *Config) { c.MTASTSID = "20260301T120000Z" }), check: func(t *testing.T, c Config) { equal(t, c.MTASTSID, "20260301T120000Z") }},
		"id with dashes":   {cfg: base(func(c *Config) { c.MTASTSID = "2026-03-01" }), field: "mta-sts-id", problem: "only letters and digits"},
		"report address": {cfg: base(func(c *Config) { c.TLSRPTRUA = "TLS@Example.NET" }),
			check: func(t *testing.T, c Config) { equal(t, c.TLSRPTRUA, "mailto:TLS@example.net") }},
		"report address with mailto": {cfg: base(func(c *Config) { c.TLSRPTRUA = "mailto:tls@bücher.example" }),
			check: func(t *testing.T, c Config) { equal(t, c.TLSRPTRUA, "mailto:tls@xn--bcher-kva.example") }},
		"report URL": {cfg: base(func(c *Config) { c.TLSRPTRUA = "HTTPS://reports.example.net/tlsrpt" }),
			check: func(t *testing.T, c Config) { equal(t, c.TLSRPTRUA, "https://reports.example.net/tlsrpt") }},
		"http report URL":         {cfg: base(func(c *Config) { c.TLSRPTRUA = "http://reports.example.net/" }), field: "tls-rpt-rua", problem: "a mail address or an https: URL"},
		"report URL without host": {cfg: base(func(c *Config) { c.TLSRPTRUA = "https:///x" }), field: "tls-rpt-rua", problem: "no host name"},
		"report URL with a !":     {cfg: base(func(c *Config) { c.TLSRPTRUA = "mailto:a@example.com!10m" }), field: "tls-rpt-rua", problem: "!"},
		"not an address":          {cfg: base(func(c *Config) { c.TLSRPTRUA = "reports" }), field: "tls-rpt-rua", problem: "not a mail address"},
		"certificate chain": {cfg: base(func(c *Config) { c.TLSCertFile = "mail-fullchain.pem" }), check: func(t *testing.T, c Config) {
			equal(t, len(c.TLSCert), 2)
			equal(t, c.TLSCert[0].Subject.CommonName, "mail.example.com")
		}},
		"a private key instead":  {cfg: base(func(c *Config) { c.TLSCertFile = "ecdsa.pem" }), field: "tls-cert", problem: "ecdsa.pem block 1 is a private key, not a certificate"},
		"no such file":           {cfg: base(func(c *Config) { c.TLSCertFile = "nothing.pem" }), field: "tls-cert", problem: "cannot read nothing.pem"},
		"not PEM":                {cfg: base(func(c *Config) { c.TLSCertFile = "../config.go" }), field: "tls-cert", problem: "holds no PEM certificate"},
		"DANE chosen, no file":   {cfg: base(func(c *Config) { c.DANE = true }), check: func(t *testing.T, c Config) { equal(t, c.DANE, true) }},
		"certificate, no reader": {cfg: base(func(c *Config) { c.TLSCertFile = "x.pem" }), field: "tls-cert", problem: "cannot be read here"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			cfg := tc.cfg
			read := readTestdata
			if name == "certificate, no reader" {
				read = nil
			}
			err := cfg.Normalize(read)
			var ve *ValidationError
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("Normalize: %v", err)
			case tc.field == "":
				tc.check(t, cfg)
			case !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].Field != tc.field || !strings.Contains(ve.Problems[0].Problem, tc.problem):
				t.Fatalf("Normalize = %v, want one problem of %s saying %q", err, tc.field, tc.problem)
			case strings.Contains(err.Error(), "PRIVATE"):
				t.Fatalf("the problem quotes the key file: %v", err)
			}
		})
	}
}

func TestStampMTASTS(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	later := at.Add(48 * time.Hour)
	saved := Config{Domain: "example.com.", MTASTSMode: "testing", MTASTSID: "20260301T120000Z"}
	enforce := Config{Domain: "example.com.", MTASTSMode: "enforce", MTASTSID: "20260301T120000Z"}
	tests := map[string]struct {
		cfg   Config
		prev  *Config
		saved bool
		want  string
		fresh bool
	}{
		"no profile, no id, saved":     {Config{Domain: "example.com."}, nil, true, "20260303T120000Z", false},
		"no profile, no id, not saved": {Config{Domain: "example.com.", MTASTSMode: "enforce"}, nil, false, "20260303T120000Z", true},
		"no profile, an id":            {Config{Domain: "example.com.", MTASTSID: "abc"}, nil, false, "abc", false},
		"same policy":                  {saved, &saved, true, "20260301T120000Z", false},
		"same policy, by default":      {Config{Domain: "example.com.", MTASTSID: "20260301T120000Z"}, &saved, false, "20260301T120000Z", false},
		"new mode, saved":              {enforce, &saved, true, "20260303T120000Z", false},
		"new mode, not saved":          {enforce, &saved, false, "20260303T120000Z", false},
		"new mail host":                {Config{Domain: "example.com.", Host: "mx.example.com.", MTASTSID: "20260301T120000Z"}, &saved, true, "20260303T120000Z", false},
		"a profile without an id":      {Config{Domain: "example.com."}, &Config{Domain: "example.com."}, true, "20260303T120000Z", false},
		"no domain":                    {Config{}, nil, true, "", false},
	}
	for name, tc := range tests {
		cfg := tc.cfg
		cfg.StampMTASTS(tc.prev, later, tc.saved)
		if cfg.MTASTSID != tc.want || cfg.MTASTSIDFresh != tc.fresh {
			t.Errorf("%s: id %q (fresh %v), want %q (fresh %v)", name, cfg.MTASTSID, cfg.MTASTSIDFresh, tc.want, tc.fresh)
		}
		if cfg.Domain == "" {
			continue
		}
		rec := mtastsRecords(cfg.withDefaults())[0]
		if rec.AnyValid != tc.fresh {
			t.Errorf("%s: the TXT record's AnyValid is %v, want %v", name, rec.AnyValid, tc.fresh)
		}
	}
}
