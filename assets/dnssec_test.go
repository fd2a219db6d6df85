package assets

import (
	"strings"
	"testing"
)

// TestProviderDNSSEC: the DNSSEC hints are full sentences, and the
// providers that have them say what a person does there.
func TestProviderDNSSEC(t *testing.T) {
	for id, want := range map[string]string{
		"cloudflare":   "Enable DNSSEC",
		"route53":      "Enable DNSSEC signing",
		"godaddy":      "Premium DNS",
		"namecheap":    "PremiumDNS",
		"digitalocean": "does not sign",
		"other":        "DS record",
	} {
		p, ok := ProviderByID(id)
		if !ok || !containsAny(p.DNSSEC, want) {
			t.Errorf("%s: DNSSEC hints %q, want one saying %q", id, p.DNSSEC, want)
		}
	}
	for _, p := range Providers() {
		for _, s := range p.DNSSEC {
			if !strings.HasSuffix(s, ".") || s[0] < 'A' || s[0] > 'Z' {
				t.Errorf("%s: %q is not a sentence", p.ID, s)
			}
		}
	}
}
