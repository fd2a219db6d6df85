package steps

import (
	"strings"
	"testing"

	"github.com/miekg/dns"
)

func TestDMARC(t *testing.T) {
	reject := func(c *Config) { c.DMARCPolicy = DMARCReject }
	external := func(c *Config) { c.DMARCRUA = "reports@example.net" }
	const auth = "example.com._report._dmarc.example.net."
	runStepCases(t, IDDMARC, testConfig, map[string]stepCase{
		"published, policy none": {
			status: StatusPass,
			want:   []string{CodeDMARCPolicyNone},
			not:    []string{CodeDMARCMissing, CodeDMARCMultiple, CodeDMARCSyntax, CodeDMARCRUAUnauthorized, CodeDMARCAtApex, CodeDMARCNoRUA},
			says:   []string{"p=quarantine"},
		},
		"published, policy reject": {
			cfg:    reject,
			status: StatusPass,
			not:    []string{CodeDMARCPolicyNone},
		},
		"absent everywhere": {
			world:  func(w *world) { w.remove("_dmarc", dns.TypeTXT) },
			status: StatusPending,
			want:   []string{CodeDMARCMissing},
			says:   []string{"_dmarc.example.com. has no DMARC record", `"v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com"`},
		},
		"a TXT that is not DMARC does not count": {
			world:  func(w *world) { w.replace(`_dmarc TXT "google-site-verification=abc"`) },
			status: StatusPending,
			want:   []string{CodeDMARCMissing},
		},
		"two records": {
			world: func(w *world) {
				w.add("ns1.example.net.", `_dmarc TXT "v=DMARC1; p=reject"`).add("ns2.example.net.", `_dmarc TXT "v=DMARC1; p=reject"`)
			},
			status: StatusFail,
			want:   []string{CodeDMARCMultiple},
			says:   []string{"_dmarc.example.com. has two DMARC records on ns1.example.net. and ns2.example.net.", "receivers ignore both", `Keep one: "v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com"`},
		},
		"policy misspelt": {
			world:  func(w *world) { w.replace(`_dmarc TXT "v=DMARC1; p=nnoe"`) },
			status: StatusFail,
			want:   []string{CodeDMARCSyntax},
			says:   []string{"p=nnoe is not a policy"},
		},
		"report address without mailto": {
			world:  func(w *world) { w.replace(`_dmarc TXT "v=DMARC1; p=none; rua=dmarc@example.com"`) },
			status: StatusFail,
			want:   []string{CodeDMARCSyntax},
			says:   []string{"mailto:dmarc@example.com"},
		},
		"version in lower case": {
			world:  func(w *world) { w.replace(`_dmarc TXT "v=dmarc1; p=none"`) },
			status: StatusFail,
			want:   []string{CodeDMARCSyntax},
			says:   []string{"upper case"},
		},
		"quotes stored as text": {
			world:  func(w *world) { w.replace(`_dmarc TXT "\"v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com\""`) },
			status: StatusFail,
			want:   []string{CodeDMARCSyntax},
			says:   []string{"starts with a quote", `"v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com"`},
		},
		"no report address": {
			cfg:    reject,
			world:  func(w *world) { w.replace(`_dmarc TXT "v=DMARC1; p=reject"`) },
			status: StatusPass,
			want:   []string{CodeDMARCNoRUA},
		},
		"reports to another domain without its consent": {
			cfg:    external,
			world:  func(w *world) { w.remove(auth, dns.TypeTXT) },
			status: StatusWarn,
			want:   []string{CodeDMARCRUAUnauthorized},
			says:   []string{auth, `TXT "v=DMARC1"`, "reports@example.net"},
		},
		"reports to another domain that consents": {
			cfg:    external,
			status: StatusPass,
			not:    []string{CodeDMARCRUAUnauthorized},
		},
		"reports to another domain that consents for everyone": {
			cfg: external,
			world: func(w *world) {
				w.remove(auth, dns.TypeTXT)
				w.replace(`*._report._dmarc.example.net. TXT "v=DMARC1"`)
			},
			status: StatusPass,
			not:    []string{CodeDMARCRUAUnauthorized},
		},
		"reports to a sister domain of the same organisation": {
			cfg:    func(c *Config) { c.DMARCRUA = "reports@lists.example.com" },
			status: StatusPass,
			not:    []string{CodeDMARCRUAUnauthorized},
		},
		"a copy at the domain itself": {
			world:  func(w *world) { w.add("ns1.example.net.", `@ TXT "v=DMARC1; p=none"`) },
			status: StatusWarn,
			want:   []string{CodeDMARCAtApex},
			says:   []string{"on ns1.example.net.", "_dmarc.example.com."},
		},
		"record at the doubled name": {
			world: func(w *world) {
				w.remove("_dmarc", dns.TypeTXT)
				w.replace(`_dmarc.example.com.example.com. TXT "v=DMARC1; p=none"`)
			},
			status: StatusFail,
			want:   []string{CodeDoubledDomain, CodeDMARCMissing},
			says:   []string{"_dmarc.example.com.example.com.", "Remove the domain from the Host field", `enter "_dmarc" instead of "_dmarc.example.com"`},
		},
		"a wildcard TXT is not a doubled record": {
			world:  func(w *world) { w.replace(`*.example.com. TXT "v=DMARC1; p=none"`) },
			status: StatusPass,
			not:    []string{CodeDoubledDomain},
		},
	})
}

