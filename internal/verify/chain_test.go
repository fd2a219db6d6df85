package verify

import (
	"strings"
	"testing"
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
