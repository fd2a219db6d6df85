package spf

import (
	"net/netip"
	"testing"
)

// TestMacroExpand uses the examples of RFC 7208 §7.4.
func TestMacroExpand(t *testing.T) {
	v4 := macroEnv{ip: netip.MustParseAddr("192.0.2.3"), local: "strong-bad", domain: "email.example.com", helo: "mx.example.org"}
	v6 := v4
	v6.ip = netip.MustParseAddr("2001:db8::cb01")
	tests := map[string]struct {
		env  macroEnv
		spec string
		want string
	}{
		"sender":                     {v4, "%{s}", "strong-bad@email.example.com"},
		"sender domain":              {v4, "%{o}", "email.example.com"},
		"current domain":             {v4, "%{d}", "email.example.com"},
		"keep more parts than exist": {v4, "%{d4}", "email.example.com"},
		"keep all three":             {v4, "%{d3}", "email.example.com"},
		"keep two":                   {v4, "%{d2}", "example.com"},
		"keep one":                   {v4, "%{d1}", "com"},
		"reverse":                    {v4, "%{dr}", "com.example.email"},
		"reverse and keep two":       {v4, "%{d2r}", "example.email"},
		"local part":                 {v4, "%{l}", "strong-bad"},
		"split on hyphen":            {v4, "%{l-}", "strong.bad"},
		"reverse without delimiter":  {v4, "%{lr}", "strong-bad"},
		"reverse on hyphen":          {v4, "%{lr-}", "bad.strong"},
		"reverse on hyphen keep one": {v4, "%{l1r-}", "strong"},
		"helo":                       {v4, "%{h}", "mx.example.org"},
		"unavailable ptr":            {v4, "%{p}", "unknown"},
		"reverse IPv4":               {v4, "%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"},
		"local part lookup":          {v4, "%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"},
		"both":                       {v4, "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
		"address first":              {v4, "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"},
		"trusted domains":            {v4, "%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"},
		"reverse IPv6":               {v6, "%{ir}.%{v}._spf.%{d2}", "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"},
		"upper case escapes":         {v4, "%{S}", "strong-bad%40email.example.com"},
		"escapes":                    {v4, "a%%b%_c%-d", "a%b c%20d"},
		"many delimiters":            {v4, "%{l-.}", "strong.bad"},
		"huge transformer keeps all": {v4, "%{d999999999999999999999}", "email.example.com"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			m, err := parseMacroString(tt.spec, false)
			if err != nil {
				t.Fatalf("parseMacroString(%q): %s", tt.spec, err.problem)
			}
			if got := m.expand(tt.env, "email.example.com"); got != tt.want {
				t.Errorf("expand(%q) = %q, want %q", tt.spec, got, tt.want)
			}
		})
	}
}

func TestShorten(t *testing.T) {
	long := ""
	for range 30 {
		long += "abcdefghi."
	}
	tests := map[string]struct {
		name string
		want int
	}{
		"short names stay":            {"a.example.com", len("a.example.com")},
		"left labels go":              {long + "example.com", 251},
		"trailing dot is not counted": {"a.example.com.", len("a.example.com")},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got := shorten(tt.name)
			if len(got) != tt.want || len(got) > maxName {
				t.Errorf("shorten gave %d octets (%q), want %d", len(got), got, tt.want)
			}
		})
	}
}