func TestParseDMARC(t *testing.T) {
	tests := map[string]struct {
		txt     string
		policy  string
		rua     []string
		problem string
	}{
		"minimal":                 {txt: "v=DMARC1; p=none", policy: "none"},
		"spaces and case in tags": {txt: " v = DMARC1 ;P=Reject; RUA=mailto:a@example.com,mailto:b@example.net!10m ", policy: "reject", rua: []string{"a@example.com", "b@example.net"}},
		"no policy":               {txt: "v=DMARC1; rua=mailto:a@example.com", problem: "missing a 'p' parameter"},
		"version not first":       {txt: "p=none; v=DMARC1", problem: "must start with v=DMARC1"},
		"repeated tag":            {txt: "v=DMARC1; p=none; p=reject", problem: "appears twice"},
		"tag without value sign":  {txt: "v=DMARC1; p=none; quarantine", problem: `"quarantine" has no "="`},
		"pct out of range":        {txt: "v=DMARC1; p=none; pct=150", problem: "pct=150 is not a percentage"},
		"bad alignment":           {txt: "v=DMARC1; p=none; adkim=x", problem: "adkim=x is not an alignment mode"},
		"bad report interval":     {txt: "v=DMARC1; p=none; ri=-1", problem: "ri=-1 is not a number of seconds"},
		"report URI not mail":     {txt: "v=DMARC1; p=none; rua=https://example.com/", problem: "is not a mailto: address"},
		"empty address":           {txt: "v=DMARC1; p=none; rua=mailto:", problem: "is not a mail address"},
		"bad failure option":      {txt: "v=DMARC1; p=none; fo=x", problem: "invalid failure option"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			rec, err := parseDMARC(tc.txt)
			if tc.problem != "" {
				if err == nil || !strings.Contains(err.Error(), tc.problem) {
					t.Fatalf("error %v, want one saying %q", err, tc.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(rec.Policy) != tc.policy {
				t.Errorf("policy %q, want %q", rec.Policy, tc.policy)
			}
			if len(rec.rua) != len(tc.rua) {
				t.Fatalf("rua %v, want %v", rec.rua, tc.rua)
			}
			for i := range tc.rua {
				if rec.rua[i] != tc.rua[i] {
					t.Errorf("rua %v, want %v", rec.rua, tc.rua)
				}
			}
		})
	}
}
