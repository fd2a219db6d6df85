package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// recordGroups is a step of each kind: records in the zone (one optional),
// records at the hosting provider, a record in another zone, and none.
func recordGroups() []RecordGroup {
	return []RecordGroup{
		{ID: steps.IDMX, Title: "MX record", Where: steps.AtDNSProvider, Records: []steps.Record{
			{Name: "example.com.", Type: "MX", TTL: 3600, Value: "10 mail.example.com."},
			{Name: "autoconfig.example.com.", Type: "CNAME", TTL: 3600, Value: "mail.example.com.", Optional: true},
		}},
		{ID: steps.IDPTR, Title: "Reverse DNS (PTR)", Where: steps.AtHostingProvider, Records: []steps.Record{
			{Name: "25.2.0.192.in-addr.arpa.", Type: "PTR", TTL: 3600, Value: "mail.example.com."},
		}},
		{ID: steps.IDDMARC, Title: "DMARC record", Where: steps.AtDNSProvider, Records: []steps.Record{
			{Name: "example.com._report._dmarc.example.net.", Type: "TXT", TTL: 3600, Value: "v=DMARC1"},
		}},
		{ID: steps.IDBlocklist, Title: "Blocklists (DNSBL)", Where: steps.Nowhere},
	}
}

func TestWriteZone(t *testing.T) {
	var b bytes.Buffer
	if err := WriteZone(&b, "example.com.", recordGroups()); err != nil {
		t.Fatal(err)
	}
	want := "; mailwizard: the records of the mail server of example.com.\n" +
		"\n; MX record (mx)\n" +
		"example.com.\t3600\tIN\tMX\t10 mail.example.com.\n" +
		"; optional:\n" +
		"autoconfig.example.com.\t3600\tIN\tCNAME\tmail.example.com.\n" +
		"\n; Reverse DNS (PTR) (ptr)\n" +
		"; at your hosting provider (reverse DNS), not in this zone:\n" +
		"; 25.2.0.192.in-addr.arpa.\t3600\tIN\tPTR\tmail.example.com.\n" +
		"\n; DMARC record (dmarc)\n" +
		"; in the zone that holds example.com._report._dmarc.example.net., not in this one:\n" +
		"; example.com._report._dmarc.example.net.\t3600\tIN\tTXT\t\"v=DMARC1\"\n"
	if b.String() != want {
		t.Errorf("zone:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestWriteRecordsJSON(t *testing.T) {
	var b bytes.Buffer
	if err := WriteRecordsJSON(&b, "example.com.", recordGroups()); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b.String())
	}
	requireKeys(t, "records", doc, "domain", "steps")
	all := doc["steps"].([]any)
	if len(all) != len(recordGroups()) {
		t.Fatalf("%d steps, want every group, those without records too", len(all))
	}
	requireKeys(t, "step", all[0].(map[string]any), "id", "title", "where", "records")
	requireKeys(t, "record", all[0].(map[string]any)["records"].([]any)[0].(map[string]any), "name", "type", "ttl", "value")
	if strings.Contains(b.String(), "null") {
		t.Errorf("a step without records has null, not []:\n%s", b.String())
	}
}

func TestRecordsLeavesOutSkippedSteps(t *testing.T) {
	cfg := steps.Config{Domain: "example.com.", Skip: []string{steps.IDPTR}}
	var ids []string
	for _, g := range Records(cfg) {
		ids = append(ids, g.ID)
	}
	var want []string
	for _, s := range steps.All() {
		if s.ID != steps.IDPTR {
			want = append(want, s.ID)
		}
	}
	if strings.Join(ids, " ") != strings.Join(want, " ") {
		t.Errorf("groups %v, want %v", ids, want)
	}
}
