package verify_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/probeserver"
	"github.com/mailwizard/mailwizard/internal/verify"
	"github.com/mailwizard/mailwizard/internal/verify/verifytest"
)

// sharedWorld serves n mail domains, d0.example … d<n-1>.example, on the
// lab's two nameservers, each with its MX at the shared host
// mx.provider.example and an SPF record that includes the provider's.
func sharedWorld(t *testing.T, n int) (*verifytest.Lab, *verify.Engine) {
	t.Helper()
	zones := []string{verifytest.Zone("provider.example.",
		"mx A 192.0.2.25",
		`_spf TXT "v=spf1 ip4:192.0.2.0/24 -all"`,
	)}
	for i := range n {
		zones = append(zones, verifytest.Zone(fmt.Sprintf("d%d.example.", i),
			"@ MX 10 mx.provider.example.",
			`@ TXT "v=spf1 include:_spf.provider.example -all"`,
		))
	}
	return world(t, verifytest.LabConfig{Zones: zones, MinimalResponses: true})
}

// startBatch makes a batch of e for a test and closes it when the test
// ends.
func startBatch(t *testing.T, e *verify.Engine, opts verify.BatchOptions) *verify.Batch {
	t.Helper()
	b, err := e.NewBatch(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

// domainPlanner asks what a mail check of domain asks that other domains
// share: its MX, the MX host's address, its SPF record and the include.
func domainPlanner(domain string) verify.Planner {
	return func(known verify.Answers) []verify.Question {
		mx := verify.Q(domain, dns.TypeMX)
		qs := []verify.Question{mx, verify.Q(domain, dns.TypeTXT), verify.Q("_spf.provider.example.", dns.TypeTXT)}
		if a, ok := known.Get(mx); ok {
			for _, o := range a.Servers {
				for _, rr := range o.Records(domain, dns.TypeMX) {
					qs = append(qs, verify.Q(rr.(*dns.MX).Mx, dns.TypeA))
				}
			}
		}
		return qs
	}
}

// TestBatchAsksSharedQuestionsOnce: the rounds of a batch, run at once,
// each get every answer, and every (server, name, type) reaches the servers
// once; rounds outside a batch ask the shared questions each.
func TestBatchAsksSharedQuestionsOnce(t *testing.T) {
	const n = 20
	lab, e := sharedWorld(t, n)
	run := func(round func() *verify.Round) {
		var wg sync.WaitGroup
		for i := range n {
			domain := fmt.Sprintf("d%d.example.", i)
			wg.Go(func() {
				known := round().Run(t.Context(), domainPlanner(domain))
				if a, ok := known.Get(verify.Q("mx.provider.example.", dns.TypeA)); !ok || len(a.Servers) != 2 || !a.Servers[0].OK() {
					t.Errorf("%s: the shared MX host's address is missing: %+v", domain, a)
				}
			})
		}
		wg.Wait()
	}
	servers := append([]*verifytest.Server{lab.Resolver}, lab.Servers...)
	b := startBatch(t, e, verify.BatchOptions{})
	run(b.Round)
	for _, s := range servers {
		seen := map[string]int{}
		for _, q := range s.Queries() {
			key := fmt.Sprint(q.Name, " ", dns.TypeToString[q.Type], " rd=", q.RD)
			if seen[key]++; seen[key] == 2 {
				t.Errorf("%s was asked %s more than once in a batch", s.Addr(), key)
			}
		}
	}
	st := b.Stats()
	if st.Shared == 0 || st.Queries == 0 {
		t.Errorf("stats %+v: nothing shared", st)
	}
	t.Logf("batch: %+v", st)

	for _, s := range servers {
		s.ResetQueries()
	}
	run(e.Round)
	if got := lab.Servers[0].Count("_spf.provider.example.", dns.TypeTXT, ""); got != n {
		t.Errorf("without a batch the include was asked %d times of ns1, want %d", got, n)
	}
}

// TestBatchRate: a batch sends no more queries a second to one address
// than its rate, after a burst.
func TestBatchRate(t *testing.T) {
	lab, e := sharedWorld(t, 0)
	b := startBatch(t, e, verify.BatchOptions{Rate: 40, Burst: 1})
	var qs []verify.Question
	for i := range 10 {
		qs = append(qs, verify.Q(fmt.Sprintf("n%d.provider.example.", i), dns.TypeA))
	}
	r := b.Round()
	r.Ask(t.Context(), verify.Q("provider.example.", dns.TypeSOA)) // discovery first
	start := time.Now()
	r.Ask(t.Context(), qs...)
	// Ten questions to each server at 40 a second, one at once: 225 ms.
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Errorf("10 queries to one address in %s at 40 a second", d)
	}
	if b.Stats().Waited == 0 {
		t.Error("no query waited for the rate")
	}
	if got := lab.Servers[0].Count("n9.provider.example.", dns.TypeA, ""); got != 1 {
		t.Errorf("n9 asked %d times", got)
	}
	if _, err := e.NewBatch(verify.BatchOptions{Burst: -1}); err == nil {
		t.Error("a negative burst is taken")
	}
}

// TestBatchRetriesServfail: in a batch a SERVFAIL is asked once more, a
// moment later; outside one it is not.
func TestBatchRetriesServfail(t *testing.T) {
	lab, e := sharedWorld(t, 1)
	q := verify.Q("d0.example.", dns.TypeMX)
	lab.Servers[0].SetFault(verifytest.Fault{Rcode: dns.RcodeServerFailure})
	b := startBatch(t, e, verify.BatchOptions{RetryJitter: 10 * time.Millisecond})
	a := b.Round().Ask(t.Context(), q)[q]
	if got := lab.Servers[0].Count("d0.example.", dns.TypeMX, ""); got != 2 || a.Servers[0].OK() {
		t.Errorf("in a batch: %d queries, want 2; observation %+v", got, a.Servers[0])
	}
	lab.Servers[0].ResetQueries()
	e.Round().Ask(t.Context(), q)
	if got := lab.Servers[0].Count("d0.example.", dns.TypeMX, ""); got != 1 {
		t.Errorf("outside a batch: %d queries, want 1", got)
	}
}

// TestBatchSharesProbes: the rounds of a batch make each distinct probe
// once.
func TestBatchSharesProbes(t *testing.T) {
	w := newProbeWorld(t)
	srv := w.mail(25, w.cert("mail.example.com"), probeserver.MailConfig{})
	q := verify.ServiceProbe(at(25), "mail.example.com", verify.ProtoSMTP, verify.TLSStartTLS)
	b := startBatch(t, w.engine(), verify.BatchOptions{})
	before := srv.Connections()
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			if a := b.Round().Ask(t.Context(), q)[q]; a.Probe == nil || a.Question != q {
				t.Errorf("answer %+v", a)
			}
		})
	}
	wg.Wait()
	if got := srv.Connections() - before; got != 1 {
		t.Errorf("%d connections for five rounds of a batch, want 1", got)
	}
}

