package dnsworld

import (
	"net/netip"
	"testing"

	"github.com/miekg/dns"
)

func TestLabDelegatesToItsServers(t *testing.T) {
	lab := StartLab(t, LabConfig{IPv6: true, Zones: []string{exampleZone()}})
	reply := ask(t, lab.Resolver.Addr(), "udp", "example.com.", dns.TypeNS, true)
	var ns []string
	for _, rr := range reply.Answer {
		ns = append(ns, rr.(*dns.NS).Ns)
	}
	if len(ns) != 2 || ns[0] != "ns1.example.net." || ns[1] != "ns2.example.net." {
		t.Fatalf("NS %v, want the lab's two nameservers only", ns)
	}
	glue := map[string]bool{}
	for _, rr := range reply.Extra {
		switch rr := rr.(type) {
		case *dns.A:
			glue[rr.A.String()] = true
		case *dns.AAAA:
			glue[rr.AAAA.String()] = true
		}
	}
	for _, want := range []string{"192.0.2.53", "2001:db8::53", "192.0.2.54", "2001:db8::54"} {
		if !glue[want] {
			t.Errorf("no glue %s in %v", want, reply.Extra)
		}
	}
	for i, srv := range lab.Servers {
		r := ask(t, srv.Addr(), "udp", "mail.example.com.", dns.TypeA, false)
		if !r.Authoritative || len(r.Answer) != 1 {
			t.Errorf("server %d: %v, want an authoritative answer", i+1, r)
		}
	}
}

func TestLabMapAddr(t *testing.T) {
	lab := StartLab(t, LabConfig{Servers: 3, IPv6: true, Zones: []string{exampleZone()}})
	tests := map[string]struct {
		addr string
		want string
	}{
		"ns1 v4":          {"192.0.2.53:53", lab.Servers[0].Addr()},
		"ns1 v6":          {"[2001:db8::53]:53", lab.Servers[0].Addr()},
		"ns3 v4":          {"192.0.2.55:53", lab.Servers[2].Addr()},
		"v4-mapped":       {"[::ffff:192.0.2.54]:53", lab.Servers[1].Addr()},
		"unknown address": {"203.0.113.1:53", unreachable},
		"garbage":         {"ns1.example.net", unreachable},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := lab.MapAddr(tc.addr); got != tc.want {
				t.Errorf("MapAddr(%q) = %q, want %q", tc.addr, got, tc.want)
			}
		})
	}
	if got := lab.Nameservers[2].Addrs; len(got) != 2 || got[1] != netip.MustParseAddr("2001:db8::55") {
		t.Errorf("ns3 addresses %v", got)
	}
}

func TestLabPublishesPerServer(t *testing.T) {
	lab := StartLab(t, LabConfig{Zones: []string{exampleZone()}})
	const rr = "example.com. TXT \"v=spf1 mx -all\""
	if err := lab.Servers[0].Zones().Add(rr); err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		addr    string
		records int
	}{
		"first server has it":        {lab.Servers[0].Addr(), 1},
		"second server has not":      {lab.Servers[1].Addr(), 0},
		"resolver sees first server": {lab.Resolver.Addr(), 1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := ask(t, tc.addr, "udp", "example.com.", dns.TypeTXT, true)
			if len(r.Answer) != tc.records {
				t.Errorf("%d records, want %d", len(r.Answer), tc.records)
			}
		})
	}
	if err := lab.Add(rr); err != nil {
		t.Fatal(err)
	}
	if r := ask(t, lab.Servers[1].Addr(), "udp", "example.com.", dns.TypeTXT, false); len(r.Answer) != 1 {
		t.Errorf("after Lab.Add the second server has %d records, want 1", len(r.Answer))
	}
	lab.RemoveRRset("example.com.", dns.TypeTXT)
	if r := ask(t, lab.Servers[0].Addr(), "udp", "example.com.", dns.TypeTXT, false); len(r.Answer) != 0 {
		t.Errorf("after RemoveRRset the first server has %d records, want 0", len(r.Answer))
	}
}

