package mtasts

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParsePolicy(t *testing.T) {
	const good = "version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\nmax_age: 604800\n"
	tests := map[string]struct {
		body    string
		want    Policy
		err     string // part of the error; "" for none
		errLine int
	}{
		"typical": {body: good, want: Policy{Mode: ModeEnforce, MaxAge: 604800,
			MX: []Pattern{{Domain: "mail.example.com"}, {Wildcard: true, Domain: "example.net"}}}},
		"CRLF and no final line break": {body: "version: STSv1\r\nmode: testing\r\nmx: MAIL.example.com\r\nmax_age: 86400",
			want: Policy{Mode: ModeTesting, MaxAge: 86400, MX: []Pattern{{Domain: "mail.example.com"}}}},
		"any order, spaces after the colon and at the end": {body: "max_age:\t1 \nmx:  a.example\nmode: testing\nversion: STSv1\n",
			want: Policy{Mode: ModeTesting, MaxAge: 1, MX: []Pattern{{Domain: "a.example"}}}},
		"mode none needs no mx": {body: "version: STSv1\nmode: none\nmax_age: 86400\n", want: Policy{Mode: ModeNone, MaxAge: 86400}},
		"extension and repeated mode": {body: good + "x-comment: made by hand ✓\nmode: testing\n",
			want: Policy{Mode: ModeEnforce, MaxAge: 604800,
				MX:         []Pattern{{Domain: "mail.example.com"}, {Wildcard: true, Domain: "example.net"}},
				Extensions: []Field{{"x-comment", "made by hand ✓"}}, Ignored: []string{"mode: testing"}}},
		"largest max_age": {body: "version: STSv1\nmode: none\nmax_age: 31557600\n", want: Policy{Mode: ModeNone, MaxAge: MaxMaxAge}},

		"empty":                 {body: "", err: "the policy is empty"},
		"not UTF-8":             {body: "version: STSv1\nmode: \xff\n", err: "not valid UTF-8"},
		"HTML":                  {body: "<html><body>Not found</body></html>\n", errLine: 1, err: `"name: value"`},
		"no version":            {body: "mode: enforce\nmx: a.example\nmax_age: 1\n", err: "no version: line"},
		"no mode":               {body: "version: STSv1\nmx: a.example\nmax_age: 1\n", err: "no mode: line"},
		"no max_age":            {body: "version: STSv1\nmode: testing\nmx: a.example\n", err: "no max_age: line"},
		"no mx":                 {body: "version: STSv1\nmode: enforce\nmax_age: 1\n", err: "needs at least one"},
		"mode misspelt":         {body: "version: STSv1\nmode: enfore\nmx: a.example\nmax_age: 1\n", errLine: 2, err: "enforce, testing or none"},
		"mode upper case":       {body: "version: STSv1\nmode: Enforce\nmx: a.example\nmax_age: 1\n", errLine: 2, err: "in lower case"},
		"field upper case":      {body: "version: STSv1\nMode: enforce\nmx: a.example\nmax_age: 1\n", errLine: 2, err: `senders read "mode", not "Mode"`},
		"version wrong":         {body: "version: STSv2\nmode: testing\nmx: a.example\nmax_age: 1\n", errLine: 1, err: "must be STSv1"},
		"equals instead":        {body: "version=STSv1\n", errLine: 1, err: `write "version: STSv1"`},
		"empty line":            {body: "version: STSv1\n\nmode: testing\nmx: a.example\nmax_age: 1\n", errLine: 2, err: "empty"},
		"two final breaks":      {body: good + "\n", errLine: 6, err: "empty"},
		"leading space":         {body: " version: STSv1\n", errLine: 1, err: "starts with a space"},
		"no value":              {body: "version: STSv1\nmode:\n", errLine: 2, err: "no value"},
		"max_age too large":     {body: "version: STSv1\nmode: none\nmax_age: 31557601\n", errLine: 3, err: "at most 31557600"},
		"max_age with a unit":   {body: "version: STSv1\nmode: none\nmax_age: 7d\n", errLine: 3, err: "digits only"},
		"max_age 11 digits":     {body: "version: STSv1\nmode: none\nmax_age: 10000000000\n", errLine: 3, err: "at most 10 digits"},
		"mx with a final dot":   {body: "version: STSv1\nmode: testing\nmx: mail.example.com.\nmax_age: 1\n", errLine: 3, err: `write the host name without it: "mail.example.com"`},
		"mx in the middle":      {body: "version: STSv1\nmode: testing\nmx: mail.*.example.com\nmax_age: 1\n", errLine: 3, err: `"*.example.com"`},
		"mx with a URL":         {body: "version: STSv1\nmode: testing\nmx: https://mail.example.com\nmax_age: 1\n", errLine: 3, err: "only letters, digits and hyphens"},
		"mx unicode":            {body: "version: STSv1\nmode: testing\nmx: mail.bücher.example\nmax_age: 1\n", errLine: 3, err: "xn--"},
		"control character":     {body: "version: STSv1\nx: a\x01b\n", errLine: 2, err: "control character"},
		"carriage return alone": {body: "version: STSv1\rmode: none\n", errLine: 1, err: "carriage return"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			p, err := ParsePolicy([]byte(tc.body))
			if tc.err != "" {
				var pe *PolicyError
				if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.err) || pe.Line != tc.errLine {
					t.Fatalf("ParsePolicy(%q) = %+v, %v; want a *PolicyError on line %d saying %q", tc.body, p, err, tc.errLine, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePolicy(%q): %v", tc.body, err)
			}
			if p.Mode != tc.want.Mode || p.MaxAge != tc.want.MaxAge || !slices.Equal(p.MX, tc.want.MX) ||
				!slices.Equal(p.Extensions, tc.want.Extensions) || !slices.Equal(p.Ignored, tc.want.Ignored) {
				t.Errorf("ParsePolicy(%q) =\n%+v, want\n%+v", tc.body, p, tc.want)
			}
		})
	}
}

