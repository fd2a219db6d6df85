package assets

import (
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

func TestDemoZonesParse(t *testing.T) {
	texts, err := DemoZones()
	if err != nil {
		t.Fatal(err)
	}
	var apexes []string
	for i, text := range texts {
		zp := dns.NewZoneParser(strings.NewReader(text), "", "demo zone")
		var soas []*dns.SOA
		var ns []string
		for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
			switch rr := rr.(type) {
			case *dns.SOA:
				soas = append(soas, rr)
			case *dns.NS:
				ns = append(ns, rr.Hdr.Name+" "+rr.Ns)
			default:
				t.Errorf("demo zone %d publishes %s; it must hold only SOA and NS records", i+1, rr)
			}
		}
		if err := zp.Err(); err != nil {
			t.Fatalf("demo zone %d: %v", i+1, err)
		}
		if len(soas) != 1 {
			t.Fatalf("demo zone %d has %d SOA records, want one", i+1, len(soas))
		}
		apex := soas[0].Hdr.Name
		apexes = append(apexes, apex)
		if m := soas[0].Minttl; m == 0 || m > 900 {
			t.Errorf("%s SOA minimum %d s: want a short negative-caching time the demo can show", apex, m)
		}
		if want := []string{apex + " ns1.example.net.", apex + " ns2.example.net."}; !slices.Equal(ns, want) {
			t.Errorf("%s NS = %q, want %q", apex, ns, want)
		}
	}
	want := []string{"2.0.192.in-addr.arpa.", "8.b.d.0.1.0.0.2.ip6.arpa.", "example.com."}
	if !slices.Equal(apexes, want) {
		t.Errorf("demo zones = %q, want %q", apexes, want)
	}
}
