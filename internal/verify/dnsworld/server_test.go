package dnsworld

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// ask sends one query and fails the test if no reply comes.
func ask(t *testing.T, addr, network, name string, qtype uint16, rd bool) *dns.Msg {
	t.Helper()
	reply, err := exchange(addr, network, name, qtype, rd, time.Second)
	if err != nil {
		t.Fatalf("query %s %s over %s: %v", dns.TypeToString[qtype], name, network, err)
	}
	return reply
}

// exchange sends one query with EDNS0.
func exchange(addr, network, name string, qtype uint16, rd bool, timeout time.Duration) (*dns.Msg, error) {
	m := new(dns.Msg).SetQuestion(name, qtype)
	m.RecursionDesired = rd
	m.SetEdns0(1232, false)
	c := &dns.Client{Net: network, Timeout: timeout}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	reply, _, err := c.ExchangeContext(ctx, m, addr)
	return reply, err
}

func exampleZone() string {
	return Zone("example.com.",
		"@ NS ns1.example.net.",
		"@ MX 10 mx",
		"mx CNAME mail",
		"mail A 192.0.2.25",
		"alias CNAME www.example.org.",
		"_dmarc TXT \"v=DMARC1; p=none\"",
		"_submission._tcp SRV 0 1 587 mail",
	)
}

func TestAuthoritativeAnswers(t *testing.T) {
	srv := StartServer(t, Authoritative, exampleZone())
	tests := map[string]struct {
		name      string
		qtype     uint16
		rcode     int
		aa        bool
		answer    []uint16 // types in the answer section, in order
		soaInAuth bool
	}{
		"record":                  {"mail.example.com.", dns.TypeA, dns.RcodeSuccess, true, []uint16{dns.TypeA}, false},
		"upper-case name":         {"MAIL.Example.COM.", dns.TypeA, dns.RcodeSuccess, true, []uint16{dns.TypeA}, false},
		"nodata has SOA":          {"mail.example.com.", dns.TypeAAAA, dns.RcodeSuccess, true, nil, true},
		"nxdomain has SOA":        {"nope.example.com.", dns.TypeA, dns.RcodeNameError, true, nil, true},
		"empty non-terminal":      {"_tcp.example.com.", dns.TypeSRV, dns.RcodeSuccess, true, nil, true},
		"cname chased in zone":    {"mx.example.com.", dns.TypeA, dns.RcodeSuccess, true, []uint16{dns.TypeCNAME, dns.TypeA}, false},
		"cname out of zone stops": {"alias.example.com.", dns.TypeA, dns.RcodeSuccess, true, []uint16{dns.TypeCNAME}, false},
		"cname asked as cname":    {"mx.example.com.", dns.TypeCNAME, dns.RcodeSuccess, true, []uint16{dns.TypeCNAME}, false},
		"soa at apex":             {"example.com.", dns.TypeSOA, dns.RcodeSuccess, true, []uint16{dns.TypeSOA}, false},
		"outside zones refused":   {"example.org.", dns.TypeA, dns.RcodeRefused, false, nil, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			reply := ask(t, srv.Addr(), "udp", tc.name, tc.qtype, false)
			if reply.Rcode != tc.rcode || reply.Authoritative != tc.aa {
				t.Fatalf("rcode %s aa %v, want %s aa %v", dns.RcodeToString[reply.Rcode], reply.Authoritative, dns.RcodeToString[tc.rcode], tc.aa)
			}
			var got []uint16
			for _, rr := range reply.Answer {
				got = append(got, rr.Header().Rrtype)
			}
			if !equalTypes(got, tc.answer) {
				t.Errorf("answer types %v, want %v: %v", got, tc.answer, reply.Answer)
			}
			hasSOA := len(reply.Ns) == 1 && reply.Ns[0].Header().Rrtype == dns.TypeSOA
			if hasSOA != tc.soaInAuth {
				t.Errorf("SOA in authority %v, want %v: %v", hasSOA, tc.soaInAuth, reply.Ns)
			}
		})
	}
}

