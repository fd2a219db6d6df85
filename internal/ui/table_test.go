package ui

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/mailwizard/mailwizard/internal/report"
	"github.com/mailwizard/mailwizard/internal/steps"
)

// tableReport is a round with a step of every kind of outcome.
func tableReport() report.Report {
	return report.Report{
		Domain: "example.com.", Status: steps.StatusPending,
		CheckedAt: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		Steps: []report.Step{
			{ID: steps.IDHost, Title: "Mail host address", Status: steps.StatusPass},
			{ID: steps.IDMX, Title: "MX record", Status: steps.StatusWarn, Findings: []steps.Finding{{
				Code: "mx-extra-host", Severity: steps.SeverityWarning,
				Message: "example.com. also has MX 20 old.example.net. on ns1.example.net. and ns2.example.net.; mail may go there.",
				Hint:    "Remove it unless that server still takes your mail.",
			}}},
			{ID: steps.IDDMARC, Title: "DMARC record", Status: steps.StatusPass, Observed: []report.Observation{{
				Question: "TXT _dmarc.example.com.", Server: "ns1.example.net.", Rcode: "NOERROR",
				Records: []string{`_dmarc.example.com. 3600 IN TXT "v=DMARC1; p=none"`},
			}}, Resolvers: []report.Observation{{
				Question: "TXT _dmarc.example.com.", Server: "127.0.0.53:53", Rcode: "NXDOMAIN", NegativeTTLSeconds: 3540,
			}}, SecondOpinion: []steps.Opinion{{
				Resolver: "127.0.0.53:53", Stale: true,
				Note: `127.0.0.53:53 still caches "no such name" for up to 59 min (TXT _dmarc.example.com.); it will catch up on its own.`,
			}}},
			{ID: steps.IDDKIM, Title: "DKIM key", Status: steps.StatusPending, Servers: []steps.ServerVerdict{
				{Server: "ns1.example.net.", Verdict: steps.VerdictOK, Detail: "serves it"},
				{Server: "ns2.example.net.", Verdict: steps.VerdictBad, Detail: "no such name mail._domainkey.example.com."},
			}, Findings: []steps.Finding{{
				Code: "partial-propagation", Severity: steps.SeverityWarning,
				Message: "mail._domainkey.example.com. is on ns1.example.net. but not yet on ns2.example.net.",
			}}},
			{ID: steps.IDBlocklist, Title: "Blocklists", Status: steps.StatusError, Findings: []steps.Finding{{
				Code: "lookup-error", Severity: steps.SeverityWarning, Message: "Could not check A 25.2.0.192.zen.example.: timeout.",
			}}},
			{ID: steps.IDAutoconfig, Title: "Mail client settings (SRV, autodiscover, autoconfig)", Status: steps.StatusPass},
			{ID: steps.IDPTR, Title: "Reverse DNS (PTR)", Status: steps.StatusSkipped},
		},
	}
}

func TestWriteCheckTable(t *testing.T) {
	for name, width := range map[string]int{"80 columns": 80, "120 columns": 120} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteCheckTable(&buf, tableReport(), TableOptions{Env: []string{"TERM=xterm-256color"}, Width: width}); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			for i, line := range strings.Split(out, "\n") {
				if w := lipgloss.Width(line); w > width {
					t.Errorf("line %d is %d columns wide, more than %d: %q", i+1, w, width, line)
				}
			}
			golden.RequireEqual(t, out)
		})
	}
}

func TestWriteCheckTableColour(t *testing.T) {
	tests := map[string]struct {
		env        []string
		wantColour bool
	}{
		"not a terminal: plain text":     {env: []string{"TERM=xterm-256color"}},
		"forced colour":                  {env: []string{"TERM=xterm-256color", "CLICOLOR_FORCE=1"}, wantColour: true},
		"TERM=dumb without force: plain": {env: []string{"TERM=dumb"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteCheckTable(&buf, tableReport(), TableOptions{Env: tc.env, Width: 80}); err != nil {
				t.Fatal(err)
			}
			// Green is the pass colour in the terminal's own palette.
			if got := strings.Contains(buf.String(), "\x1b[1;32m"); got != tc.wantColour {
				t.Errorf("coloured = %v, want %v:\n%q", got, tc.wantColour, buf.String())
			}
		})
	}
}

