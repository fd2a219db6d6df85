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