func TestPolicyString(t *testing.T) {
	p := Policy{Mode: ModeTesting, MaxAge: 604800, MX: []Pattern{{Domain: "mail.example.com"}}}
	want := "version: STSv1\nmode: testing\nmx: mail.example.com\nmax_age: 604800\n"
	if got := p.String(); got != want {
		t.Fatalf("String() = %q, want %q", got, want)
	}
	back, err := ParsePolicy([]byte(want))
	if err != nil || back.Mode != p.Mode || back.MaxAge != p.MaxAge || !slices.Equal(back.MX, p.MX) {
		t.Errorf("the rendered policy parses as %+v, %v", back, err)
	}
}

func TestPatternMatches(t *testing.T) {
	tests := []struct {
		pattern, host string
		want          bool
	}{
		{"mail.example.com", "mail.example.com", true},
		{"mail.example.com", "MAIL.Example.COM.", true},
		{"mail.example.com", "mail2.example.com", false},
		{"mail.example.com", "example.com", false},
		{"*.example.com", "mail.example.com", true},
		{"*.example.com", "mx1.example.com.", true},
		{"*.example.com", "example.com", false},
		{"*.example.com", "a.mail.example.com", false},
		{"*.example.com", ".example.com", false},
		{"*.example.com", "mailexample.com", false},
		{"*.Example.COM", "mail.example.com", true},
	}
	for _, tc := range tests {
		p, err := ParsePattern(tc.pattern)
		if err != nil {
			t.Fatalf("ParsePattern(%q): %v", tc.pattern, err)
		}
		if got := p.Matches(tc.host); got != tc.want {
			t.Errorf("%q matches %q: %v, want %v", tc.pattern, tc.host, got, tc.want)
		}
	}
}

func TestCovers(t *testing.T) {
	p, err := ParsePolicy([]byte("version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\nmax_age: 86400\n"))
	if err != nil {
		t.Fatal(err)
	}
	if pat, ok := p.Covers("mx2.example.net."); !ok || pat.String() != "*.example.net" {
		t.Errorf("Covers(mx2.example.net.) = %v, %v", pat, ok)
	}
	if _, ok := p.Covers("backup.example.org."); ok {
		t.Error("a host no pattern names is covered")
	}
}

func TestParsePatternErrors(t *testing.T) {
	for v, want := range map[string]string{
		"":                              "names no host",
		"*.":                            "names no host",
		"*":                             "wildcard",
		"a..example":                    "empty label",
		"-a.example":                    "hyphen",
		"a_b.example":                   "only letters, digits and hyphens",
		strings.Repeat("a", 64) + ".x":  "at most 63",
		strings.Repeat("a.", 127) + "a": "at most 253",
	} {
		if _, err := ParsePattern(v); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParsePattern(%q) = %v, want an error saying %q", v, err, want)
		}
	}
}
