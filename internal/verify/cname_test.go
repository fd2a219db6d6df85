package verify_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
	"github.com/mailwizard/mailwizard/internal/verify/verifytest"
)

// chainZones are example.com. with records published as CNAMEs into
// example.org. (a provider's zone), and chains that break.
func chainZones() []string {
	return []string{
		verifytest.Zone("example.com.",
			"sel._domainkey CNAME sel.dkim.example.org.",
			"_dmarc CNAME example.com.dmarc.example.org.",
			"inzone CNAME target",
			"target TXT \"in the zone\"",
			"dangling CNAME nowhere.example.org.",
			"loop CNAME loop.example.org.",
			"deep CNAME d1.example.org.",
		),
		verifytest.Zone("example.org.",
			"sel.dkim CNAME key.dkim",
			"key.dkim TXT \"v=DKIM1; p=MIIB\"",
			"example.com.dmarc TXT \"v=DMARC1; p=reject\"",
			"loop CNAME loop.example.com.",
			"d1 CNAME d2.example.com.",
		),
	}
}

func TestCNAMEChains(t *testing.T) {
	zones := chainZones()
	// deep: nine CNAMEs back and forth between the two zones.
	var more []string
	for i := 2; i <= 10; i++ {
		zone := "example.com."
		if i%2 == 1 {
			zone = "example.org."
		}
		next := "example.org."
		if zone == "example.org." {
			next = "example.com."
		}
		more = append(more, fmt.Sprintf("d%d.%s CNAME d%d.%s", i, zone, i+1, next))
	}
	tests := map[string]struct {
		name string
		// links are the questions of the chain's links, in order.
		links []string
		// end is the TXT found at the end, "" for none.
		end     string
		chainIs error
		rcode   int // of the last link
	}{
		"dkim in the provider's zone": {
			name:  "sel._domainkey.example.com.",
			links: []string{"TXT sel.dkim.example.org."},
			end:   "v=DKIM1; p=MIIB", // the provider's server followed its own CNAME
		},
		"dmarc at a report service": {
			name:  "_dmarc.example.com.",
			links: []string{"TXT example.com.dmarc.example.org."},
			end:   "v=DMARC1; p=reject",
		},
		"chain inside the zone: the server answered it": {
			name: "inzone.example.com.",
			end:  "in the zone",
		},
		"dangling": {
			name:  "dangling.example.com.",
			links: []string{"TXT nowhere.example.org."},
			rcode: dns.RcodeNameError,
		},
		"loop across zones": {
			name:    "loop.example.com.",
			links:   []string{"TXT loop.example.org."},
			chainIs: verify.ErrCNAMELoop,
		},
		"more than eight cnames": {
			name:    "deep.example.com.",
			links:   []string{"TXT d1.example.org.", "TXT d2.example.com.", "TXT d3.example.org.", "TXT d4.example.com.", "TXT d5.example.org.", "TXT d6.example.com.", "TXT d7.example.org.", "TXT d8.example.com."},
			chainIs: verify.ErrCNAMEChainTooLong,
		},
	}
	lab, e := world(t, verifytest.LabConfig{Zones: zones})
	if err := lab.Add(more...); err != nil {
		t.Fatal(err)
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			q := verify.Q(tc.name, dns.TypeTXT)
			r := e.Round()
			a := r.Ask(context.Background(), q)[q]
			if a.Err != nil || len(a.Servers) != 2 {
				t.Fatalf("answer %+v", a)
			}
			var links []string
			for _, l := range a.Chain {
				links = append(links, l.Question.String())
				if l.Err != nil || len(l.Servers) != 2 || !l.Servers[0].OK() || !l.Servers[0].Authoritative {
					t.Errorf("link %s: %+v, want both servers' authoritative replies", l.Question, l)
				}
			}
			if strings.Join(links, ", ") != strings.Join(tc.links, ", ") {
				t.Errorf("links %v, want %v", links, tc.links)
			}
			last := a
			if len(a.Chain) > 0 {
				last = a.Chain[len(a.Chain)-1]
			}
			var got string
			for _, rr := range last.Servers[0].Answer {
				if txt, ok := rr.(*dns.TXT); ok {
					got = strings.Join(txt.Txt, "")
				}
			}
			if got != tc.end || last.Servers[0].Rcode != tc.rcode {
				t.Errorf("end of the chain: %q rcode %d, want %q rcode %d", got, last.Servers[0].Rcode, tc.end, tc.rcode)
			}
			var ce *verify.ChainError
			switch {
			case tc.chainIs == nil && a.ChainErr != nil:
				t.Errorf("chain error %v, want none", a.ChainErr)
			case tc.chainIs != nil && (!errors.Is(a.ChainErr, tc.chainIs) || !errors.As(a.ChainErr, &ce) || ce.Names[0] != tc.name):
				t.Errorf("chain error %v, want %v naming the chain from %s", a.ChainErr, tc.chainIs, tc.name)
			}
			if st := r.Stats(); st.Duplicates != 0 {
				t.Errorf("stats %+v, want no duplicates", st)
			}
		})
	}
}

