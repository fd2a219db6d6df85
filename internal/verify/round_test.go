package verify_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
	"github.com/mailwizard/mailwizard/internal/verify/verifytest"
)

// mxTargets asks the MX of domain, then A of every target: a planner with a
// dependent question.
func mxTargets(domain string) verify.Planner {
	mx := verify.Q(domain, dns.TypeMX)
	return func(known verify.Answers) []verify.Question {
		qs := []verify.Question{mx}
		ans, _ := known.Get(mx)
		for _, o := range ans.Servers {
			for _, rr := range o.Records(domain, dns.TypeMX) {
				qs = append(qs, verify.Q(rr.(*dns.MX).Mx, dns.TypeA))
			}
		}
		return qs
	}
}

func TestRunAsksDependentQuestions(t *testing.T) {
	_, e := world(t, verifytest.LabConfig{})
	known := e.Round().Run(context.Background(), mxTargets("example.com."))
	a, ok := known.Get(verify.Q("mail.example.com.", dns.TypeA))
	if !ok {
		t.Fatalf("the MX target's address was not asked; known: %v", keys(known))
	}
	for _, o := range a.Servers {
		if len(o.Records("mail.example.com.", dns.TypeA)) != 1 {
			t.Errorf("%s: %v, want the A record", o.Server, o.Answer)
		}
	}
}

func TestRunShowsCNAMEAtMXTarget(t *testing.T) {
	lab, e := world(t, verifytest.LabConfig{})
	lab.RemoveRRset("example.com.", dns.TypeMX)
	if err := lab.Add("example.com. MX 10 mx2.example.com."); err != nil {
		t.Fatal(err)
	}
	known := e.Round().Run(context.Background(), mxTargets("example.com."))
	a, ok := known.Get(verify.Q("mx2.example.com.", dns.TypeA))
	if !ok {
		t.Fatalf("the MX target's address was not asked")
	}
	for _, o := range a.Servers {
		target, isCNAME := o.CNAME("mx2.example.com.")
		if !isCNAME || target != "mail.example.com." {
			t.Errorf("%s: CNAME(mx2) = %q, %v; want mail.example.com.", o.Server, target, isCNAME)
		}
		if len(o.Records("mail.example.com.", dns.TypeA)) != 1 || len(o.Records("mx2.example.com.", dns.TypeA)) != 0 {
			t.Errorf("%s: answer %v, want the CNAME then the target's A", o.Server, o.Answer)
		}
	}
	// The must-not case: a plain MX target has no CNAME.
	b, _ := e.Round().Run(context.Background(), func(verify.Answers) []verify.Question {
		return []verify.Question{verify.Q("mail.example.com.", dns.TypeA)}
	}).Get(verify.Q("mail.example.com.", dns.TypeA))
	if _, isCNAME := b.Servers[0].CNAME("mail.example.com."); isCNAME {
		t.Errorf("mail.example.com. reported as a CNAME: %v", b.Servers[0].Answer)
	}
}

func TestRunDeduplicates(t *testing.T) {
	lab, e := world(t, verifytest.LabConfig{IPv6: true})
	same := func(verify.Answers) []verify.Question {
		return []verify.Question{
			verify.Q("example.com.", dns.TypeMX),
			verify.Q("mail.example.com.", dns.TypeA),
			verify.Q("Mail.Example.com", dns.TypeA), // the same question, written differently
			verify.RQ("example.com.", dns.TypeNS),   // the same as a discovery question
		}
	}
	r := e.Round()
	r.Run(context.Background(), same, same, mxTargets("example.com."), same)
	if st := r.Stats(); st.Duplicates != 0 {
		t.Errorf("stats %+v, want no duplicates", st)
	}
	for i, srv := range lab.Servers {
		for _, q := range []verify.Question{verify.Q("example.com.", dns.TypeMX), verify.Q("mail.example.com.", dns.TypeA)} {
			// Two addresses per server (IPv4 and IPv6), each asked once.
			if got := srv.Count(q.Name, q.Type, ""); got != 2 {
				t.Errorf("server %d received %s %d times, want 2 (once per address)", i+1, q, got)
			}
		}
	}
	if got := lab.Resolver.Count("example.com.", dns.TypeNS, ""); got != 1 {
		t.Errorf("resolver received NS example.com. %d times, want 1", got)
	}
}

