package spf

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestIsSPF(t *testing.T) {
	tests := map[string]struct {
		txt  string
		want bool
	}{
		"version alone":        {"v=spf1", true},
		"version and terms":    {"v=spf1 mx -all", true},
		"upper case":           {"V=SPF1 -all", true},
		"another version":      {"v=spf10 -all", false},
		"no space":             {"v=spf1-all", false},
		"leading space":        {" v=spf1 -all", false},
		"dkim record":          {"v=DKIM1; p=", false},
		"verification string":  {"google-site-verification=abc", false},
		"empty":                {"", false},
		"prefix of version":    {"v=spf", false},
		"tab after version":    {"v=spf1\t-all", false},
		"quoted by a provider": {`"v=spf1 -all"`, false},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := IsSPF(tt.txt); got != tt.want {
				t.Errorf("IsSPF(%q) = %v, want %v", tt.txt, got, tt.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	type term struct {
		q       Qualifier
		name    string
		value   string
		prefix  string
		p4, p6  int
		pos     int
		written string
	}
	tests := map[string]struct {
		txt  string
		want []term
	}{
		"version only": {"v=spf1", nil},
		"names are case-insensitive": {"V=SPF1 MX -ALL", []term{
			{Pass, "mx", "", "", -1, -1, 7, "MX"},
			{Fail, "all", "", "", -1, -1, 10, "-ALL"},
		}},
		"every qualifier": {"v=spf1 +a -mx ~ptr ?all", []term{
			{Pass, "a", "", "", -1, -1, 7, "+a"},
			{Fail, "mx", "", "", -1, -1, 10, "-mx"},
			{SoftFail, "ptr", "", "", -1, -1, 14, "~ptr"},
			{Neutral, "all", "", "", -1, -1, 19, "?all"},
		}},
		"ip4 with and without a prefix": {"v=spf1 ip4:192.0.2.0/24 ip4:198.51.100.7", []term{
			{Pass, "ip4", "192.0.2.0", "192.0.2.0/24", -1, -1, 7, "ip4:192.0.2.0/24"},
			{Pass, "ip4", "198.51.100.7", "198.51.100.7/32", -1, -1, 24, "ip4:198.51.100.7"},
		}},
		"ip6 with a prefix": {"v=spf1 ip6:2001:db8::/32 ip6:2001:db8::1", []term{
			{Pass, "ip6", "2001:db8::", "2001:db8::/32", -1, -1, 7, "ip6:2001:db8::/32"},
			{Pass, "ip6", "2001:db8::1", "2001:db8::1/128", -1, -1, 25, "ip6:2001:db8::1"},
		}},
		"dual cidr lengths": {"v=spf1 a/24//64 mx:example.org//48 a:example.net/28", []term{
			{Pass, "a", "", "", 24, 64, 7, "a/24//64"},
			{Pass, "mx", "example.org", "", -1, 48, 16, "mx:example.org//48"},
			{Pass, "a", "example.net", "", 28, -1, 35, "a:example.net/28"},
		}},
		"macros in domain-specs": {"v=spf1 exists:%{ir}.%{v}._spf.%{d2} include:%{l1r-}.%{o}", []term{
			{Pass, "exists", "%{ir}.%{v}._spf.%{d2}", "", -1, -1, 7, "exists:%{ir}.%{v}._spf.%{d2}"},
			{Pass, "include", "%{l1r-}.%{o}", "", -1, -1, 36, "include:%{l1r-}.%{o}"},
		}},
		"modifiers, known and unknown": {"v=spf1 redirect=_spf.example.com exp=explain.%{d} Foo.bar=%{c}x", []term{
			{0, "redirect", "_spf.example.com", "", -1, -1, 7, "redirect=_spf.example.com"},
			{0, "exp", "explain.%{d}", "", -1, -1, 33, "exp=explain.%{d}"},
			{0, "foo.bar", "%{c}x", "", -1, -1, 50, "Foo.bar=%{c}x"},
		}},
		"extra spaces": {"v=spf1  a   -all  ", []term{
			{Pass, "a", "", "", -1, -1, 8, "a"},
			{Fail, "all", "", "", -1, -1, 12, "-all"},
		}},
		"absolute domain": {"v=spf1 include:_spf.example.com.", []term{
			{Pass, "include", "_spf.example.com.", "", -1, -1, 7, "include:_spf.example.com."},
		}},
		"escapes end a domain-spec": {"v=spf1 exists:example.%{d}%%", []term{
			{Pass, "exists", "example.%{d}%%", "", -1, -1, 7, "exists:example.%{d}%%"},
		}},
		"visible characters in a domain-spec": {"v=spf1 a:foo:bar/baz.example.com mx:~a!b*c.example.com/24", []term{
			{Pass, "a", "foo:bar/baz.example.com", "", -1, -1, 7, "a:foo:bar/baz.example.com"},
			{Pass, "mx", "~a!b*c.example.com", "", 24, -1, 33, "mx:~a!b*c.example.com/24"},
		}},
		"an exp= whose name DNS cannot carry": {"v=spf1 -all exp=why..example.com", []term{
			{Fail, "all", "", "", -1, -1, 7, "-all"},
			{0, "exp", "why..example.com", "", -1, -1, 12, "exp=why..example.com"},
		}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			rec, err := Parse(tt.txt)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.txt, err)
			}
			if rec.Raw != tt.txt {
				t.Errorf("Raw = %q, want %q", rec.Raw, tt.txt)
			}
			if len(rec.Terms) != len(tt.want) {
				t.Fatalf("got %d terms %+v, want %d", len(rec.Terms), rec.Terms, len(tt.want))
			}
			for i, w := range tt.want {
				got := rec.Terms[i]
				var prefix netip.Prefix
				if w.prefix != "" {
					prefix = netip.MustParsePrefix(w.prefix)
				}
				want := Term{Qualifier: w.q, Name: w.name, Value: w.value, Prefix: prefix, Prefix4: w.p4, Prefix6: w.p6, Pos: w.pos, Text: w.written}
				if got != want {
					t.Errorf("term %d = %#v, want %#v", i, got, want)
				}
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := map[string]struct {
		txt     string
		term    string
		pos     int
		problem string
	}{
		"another version":           {"v=spf10 a", "v=spf10", 0, `not an SPF record: it must start with "v=spf1" followed by a space`},
		"not an SPF record":         {"v=DKIM1; p=", "v=DKIM1;", 0, `not an SPF record: it must start with "v=spf1" followed by a space`},
		"bad IPv4 address":          {"v=spf1 a mx ip4:192.0.2.300 -all", "ip4:192.0.2.300", 12, "not an IPv4 address"},
		"IPv6 address in ip4":       {"v=spf1 ip4:2001:db8::1", "ip4:2001:db8::1", 7, "not an IPv4 address: write IPv6 addresses as ip6:2001:db8::1"},
		"IPv4 address in ip6":       {"v=spf1 ip6:192.0.2.1", "ip6:192.0.2.1", 7, "not an IPv6 address: write IPv4 addresses as ip4:192.0.2.1"},
		"ip6 with a zone":           {"v=spf1 ip6:fe80::1%eth0", "ip6:fe80::1%eth0", 7, "not an IPv6 address"},
		"ip4 without address":       {"v=spf1 ip4", "ip4", 7, "ip4 needs an IPv4 address"},
		"ip4 prefix too long":       {"v=spf1 ip4:192.0.2.0/33", "ip4:192.0.2.0/33", 7, "bad CIDR length /33"},
		"ip4 prefix leading zero":   {"v=spf1 ip4:192.0.2.0/024", "ip4:192.0.2.0/024", 7, "bad CIDR length /024"},
		"ip4 prefix empty":          {"v=spf1 ip4:192.0.2.0/", "ip4:192.0.2.0/", 7, "bad CIDR length /"},
		"ip6 prefix too long":       {"v=spf1 ip6:2001:db8::/129", "ip6:2001:db8::/129", 7, "bad CIDR length /129"},
		"a prefix too long":         {"v=spf1 a/33", "a/33", 7, "bad IPv4 CIDR length /33"},
		"a v6 prefix too long":      {"v=spf1 a//129", "a//129", 7, "bad IPv6 CIDR length /129"},
		"a lengths in wrong order":  {"v=spf1 a//64/24", "a//64/24", 7, "bad CIDR length"},
		"unknown mechanism":         {"v=spf1 foo -all", "foo", 7, "unknown mechanism"},
		"mechanism name run on":     {"v=spf1 a-all", "a-all", 7, "unknown mechanism"},
		"tab instead of space":      {"v=spf1 a\t-all", "a\t-all", 7, "unknown mechanism"},
		"all with an argument":      {"v=spf1 -all:example.com", "-all:example.com", 7, "all takes no argument"},
		"qualifier alone":           {"v=spf1 -", "-", 7, "a qualifier must be followed by a mechanism"},
		"include without domain":    {"v=spf1 include -all", "include", 7, "include needs a domain: include:example.com"},
		"include with empty domain": {"v=spf1 include:", "include:", 7, "a domain name is missing"},
		"exists without domain":     {"v=spf1 exists", "exists", 7, "exists needs a domain: exists:example.com"},
		"ptr with a length":         {"v=spf1 ptr/24", "ptr/24", 7, "ptr takes no CIDR length"},
		"single-label domain":       {"v=spf1 include:localhost", "include:localhost", 7, "localhost is not a domain name: it needs a dot and a top-level label"},
		"numeric top label":         {"v=spf1 a:mail.example.123", "a:mail.example.123", 7, "mail.example.123 does not end in a valid top-level label"},
		"address in a":              {"v=spf1 a:192.0.2.1", "a:192.0.2.1", 7, "192.0.2.1 is an address, not a domain name: write it as ip4:192.0.2.1"},
		"IPv6 address in mx":        {"v=spf1 mx:2001:db8::25", "mx:2001:db8::25", 7, "2001:db8::25 is an address, not a domain name: write it as ip6:2001:db8::25"},
		"empty label":               {"v=spf1 include:spf..example.com", "include:spf..example.com", 7, "spf..example.com is not a domain name: the name has an empty label"},
		"non-ASCII name":            {"v=spf1 include:exämple.com", "include:exämple.com", 7, "non-ASCII characters are not allowed: write international names in punycode (xn--…)"},
		"unknown macro letter":      {"v=spf1 exists:%{x}.example.com", "exists:%{x}.example.com", 7, `unknown macro letter "x"`},
		"explanation-only macro":    {"v=spf1 exists:%{c}.example.com", "exists:%{c}.example.com", 7, "macro %{c} is only allowed in explanation records"},
		"macro keeps zero parts":    {"v=spf1 exists:%{d0}.example.com", "exists:%{d0}.example.com", 7, "macro transformer 0 is not allowed"},
		"bad macro delimiter":       {"v=spf1 exists:%{d2r!}.example.com", "exists:%{d2r!}.example.com", 7, `bad macro delimiter "!"`},
		"unclosed macro":            {"v=spf1 exists:%{d.example.com", "exists:%{d.example.com", 7, "macro has no closing }"},
		"empty macro":               {"v=spf1 exists:%{}.example.com", "exists:%{}.example.com", 7, "empty macro %{}"},
		"lone percent":              {"v=spf1 include:50%.example.com", "include:50%.example.com", 7, "% must be followed by {, %, _ or -"},
		"percent at the end":        {"v=spf1 exp=example.com%", "exp=example.com%", 7, "a lone % must be written %%"},
		"exp without a domain":      {"v=spf1 exp= -all", "exp=", 7, "a domain name is missing"},
		"exp without a top label":   {"v=spf1 exp=-all", "exp=-all", 7, "-all is not a domain name: it needs a dot and a top-level label"},
		"exp with a record macro":   {"v=spf1 -all exp=%{r}.example.com", "exp=%{r}.example.com", 12, "macro %{r} is only allowed in explanation records"},
		"colon in the top label":    {"v=spf1 a:example.com:8080", "a:example.com:8080", 7, "example.com:8080 does not end in a valid top-level label"},
		"label too long":            {"v=spf1 a:" + strings.Repeat("x", 64) + ".example.com", "a:" + strings.Repeat("x", 64) + ".example.com", 7, strings.Repeat("x", 64) + ".example.com is not a domain name: a label is longer than 63 characters"},
		"redirect twice":            {"v=spf1 redirect=a.example.com redirect=b.example.com", "redirect=b.example.com", 30, "redirect= may appear only once (RFC 7208 §6)"},
		"exp twice, in any case":    {"v=spf1 exp=a.example.com EXP=b.example.com", "EXP=b.example.com", 25, "exp= may appear only once (RFC 7208 §6)"},
		"redirect without a domain": {"v=spf1 redirect=", "redirect=", 7, "a domain name is missing"},
		"modifier with a qualifier": {"v=spf1 -redirect=_spf.example.com", "-redirect=_spf.example.com", 7, "a modifier takes no qualifier"},
		"bad unknown modifier":      {"v=spf1 foo=%{z}", "foo=%{z}", 7, `unknown macro letter "z"`},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			rec, err := Parse(tt.txt)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) = %+v, %v; want a *SyntaxError", tt.txt, rec, err)
			}
			if se.Term != tt.term || se.Pos != tt.pos || se.Problem != tt.problem {
				t.Errorf("got term %q at %d: %q\nwant term %q at %d: %q", se.Term, se.Pos, se.Problem, tt.term, tt.pos, tt.problem)
			}
		})
	}
}

