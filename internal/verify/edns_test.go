package verify_test

import (
	"context"
	"testing"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
	"github.com/mailwizard/mailwizard/internal/verify/verifytest"
)

// TestServerWithoutEDNS: a server that answers FORMERR to, or drops, a
// query with EDNS0 is asked once without it, and its observation says so;
// a healthy server is asked once, with EDNS0. A server that lost the first
// query but answers the retry with EDNS0 is not marked (TestTimeoutRecoveredByRetry).
func TestServerWithoutEDNS(t *testing.T) {
	const dmarc = "_dmarc.example.com."
	tests := map[string]struct {
		fault    verifytest.Fault
		queries  int // ns1 receives, with and without EDNS0
		withEDNS int
		noEDNS   bool
	}{
		"healthy":         {verifytest.Fault{}, 1, 1, false},
		"formerr to EDNS": {verifytest.Fault{FormErrEDNS: true}, 2, 1, true},
		"drops EDNS":      {verifytest.Fault{DropEDNS: true}, 3, 2, true}, // the first try, then the last retry with and without
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			lab, e := world(t, verifytest.LabConfig{})
			lab.Servers[0].SetFault(tc.fault)
			q := verify.Q(dmarc, dns.TypeTXT)
			a := e.Round().Ask(context.Background(), q)[q]
			o := a.Servers[0]
			if !o.OK() || len(o.Records(dmarc, dns.TypeTXT)) != 1 || o.NoEDNS != tc.noEDNS {
				t.Errorf("ns1: %+v, want the record, NoEDNS %v", o, tc.noEDNS)
			}
			if a.Servers[1].NoEDNS {
				t.Errorf("ns2 is marked as answering without EDNS0")
			}
			var with int
			for _, sq := range lab.Servers[0].Queries() {
				if sq.EDNS > 0 {
					with++
				}
			}
			if got := len(lab.Servers[0].Queries()); got != tc.queries || with != tc.withEDNS {
				t.Errorf("ns1 received %d queries, %d with EDNS0; want %d and %d", got, with, tc.queries, tc.withEDNS)
			}
		})
	}
}