func TestLabOwnNameserverZone(t *testing.T) {
	net := Zone("example.net.", "www A 192.0.2.80")
	lab := StartLab(t, LabConfig{Zones: []string{exampleZone(), net}})
	if got := lab.Servers[0].Zones().Apexes(); len(got) != 2 {
		t.Fatalf("zones %v, want example.com. and example.net. only", got)
	}
	r := ask(t, lab.Resolver.Addr(), "udp", "ns2.example.net.", dns.TypeA, true)
	if len(r.Answer) != 1 {
		t.Errorf("ns2.example.net. A: %v", r.Answer)
	}
}

func TestNewLabRejectsBadConfig(t *testing.T) {
	tests := map[string]LabConfig{
		"too many servers": {Servers: 500},
		"negative servers": {Servers: -1},
		"bad ns domain":    {NSDomain: "a..b"},
		"bad zone":         {Zones: []string{"not a zone"}},
	}
	for name, cfg := range tests {
		t.Run(name, func(t *testing.T) {
			if lab, err := NewLab(cfg); err == nil {
				_ = lab.Close()
				t.Fatal("want an error")
			}
		})
	}
}

// TestLabParentAndChild: the parent's server refers to the lab's servers
// for the child zone; the lab's servers refer to a child zone's own server;
// the resolver answers from every zone.
func TestLabParentAndChild(t *testing.T) {
	lab := StartLab(t, LabConfig{Zones: []string{exampleZone()}})
	parent, err := lab.ServeParent("example.com.", "ns1.example.net.", "ns3.example.net.")
	if err != nil {
		t.Fatal(err)
	}
	child, err := lab.ServeChild(Zone("_domainkey.example.com.", `sel TXT "v=DKIM1; p=MIIB"`), netip.MustParseAddr("192.0.2.60"))
	if err != nil {
		t.Fatal(err)
	}
	r := ask(t, parent.Addr(), "udp", "example.com.", dns.TypeNS, false)
	if r.Authoritative || len(r.Answer) != 0 || len(r.Ns) != 2 {
		t.Errorf("parent: %v, want a referral to two nameservers", r)
	}
	if got := lab.MapAddr("192.0.2.250:53"); got != parent.Addr() {
		t.Errorf("the parent's address maps to %s", got)
	}
	r = ask(t, lab.Resolver.Addr(), "udp", "com.", dns.TypeNS, true)
	if len(r.Answer) != 1 || addrs(r) != 1 {
		t.Errorf("resolver NS com.: %v, want the parent's server with its address", r)
	}
	r = ask(t, lab.Servers[0].Addr(), "udp", "sel._domainkey.example.com.", dns.TypeTXT, false)
	if r.Authoritative || len(r.Answer) != 0 || len(r.Ns) != 1 || addrs(r) != 1 {
		t.Errorf("ns1: %v, want a referral to the child's server with glue", r)
	}
	r = ask(t, child.Addr(), "udp", "sel._domainkey.example.com.", dns.TypeTXT, false)
	if !r.Authoritative || len(r.Answer) != 1 {
		t.Errorf("child: %v, want the record", r)
	}
	r = ask(t, lab.Resolver.Addr(), "udp", "sel._domainkey.example.com.", dns.TypeTXT, true)
	if len(r.Answer) != 1 {
		t.Errorf("resolver: %v, want the child's record", r)
	}
	r = ask(t, lab.Servers[0].Addr(), "udp", "mail.example.com.", dns.TypeA, false)
	if !r.Authoritative || len(r.Answer) != 1 {
		t.Errorf("ns1 mail.example.com.: %v, want its own record", r)
	}
}

// addrs counts the A and AAAA records of a reply's additional section.
func addrs(m *dns.Msg) int {
	n := 0
	for _, rr := range m.Extra {
		if t := rr.Header().Rrtype; t == dns.TypeA || t == dns.TypeAAAA {
			n++
		}
	}
	return n
}