func TestRunCallsPlannerUntilNothingNew(t *testing.T) {
	_, e := world(t, verifytest.LabConfig{})
	var calls atomic.Int32
	planner := func(known verify.Answers) []verify.Question {
		calls.Add(1)
		// Asks one more SRV name per call, three in all.
		names := []string{"_submission._tcp.example.com.", "_submissions._tcp.example.com.", "_imaps._tcp.example.com."}
		var qs []verify.Question
		for _, n := range names {
			q := verify.Q(n, dns.TypeSRV)
			qs = append(qs, q)
			if _, ok := known.Get(q); !ok {
				break
			}
		}
		return qs
	}
	known := e.Round().Run(context.Background(), planner)
	if len(known) != 3 {
		t.Errorf("%d answers, want 3: %v", len(known), keys(known))
	}
	if n := calls.Load(); n != 4 {
		t.Errorf("planner called %d times, want 4 (once at the start, once per answer)", n)
	}
}

func TestQueryFlags(t *testing.T) {
	lab, e := world(t, verifytest.LabConfig{})
	bl, _ := verify.BlocklistQuestions(mustAddr("192.0.2.99"), "dnsbl.example.org.")
	e.Round().Ask(context.Background(), verify.Q("example.com.", dns.TypeMX), bl)
	for i, srv := range lab.Servers {
		for _, q := range srv.Queries() {
			if q.RD || q.EDNS != 1232 {
				t.Errorf("server %d got %+v, want RD=0 and EDNS0 1232", i+1, q)
			}
			if q.Name == bl.Name {
				t.Errorf("server %d was asked the Recursive question %s", i+1, bl)
			}
		}
	}
	for _, q := range lab.Resolver.Queries() {
		if !q.RD || q.EDNS != 1232 {
			t.Errorf("resolver got %+v, want RD=1 and EDNS0 1232", q)
		}
	}
}

func TestRecursiveQuestionGoesToResolver(t *testing.T) {
	lab, e := world(t, verifytest.LabConfig{})
	q := verify.RQ("example.com.", dns.TypeTXT)
	a := e.Round().Ask(context.Background(), q)[q]
	if a.Err != nil || a.Zone != "" || len(a.Servers) != 1 || len(a.Resolvers) != 0 {
		t.Fatalf("answer %+v, want one observation from the resolver", a)
	}
	o := a.Servers[0]
	if o.Server != lab.Resolver.Addr() || o.Address != lab.Resolver.Addr() || !o.OK() || len(o.Records("example.com.", dns.TypeTXT)) != 1 {
		t.Errorf("observation %+v, want the resolver's TXT", o)
	}
}

func TestSecondOpinion(t *testing.T) {
	lab := verifytest.StartLab(t, verifytest.LabConfig{Zones: []string{mailZone()}})
	// The resolver cached "no such name" before the record was published.
	lab.Resolver.CacheNXDomain("_dmarc.example.com.", 41*time.Minute)
	opts := lab.Options()
	opts.SecondOpinion = []string{lab.Resolver.Addr()}
	e := engine(t, opts)
	tests := map[string]struct {
		q           verify.Question
		nxdomain    bool
		negativeTTL time.Duration
		records     int
		// authRecords is what the authoritative servers have.
		authRecords int
	}{
		"cached nxdomain": {verify.Q("_dmarc.example.com.", dns.TypeTXT), true, 41 * time.Minute, 0, 1},
		"positive":        {verify.Q("example.com.", dns.TypeMX), false, 0, 1, 1},
		"nodata":          {verify.Q("mail.example.com.", dns.TypeMX), false, time.Hour, 0, 0},
		"nxdomain":        {verify.Q("nope.example.com.", dns.TypeTXT), true, time.Hour, 0, 0},
	}
	r := e.Round()
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			a := r.Ask(context.Background(), tc.q)[tc.q]
			if len(a.Resolvers) != 1 {
				t.Fatalf("%d second opinions, want 1", len(a.Resolvers))
			}
			so := a.Resolvers[0]
			if !so.OK() || so.NXDomain() != tc.nxdomain || so.NegativeTTL != tc.negativeTTL || len(so.Answer) != tc.records {
				t.Errorf("second opinion %+v, want nxdomain %v, negative TTL %s, %d records", so, tc.nxdomain, tc.negativeTTL, tc.records)
			}
			if so.Server != lab.Resolver.Addr() {
				t.Errorf("second opinion from %q, want %q", so.Server, lab.Resolver.Addr())
			}
			// The authoritative servers are not fooled by the cache.
			for _, o := range a.Servers {
				if !o.OK() || len(o.Answer) != tc.authRecords {
					t.Errorf("%s: %+v, want %d records", o.Server, o, tc.authRecords)
				}
			}
		})
	}
}

