package lab_test

import (
	"context"
	"net/netip"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/lab"
)

func ask(t *testing.T, addr, name string, qtype uint16, recursive bool) (*dns.Msg, error) {
	t.Helper()
	c := &dns.Client{Net: "udp", Timeout: time.Second}
	m := new(dns.Msg).SetQuestion(name, qtype)
	m.RecursionDesired = recursive
	in, _, err := c.Exchange(m, addr)
	return in, err
}

// TestLab checks the lab itself: both nameservers serve the zone with the
// lab's glue, FirstOnly records are on ns1 only, the resolver reaches them
// through its stub zones and keeps "no such name" cached, a TSIG update
// lands, a wrong key is refused, and a stopped nameserver stops answering.
func TestLab(t *testing.T) {
	lab.Require(t, labErr)
	t.Parallel()
	l := lab.Start(t, progs, lab.Config{Zones: []lab.Zone{
		{Apex: "example.com.", Records: []string{"example.com. 3600 IN MX 10 mail.example.com."}, FirstOnly: []string{"first.example.com. 3600 IN TXT \"ns1 only\""}},
		{Apex: "2.0.192.in-addr.arpa.", Records: []string{"25.2.0.192.in-addr.arpa. 3600 IN PTR mail.example.com."}},
	}})
	ns1Name, ns1 := l.Nameserver(0)
	_, ns2 := l.Nameserver(1)
	at := func(a netip.Addr) string { return netip.AddrPortFrom(a, 53).String() }

	tests := map[string]struct {
		addr      string
		name      string
		qtype     uint16
		recursive bool
		wantRcode int
		wantCount int
	}{
		"ns1 serves the zone":                        {at(ns1), "example.com.", dns.TypeMX, false, dns.RcodeSuccess, 1},
		"ns2 serves the zone":                        {at(ns2), "example.com.", dns.TypeMX, false, dns.RcodeSuccess, 1},
		"the glue names the lab's address":           {at(ns2), ns1Name, dns.TypeA, false, dns.RcodeSuccess, 1},
		"first-only record on ns1":                   {at(ns1), "first.example.com.", dns.TypeTXT, false, dns.RcodeSuccess, 1},
		"first-only record not on ns2":               {at(ns2), "first.example.com.", dns.TypeTXT, false, dns.RcodeNameError, 0},
		"resolver reaches a reverse zone via a stub": {l.Resolver(), "25.2.0.192.in-addr.arpa.", dns.TypePTR, true, dns.RcodeSuccess, 1},
		"resolver refuses the world":                 {l.Resolver(), "www.example.org.", dns.TypeA, true, dns.RcodeServerFailure, 0},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			in, err := ask(t, tc.addr, tc.name, tc.qtype, tc.recursive)
			if err != nil {
				t.Fatal(err)
			}
			if in.Rcode != tc.wantRcode || len(in.Answer) != tc.wantCount {
				t.Errorf("%s %s at %s: %s with %d answers, want %s with %d", dns.TypeToString[tc.qtype], tc.name, tc.addr,
					dns.RcodeToString[in.Rcode], len(in.Answer), dns.RcodeToString[tc.wantRcode], tc.wantCount)
			}
		})
	}

	t.Run("update lands while the resolver keeps its negative cache", func(t *testing.T) {
		const name = "_dmarc.example.com."
		if in, err := ask(t, l.Resolver(), name, dns.TypeTXT, true); err != nil || in.Rcode != dns.RcodeNameError {
			t.Fatalf("resolver before the update: %v %v, want NXDOMAIN", in, err)
		}
		if err := l.Update(context.Background(), 0, "example.com.", []string{name + ` 3600 IN TXT "v=DMARC1; p=none"`}); err != nil {
			t.Fatal(err)
		}
		if in, err := ask(t, at(ns1), name, dns.TypeTXT, false); err != nil || len(in.Answer) != 1 {
			t.Errorf("ns1 after the update: %v %v, want the record", in, err)
		}
		if in, err := ask(t, at(ns2), name, dns.TypeTXT, false); err != nil || in.Rcode != dns.RcodeNameError {
			t.Errorf("ns2, not updated: %v %v, want NXDOMAIN", in, err)
		}
		in, err := ask(t, l.Resolver(), name, dns.TypeTXT, true)
		if err != nil || in.Rcode != dns.RcodeNameError || len(in.Ns) == 0 || in.Ns[0].Header().Ttl == 0 {
			t.Errorf("resolver after the update: %v %v, want the cached NXDOMAIN with its SOA", in, err)
		}
	})

	t.Run("update with a wrong key is refused", func(t *testing.T) {
		script := "server " + ns1.String() + " 53\nzone example.com.\nupdate add x.example.com. 3600 IN TXT \"no\"\nsend\n"
		cmd := exec.Command(progs.Knsupdate, "-t", "2", "-r", "0", "-y", "hmac-sha256:mailwizard-lab.:d3Jvbmd3cm9uZ3dyb25nd3Jvbmd3cm9uZ3dyb25nMTI=")
		cmd.Stdin = strings.NewReader(script)
		if out, err := cmd.CombinedOutput(); err == nil {
			t.Errorf("an update signed with a wrong key was accepted:\n%s", out)
		}
		if in, err := ask(t, at(ns1), "x.example.com.", dns.TypeTXT, false); err != nil || in.Rcode != dns.RcodeNameError {
			t.Errorf("after the refused update: %v %v, want NXDOMAIN", in, err)
		}
	})

	t.Run("a stopped nameserver stops answering", func(t *testing.T) {
		if err := l.StopNameserver(1); err != nil {
			t.Fatal(err)
		}
		if _, err := ask(t, at(ns2), "example.com.", dns.TypeMX, false); err == nil {
			t.Error("ns2 still answers after StopNameserver")
		}
		if in, err := ask(t, at(ns1), "example.com.", dns.TypeMX, false); err != nil || len(in.Answer) != 1 {
			t.Errorf("ns1 after ns2 stopped: %v %v", in, err)
		}
	})
}
