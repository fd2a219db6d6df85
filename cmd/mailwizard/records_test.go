package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mailwizard/mailwizard/internal/report"
	"github.com/mailwizard/mailwizard/internal/steps"
)

func TestRecordsFormats(t *testing.T) {
	args := []string{"records", "--domain", "Example.COM", "--ip", "192.0.2.25", "--ip", "2001:db8::25", "--dnsbl", "none", "--skip", "autoconfig"}
	tests := map[string]struct {
		format string
		check  func(t *testing.T, out string)
	}{
		"table: the form fields, host relative to the zone": {
			format: "table",
			check: func(t *testing.T, out string) {
				for _, want := range []string{"MX record", "Host              @", "Value             mail.example.com.", "IP address        192.0.2.25", "IP address        2001:db8::25", "Value             v=spf1 mx -all", "Reverse DNS name  mail.example.com."} {
					if !strings.Contains(out, want) {
						t.Errorf("table lacks %q:\n%s", want, out)
					}
				}
			},
		},
		"zone: lines of the zone, other zones' records as comments": {
			format: "zone",
			check: func(t *testing.T, out string) {
				for line := range strings.SplitSeq(out, "\n") {
					switch {
					case strings.Contains(line, "in-addr.arpa.") || strings.Contains(line, "ip6.arpa."):
						if !strings.HasPrefix(line, "; ") {
							t.Errorf("reverse DNS line is not a comment: %q", line)
						}
					case strings.Contains(line, "\tMX\t"):
						if line != "example.com.\t3600\tIN\tMX\t10 mail.example.com." {
							t.Errorf("MX line = %q", line)
						}
					}
				}
				if !strings.Contains(out, "; at your hosting provider (reverse DNS), not in this zone:") {
					t.Errorf("zone output does not say where PTR records go:\n%s", out)
				}
			},
		},
		"json: steps with their records": {
			format: "json",
			check: func(t *testing.T, out string) {
				var doc report.RecordsJSON
				if err := json.Unmarshal([]byte(out), &doc); err != nil {
					t.Fatalf("not JSON: %v\n%s", err, out)
				}
				if doc.Domain != "example.com." {
					t.Errorf("domain = %q, want example.com.", doc.Domain)
				}
				ids := map[string]report.RecordsStep{}
				for _, s := range doc.Steps {
					ids[s.ID] = s
				}
				if _, ok := ids[steps.IDAutoconfig]; ok {
					t.Errorf("skipped step autoconfig is listed")
				}
				if mx := ids[steps.IDMX]; len(mx.Records) != 1 || mx.Records[0].Value != "10 mail.example.com." || mx.Where != steps.AtDNSProvider {
					t.Errorf("mx = %+v", mx)
				}
				if ptr := ids[steps.IDPTR]; len(ptr.Records) != 2 || ptr.Where != steps.AtHostingProvider {
					t.Errorf("ptr = %+v", ptr)
				}
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := runMW(t, testEnv(t), append(args, "--format", tc.format)...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			tc.check(t, r.stdout)
		})
	}
}

// TestRecordsProfile: --save keeps the answers, --domain alone brings them
// back, and a flag overrides the profile without changing it.
func TestRecordsProfile(t *testing.T) {
	e := testEnv(t)
	key := writeKey(t, t.TempDir())
	saved := runMW(t, e, "records", "--domain", "example.com", "--ip", "192.0.2.25", "--dkim-selector", "mail", "--dkim-key", key, "--dnsbl", "none", "--format", "json", "--save")
	if saved.code != 0 {
		t.Fatalf("records --save: exit %d: %s", saved.code, saved.stderr)
	}
	if !strings.Contains(saved.stderr, "saved the answers to ") {
		t.Errorf("stderr = %q, want it to say where the profile went", saved.stderr)
	}
	tests := map[string]struct {
		args   []string
		wantIP string
	}{
		"domain alone loads the profile":  {[]string{"--domain", "example.com"}, "192.0.2.25"},
		"typed differently, same profile": {[]string{"--domain", "EXAMPLE.com."}, "192.0.2.25"},
		"a flag overrides the profile":    {[]string{"--domain", "example.com", "--ip", "198.51.100.7"}, "198.51.100.7"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := runMW(t, e, append([]string{"records", "--format", "json"}, tc.args...)...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if !strings.Contains(r.stdout, `"value": "`+tc.wantIP+`"`) {
				t.Errorf("records do not use %s:\n%s", tc.wantIP, r.stdout)
			}
			if !strings.Contains(r.stdout, `"name": "mail._domainkey.example.com."`) {
				t.Errorf("records lack the DKIM record from the profile's key:\n%s", r.stdout)
			}
		})
	}
	again := runMW(t, e, "records", "--domain", "example.com", "--format", "json")
	if again.stdout != saved.stdout {
		t.Errorf("after the override, the profile changed:\n%s\nwant\n%s", again.stdout, saved.stdout)
	}
}
