package steps

import "testing"

func TestOwnership(t *testing.T) {
	tests := map[string]struct {
		step, rtype, value string
		want               bool
	}{
		"an SPF record":                   {IDSPF, "TXT", "v=spf1 mx -all", true},
		"an SPF record in capitals":       {IDSPF, "TXT", "  V=SPF1 -all", true},
		"an SPF record with nothing else": {IDSPF, "TXT", "v=spf1", true},
		"a site verification at the apex": {IDSPF, "TXT", "google-site-verification=abc", false},
		"not SPF version 1":               {IDSPF, "TXT", "v=spf10 -all", false},
		"a DMARC record":                  {IDDMARC, "TXT", "v=DMARC1; p=none", true},
		"a DMARC record without a space":  {IDDMARC, "TXT", "v=DMARC1;p=none", true},
		"not DMARC version 1":             {IDDMARC, "TXT", "v=DMARC10; p=none", false},
		"every TXT at the selector":       {IDDKIM, "TXT", "anything", true},
		"every MX at the apex":            {IDMX, "MX", "10 mx.old.example.", true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			o, ok := Owner(tc.step, tc.rtype)
			if !ok {
				t.Fatalf("step %s owns no %s records", tc.step, tc.rtype)
			}
			if got := o.Owns(tc.value); got != tc.want {
				t.Errorf("Owns(%q) = %v, want %v", tc.value, got, tc.want)
			}
		})
	}
	for _, id := range []string{IDPTR, IDBlocklist} {
		if s, _ := ByID(id); len(s.Owns) != 0 {
			t.Errorf("step %s, which publishes nothing in the zone, owns %v", id, s.Owns)
		}
	}
	if _, ok := Owner(IDSPF, "MX"); ok {
		t.Error("the spf step owns MX records")
	}
}

// TestEveryPublishedTypeIsOwned: a step set at the DNS provider declares
// what it owns of every record type it publishes, or publishing it would
// only ever show conflicts.
func TestEveryPublishedTypeIsOwned(t *testing.T) {
	cfg := fullConfig(t, "rsa2048.pem")
	for _, s := range All() {
		if s.Where != AtDNSProvider {
			continue
		}
		for _, r := range s.Records(cfg) {
			if _, ok := Owner(s.ID, r.Type); !ok {
				t.Errorf("step %s publishes %s records but declares no ownership of them", s.ID, r.Type)
			}
		}
	}
}