// TestCNAMEChainInTheSameRound: a link whose zone is known costs one round
// trip, no discovery; each link is asked once per server however many
// questions lead to it.
func TestCNAMEChainInTheSameRound(t *testing.T) {
	lab, e := world(t, verifytest.LabConfig{Zones: chainZones()})
	first := e.Round()
	ctx := context.Background()
	for _, z := range []string{"example.com.", "example.org."} {
		if _, err := first.Zone(ctx, z); err != nil {
			t.Fatal(err)
		}
	}
	lab.Resolver.ResetQueries()
	lab.SetFault(verifytest.Fault{Delay: 50 * time.Millisecond})
	r := first.Next()
	dkim := verify.Q("sel._domainkey.example.com.", dns.TypeTXT)
	start := time.Now()
	known := r.Run(ctx, func(verify.Answers) []verify.Question {
		return []verify.Question{dkim, verify.Q("sel.dkim.example.org.", dns.TypeTXT)}
	})
	if took := time.Since(start); took > 140*time.Millisecond {
		t.Errorf("the chain took %s, want two round trips of 50ms", took)
	}
	if len(known[dkim].Chain) != 1 {
		t.Fatalf("chain %+v, want one link", known[dkim].Chain)
	}
	for i, srv := range lab.Servers {
		if got := srv.Count("sel.dkim.example.org.", dns.TypeTXT, ""); got != 1 {
			t.Errorf("server %d was asked the link %d times, want once", i+1, got)
		}
	}
	if n := len(lab.Resolver.Queries()); n != 0 {
		t.Errorf("the resolver got %d queries, want none: both zones are known: %+v", n, lab.Resolver.Queries())
	}
}

// TestCNAMEChainsShareTheBudget: the links of chains are counted in the
// round's budget.
func TestCNAMEChainsShareTheBudget(t *testing.T) {
	lab := verifytest.StartLab(t, verifytest.LabConfig{Zones: chainZones()})
	opts := lab.Options()
	opts.QueryBudget = 2 // the question at ns1 and ns2
	e := engine(t, opts)
	ctx := context.Background()
	first := e.Round()
	if _, err := first.Zone(ctx, "example.com."); err != nil {
		t.Fatal(err)
	}
	if _, err := first.Zone(ctx, "example.org."); err != nil {
		t.Fatal(err)
	}
	r := first.Next()
	q := verify.Q("sel._domainkey.example.com.", dns.TypeTXT)
	a := r.Ask(ctx, q)[q]
	var be *verify.BudgetError
	if len(a.Chain) != 1 || !errors.As(a.Chain[0].Err, &be) {
		t.Errorf("chain %+v, want one link that failed with the budget", a.Chain)
	}
	if st := r.Stats(); st.Queries != 2 {
		t.Errorf("stats %+v, want 2 queries", st)
	}
}