// TestBatchOutlivesTheRound: a round that stops waiting for a reply does
// not stop the query: the next round that asks takes its reply, and the
// server hears the question once. Close ends what is still on its way.
func TestBatchOutlivesTheRound(t *testing.T) {
	lab, e := sharedWorld(t, 1)
	b := startBatch(t, e, verify.BatchOptions{})
	q := verify.Q("d0.example.", dns.TypeMX)
	b.Round().Ask(t.Context(), q) // discovery
	lab.SetFault(verifytest.Fault{Delay: 150 * time.Millisecond})
	q = verify.Q("d0.example.", dns.TypeTXT)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Millisecond)
	defer cancel()
	if a := b.Round().Ask(ctx, q)[q]; a.Servers[0].OK() {
		t.Fatal("a round cut short got its answer")
	}
	a := b.Round().Ask(t.Context(), q)[q]
	if !a.Servers[0].OK() {
		t.Errorf("the next round: %+v", a.Servers[0])
	}
	if got := lab.Servers[0].Count("d0.example.", dns.TypeTXT, ""); got != 1 {
		t.Errorf("the server heard the question %d times, want once", got)
	}
	lab.SetFault(verifytest.Fault{Drop: true})
	ctx2, cancel2 := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer cancel2()
	q = verify.Q("d0.example.", dns.TypeAAAA)
	b.Round().Ask(ctx2, q)
	start := time.Now()
	b.Close()
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("Close took %s", d)
	}
}

// TestBatchLeavesSilentAddressesAlone: once the last queries to an
// address all timed out, the batch does not ask it again for a while: its
// questions fail at once, saying why.
func TestBatchLeavesSilentAddressesAlone(t *testing.T) {
	lab, e := sharedWorld(t, 1)
	b := startBatch(t, e, verify.BatchOptions{RetryJitter: -1})
	warm := verify.Q("d0.example.", dns.TypeSOA)
	b.Round().Ask(t.Context(), warm)
	lab.Servers[1].SetFault(verifytest.Fault{Drop: true})
	first := []verify.Question{verify.Q("d0.example.", dns.TypeMX), verify.Q("d0.example.", dns.TypeTXT)}
	b.Round().Ask(t.Context(), first...)
	lab.Servers[1].ResetQueries()
	q := verify.Q("d0.example.", dns.TypeAAAA)
	start := time.Now()
	a := b.Round().Ask(t.Context(), q)[q]
	var se *verify.SilentError
	if d := time.Since(start); d > 100*time.Millisecond || !errors.As(a.Servers[1].Err, &se) || !a.Servers[0].OK() {
		t.Errorf("after %s: ns1 %v, ns2 %v; want ns2 left alone at once", d, a.Servers[0].Err, a.Servers[1].Err)
	}
	if n := len(lab.Servers[1].Queries()); n != 0 {
		t.Errorf("the silent server was asked %d times", n)
	}
	if !verify.PathFailure(a.Servers[1].Err) {
		t.Error("a silent address is no path failure")
	}
}

