package bulk

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

var testColumns = []string{"host", "ip", "dkim-selector", "dnsbl", "no-probe"}

// readAll reads every row and every error of a domains file.
func readAll(t *testing.T, text string) ([]Row, []string, bool) {
	t.Helper()
	r := NewReader(strings.NewReader(text), "d.csv", testColumns)
	var rows []Row
	var errs []string
	for range 1000 {
		row, err := r.Next()
		switch {
		case errors.Is(err, io.EOF):
			return rows, errs, r.IsCSV()
		case err != nil:
			errs = append(errs, err.Error())
		default:
			rows = append(rows, row)
		}
	}
	t.Fatal("the reader does not end")
	return nil, nil, false
}

func TestReaderLines(t *testing.T) {
	text := "# customers\n\nexample.com\n  Example.ORG.   # a note, with a comma\nexa mple.net\n\texample.net\n"
	rows, errs, isCSV := readAll(t, text)
	want := []Row{{Line: 3, Domain: "example.com"}, {Line: 4, Domain: "Example.ORG."}, {Line: 6, Domain: "example.net"}}
	if isCSV || !reflect.DeepEqual(rows, want) {
		t.Errorf("rows %+v (csv %v), want %+v", rows, isCSV, want)
	}
	if len(errs) != 1 || !strings.HasPrefix(errs[0], `d.csv:5: "exa mple.net": want one domain a line`) {
		t.Errorf("errors %q", errs)
	}
}

func TestReaderCSV(t *testing.T) {
	text := "# hosting customers\nDomain, IP,dkim-selector ,--dnsbl\n" +
		"example.com,192.0.2.25 2001:db8::25,mail,\n" +
		"\n# a comment\n" +
		"\"example.org\",\"192.0.2.26,192.0.2.27\",,none\n" +
		"example.net,192.0.2.28\n" +
		",192.0.2.29,,\n" +
		"example.info,\"192.0.2.30\n"
	rows, errs, isCSV := readAll(t, text)
	want := []Row{
		{Line: 3, Domain: "example.com", Columns: map[string][]string{"ip": {"192.0.2.25", "2001:db8::25"}, "dkim-selector": {"mail"}}, CSV: true},
		{Line: 6, Domain: "example.org", Columns: map[string][]string{"ip": {"192.0.2.26", "192.0.2.27"}, "dnsbl": {"none"}}, CSV: true},
	}
	if !isCSV || !reflect.DeepEqual(rows, want) {
		t.Errorf("rows %+v, want %+v", rows, want)
	}
	wantErrs := []string{
		"d.csv:7: has 2 fields; the header has 4",
		"d.csv:8: domain: empty",
		"d.csv:9: does not parse as CSV: extraneous or missing \" in quoted-field",
	}
	if !reflect.DeepEqual(errs, wantErrs) {
		t.Errorf("errors\n%q\nwant\n%q", errs, wantErrs)
	}
}

func TestReaderBadHeader(t *testing.T) {
	for text, want := range map[string]string{
		"domain,ipv4\nexample.com,1\n":     `d.csv:1: column "ipv4" is not a flag of check; the columns are domain and host, ip, dkim-selector, dnsbl, no-probe`,
		"\n\nip,host\n":                    "d.csv:3: the header has no domain column",
		"domain,ip,IP\n":                   "d.csv:1: column ip is in the header twice",
		"domain,,ip\n":                     "d.csv:1: column 2 of the header has no name",
		"domain,\"ip\n":                    "d.csv:1: the header does not parse as CSV: extraneous or missing \" in quoted-field",
		"domain\nexample.com\n":            "",
		"# nothing\n\n":                    "",
		strings.Repeat("x", 70<<10) + "\n": "d.csv:1: a line longer than 65536 bytes",
	} {
		rows, errs, _ := readAll(t, text)
		switch {
		case want == "" && len(errs) > 0:
			t.Errorf("%q: errors %q", text, errs)
		case want != "" && (len(errs) != 1 || !strings.HasPrefix(errs[0], want) || len(rows) > 0):
			t.Errorf("%.40q: rows %v, errors %q; want %q", text, rows, errs, want)
		}
	}
}

func TestCount(t *testing.T) {
	for text, want := range map[string]int{
		"# c\na.example\n\nb.example\n":       2,
		"domain,ip\na.example,1\nb.example,2": 2,
		"domain\n":                            0,
		"":                                    0,
	} {
		if got, err := Count(strings.NewReader(text)); err != nil || got != want {
			t.Errorf("Count(%q) = %d, %v; want %d", text, got, err, want)
		}
	}
}

func FuzzReader(f *testing.F) {
	f.Add("domain,ip\nexample.com,192.0.2.1\n")
	f.Add("example.com\n# c\nexample.org # x\n")
	f.Add("domain,\"ip\n\"a\",\"b\n")
	f.Add("\"domain\",host\n\"a\"\"b\",c d,e\n")
	f.Fuzz(func(t *testing.T, text string) {
		r := NewReader(strings.NewReader(text), "fuzz", testColumns)
		for range 10000 {
			row, err := r.Next()
			var re *RowError
			var fe *FileError
			switch {
			case errors.Is(err, io.EOF), errors.As(err, &fe):
				return
			case errors.As(err, &re):
				if re.Line < 1 {
					t.Fatalf("a row error without its line: %v", err)
				}
			case err != nil:
				t.Fatalf("unexpected error %T %v", err, err)
			case row.Domain == "" || row.Line < 1:
				t.Fatalf("row %+v", row)
			}
		}
		t.Fatal("the reader does not end")
	})
}
