package steps

import (
	"errors"
	"testing"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
)

// TestServerVerdictAddressLevel: a server that answers on IPv4 while its
// IPv6 address fails serves the record, and the failing address is named
// beside it; a server that fails on every address is unknown.
func TestServerVerdictAddressLevel(t *testing.T) {
	q := verify.Q("mail.example.com.", dns.TypeA)
	rr, _ := dns.NewRR("mail.example.com. 3600 IN A 192.0.2.25")
	late := errors.New("query A mail.example.com. at ns1.example.net. ([2001:db8::53]:53): no reply within 50ms after the server answered on 192.0.2.53:53")
	res := Result{Step: IDHost, Status: StatusPass,
		Expected: []Record{{Name: "mail.example.com.", Type: "A", TTL: 3600, Value: "192.0.2.25"}},
		Observed: []verify.Answer{{Question: q, Servers: []verify.Observation{
			{Server: "ns1.example.net.", Address: "192.0.2.53:53", Answer: []dns.RR{rr}},
			{Server: "ns1.example.net.", Address: "[2001:db8::53]:53", Rcode: -1, Err: late},
			{Server: "ns2.example.net.", Address: "[2001:db8::54]:53", Rcode: -1, Err: late},
		}}},
	}
	got, _ := serverVerdicts(res)
	if len(got) != 2 || got[0].Verdict != VerdictOK || got[0].Detail != "serves it (no reply on [2001:db8::53]:53)" || got[1].Verdict != VerdictUnknown {
		t.Errorf("verdicts %+v, want ns1 serving it with its IPv6 address named, ns2 unknown", got)
	}
}
