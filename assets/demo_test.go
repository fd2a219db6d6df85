package assets

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

func TestDemoZoneParses(t *testing.T) {
	zp := dns.NewZoneParser(strings.NewReader(DemoZone()), "", "demo/demo.zone")
	soa := map[string]*dns.SOA{}
	ns := map[string][]string{}
	addrs := map[string]bool{}
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		h := rr.Header()
		switch rr := rr.(type) {
		case *dns.SOA:
			soa[h.Name] = rr
		case *dns.NS:
			ns[h.Name] = append(ns[h.Name], rr.Ns)
		case *dns.A:
			addrs[h.Name] = true
		default:
			t.Errorf("the demo zone publishes %s; it must hold only SOA, NS and the nameservers' addresses", rr)
		}
	}
	if err := zp.Err(); err != nil {
		t.Fatal(err)
	}
	wantZones := []string{"2.0.192.in-addr.arpa.", "8.b.d.0.1.0.0.2.ip6.arpa.", "example.com."}
	if got := slices.Sorted(maps.Keys(soa)); !slices.Equal(got, wantZones) {
		t.Errorf("SOA owners = %q, want %q", got, wantZones)
	}
	for zone, s := range soa {
		if s.Minttl == 0 || s.Minttl > 900 {
			t.Errorf("%s SOA minimum %d s: want a short negative-caching time the demo can show", zone, s.Minttl)
		}
		if len(ns[zone]) != 2 {
			t.Errorf("%s has NS %q, want the demo's two servers", zone, ns[zone])
		}
		for _, name := range ns[zone] {
			if !addrs[name] {
				t.Errorf("%s NS %s has no address in the demo zone", zone, name)
			}
		}
	}
}