func equalTypes(a, b []uint16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestResolverAnswers(t *testing.T) {
	org := Zone("example.org.", "www A 192.0.2.80")
	net := Zone("example.net.", "ns1 A 192.0.2.53", "ns1 AAAA 2001:db8::53")
	res := StartServer(t, Resolver, exampleZone(), org, net)
	tests := map[string]struct {
		name   string
		qtype  uint16
		rcode  int
		answer []uint16
		glue   int
	}{
		"cname chased across zones": {"alias.example.com.", dns.TypeA, dns.RcodeSuccess, []uint16{dns.TypeCNAME, dns.TypeA}, 0},
		"ns with glue":              {"example.com.", dns.TypeNS, dns.RcodeSuccess, []uint16{dns.TypeNS}, 2},
		"ns below apex is nodata":   {"mail.example.com.", dns.TypeNS, dns.RcodeSuccess, nil, 0},
		"unknown name":              {"example.invalid.", dns.TypeNS, dns.RcodeNameError, nil, 0},
		"above every zone":          {"com.", dns.TypeNS, dns.RcodeSuccess, nil, 0},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			reply := ask(t, res.Addr(), "udp", tc.name, tc.qtype, true)
			if reply.Rcode != tc.rcode || reply.Authoritative || !reply.RecursionAvailable {
				t.Fatalf("rcode %s aa %v ra %v, want %s, no AA, RA", dns.RcodeToString[reply.Rcode], reply.Authoritative, reply.RecursionAvailable, dns.RcodeToString[tc.rcode])
			}
			var got []uint16
			for _, rr := range reply.Answer {
				got = append(got, rr.Header().Rrtype)
			}
			if !equalTypes(got, tc.answer) {
				t.Errorf("answer types %v, want %v", got, tc.answer)
			}
			glue := 0
			for _, rr := range reply.Extra {
				if rr.Header().Rrtype == dns.TypeA || rr.Header().Rrtype == dns.TypeAAAA {
					glue++
				}
			}
			if glue != tc.glue {
				t.Errorf("%d glue records, want %d: %v", glue, tc.glue, reply.Extra)
			}
		})
	}

	t.Run("minimal responses drop glue", func(t *testing.T) {
		res.SetMinimalResponses(true)
		defer res.SetMinimalResponses(false)
		reply := ask(t, res.Addr(), "udp", "example.com.", dns.TypeNS, true)
		for _, rr := range reply.Extra {
			if rr.Header().Rrtype != dns.TypeOPT {
				t.Errorf("additional record %v with minimal responses", rr)
			}
		}
	})
}

func TestResolverCachedNXDomain(t *testing.T) {
	res := StartServer(t, Resolver, exampleZone())
	res.CacheNXDomain("_DMARC.example.com.", 41*time.Minute)
	reply := ask(t, res.Addr(), "udp", "_dmarc.example.com.", dns.TypeTXT, true)
	if reply.Rcode != dns.RcodeNameError {
		t.Fatalf("rcode %s, want NXDOMAIN from the cache", dns.RcodeToString[reply.Rcode])
	}
	if len(reply.Ns) != 1 || reply.Ns[0].Header().Ttl != 41*60 {
		t.Fatalf("authority %v, want the SOA with TTL 2460", reply.Ns)
	}
	other := ask(t, res.Addr(), "udp", "mail.example.com.", dns.TypeA, true)
	if other.Rcode != dns.RcodeSuccess || len(other.Answer) != 1 {
		t.Errorf("another name: %v, want its A record", other)
	}
	res.ForgetNXDomain("_dmarc.example.com.")
	reply = ask(t, res.Addr(), "udp", "_dmarc.example.com.", dns.TypeTXT, true)
	if reply.Rcode != dns.RcodeSuccess || len(reply.Answer) != 1 {
		t.Errorf("after ForgetNXDomain: %v, want the TXT record", reply)
	}
}

