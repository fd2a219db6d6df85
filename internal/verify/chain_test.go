package verify

import (
	"strings"
	"testing"

	"github.com/miekg/dns"
)

func TestZoneChain(t *testing.T) {
	v6 := "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa."
	tests := map[string]struct {
		name  string
		first string
		n     int
	}{
		"registrable domain":     {"example.com.", "example.com.", 1},
		"below it":               {"_dmarc.example.com.", "example.com.", 2},
		"two-label suffix":       {"mail.example.co.uk.", "example.co.uk.", 2},
		"private suffix":         {"alice.blogspot.com.", "blogspot.com.", 2},
		"reverse ipv4":           {"25.2.0.192.in-addr.arpa.", "192.in-addr.arpa.", 4},
		"reverse ipv6":           {v6, "2.ip6.arpa.", 32},
		"unlisted tld":           {"mail.example.", "mail.example.", 1},
		"public suffix itself":   {"co.uk.", "co.uk.", 1},
		"top-level domain":       {"com.", "com.", 1},
		"root":                   {".", ".", 1},
		"escaped dot in a label": {`a\.b.example.com.`, "example.com.", 2},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			chain := zoneChain(tc.name)
			if len(chain) != tc.n || chain[0] != tc.first || chain[len(chain)-1] != tc.name {
				t.Errorf("zoneChain(%q) = %s; want %d suffixes from %s to the name", tc.name, strings.Join(chain, " "), tc.n, tc.first)
			}
		})
	}
}

// FuzzZoneChain checks that any string gives a chain without panicking,
// and that a valid name gives a chain of its own suffixes.
func FuzzZoneChain(f *testing.F) {
	for _, s := range []string{"example.com.", "_dmarc.example.co.uk", "25.2.0.192.in-addr.arpa.", ".", "", `a\.b.c`, "..", "com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name := CanonicalName(s)
		chain := zoneChain(name)
		if len(chain) == 0 {
			t.Fatalf("zoneChain(%q) is empty", name)
		}
		if _, ok := dns.IsDomainName(name); !ok || !dns.IsFqdn(name) {
			return
		}
		for _, suffix := range chain {
			if !strings.HasSuffix(name, suffix) && suffix != "." {
				t.Fatalf("zoneChain(%q) holds %q, not a suffix", name, suffix)
			}
		}
	})
}
