package verify_test

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
	"github.com/mailwizard/mailwizard/internal/verify/verifytest"
)

func TestZoneDiscovery(t *testing.T) {
	v6PTR := "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa."
	zones := append([]string{
		mailZone(),
		verifytest.Zone("sub.example.com.", "x A 192.0.2.1"),
		verifytest.Zone("example.", "mail A 192.0.2.1"),
		verifytest.Zone("blogspot.com.", "alice A 192.0.2.1"),
	}, reverseZones()...)
	tests := map[string]struct {
		name string
		apex string
		// resolverQueries is how many questions discovery may send.
		resolverQueries int
	}{
		"apex":                {"example.com.", "example.com.", 1},
		"deep name":           {"sel._domainkey.example.com.", "example.com.", 3},
		"upper case":          {"MAIL.Example.COM", "example.com.", 2},
		"name that is absent": {"nope.example.com.", "example.com.", 2},
		"delegated subzone":   {"x.sub.example.com.", "sub.example.com.", 3},
		"reverse ipv4":        {"25.2.0.192.in-addr.arpa.", "2.0.192.in-addr.arpa.", 4},
		"reverse ipv6":        {v6PTR, "8.b.d.0.1.0.0.2.ip6.arpa.", 32},
		// example. is a public suffix: its zone is found from the SOA of
		// the negative reply, with one more question.
		"zone above the registrable domain": {"mail.example.", "example.", 2},
		// blogspot.com. is a private public suffix run by its owner.
		"private public suffix": {"alice.blogspot.com.", "blogspot.com.", 2},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			lab, e := world(t, verifytest.LabConfig{Zones: zones, IPv6: true})
			z, err := e.Round().Zone(context.Background(), tc.name)
			if err != nil {
				t.Fatal(err)
			}
			if z.Name != tc.apex {
				t.Errorf("zone %s, want %s", z.Name, tc.apex)
			}
			if len(z.Servers) != 2 || z.Servers[0].Name != "ns1.example.net." || z.Servers[1].Name != "ns2.example.net." {
				t.Fatalf("servers %+v, want ns1 and ns2", z.Servers)
			}
			want := []netip.Addr{mustAddr("192.0.2.53"), mustAddr("2001:db8::53")}
			if got := z.Servers[0].Addrs; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
				t.Errorf("ns1 addresses %v, want %v", got, want)
			}
			if got := len(lab.Resolver.Queries()); got != tc.resolverQueries {
				t.Errorf("discovery sent %d queries, want %d: %+v", got, tc.resolverQueries, lab.Resolver.Queries())
			}
		})
	}
}

func TestZoneWithoutGlue(t *testing.T) {
	lab, e := world(t, verifytest.LabConfig{MinimalResponses: true, IPv6: true})
	z, err := e.Round().Zone(context.Background(), "_dmarc.example.com.")
	if err != nil {
		t.Fatal(err)
	}
	if len(z.Servers) != 2 || len(z.Servers[1].Addrs) != 2 || z.Servers[1].Addrs[1] != mustAddr("2001:db8::54") {
		t.Fatalf("servers %+v, want ns1 and ns2 with both addresses", z.Servers)
	}
	for _, ns := range []string{"ns1.example.net.", "ns2.example.net."} {
		for _, qtype := range []uint16{dns.TypeA, dns.TypeAAAA} {
			if got := lab.Resolver.Count(ns, qtype, ""); got != 1 {
				t.Errorf("resolver asked %s %s %d times, want 1", dns.TypeToString[qtype], ns, got)
			}
		}
	}
	// With glue, the addresses are not asked.
	lab2, e2 := world(t, verifytest.LabConfig{IPv6: true})
	if _, err := e2.Round().Zone(context.Background(), "_dmarc.example.com."); err != nil {
		t.Fatal(err)
	}
	if got := lab2.Resolver.Count("ns1.example.net.", dns.TypeA, ""); got != 0 {
		t.Errorf("resolver asked A ns1.example.net. %d times despite glue", got)
	}
}

func TestZoneSharedBetweenNames(t *testing.T) {
	lab, e := world(t, verifytest.LabConfig{MinimalResponses: true})
	r := e.Round()
	names := []string{"example.com.", "mail.example.com.", "_dmarc.example.com.", "mail.example.com.", "sel._domainkey.example.com."}
	var wg sync.WaitGroup
	for _, name := range names {
		for range 3 {
			wg.Go(func() {
				if z, err := r.Zone(context.Background(), name); err != nil || z.Name != "example.com." {
					t.Errorf("Zone(%s) = %+v, %v", name, z, err)
				}
			})
		}
	}
	wg.Wait()
	for _, q := range lab.Resolver.Queries() {
		if got := lab.Resolver.Count(q.Name, q.Type, ""); got != 1 {
			t.Errorf("resolver asked %s %s %d times, want 1", dns.TypeToString[q.Type], q.Name, got)
		}
	}
	if st := r.Stats(); st.Duplicates != 0 || st.Queries != len(lab.Resolver.Queries()) {
		t.Errorf("stats %+v, resolver received %d", st, len(lab.Resolver.Queries()))
	}
}

func TestZoneFailures(t *testing.T) {
	tests := map[string]struct {
		name  string
		setup func(*verifytest.Lab)
		want  string
	}{
		"no such zone": {"mail.example.invalid.", func(*verifytest.Lab) {},
			"find the zone of mail.example.invalid.: no NS records at example.invalid., mail.example.invalid."},
		"resolver servfail": {"example.com.", func(l *verifytest.Lab) {
			l.Resolver.SetFault(verifytest.Fault{Rcode: dns.RcodeServerFailure})
		}, "find the zone of example.com.: query NS example.com. at " /* resolver address follows */},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			lab, e := world(t, verifytest.LabConfig{})
			tc.setup(lab)
			_, err := e.Round().Zone(context.Background(), tc.name)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error %v, want one starting %q", err, tc.want)
			}
			var re *verify.ResolverError
			if errors.As(err, &re) {
				t.Errorf("error %v is a ResolverError, but the resolver answered", err)
			}
		})
	}
}

func TestNameserverWithoutAddress(t *testing.T) {
	lab, e := world(t, verifytest.LabConfig{})
	// ns3 is delegated to but has no address anywhere.
	if err := lab.Add("example.com. NS ns3.example.net."); err != nil {
		t.Fatal(err)
	}
	q := verify.Q("example.com.", dns.TypeMX)
	a := e.Round().Ask(context.Background(), q)[q]
	if a.Err != nil || len(a.Servers) != 3 {
		t.Fatalf("answer %+v, want three observations", a)
	}
	ns3 := a.Servers[2]
	want := "query MX example.com. at ns3.example.net.: nameserver ns3.example.net. has no A or AAAA record"
	if ns3.Server != "ns3.example.net." || ns3.Rcode != -1 || ns3.Err == nil || ns3.Err.Error() != want {
		t.Errorf("ns3 observation %+v, want error %q", ns3, want)
	}
	for _, o := range a.Servers[:2] {
		if !o.OK() {
			t.Errorf("%s: %v, want the MX", o.Server, o.Err)
		}
	}
}