func TestFaults(t *testing.T) {
	tests := map[string]struct {
		fault   Fault
		network string
		wantErr bool
		check   func(t *testing.T, reply *dns.Msg)
	}{
		"healthy": {Fault{}, "udp", false, func(t *testing.T, r *dns.Msg) {
			if !r.Authoritative || len(r.Answer) != 1 {
				t.Errorf("reply %v, want AA and one answer", r)
			}
		}},
		"servfail": {Fault{Rcode: dns.RcodeServerFailure}, "udp", false, func(t *testing.T, r *dns.Msg) {
			if r.Rcode != dns.RcodeServerFailure || len(r.Answer) != 0 {
				t.Errorf("reply %v, want an empty SERVFAIL", r)
			}
		}},
		"refused": {Fault{Rcode: dns.RcodeRefused}, "udp", false, func(t *testing.T, r *dns.Msg) {
			if r.Rcode != dns.RcodeRefused {
				t.Errorf("rcode %s, want REFUSED", dns.RcodeToString[r.Rcode])
			}
		}},
		"lame": {Fault{NoAA: true}, "udp", false, func(t *testing.T, r *dns.Msg) {
			if r.Authoritative || len(r.Answer) != 1 {
				t.Errorf("reply %v, want the answer without AA", r)
			}
		}},
		"truncated over udp": {Fault{Truncate: true}, "udp", false, func(t *testing.T, r *dns.Msg) {
			if !r.Truncated || len(r.Answer) != 0 {
				t.Errorf("reply %v, want TC and no answer", r)
			}
		}},
		"full over tcp": {Fault{Truncate: true}, "tcp", false, func(t *testing.T, r *dns.Msg) {
			if r.Truncated || len(r.Answer) != 1 {
				t.Errorf("reply %v, want the full answer", r)
			}
		}},
		"drop":  {Fault{Drop: true}, "udp", true, nil},
		"delay": {Fault{Delay: 300 * time.Millisecond}, "udp", true, nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := StartServer(t, Authoritative, exampleZone())
			srv.SetFault(tc.fault)
			if got := srv.Fault(); got != tc.fault {
				t.Fatalf("Fault() = %+v, want %+v", got, tc.fault)
			}
			reply, err := exchange(srv.Addr(), tc.network, "mail.example.com.", dns.TypeA, false, 150*time.Millisecond)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("got a reply %v, want none in time", reply)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, reply)
		})
	}
}

func TestDelayIsNotAFailure(t *testing.T) {
	srv := StartServer(t, Authoritative, exampleZone())
	srv.SetFault(Fault{Delay: 50 * time.Millisecond})
	start := time.Now()
	reply, err := exchange(srv.Addr(), "udp", "mail.example.com.", dns.TypeA, false, time.Second)
	if err != nil || len(reply.Answer) != 1 {
		t.Fatalf("reply %v, err %v", reply, err)
	}
	if waited := time.Since(start); waited < 50*time.Millisecond {
		t.Errorf("reply after %s, want at least the 50ms delay", waited)
	}
}

func TestCountsQueries(t *testing.T) {
	srv := StartServer(t, Authoritative, exampleZone())
	ask(t, srv.Addr(), "udp", "mail.example.com.", dns.TypeA, false)
	ask(t, srv.Addr(), "tcp", "Mail.example.com.", dns.TypeA, false)
	ask(t, srv.Addr(), "udp", "mail.example.com.", dns.TypeAAAA, true)
	tests := map[string]struct {
		qtype     uint16
		transport string
		want      int
	}{
		"udp":      {dns.TypeA, "udp", 1},
		"tcp":      {dns.TypeA, "tcp", 1},
		"both":     {dns.TypeA, "", 2},
		"type":     {dns.TypeAAAA, "", 1},
		"not sent": {dns.TypeMX, "", 0},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := srv.Count("MAIL.example.com.", tc.qtype, tc.transport); got != tc.want {
				t.Errorf("Count = %d, want %d", got, tc.want)
			}
		})
	}
	qs := srv.Queries()
	if len(qs) != 3 || qs[0].RD || !qs[2].RD || qs[0].EDNS != 1232 || qs[1].Transport != "tcp" {
		t.Errorf("queries %+v, want udp RD=0 EDNS 1232, then tcp, then RD=1", qs)
	}
	srv.ResetQueries()
	if n := len(srv.Queries()); n != 0 {
		t.Errorf("%d queries after reset", n)
	}
}

