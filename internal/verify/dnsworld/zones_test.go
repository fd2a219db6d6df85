package dnsworld

import (
	"testing"

	"github.com/miekg/dns"
)

func TestZonesAdd(t *testing.T) {
	tests := map[string]struct {
		add     []string
		wantErr bool
		name    string
		qtype   uint16
		want    int
	}{
		"into the zone":          {[]string{"mail.example.com. A 192.0.2.26"}, false, "mail.example.com.", dns.TypeA, 2},
		"duplicate ignored":      {[]string{"mail.example.com. 60 A 192.0.2.25"}, false, "mail.example.com.", dns.TypeA, 1},
		"outside every zone":     {[]string{"mail.example.org. A 192.0.2.1"}, true, "mail.example.org.", dns.TypeA, 0},
		"all or nothing":         {[]string{"a.example.com. A 192.0.2.1", "b.example.org. A 192.0.2.1"}, true, "a.example.com.", dns.TypeA, 0},
		"new zone with its data": {[]string{"example.org. SOA ns1.example.org. h.example.org. 1 2 3 4 60", "www.example.org. A 192.0.2.80"}, false, "www.example.org.", dns.TypeA, 1},
		"deepest zone":           {[]string{"sub.example.com. SOA ns1.sub.example.com. h.sub.example.com. 1 2 3 4 60", "x.sub.example.com. A 192.0.2.1"}, false, "x.sub.example.com.", dns.TypeA, 1},
		"syntax error":           {[]string{"mail.example.com. A nope"}, true, "mail.example.com.", dns.TypeA, 1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			zones := NewZones()
			if err := zones.AddZone(exampleZone()); err != nil {
				t.Fatal(err)
			}
			err := zones.Add(tc.add...)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Add error %v, want error %v", err, tc.wantErr)
			}
			if got := len(zones.Records(tc.name, tc.qtype)); got != tc.want {
				t.Errorf("%d records, want %d", got, tc.want)
			}
		})
	}
}

func TestZonesRemoveRRset(t *testing.T) {
	tests := map[string]struct {
		name     string
		qtype    uint16
		removed  int
		leftType uint16
		left     int
	}{
		"one type":      {"example.com.", dns.TypeMX, 1, dns.TypeNS, 1},
		"any":           {"example.com.", dns.TypeANY, 2, dns.TypeMX, 0},
		"soa stays":     {"example.com.", dns.TypeANY, 2, dns.TypeSOA, 1},
		"nothing there": {"nope.example.com.", dns.TypeA, 0, dns.TypeA, 0},
		"outside":       {"example.org.", dns.TypeA, 0, dns.TypeA, 0},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			zones := NewZones()
			if err := zones.AddZone(exampleZone()); err != nil {
				t.Fatal(err)
			}
			if got := zones.RemoveRRset(tc.name, tc.qtype); got != tc.removed {
				t.Errorf("removed %d, want %d", got, tc.removed)
			}
			if got := len(zones.Records(tc.name, tc.leftType)); got != tc.left {
				t.Errorf("%d %s left, want %d", got, dns.TypeToString[tc.leftType], tc.left)
			}
		})
	}
}

func TestZonesCloneIsIndependent(t *testing.T) {
	zones := NewZones()
	if err := zones.AddZone(exampleZone()); err != nil {
		t.Fatal(err)
	}
	clone := zones.Clone()
	if err := clone.Add("new.example.com. A 192.0.2.9"); err != nil {
		t.Fatal(err)
	}
	if n := len(zones.Records("new.example.com.", dns.TypeA)); n != 0 {
		t.Errorf("the original got %d records added to the clone", n)
	}
}

func TestCNAMELoopEnds(t *testing.T) {
	srv := StartServer(t, Resolver, Zone("example.com.", "a CNAME b", "b CNAME a"))
	reply := ask(t, srv.Addr(), "udp", "a.example.com.", dns.TypeA, true)
	if reply.Rcode != dns.RcodeServerFailure {
		t.Errorf("rcode %s, want SERVFAIL for a CNAME loop", dns.RcodeToString[reply.Rcode])
	}
}

// TestWildcards: a name that does not exist is answered from the wildcard
// of its closest encloser, under the name asked (RFC 4592); a name that
// exists, or one below an existing name without a wildcard, is not.
func TestWildcards(t *testing.T) {
	srv := StartServer(t, Authoritative, Zone("example.com.",
		`* TXT "any"`,
		"*._domainkey CNAME key.example.org.",
		`real TXT "mine"`,
		"a.b A 192.0.2.1",
	))
	tests := map[string]struct {
		name  string
		qtype uint16
		want  string // the first answer record, "" for none
		rcode int
	}{
		"a name that does not exist":         {"nope.example.com.", dns.TypeTXT, "nope.example.com.\t3600\tIN\tTXT\t\"any\"", dns.RcodeSuccess},
		"two labels below the apex":          {"x.y.example.com.", dns.TypeTXT, "x.y.example.com.\t3600\tIN\tTXT\t\"any\"", dns.RcodeSuccess},
		"a name that exists":                 {"real.example.com.", dns.TypeTXT, "real.example.com.\t3600\tIN\tTXT\t\"mine\"", dns.RcodeSuccess},
		"a cname wildcard deeper":            {"sel._domainkey.example.com.", dns.TypeTXT, "sel._domainkey.example.com.\t3600\tIN\tCNAME\tkey.example.org.", dns.RcodeSuccess},
		"an empty non-terminal stops it":     {"c.b.example.com.", dns.TypeTXT, "", dns.RcodeNameError},
		"the wildcard has no record of type": {"nope.example.com.", dns.TypeMX, "", dns.RcodeSuccess},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := ask(t, srv.Addr(), "udp", tc.name, tc.qtype, false)
			got := ""
			if len(r.Answer) > 0 {
				got = r.Answer[0].String()
			}
			if got != tc.want || r.Rcode != tc.rcode {
				t.Errorf("%s: %q rcode %d, want %q rcode %d", tc.name, got, r.Rcode, tc.want, tc.rcode)
			}
		})
	}
}
