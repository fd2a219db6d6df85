package ui

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mailwizard/mailwizard/internal/report"
	"github.com/mailwizard/mailwizard/internal/steps"
)

// TestWriteRecordsFiles: a file to serve is listed after its step's
// records, with its URL, its content type and its content line by line.
func TestWriteRecordsFiles(t *testing.T) {
	groups := []report.RecordGroup{{ID: steps.IDMTASTS, Title: "MTA-STS policy", Where: steps.AtDNSProvider,
		Records: []steps.Record{{Name: "_mta-sts.example.com.", Type: "TXT", TTL: 3600, Value: "v=STSv1; id=1"}},
		Files:   []steps.File{{URL: "https://mta-sts.example.com/.well-known/mta-sts.txt", ContentType: "text/plain", Body: "version: STSv1\nmode: testing\n"}}}}
	var buf bytes.Buffer
	if err := WriteRecords(&buf, "example.com.", groups, TableOptions{Env: []string{}}); err != nil {
		t.Fatal(err)
	}
	want := "  File to serve (not a DNS record)\n" +
		"    URL           https://mta-sts.example.com/.well-known/mta-sts.txt\n" +
		"    Content type  text/plain\n" +
		"                  version: STSv1\n" +
		"                  mode: testing\n"
	if !strings.Contains(buf.String(), want) {
		t.Errorf("table:\n%s\nwant it to hold:\n%s", buf.String(), want)
	}
}
