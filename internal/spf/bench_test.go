package spf

import (
	"net/netip"
	"testing"
)

func BenchmarkParse(b *testing.B) {
	const record = "v=spf1 mx a:mail.example.com ip4:192.0.2.0/24 ip6:2001:db8::/32 include:_spf.google.com include:spf.protection.outlook.com exists:%{ir}.%{v}._spf.%{d2} ~all"
	for b.Loop() {
		if _, err := Parse(record); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEvaluate(b *testing.B) {
	f := &fakeDNS{
		txt: map[string][]string{
			"example.com":       {"v=spf1 mx include:_spf.provider.net include:relay.example.org -all"},
			"_spf.provider.net": {"v=spf1 include:_a.provider.net include:_b.provider.net ~all"},
			"_a.provider.net":   {"v=spf1 ip4:203.0.113.0/24 a -all"},
			"_b.provider.net":   {"v=spf1 exists:%{i}.x.provider.net -all"},
			"relay.example.org": {"v=spf1 ip4:198.51.100.0/24 -all"},
		},
		mx: map[string][]string{"example.com": {"mail.example.com."}},
		ip: map[string][]string{"mail.example.com": {"192.0.2.10"}},
	}
	ip := netip.MustParseAddr("198.51.100.20")
	for b.Loop() {
		if ev := Evaluate(ip, "example.com.", f); ev.Result != ResultPass {
			b.Fatal(ev.Result)
		}
	}
}

// BenchmarkEvaluateExplodingTree evaluates a record of 120 includes of 30
// includes each, every answer at hand.
func BenchmarkEvaluateExplodingTree(b *testing.B) {
	f := explodingTree(120, 30, "v=spf1 ip4:198.51.100.1 -all")
	ip := netip.MustParseAddr("192.0.2.10")
	for b.Loop() {
		if ev := Evaluate(ip, "example.com.", f); ev.Result != ResultPermError {
			b.Fatal(ev.Result)
		}
	}
}
