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
		"empty parts are kept":       {withLocal(v4, "a..b"), "%{l}", "a..b"},
		"empty parts are counted":    {withLocal(v4, "a..b"), "%{l2}", ".b"},
		"empty parts reversed":       {withLocal(v4, "a..b"), "%{lr}", "b..a"},
		"empty parts on hyphens":     {withLocal(v4, "a--b-"), "%{l-}", "a..b."},
		"validated name":             {withPTR(v4, "mail.example.com"), "%{p}", "mail.example.com"},
		"validated name reversed":    {withPTR(v4, "mail.example.com"), "%{p2r}", "example.mail"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			m, err := parseMacroString(tt.spec, false)
			if err != nil {
				t.Fatalf("parseMacroString(%q): %s", tt.spec, err.problem)
			}
			if got, _ := m.expand(tt.env, "email.example.com"); got != tt.want {
				t.Errorf("expand(%q) = %q, want %q", tt.spec, got, tt.want)
			}
		})
	}
}

func withLocal(env macroEnv, local string) macroEnv {
	env.local = local
	return env
}

func withPTR(env macroEnv, name string) macroEnv {
	env.ptr = func(string) (string, bool) { return name, true }
	return env
}

// TestMacroExpandWaits checks that %{p} holds the expansion back while its
// answers are missing.
func TestMacroExpandWaits(t *testing.T) {
	env := macroEnv{ip: netip.MustParseAddr("192.0.2.3"), ptr: func(string) (string, bool) { return "", false }}
	m, err := parseMacroString("%{p}.example.com", false)
	if err != nil {
		t.Fatal(err.problem)
	}
	if got, ok := m.expand(env, "example.com"); ok {
		t.Errorf("expand gave %q before %%{p} was known", got)
	}
	m, _ = parseMacroString("%{d}.example.com", false)
	if got, ok := m.expand(env, "example.com"); !ok || got != "example.com.example.com" {
		t.Errorf("expand without %%{p} gave %q, %v", got, ok)
	}
}

func TestQueryName(t *testing.T) {
	tests := map[string]struct{ name, want, plain string }{
		"plain":           {"Mail.Example.COM", "mail.example.com.", "mail.example.com"},
		"absolute":        {"example.com.", "example.com.", "example.com"},
		"visible":         {"foo:bar/baz.example.com", "foo:bar/baz.example.com.", "foo:bar/baz.example.com"},
		"spaces and more": {`a b@c;d(e)f"g\h'i.example.com`, `a\ b\@c\;d\(e\)f\"g\\h\'i.example.com.`, `a b@c;d(e)f"g\h'i.example.com`},
		"control octets":  {"A\x00\x7f\xff.example.com", `a\000\127\255.example.com.`, "a\x00\x7f\xff.example.com"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got := queryName(tt.name)
			if got != tt.want {
				t.Errorf("queryName(%q) = %q, want %q", tt.name, got, tt.want)
			}
			if back := plainName(got); back != tt.plain {
				t.Errorf("plainName(%q) = %q, want %q", got, back, tt.plain)
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
