package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/mailwizard/mailwizard/internal/steps"
)

func TestWriteMarkdown(t *testing.T) {
	dkim := steps.Record{Name: "mail._domainkey.example.com.", Type: "TXT", TTL: 3600, Value: "v=DKIM1; k=ed25519; p=abc"}
	r := Report{
		Domain: "example.com.", Status: steps.StatusPending,
		CheckedAt: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		Steps: []Step{
			{ID: "mx", Title: "MX record", Status: steps.StatusPass},
			{ID: "dmarc", Title: "DMARC record", Status: steps.StatusWarn, SecondOpinion: []steps.Opinion{{
				Resolver: "127.0.0.53:53", Stale: true,
				Note: `127.0.0.53:53 still caches "no such name" for up to 59 min (TXT _dmarc.example.com.); it will catch up on its own.`,
			}}},
			{ID: "ptr", Title: "Reverse DNS | PTR", Status: steps.StatusSkipped},
			{
				ID: "dkim", Title: "DKIM key", Status: steps.StatusPending, Expected: []steps.Record{dkim},
				Observed: []Observation{{Question: "TXT mail._domainkey.example.com.", Server: "ns1.example.net.", Address: "192.0.2.53:53", Rcode: "NXDOMAIN", RTTMillis: 2}},
				Servers: []steps.ServerVerdict{
					{Server: "ns1.example.net.", Verdict: steps.VerdictBad, Detail: "no such name mail._domainkey.example.com."},
					{Server: "ns2.example.net.", Verdict: steps.VerdictOK, Detail: "serves it"},
				},
				Findings: []steps.Finding{{Code: "partial-propagation", Severity: steps.SeverityWarning, Message: "Only ns2 has it.\nWait.", Hint: "Wait a minute."}},
			},
		},
	}
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, r); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	tests := map[string]struct {
		text string
		want bool
	}{
		"title names the domain":            {"## mailwizard check of `example.com.`", true},
		"overall status and time":           {"**Status: pending**, checked 2026-03-01 12:00:00 UTC", true},
		"summary row of a passing step":     {"| MX record (`mx`) | pass |  |", true},
		"pipes in a title are escaped":      {"| Reverse DNS `\\|` PTR (`ptr`) | skipped |", true},
		"details of the pending step":       {"### DKIM key (`dkim`): pending", true},
		"what each server said":             {"- `TXT mail._domainkey.example.com.` at `ns1.example.net.` (`192.0.2.53:53`): NXDOMAIN, 2 ms", true},
		"each server's verdict":             {"- bad `ns1.example.net.`: no such name `mail._domainkey.example.com.`\n- ok `ns2.example.net.`: serves it\n", true},
		"a resolver's note, said once":      {"- `127.0.0.53:53` still caches `\"no such name\"` for up to 59 min (TXT `_dmarc.example.com.`); it will catch up on its own.\n", true},
		"finding on one line with its hint": {"- **warning** `partial-propagation`: Only ns2 has it. Wait. Wait a minute.", true},
		"no details for a plain pass":       {"### MX record", false},
		"no details for a skipped step":     {"### Reverse DNS", false},
	}
	for _, line := range dkim.ZoneLines() {
		tests["expected record as a zone line: "+line] = struct {
			text string
			want bool
		}{line, true}
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := strings.Contains(out, tc.text); got != tc.want {
				t.Errorf("report contains %q = %v, want %v:\n%s", tc.text, got, tc.want, out)
			}
		})
	}
}
