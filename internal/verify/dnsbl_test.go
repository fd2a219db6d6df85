package verify_test

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
	"github.com/mailwizard/mailwizard/internal/verify/verifytest"
)

func TestBlocklistQuestions(t *testing.T) {
	tests := map[string]struct {
		ip   netip.Addr
		zone string
		want string
	}{
		"ipv4":        {mustAddr("192.0.2.99"), "zen.example.org", "99.2.0.192.zen.example.org."},
		"ipv4-mapped": {mustAddr("::ffff:192.0.2.99"), "zen.example.org.", "99.2.0.192.zen.example.org."},
		"ipv6": {mustAddr("2001:db8:1:2::abc"), "ZEN.example.org.",
			"c.b.a.0.0.0.0.0.0.0.0.0.0.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.zen.example.org."},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			a, txt := verify.BlocklistQuestions(tc.ip, tc.zone)
			if a != verify.RQ(tc.want, dns.TypeA) || txt != verify.RQ(tc.want, dns.TypeTXT) {
				t.Errorf("questions %v and %v, want A and TXT %s, Recursive", a, txt, tc.want)
			}
		})
	}
	// The zero address gives an invalid name, never a panic.
	a, _ := verify.BlocklistQuestions(netip.Addr{}, "zen.example.org.")
	if _, ok := dns.IsDomainName(a.Name); ok && !strings.HasPrefix(a.Name, ".") {
		t.Errorf("zero address gives %q, want an invalid name", a.Name)
	}
}

func TestBlocklistVerdicts(t *testing.T) {
	const zone = "dnsbl.example.org."
	tests := map[string]struct {
		ip      string
		setup   func(*verifytest.Lab)
		listing verify.Listing
		codes   []string
		reason  string
		err     string
	}{
		"not listed": {ip: "192.0.2.1", listing: verify.NotListed},
		"listed": {ip: "192.0.2.99", listing: verify.Listed, codes: []string{"127.0.0.2", "127.0.0.4"},
			reason: "listed for spam; see https://dnsbl.example.org/"},
		"refused is never listed": {ip: "192.0.2.98", listing: verify.Refused, codes: []string{"127.255.255.254"}},
		"answer outside 127/8":    {ip: "192.0.2.97", listing: verify.Unknown, codes: []string{"192.0.2.200"}, err: "dnsbl.example.org. returned 192.0.2.200, outside 127.0.0.0/8"},
		"resolver servfail": {ip: "192.0.2.99", listing: verify.Unknown, err: "SERVFAIL", setup: func(l *verifytest.Lab) {
			l.Resolver.SetFault(verifytest.Fault{Rcode: dns.RcodeServerFailure})
		}},
		"resolver down": {ip: "192.0.2.99", listing: verify.Unknown, err: "could not reach resolver", setup: func(l *verifytest.Lab) {
			l.Resolver.SetFault(verifytest.Fault{Drop: true})
		}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			lab, e := world(t, verifytest.LabConfig{})
			if tc.setup != nil {
				tc.setup(lab)
			}
			ip := mustAddr(tc.ip)
			a, txt := verify.BlocklistQuestions(ip, zone)
			known := e.Round().Ask(context.Background(), a, txt)
			res := verify.Blocklist(known, ip, zone)
			if res.Listing != tc.listing || res.Reason != tc.reason || res.Zone != zone || res.IP != ip {
				t.Errorf("result %+v, want %s with reason %q", res, tc.listing, tc.reason)
			}
			var codes []string
			for _, c := range res.Codes {
				codes = append(codes, c.String())
			}
			if strings.Join(codes, " ") != strings.Join(tc.codes, " ") {
				t.Errorf("codes %v, want %v", codes, tc.codes)
			}
			switch {
			case tc.err == "" && res.Err != nil:
				t.Errorf("error %v, want none", res.Err)
			case tc.err != "" && (res.Err == nil || !strings.Contains(res.Err.Error(), tc.err)):
				t.Errorf("error %v, want one containing %q", res.Err, tc.err)
			}
		})
	}
}

func TestBlocklistNotAsked(t *testing.T) {
	res := verify.Blocklist(verify.Answers{}, mustAddr("192.0.2.1"), "dnsbl.example.org.")
	if res.Listing != verify.Unknown || res.Err == nil {
		t.Errorf("result %+v, want Unknown with an error", res)
	}
}

func TestBlocklistFromAnswers(t *testing.T) {
	ip := mustAddr("192.0.2.1")
	const zone = "dnsbl.example.org."
	aq, _ := verify.BlocklistQuestions(ip, zone)
	code := func(s string) dns.RR {
		rr, err := dns.NewRR(aq.Name + " 60 IN A " + s)
		if err != nil {
			t.Fatal(err)
		}
		return rr
	}
	tests := map[string]struct {
		ans  verify.Answer
		want verify.Listing
	}{
		"refusal among listings": {verify.Answer{Servers: []verify.Observation{{Answer: []dns.RR{code("127.0.0.2"), code("127.255.255.252")}}}}, verify.Refused},
		"nodata":                 {verify.Answer{Servers: []verify.Observation{{Rcode: dns.RcodeSuccess}}}, verify.NotListed},
		"no observation":         {verify.Answer{}, verify.Unknown},
		"answer error":           {verify.Answer{Err: errors.New("boom")}, verify.Unknown},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tc.ans.Question = aq
			res := verify.Blocklist(verify.Answers{aq: tc.ans}, ip, zone)
			if res.Listing != tc.want {
				t.Errorf("listing %s, want %s (%v)", res.Listing, tc.want, res.Err)
			}
		})
	}
}

func TestListingString(t *testing.T) {
	tests := map[verify.Listing]string{
		verify.NotListed: "not listed", verify.Listed: "listed", verify.Refused: "refused", verify.Unknown: "unknown", 42: "unknown",
	}
	for l, want := range tests {
		if got := l.String(); got != want {
			t.Errorf("Listing(%d).String() = %q, want %q", int(l), got, want)
		}
	}
}