func TestObservationOrder(t *testing.T) {
	_, e := world(t, verifytest.LabConfig{IPv6: true, Servers: 3})
	q := verify.Q("example.com.", dns.TypeMX)
	a := e.Round().Ask(context.Background(), q)[q]
	var got []string
	for _, o := range a.Servers {
		got = append(got, o.Server+" "+o.Address)
	}
	want := []string{
		"ns1.example.net. 192.0.2.53:53", "ns1.example.net. [2001:db8::53]:53",
		"ns2.example.net. 192.0.2.54:53", "ns2.example.net. [2001:db8::54]:53",
		"ns3.example.net. 192.0.2.55:53", "ns3.example.net. [2001:db8::55]:53",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("observations\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestNextKeepsDiscoveryOnly(t *testing.T) {
	lab, e := world(t, verifytest.LabConfig{})
	q := verify.Q("_dmarc.example.com.", dns.TypeTXT)
	first := e.Round()
	first.Ask(context.Background(), q)
	lab.Resolver.ResetQueries()
	for _, srv := range lab.Servers {
		srv.ResetQueries()
	}
	next := first.Next()
	a := next.Ask(context.Background(), q)[q]
	if a.Zone != "example.com." || len(a.Servers) != 2 || !a.Servers[0].OK() {
		t.Fatalf("answer %+v, want both servers' records", a)
	}
	if n := len(lab.Resolver.Queries()); n != 0 {
		t.Errorf("resolver received %d queries, want none: discovery is kept", n)
	}
	for i, srv := range lab.Servers {
		if got := srv.Count(q.Name, q.Type, ""); got != 1 {
			t.Errorf("server %d received %s %d times, want 1: answers are not kept", i+1, q, got)
		}
	}
	if st := next.Stats(); st.Queries != 2 {
		t.Errorf("next round stats %+v, want 2 queries", st)
	}
}

func TestInvalidQuestion(t *testing.T) {
	_, e := world(t, verifytest.LabConfig{})
	tests := map[string]verify.Question{
		"label too long": verify.Q(strings.Repeat("a", 64)+".example.com.", dns.TypeA),
		"empty label":    verify.Q("a..example.com.", dns.TypeA),
		"escaped end":    verify.Q(`\`, dns.TypeA),
		"unknown via":    {Name: "example.com.", Type: dns.TypeA, Via: 7},
	}
	for name, q := range tests {
		t.Run(name, func(t *testing.T) {
			a := e.Round().Ask(context.Background(), q)[q]
			if a.Err == nil {
				t.Errorf("answer %+v, want an error", a)
			}
		})
	}
}

func keys(known verify.Answers) []string {
	var out []string
	for q := range known {
		out = append(out, q.String())
	}
	return out
}

// TestRunCallsAPlannerOncePerWave: the replies to one wave of questions
// arrive one after another; the planner is called again once for what
// arrives together, not once per reply (its CPU would hold back the
// replies still coming), and a dependent question is still asked.
func TestRunCallsAPlannerOncePerWave(t *testing.T) {
	lab, e := world(t, verifytest.LabConfig{})
	for _, s := range lab.Servers {
		s.SetFault(verifytest.Fault{Delay: 20 * time.Millisecond})
	}
	names := []string{"example.com.", "mail.example.com.", "www.example.com.", "_dmarc.example.com.", "nx1.example.com.", "nx2.example.com.", "nx3.example.com.", "nx4.example.com."}
	var calls atomic.Int32
	dependent := mxTargets("example.com.")
	planner := func(known verify.Answers) []verify.Question {
		calls.Add(1)
		qs := dependent(known)
		for _, n := range names {
			qs = append(qs, verify.Q(n, dns.TypeTXT))
		}
		return qs
	}
	known := e.Round().Run(context.Background(), planner)
	if _, ok := known.Get(verify.Q("mail.example.com.", dns.TypeA)); !ok {
		t.Fatalf("the MX target's address was not asked; known: %v", keys(known))
	}
	// One call to start, one to three as the first wave's 9 replies arrive
	// (they come within a millisecond or two), one when the dependent
	// answer arrives, and one more for a loaded machine; once per reply
	// would be 11.
	if n := calls.Load(); n > 6 {
		t.Errorf("the planner was called %d times for 10 answers in 2 waves, want at most 6", n)
	}
}