func TestPublishWhileRunning(t *testing.T) {
	srv := StartServer(t, Authoritative, exampleZone())
	const dkim = "sel._domainkey.example.com. 300 IN TXT \"v=DKIM1; k=rsa; p=MIIB\""
	if r := ask(t, srv.Addr(), "udp", "sel._domainkey.example.com.", dns.TypeTXT, false); r.Rcode != dns.RcodeNameError {
		t.Fatalf("before publishing: %s, want NXDOMAIN", dns.RcodeToString[r.Rcode])
	}
	if err := srv.Zones().Add(dkim); err != nil {
		t.Fatal(err)
	}
	if r := ask(t, srv.Addr(), "udp", "sel._domainkey.example.com.", dns.TypeTXT, false); len(r.Answer) != 1 {
		t.Fatalf("after publishing: %v, want the TXT record", r)
	}
	if n, err := srv.Zones().Remove(dkim); err != nil || n != 1 {
		t.Fatalf("Remove = %d, %v; want 1 record", n, err)
	}
	if r := ask(t, srv.Addr(), "udp", "sel._domainkey.example.com.", dns.TypeTXT, false); r.Rcode != dns.RcodeNameError {
		t.Fatalf("after removing: %s, want NXDOMAIN", dns.RcodeToString[r.Rcode])
	}
}

func TestServerCloseEndsDelayedReplies(t *testing.T) {
	srv, err := NewServerZones(Authoritative, exampleZone())
	if err != nil {
		t.Fatal(err)
	}
	srv.SetFault(Fault{Delay: time.Hour})
	go func() {
		_, _ = exchange(srv.Addr(), "udp", "mail.example.com.", dns.TypeA, false, 100*time.Millisecond)
	}()
	for len(srv.Queries()) == 0 {
		time.Sleep(time.Millisecond)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Close waited for a reply held back by a delay")
	}
	if err := srv.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestNewServerZonesRejectsBadText(t *testing.T) {
	tests := map[string]string{
		"no soa":    "$ORIGIN example.com.\nmail A 192.0.2.1\n",
		"two soas":  Zone("example.com.") + Zone("example.org."),
		"bad rdata": Zone("example.com.", "mail A 999.0.2.1"),
	}
	for name, text := range tests {
		t.Run(name, func(t *testing.T) {
			if srv, err := NewServerZones(Authoritative, text); err == nil {
				_ = srv.Close()
				t.Fatal("want an error")
			}
		})
	}
}

func TestZoneTextParses(t *testing.T) {
	zones := NewZones()
	if err := zones.AddZone(exampleZone()); err != nil {
		t.Fatal(err)
	}
	if got := zones.Apexes(); len(got) != 1 || got[0] != "example.com." {
		t.Fatalf("apexes %v", got)
	}
	soa := zones.Records("example.com.", dns.TypeSOA)
	if len(soa) != 1 || soa[0].(*dns.SOA).Minttl != 3600 {
		t.Errorf("SOA %v, want MINIMUM 3600", soa)
	}
	if !strings.Contains(zones.Records("_dmarc.example.com.", dns.TypeTXT)[0].String(), "v=DMARC1") {
		t.Error("relative names not expanded")
	}
}

func TestPublishWhileAnswering(t *testing.T) {
	srv := StartServer(t, Authoritative, exampleZone())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 50 {
			rr := fmt.Sprintf("r%d.example.com. A 192.0.2.%d", i, i)
			if err := srv.Zones().Add(rr); err != nil {
				t.Error(err)
				return
			}
			if i%2 == 0 {
				srv.Zones().RemoveRRset(fmt.Sprintf("r%d.example.com.", i), dns.TypeA)
			}
		}
	}()
	for i := range 50 {
		if _, err := exchange(srv.Addr(), "udp", fmt.Sprintf("r%d.example.com.", i), dns.TypeA, false, time.Second); err != nil {
			t.Fatal(err)
		}
	}
	<-done
	for i := range 50 {
		want := i % 2
		if got := len(srv.Zones().Records(fmt.Sprintf("r%d.example.com.", i), dns.TypeA)); got != want {
			t.Errorf("r%d: %d records, want %d", i, got, want)
		}
	}
}

