package verify_test

import (
	"context"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
	"github.com/mailwizard/mailwizard/internal/verify/verifytest"
)

// interceptPlanner asks questions in two zones: the domain's and the
// reverse zone of its mail server.
func interceptPlanner(verify.Answers) []verify.Question {
	return []verify.Question{verify.Q("example.com.", dns.TypeMX), verify.Q("25.2.0.192.in-addr.arpa.", dns.TypePTR), verify.Q("_dmarc.example.com.", dns.TypeTXT)}
}

// TestNetworkBlocksDirectDNS: a network that drops, or answers itself,
// every query to a nameserver makes the round ask the resolver, and every
// answer says so; the next round does so at once, and tries the
// nameservers again after PathRetry.
func TestNetworkBlocksDirectDNS(t *testing.T) {
	tests := map[string]struct {
		how verifytest.Interception
	}{
		"drops":      {verifytest.DropDirect},
		"intercepts": {verifytest.InterceptDirect},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			lab := verifytest.StartLab(t, verifytest.LabConfig{Zones: append([]string{mailZone()}, reverseZones()...)})
			if err := lab.BlockDirect(tc.how); err != nil {
				t.Fatal(err)
			}
			opts := lab.Options()
			opts.Timeout = 100 * time.Millisecond
			opts.PathRetry = 300 * time.Millisecond
			e := engine(t, opts)
			r := e.Round()
			known := r.Run(context.Background(), interceptPlanner)
			for _, q := range interceptPlanner(nil) {
				a := known[q]
				if !a.FromResolver || len(a.Servers) != 1 || a.Servers[0].Server != lab.Resolver.Addr() || !a.Servers[0].OK() || len(a.Servers[0].Answer) == 0 {
					t.Errorf("%s: %+v, want the resolver's answer, marked", q, a)
				}
			}
			lab.Resolver.ResetQueries()
			next := r.Next()
			start := time.Now()
			a := next.Run(context.Background(), interceptPlanner)[verify.Q("example.com.", dns.TypeMX)]
			if !a.FromResolver || time.Since(start) > 90*time.Millisecond {
				t.Errorf("next round: %+v after %s, want the resolver at once", a, time.Since(start))
			}
			time.Sleep(350 * time.Millisecond)
			after := next.Next()
			after.Run(context.Background(), interceptPlanner)
			if after.Stats().Queries <= 3 {
				t.Errorf("after PathRetry the round sent %d queries, want the nameservers tried again", after.Stats().Queries)
			}
		})
	}
}

// TestOneLameZoneIsNotTheNetwork is the must-not case: when one zone's
// servers are lame but another zone's answer, the round stays
// authoritative and the lame servers are the zone's problem.
func TestOneLameZoneIsNotTheNetwork(t *testing.T) {
	lab, e := world(t, verifytest.LabConfig{})
	lab.Servers[0].SetFault(verifytest.Fault{NoAA: true})
	lab.Servers[1].SetFault(verifytest.Fault{NoAA: true})
	r := e.Round()
	known := r.Run(context.Background(), func(verify.Answers) []verify.Question {
		return []verify.Question{verify.Q("example.com.", dns.TypeMX)}
	})
	if a := known[verify.Q("example.com.", dns.TypeMX)]; a.FromResolver || len(a.Servers) != 2 {
		t.Errorf("answer %+v, want the lame servers' observations", a)
	}
}