// TestBatchStopsRetryingAnAddressThatWentSilent: queries waiting at an
// address when the batch finds it silent are not tried again: the other
// queries' timeouts said what a retry would. Only the first to time out
// may still retry (one timeout is not silence yet); the others end after
// one timeout instead of two.
func TestBatchStopsRetryingAnAddressThatWentSilent(t *testing.T) {
	lab, e := sharedWorld(t, 1)
	b := startBatch(t, e, verify.BatchOptions{RetryJitter: -1})
	b.Round().Ask(t.Context(), verify.Q("d0.example.", dns.TypeSOA)) // discovery
	lab.Servers[1].SetFault(verifytest.Fault{Drop: true})
	lab.Servers[1].ResetQueries()
	qs := []verify.Question{verify.Q("d0.example.", dns.TypeMX), verify.Q("d0.example.", dns.TypeTXT), verify.Q("d0.example.", dns.TypeNS), verify.Q("d0.example.", dns.TypeAAAA)}
	answers := b.Round().Ask(t.Context(), qs...)
	stopped := 0
	for _, q := range qs {
		a := answers[q]
		err := a.Servers[1].Err
		if !verify.PathFailure(err) || !a.Servers[0].OK() {
			t.Errorf("%s: ns1 %v, ns2 %v; want ns1's answer and a timeout at ns2", q, a.Servers[0].Err, err)
		}
		if err != nil && strings.Contains(err.Error(), "1 try of 200ms; not tried again") {
			stopped++
		}
	}
	if stopped < len(qs)-1 {
		t.Errorf("%d of %d queries were not tried again, want all but the first to time out", stopped, len(qs))
	}
	// A retry is the query with EDNS0 and the one without it.
	if n := len(lab.Servers[1].Queries()); n > len(qs)+2 {
		t.Errorf("the silent server got %d queries, want %d and one retry at most", n, len(qs))
	}

	// Outside a batch, a round tries each query again as configured.
	lab.Servers[1].ResetQueries()
	q := verify.Q("d0.example.", dns.TypeCAA)
	a := e.Round().Ask(t.Context(), q)[q]
	if err := a.Servers[1].Err; err == nil || !strings.Contains(err.Error(), "2 tries of 200ms") {
		t.Errorf("outside a batch: ns2 %v, want 2 tries", err)
	}
}

// TestBatchKeepsARoundsBudgetToItself: a round whose query budget ran out
// in the middle of a question does not hand its budget error to the next
// round of the batch that asks the same: that round asks the server
// itself.
func TestBatchKeepsARoundsBudgetToItself(t *testing.T) {
	lab := verifytest.StartLab(t, verifytest.LabConfig{Zones: []string{verifytest.Zone("d0.example.",
		"@ MX 10 mx.d0.example.",
		"mx A 192.0.2.25",
	)}})
	opts := lab.Options()
	opts.Timeout = shortTimeout
	// Odd: the round below spends two queries a question (one a server),
	// and runs out with one of the two of its last question sent.
	opts.QueryBudget = 21
	e := engine(t, opts)
	b := startBatch(t, e, verify.BatchOptions{RetryJitter: -1})
	b.Round().Ask(t.Context(), verify.Q("d0.example.", dns.TypeSOA)) // discovery
	spender := b.Round()
	for i := range 10 {
		spender.Ask(t.Context(), verify.Q(fmt.Sprintf("n%d.d0.example.", i), dns.TypeA))
	}
	q := verify.Q("d0.example.", dns.TypeMX)
	var be *verify.BudgetError
	a := spender.Ask(t.Context(), q)[q]
	if len(a.Servers) != 2 || !errors.As(a.Servers[0].Err, &be) && !errors.As(a.Servers[1].Err, &be) {
		t.Fatalf("the spending round's last question: %+v, want one server left out for the budget", a)
	}
	a = b.Round().Ask(t.Context(), q)[q]
	for _, o := range a.Servers {
		if !o.OK() {
			t.Errorf("the next round: %s: %v, want its answer", o.Server, o.Err)
		}
	}
}
