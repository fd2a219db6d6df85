package mtasts

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkSyntaxError fails t when err is not a *SyntaxError whose Text is
// where its Pos says in txt.
func checkSyntaxError(t *testing.T, txt string, err error) {
	t.Helper()
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("error %T %v for %q is not a *SyntaxError", err, err, txt)
	}
	if se.Pos < 0 || se.Pos+len(se.Text) > len(txt) || txt[se.Pos:se.Pos+len(se.Text)] != se.Text {
		t.Fatalf("error for %q names %q at %d, which is not in the record", txt, se.Text, se.Pos)
	}
}

func FuzzParseRecord(f *testing.F) {
	for _, s := range []string{
		"v=STSv1; id=20260301T120000Z",
		"v=STSv1;id=1;",
		"v=STSv1; id=1; x-ext=v;",
		"v=STSv1 ; id=1 ; id=2",
		"v=stsv1; id=1",
		"v=STSv1; id=2026-03-01",
		" v=STSv1;;id=",
		"v=STSv1; id=1\x00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, txt string) {
		r, err := ParseRecord(txt)
		if err != nil {
			checkSyntaxError(t, txt, err)
			return
		}
		if !IsRecord(txt) || !strings.HasPrefix(txt, "v=STSv1") {
			t.Fatalf("ParseRecord accepted %q, which is no MTA-STS record", txt)
		}
		if r.ID == "" || len(r.ID) > maxIDLen {
			t.Fatalf("ParseRecord(%q) has id %q", txt, r.ID)
		}
		again, err := ParseRecord(r.String())
		if err != nil || again.ID != r.ID || !slices.Equal(again.Extensions, r.Extensions) {
			t.Fatalf("%q renders as %q, which parses as %+v, %v", txt, r.String(), again, err)
		}
	})
}

func FuzzParseReportRecord(f *testing.F) {
	for _, s := range []string{
		"v=TLSRPTv1; rua=mailto:tls-reports@example.com",
		"v=TLSRPTv1;rua=https://r.example.net/x,mailto:a@b.example;",
		"v=TLSRPTv1; rua=mailto:a@b.example!10m",
		"v=TLSRPTv1; rua=mailto:a@b.example mailto:c@d.example",
		"v=TLSRPTv1; x=1; rua=,",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, txt string) {
		r, err := ParseReportRecord(txt)
		if err != nil {
			checkSyntaxError(t, txt, err)
			return
		}
		if len(r.RUA) == 0 || !IsReportRecord(txt) {
			t.Fatalf("ParseReportRecord(%q) = %+v", txt, r)
		}
		again, err := ParseReportRecord(r.String())
		if err != nil || !slices.Equal(again.RUA, r.RUA) {
			t.Fatalf("%q renders as %q, which parses as %+v, %v", txt, r.String(), again, err)
		}
	})
}

func FuzzParsePolicy(f *testing.F) {
	for _, s := range []string{
		"version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\nmax_age: 604800\n",
		"version: STSv1\r\nmode: none\r\nmax_age: 0",
		"version: STSv1\nmode: testing\nmx: a.example\nmax_age: 1\nx: ✓ y\nmode: none\n",
		"version: STSv1\n\nmode: testing\n",
		"Mode: enforce\n",
		"version=STSv1",
		"<html></html>",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := ParsePolicy(body)
		if err != nil {
			var pe *PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v is not a *PolicyError", err, err)
			}
			if pe.Line < 0 || !utf8.ValidString(pe.Error()) {
				t.Fatalf("error %q for %q", pe.Error(), body)
			}
			return
		}
		if p.Mode != ModeEnforce && p.Mode != ModeTesting && p.Mode != ModeNone || p.MaxAge < 0 || p.MaxAge > MaxMaxAge {
			t.Fatalf("ParsePolicy(%q) = %+v", body, p)
		}
		for _, pat := range p.MX {
			if !pat.Matches(strings.TrimPrefix(pat.String(), "*.")) && !pat.Wildcard {
				t.Fatalf("pattern %q does not match its own name", pat)
			}
		}
		again, err := ParsePolicy([]byte(p.String()))
		if err != nil || again.Mode != p.Mode || again.MaxAge != p.MaxAge || !slices.Equal(again.MX, p.MX) || !slices.Equal(again.Extensions, p.Extensions) {
			t.Fatalf("%q renders as %q, which parses as %+v, %v", body, p.String(), again, err)
		}
	})
}
