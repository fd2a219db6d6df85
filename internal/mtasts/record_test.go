package mtasts

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseRecord(t *testing.T) {
	tests := map[string]struct {
		txt     string
		id      string
		ext     []Field
		ignored []string
		err     string // part of the error; "" for none
	}{
		"minimal":                   {txt: "v=STSv1; id=20260301T120000Z", id: "20260301T120000Z"},
		"final separator":           {txt: "v=STSv1; id=abc;", id: "abc"},
		"final separator and space": {txt: "v=STSv1;id=abc ; ", id: "abc"},
		"tabs around separators":    {txt: "v=STSv1\t;\tid=1", id: "1"},
		"extension kept":            {txt: "v=STSv1; id=1; x-note=hello", id: "1", ext: []Field{{"x-note", "hello"}}},
		"32 characters":             {txt: "v=STSv1; id=" + strings.Repeat("a", 32), id: strings.Repeat("a", 32)},
		"repeated id: first counts": {txt: "v=STSv1; id=1; id=2", id: "1", ignored: []string{"id=2"}},
		"id with dashes":            {txt: "v=STSv1; id=2026-03-01", err: `"id=2026-03-01" at character 10: the id may hold only letters and digits, not '-'`},
		"33 characters":             {txt: "v=STSv1; id=" + strings.Repeat("a", 33), err: "the id has 33 characters; it may have at most 32"},
		"no id":                     {txt: "v=STSv1; x=1", err: "no id= field"},
		"version only":              {txt: "v=STSv1", err: "holds nothing after v=STSv1"},
		"version and separator":     {txt: "v=STSv1;", err: "holds nothing after v=STSv1"},
		"semicolon missing":         {txt: "v=STSv1 id=1", err: `"id=1" at character 9: a ";" is missing before it`},
		"lower-case version":        {txt: "v=stsv1; id=1", err: "must be written v=STSv1, in exactly this case"},
		"leading space":             {txt: " v=STSv1; id=1", err: "starts with a space"},
		"quoted":                    {txt: `"v=STSv1; id=1"`, err: "does not start with v=STSv1"},
		"longer version":            {txt: "v=STSv12; id=1", err: `must start with v=STSv1 followed by ";"`},
		"two semicolons":            {txt: "v=STSv1;; id=1", err: "two semicolons with nothing between them"},
		"empty value":               {txt: "v=STSv1; id=", err: "no value"},
		"no equals sign":            {txt: "v=STSv1; id", err: "form name=value"},
		"space in an extension":     {txt: "v=STSv1; id=1; x=a b", err: "cannot hold a space"},
		"bad field name":            {txt: "v=STSv1; id=1; _x=1", err: "starts with a letter or a digit"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r, err := ParseRecord(tc.txt)
			if tc.err != "" {
				var se *SyntaxError
				if !errors.As(err, &se) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("ParseRecord(%q) = %+v, %v; want a *SyntaxError saying %q", tc.txt, r, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseRecord(%q): %v", tc.txt, err)
			}
			if r.ID != tc.id || !slices.Equal(r.Extensions, tc.ext) || !slices.Equal(r.Ignored, tc.ignored) {
				t.Errorf("ParseRecord(%q) = %+v, want id %q, extensions %v, ignored %v", tc.txt, r, tc.id, tc.ext, tc.ignored)
			}
		})
	}
}

func TestIsRecord(t *testing.T) {
	for txt, want := range map[string]bool{
		"v=STSv1; id=1":     true,
		"v=stsv1; id=1":     true,
		"  v=STSv1 id=1":    true,
		"v=STSv1":           true,
		"v=STSv10; id=1":    false,
		"v=spf1 -all":       false,
		"v=TLSRPTv1; rua=x": false,
		"":                  false,
	} {
		if got := IsRecord(txt); got != want {
			t.Errorf("IsRecord(%q) = %v, want %v", txt, got, want)
		}
	}
}

func TestNewID(t *testing.T) {
	at := time.Date(2026, 3, 1, 13, 4, 5, 0, time.FixedZone("CET", 3600))
	id := NewID(at)
	if id != "20260301T120405Z" {
		t.Errorf("NewID = %q, want the UTC timestamp 20260301T120405Z", id)
	}
	if _, err := ParseRecord(Record{ID: id}.String()); err != nil {
		t.Errorf("a record with a new id does not parse: %v", err)
	}
}

func TestParseReportRecord(t *testing.T) {
	tests := map[string]struct {
		txt string
		rua []string
		err string
	}{
		"mailto":               {txt: "v=TLSRPTv1; rua=mailto:tls-reports@example.com", rua: []string{"mailto:tls-reports@example.com"}},
		"https":                {txt: "v=TLSRPTv1;rua=https://reports.example.net/tlsrpt", rua: []string{"https://reports.example.net/tlsrpt"}},
		"two in one field":     {txt: "v=TLSRPTv1; rua=mailto:a@example.com , https://r.example.net/", rua: []string{"mailto:a@example.com", "https://r.example.net/"}},
		"two fields":           {txt: "v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com;", rua: []string{"mailto:a@example.com", "mailto:b@example.com"}},
		"mailto with a query":  {txt: "v=TLSRPTv1; rua=mailto:a@example.com?subject=tls", rua: []string{"mailto:a@example.com?subject=tls"}},
		"extension":            {txt: "v=TLSRPTv1; rua=mailto:a@example.com; x=1", rua: []string{"mailto:a@example.com"}},
		"no rua":               {txt: "v=TLSRPTv1; x=1", err: "no rua= field"},
		"bare address":         {txt: "v=TLSRPTv1; rua=a@example.com", err: "has no scheme; write mailto:a@example.com"},
		"http":                 {txt: "v=TLSRPTv1; rua=http://r.example.net/", err: "only to mailto: and https:"},
		"size suffix":          {txt: "v=TLSRPTv1; rua=mailto:a@example.com!10m", err: "%21"},
		"space instead of a ,": {txt: "v=TLSRPTv1; rua=mailto:a@example.com mailto:b@example.com", err: "separate report URIs with commas"},
		"no address":           {txt: "v=TLSRPTv1; rua=mailto:", err: "name@example.com"},
		"bad domain":           {txt: "v=TLSRPTv1; rua=mailto:a@exa_mple.com", err: "the part after @"},
		"https without a host": {txt: "v=TLSRPTv1; rua=https:///x", err: "no host name"},
		"stray comma":          {txt: "v=TLSRPTv1; rua=mailto:a@example.com,", err: "empty"},
		"lower-case version":   {txt: "v=tlsrptv1; rua=mailto:a@example.com", err: "in exactly this case"},
		"semicolon missing":    {txt: "v=TLSRPTv1 rua=mailto:a@example.com", err: `a ";" is missing`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r, err := ParseReportRecord(tc.txt)
			if tc.err != "" {
				var se *SyntaxError
				if !errors.As(err, &se) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("ParseReportRecord(%q) = %+v, %v; want a *SyntaxError saying %q", tc.txt, r, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseReportRecord(%q): %v", tc.txt, err)
			}
			if !slices.Equal(r.RUA, tc.rua) {
				t.Errorf("RUA = %q, want %q", r.RUA, tc.rua)
			}
			if !IsReportRecord(tc.txt) {
				t.Errorf("IsReportRecord(%q) is false", tc.txt)
			}
		})
	}
}
