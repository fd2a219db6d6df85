package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// policyGroup is a step with a record and a file to serve.
func policyGroup() RecordGroup {
	return RecordGroup{ID: steps.IDMTASTS, Title: "MTA-STS policy", Where: steps.AtDNSProvider,
		Records: []steps.Record{{Name: "_mta-sts.example.com.", Type: "TXT", TTL: 3600, Value: "v=STSv1; id=20260301T120000Z"}},
		Files: []steps.File{{URL: "https://mta-sts.example.com/.well-known/mta-sts.txt", ContentType: "text/plain",
			Body: "version: STSv1\nmode: testing\nmx: mail.example.com\nmax_age: 604800\n"}}}
}

// TestWriteZoneFiles: a file to serve is written as comments after its
// step's records, so that the zone lines still load.
func TestWriteZoneFiles(t *testing.T) {
	var b bytes.Buffer
	if err := WriteZone(&b, "example.com.", []RecordGroup{policyGroup()}); err != nil {
		t.Fatal(err)
	}
	want := "\n; MTA-STS policy (mta-sts)\n" +
		"_mta-sts.example.com.\t3600\tIN\tTXT\t\"v=STSv1; id=20260301T120000Z\"\n" +
		"; not a DNS record: serve this file at https://mta-sts.example.com/.well-known/mta-sts.txt (text/plain):\n" +
		";   version: STSv1\n;   mode: testing\n;   mx: mail.example.com\n;   max_age: 604800\n"
	if !strings.HasSuffix(b.String(), want) {
		t.Errorf("zone:\n%s\nwant it to end with:\n%s", b.String(), want)
	}
}

// TestWriteRecordsJSONFiles: files are in the step's "files", and a step
// without files has none.
func TestWriteRecordsJSONFiles(t *testing.T) {
	var b bytes.Buffer
	if err := WriteRecordsJSON(&b, "example.com.", append(recordGroups(), policyGroup())); err != nil {
		t.Fatal(err)
	}
	var doc RecordsJSON
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	last := doc.Steps[len(doc.Steps)-1]
	if len(last.Files) != 1 || last.Files[0].ContentType != "text/plain" || !strings.Contains(last.Files[0].Body, "mode: testing\n") {
		t.Errorf("files %+v", last.Files)
	}
	if !strings.Contains(b.String(), `"url": "https://mta-sts.example.com/.well-known/mta-sts.txt"`) || strings.Count(b.String(), `"files"`) != 1 {
		t.Errorf("JSON:\n%s", b.String())
	}
}

// TestReportFiles: the check report carries the files a step wants
// served, beside its expected records.
func TestReportFiles(t *testing.T) {
	g := policyGroup()
	r := Build("example.com.", []steps.Result{{Step: g.ID, Status: steps.StatusPending, Expected: g.Records, Files: g.Files}}, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	var b bytes.Buffer
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"files": [`) || !strings.Contains(b.String(), `"content_type": "text/plain"`) {
		t.Errorf("report:\n%s", b.String())
	}
}
