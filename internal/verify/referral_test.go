package verify_test

import (
	"context"
	"net/netip"
	"testing"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
	"github.com/mailwizard/mailwizard/internal/verify/verifytest"
)

// TestReferralToSubzone: a zone cut below the domain is found from the
// referral of the domain's servers, not by asking the resolver about every
// name, and its own server answers; a round started with Next asks it at
// once.
func TestReferralToSubzone(t *testing.T) {
	lab, e := world(t, verifytest.LabConfig{})
	child, err := lab.ServeChild(verifytest.Zone("_domainkey.example.com.", `sel TXT "v=DKIM1; p=MIIB"`), netip.MustParseAddr("192.0.2.60"))
	if err != nil {
		t.Fatal(err)
	}
	q := verify.Q("sel._domainkey.example.com.", dns.TypeTXT)
	dmarc := verify.Q("_dmarc.example.com.", dns.TypeTXT)
	r := e.Round()
	known := r.Ask(context.Background(), q, dmarc)
	a := known[q]
	if a.Err != nil || a.Zone != "_domainkey.example.com." || len(a.Servers) != 1 || a.Servers[0].Server != "ns._domainkey.example.com." || !a.Servers[0].OK() || len(a.Servers[0].Answer) != 1 {
		t.Fatalf("answer %+v, want the child's server's record", a)
	}
	if d := known[dmarc]; d.Zone != "example.com." || len(d.Servers) != 2 || !d.Servers[0].OK() {
		t.Errorf("_dmarc: %+v, want the domain's servers", d)
	}
	for _, rq := range lab.Resolver.Queries() {
		if rq.Name != "example.com." || rq.Type != dns.TypeNS {
			t.Errorf("the resolver was asked %s %s, want only NS example.com.", dns.TypeToString[rq.Type], rq.Name)
		}
	}
	if got := child.Count(q.Name, q.Type, ""); got != 1 {
		t.Errorf("the child's server was asked %d times, want once", got)
	}
	if st := r.Stats(); st.Duplicates != 0 {
		t.Errorf("stats %+v", st)
	}

	lab.Resolver.ResetQueries()
	for _, srv := range lab.Servers {
		srv.ResetQueries()
	}
	next := r.Next()
	if a := next.Ask(context.Background(), q)[q]; a.Zone != "_domainkey.example.com." || !a.Servers[0].OK() {
		t.Fatalf("next round: %+v", a)
	}
	for i, srv := range lab.Servers {
		if n := len(srv.Queries()); n != 0 {
			t.Errorf("next round: server %d was asked %d questions, want none: the cut is known", i+1, n)
		}
	}
	if n := len(lab.Resolver.Queries()); n != 0 {
		t.Errorf("next round: the resolver was asked %d questions", n)
	}
}