func TestSyntaxErrorMessage(t *testing.T) {
	tests := map[string]struct {
		err  SyntaxError
		want string
	}{
		"with a term":    {SyntaxError{Pos: 13, Term: "ip4:192.0.2.300", Problem: "not an IPv4 address"}, `"ip4:192.0.2.300" at character 14: not an IPv4 address`},
		"without a term": {SyntaxError{Pos: 0, Problem: "empty record"}, "at character 1: empty record"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTermString(t *testing.T) {
	tests := map[string]struct {
		txt  string
		want []string
	}{
		"default qualifier dropped":  {"v=spf1 +mx -all", []string{"mx", "-all"}},
		"full-length prefix dropped": {"v=spf1 ip4:192.0.2.1/32 ip6:2001:db8::/32", []string{"ip4:192.0.2.1", "ip6:2001:db8::/32"}},
		"dual cidr kept":             {"v=spf1 ~A:Example.com/24//64", []string{"~a:Example.com/24//64"}},
		"modifier":                   {"v=spf1 Redirect=_spf.example.com", []string{"redirect=_spf.example.com"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			rec, err := Parse(tt.txt)
			if err != nil {
				t.Fatal(err)
			}
			for i, term := range rec.Terms {
				if got := term.String(); got != tt.want[i] {
					t.Errorf("term %d String() = %q, want %q", i, got, tt.want[i])
				}
			}
		})
	}
}
