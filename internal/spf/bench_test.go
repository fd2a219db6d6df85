package spf

import (
	"fmt"
	"net/netip"
	"strings"
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
	f := &fakeDNS{txt: map[string][]string{}}
	var top []string
	for i := range 120 {
		top = append(top, fmt.Sprintf("include:i%d.example.net", i))
		var below []string
		for j := range 30 {
			below = append(below, fmt.Sprintf("include:l%d-%d.example.org", i, j))
			f.txt[fmt.Sprintf("l%d-%d.example.org", i, j)] = []string{"v=spf1 ip4:198.51.100.1 -all"}
		}
		f.txt[fmt.Sprintf("i%d.example.net", i)] = []string{"v=spf1 " + strings.Join(below, " ") + " -all"}
	}
	f.txt["example.com"] = []string{"v=spf1 " + strings.Join(top, " ") + " -all"}
	ip := netip.MustParseAddr("192.0.2.10")
	for b.Loop() {
		if ev := Evaluate(ip, "example.com.", f); ev.Result != ResultPermError {
			b.Fatal(ev.Result)
		}
	}
}