// TestResolverNegativeCaching: with negative caching on, a resolver keeps
// saying NXDOMAIN for a name it said so of, after the record is published,
// for the zone's negative TTL capped by the maximum, counting down; off, it
// sees the record at once.
func TestResolverNegativeCaching(t *testing.T) {
	tests := map[string]struct {
		max        time.Duration
		wantCached bool
		wantTTL    uint32
	}{
		"off":                      {max: 0},
		"capped by the maximum":    {max: 90 * time.Second, wantCached: true, wantTTL: 90},
		"capped by the zone's SOA": {max: 2 * time.Hour, wantCached: true, wantTTL: 3600},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			res := StartServer(t, Resolver, exampleZone())
			res.SetNegativeCaching(tc.max)
			if r := ask(t, res.Addr(), "udp", "new.example.com.", dns.TypeTXT, true); r.Rcode != dns.RcodeNameError {
				t.Fatalf("before publishing: rcode %s, want NXDOMAIN", dns.RcodeToString[r.Rcode])
			}
			if err := res.Zones().Add(`new.example.com. 3600 IN TXT "published"`); err != nil {
				t.Fatal(err)
			}
			r := ask(t, res.Addr(), "udp", "new.example.com.", dns.TypeTXT, true)
			if !tc.wantCached {
				if r.Rcode != dns.RcodeSuccess || len(r.Answer) != 1 {
					t.Fatalf("after publishing: %v, want the record", r)
				}
				return
			}
			if r.Rcode != dns.RcodeNameError {
				t.Fatalf("after publishing: rcode %s, want the cached NXDOMAIN", dns.RcodeToString[r.Rcode])
			}
			if len(r.Ns) != 1 || r.Ns[0].Header().Ttl != tc.wantTTL {
				t.Errorf("authority %v, want the SOA with the remaining TTL %d", r.Ns, tc.wantTTL)
			}
			res.ForgetNXDomain("new.example.com.")
			if r := ask(t, res.Addr(), "udp", "new.example.com.", dns.TypeTXT, true); r.Rcode != dns.RcodeSuccess {
				t.Errorf("after the cache entry expired: rcode %s, want the record", dns.RcodeToString[r.Rcode])
			}
		})
	}
}

func TestResolverCachedNXDomainExpires(t *testing.T) {
	res := StartServer(t, Resolver, exampleZone())
	res.CacheNXDomain("_dmarc.example.com.", 300*time.Millisecond)
	if r := ask(t, res.Addr(), "udp", "_dmarc.example.com.", dns.TypeTXT, true); r.Rcode != dns.RcodeNameError || len(r.Ns) != 1 || r.Ns[0].Header().Ttl != 1 {
		t.Fatalf("while cached: %v, want NXDOMAIN with 1 s left", r)
	}
	time.Sleep(400 * time.Millisecond)
	if r := ask(t, res.Addr(), "udp", "_dmarc.example.com.", dns.TypeTXT, true); r.Rcode != dns.RcodeSuccess || len(r.Answer) != 1 {
		t.Errorf("after expiry: %v, want the TXT record", r)
	}
}
