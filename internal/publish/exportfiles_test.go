package publish

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// TestExportFiles: a file to serve (the MTA-STS policy) is written as
// comments in both exports, never as a record.
func TestExportFiles(t *testing.T) {
	groups := []ExportGroup{{ID: steps.IDMTASTS, Title: "MTA-STS policy", Where: steps.AtDNSProvider,
		Records: []steps.Record{{Name: "_mta-sts.example.com.", Type: "TXT", TTL: 3600, Value: "v=STSv1; id=1"}},
		Files:   []steps.File{{URL: "https://mta-sts.example.com/.well-known/mta-sts.txt", ContentType: "text/plain", Body: "version: STSv1\nmode: testing\n"}}}}
	for name, write := range map[string]struct {
		fn     func(*bytes.Buffer) error
		prefix string
	}{
		"dnscontrol": {func(b *bytes.Buffer) error { return WriteDNSControl(b, "example.com.", groups) }, "\t// "},
		"octodns":    {func(b *bytes.Buffer) error { return WriteOctoDNS(b, "example.com.", groups) }, "# "},
	} {
		var b bytes.Buffer
		if err := write.fn(&b); err != nil {
			t.Fatal(err)
		}
		want := write.prefix + "not a DNS record: serve this file at https://mta-sts.example.com/.well-known/mta-sts.txt (text/plain):\n" +
			write.prefix + "  version: STSv1\n" + write.prefix + "  mode: testing\n"
		if !strings.Contains(b.String(), want) {
			t.Errorf("%s:\n%s\nwant it to hold:\n%s", name, b.String(), want)
		}
	}
}

// TestExportTLSA: TLSA records are written with each tool's own fields;
// a value that is not four fields stays a comment.
func TestExportTLSA(t *testing.T) {
	const data = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	groups := []ExportGroup{{ID: steps.IDDANE, Title: "DANE (TLSA record)", Where: steps.AtDNSProvider,
		Records: []steps.Record{
			{Name: "_25._tcp.mail.example.com.", Type: "TLSA", TTL: 3600, Value: "3 1 1 " + data},
			{Name: "_25._tcp.mail.example.com.", Type: "TLSA", TTL: 3600, Value: "2 1 1 " + data, Optional: true},
			{Name: "_25._tcp.smtp.example.com.", Type: "TLSA", TTL: 3600, Value: "3 1"},
		}}}
	var dc, od bytes.Buffer
	if err := WriteDNSControl(&dc, "example.com.", groups); err != nil {
		t.Fatal(err)
	}
	if err := WriteOctoDNS(&od, "example.com.", groups); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`TLSA("_25._tcp.mail", 3, 1, 1, "` + data + `", TTL(3600)),`,
		`TLSA("_25._tcp.mail", 2, 1, 1, "` + data + `", TTL(3600)),`,
		"// cannot be written for DNSControl: ; record _25._tcp.smtp.example.com. TLSA \"3 1\"",
	} {
		if !strings.Contains(dc.String(), want) {
			t.Errorf("dnscontrol:\n%s\nwant it to hold %q", dc.String(), want)
		}
	}
	want := "'_25._tcp.mail':\n  # " // the ownership note, then the record
	if !strings.Contains(od.String(), want) ||
		!strings.Contains(od.String(), "  - type: TLSA\n    ttl: 3600\n    values:\n      - certificate_usage: 3\n        selector: 1\n        matching_type: 1\n        certificate_association_data: '"+data+"'\n      - certificate_usage: 2\n") {
		t.Errorf("octodns:\n%s", od.String())
	}
}