func TestWriteChanges(t *testing.T) {
	prev := tableReport()
	cur := tableReport()
	cur.Steps[3].Status, cur.Steps[3].Findings = steps.StatusPass, nil
	cur.Steps[4].Status = steps.StatusPass
	cur.Steps[4].Findings = nil
	var buf bytes.Buffer
	if err := WriteChanges(&buf, time.Date(2026, 3, 1, 12, 0, 5, 0, time.UTC), report.Changes(prev, cur), TableOptions{Env: []string{}}); err != nil {
		t.Fatal(err)
	}
	golden.RequireEqual(t, buf.String())
}

func TestWriteRecords(t *testing.T) {
	groups := []report.RecordGroup{
		{ID: steps.IDMX, Title: "MX record", Where: steps.AtDNSProvider, Records: []steps.Record{
			{Name: "example.com.", Type: "MX", TTL: 3600, Value: "10 mail.example.com."},
		}},
		{ID: steps.IDPTR, Title: "Reverse DNS (PTR)", Where: steps.AtHostingProvider, Records: []steps.Record{
			{Name: "25.2.0.192.in-addr.arpa.", Type: "PTR", TTL: 3600, Value: "mail.example.com."},
			{Name: "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", Type: "PTR", TTL: 3600, Value: "mail.example.com."},
		}},
		{ID: steps.IDDKIM, Title: "DKIM key", Where: steps.AtDNSProvider, Records: []steps.Record{
			{Name: "mail._domainkey.example.com.", Type: "TXT", TTL: 3600, Value: "v=DKIM1; k=rsa; p=" + strings.Repeat("A", 300)},
		}},
		{ID: steps.IDAutoconfig, Title: "Mail client settings", Where: steps.AtDNSProvider, Records: []steps.Record{
			{Name: "_submissions._tcp.example.com.", Type: "SRV", TTL: 3600, Value: "0 1 465 mail.example.com."},
			{Name: "autoconfig.example.com.", Type: "CNAME", TTL: 3600, Value: "mail.example.com.", Optional: true},
		}},
		{ID: steps.IDBlocklist, Title: "Blocklists", Where: steps.Nowhere},
	}
	var buf bytes.Buffer
	if err := WriteRecords(&buf, "example.com.", groups, TableOptions{Env: []string{}}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, "Blocklists") {
		t.Errorf("a step without records is listed:\n%s", out)
	}
	golden.RequireEqual(t, out)
}

func TestTableAddrFromReverse(t *testing.T) {
	tests := map[string]struct{ name, want string }{
		"IPv4":                {"25.2.0.192.in-addr.arpa.", "192.0.2.25"},
		"IPv6 nibbles":        {"5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", "2001:db8::25"},
		"too few IPv4 labels": {"2.0.192.in-addr.arpa.", "2.0.192.in-addr.arpa."},
		"too few nibbles":     {"8.b.d.0.1.0.0.2.ip6.arpa.", "8.b.d.0.1.0.0.2.ip6.arpa."},
		"not a nibble":        {strings.Repeat("x.", 32) + "ip6.arpa.", strings.Repeat("x.", 32) + "ip6.arpa."},
		"not a reverse name":  {"mail.example.com.", "mail.example.com."},
		"octet out of range":  {"256.2.0.192.in-addr.arpa.", "256.2.0.192.in-addr.arpa."},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := addrFromReverse(tc.name); got != tc.want {
				t.Errorf("addrFromReverse(%q) = %q, want %q", tc.name, got, tc.want)
			}
		})
	}
}

func BenchmarkWriteCheckTable(b *testing.B) {
	r := tableReport()
	opts := TableOptions{Env: []string{}, Width: 100}
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteCheckTable(io.Discard, r, opts); err != nil {
			b.Fatal(err)
		}
	}
}
