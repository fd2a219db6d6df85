package verify_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
	"github.com/mailwizard/mailwizard/internal/verify/verifytest"
)

// mailQuestions are the authoritative questions of a check of example.com.
// that stay inside its zone: 17 of them.
func mailQuestions() []verify.Question {
	const domain = "example.com."
	qs := []verify.Question{
		verify.Q("mail."+domain, dns.TypeA), verify.Q("mail."+domain, dns.TypeAAAA), verify.Q("mail."+domain, dns.TypeTXT),
		verify.Q(domain, dns.TypeMX), verify.Q(domain, dns.TypeTXT),
		verify.Q("sel._domainkey."+domain, dns.TypeTXT), verify.Q("_dmarc."+domain, dns.TypeTXT),
		verify.Q("autodiscover."+domain, dns.TypeCNAME), verify.Q("autoconfig."+domain, dns.TypeCNAME),
	}
	for _, s := range []string{"_submissions", "_submission", "_imaps", "_imap", "_pop3s", "_pop3", "_autodiscover", "_caldavs"} {
		qs = append(qs, verify.Q(s+"._tcp."+domain, dns.TypeSRV))
	}
	return qs
}

// hostileLab starts a lab whose zone names n nameservers.
func hostileLab(t *testing.T, n int, shared bool) *verifytest.Lab {
	t.Helper()
	return verifytest.StartManyNameservers(t, n, shared, mailLines()...)
}

// TestManyNameservers: a zone that names 1,000 nameservers, at 1,000
// addresses or all at one, gets at most 13 of them asked, the first by
// name; the others are named in the answer and their addresses are not
// looked up. The counts are exact: 1 NS question and 26 address lookups at
// the resolver, and each question once per address asked.
func TestManyNameservers(t *testing.T) {
	tests := map[string]struct {
		shared bool
		// perQuestion is how often the server behind the addresses gets
		// each question: once per distinct address.
		perQuestion int
	}{
		"1000 names at 1000 addresses": {false, 13},
		"1000 names at one address":    {true, 1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			lab := hostileLab(t, 1000, tc.shared)
			opts := lab.Options()
			opts.SecondOpinion = []string{lab.Resolver.Addr()}
			e := engine(t, opts)
			r := e.Round()
			qs := mailQuestions()
			known := r.Ask(context.Background(), qs...)

			var want []string
			for i := range 1000 {
				want = append(want, fmt.Sprintf("ns%d.hostile.example.net.", i+1))
			}
			slices.Sort(want)
			for _, q := range qs {
				a := known[q]
				if a.Err != nil || len(a.Servers) != 13 {
					t.Fatalf("%s: error %v, %d observations; want 13", q, a.Err, len(a.Servers))
				}
				for i, o := range a.Servers {
					if o.Server != want[i] || !o.OK() {
						t.Errorf("%s: observation %d from %s (%v), want %s", q, i, o.Server, o.Err, want[i])
					}
				}
				if !slices.Equal(a.Omitted, want[13:]) {
					t.Errorf("%s: %d nameservers omitted (%v …), want the 987 after the first 13 by name", q, len(a.Omitted), a.Omitted[:min(3, len(a.Omitted))])
				}
				if got := lab.Servers[0].Count(q.Name, q.Type, ""); got != tc.perQuestion {
					t.Errorf("%s asked %d times, want %d", q, got, tc.perQuestion)
				}
			}
			lookups := 0
			for _, q := range lab.Resolver.Queries() {
				if strings.HasSuffix(q.Name, ".hostile.example.net.") {
					lookups++
					if !slices.Contains(want[:13], q.Name) {
						t.Errorf("the resolver was asked %s of %s, a nameserver that is not asked", dns.TypeToString[q.Type], q.Name)
					}
				}
			}
			if lookups != 26 {
				t.Errorf("%d nameserver address lookups, want 26 (A and AAAA of 13 names)", lookups)
			}
			if got := len(lab.Servers[0].Queries()); got != len(qs)*tc.perQuestion {
				t.Errorf("the nameservers received %d queries, want %d", got, len(qs)*tc.perQuestion)
			}
			st := r.Stats()
			t.Logf("%d questions: %d queries (%d to the resolver, %d to the nameservers), %d duplicates", len(qs), st.Queries, len(lab.Resolver.Queries()), len(lab.Servers[0].Queries()), st.Duplicates)
			if received := len(lab.Resolver.Queries()) + len(lab.Servers[0].Queries()); st.Queries != received || st.Duplicates != 0 || st.Queries > 300 {
				t.Errorf("stats %+v, the servers received %d; want no duplicates", st, received)
			}
		})
	}
}

// TestQueryBudget: a round that would need more than its budget sends
// exactly the budget, and every question it could not ask fails with the
// budget's message.
func TestQueryBudget(t *testing.T) {
	lab := hostileLab(t, 1000, false)
	opts := lab.Options()
	opts.QueryBudget = 100
	opts.MaxInFlight = 8
	e := engine(t, opts)
	r := e.Round()
	qs := mailQuestions()
	known := r.Ask(context.Background(), qs...)
	st := r.Stats()
	if st.Queries != 100 || st.OverBudget == 0 {
		t.Fatalf("stats %+v, want exactly 100 queries sent and some held back", st)
	}
	sent := len(lab.Resolver.Queries()) + len(lab.Servers[0].Queries())
	if sent != 100 {
		t.Errorf("the servers received %d queries, want 100", sent)
	}
	const text = "stopped after 100 queries: the zone's data asks for more than a mail domain needs"
	stopped := 0
	for _, q := range qs {
		a := known[q]
		var be *verify.BudgetError
		if errors.As(a.Err, &be) {
			stopped++
			if a.Err.Error() != text {
				t.Errorf("%s: error %q, want %q", q, a.Err, text)
			}
			continue
		}
		for _, o := range a.Servers {
			switch {
			case o.Err == nil:
			case !errors.As(o.Err, &be):
				t.Errorf("%s: %s: error %v, want an answer or the budget", q, o.Server, o.Err)
			case !strings.HasSuffix(o.Err.Error(), text):
				t.Errorf("%s: %s: error %q, want it to end %q", q, o.Server, o.Err, text)
			default:
				stopped++
			}
		}
	}
	if stopped == 0 {
		t.Error("no question failed with the budget")
	}
	// The must-not case: a complete domain with two nameservers stays far
	// within the default budget.
	_, e2 := world(t, verifytest.LabConfig{})
	r2 := e2.Round()
	r2.Run(context.Background(), standardProfile()...)
	if st := r2.Stats(); st.OverBudget != 0 || st.Queries > 200 {
		t.Errorf("standard check: stats %+v, want it within the budget", st)
	}
}

// TestMaxInFlight: with at most 4 messages in flight, 16 questions to one
// server that answers each after 40 ms take at least 4 × 40 ms.
func TestMaxInFlight(t *testing.T) {
	lab := verifytest.StartLab(t, verifytest.LabConfig{Servers: 1, Zones: []string{mailZone()}})
	opts := lab.Options()
	opts.MaxInFlight = 4
	e := engine(t, opts)
	r := e.Round()
	qs := mailQuestions()[:16]
	if _, err := r.Zone(context.Background(), "example.com."); err != nil {
		t.Fatal(err)
	}
	lab.Servers[0].SetFault(verifytest.Fault{Delay: 40 * time.Millisecond})
	start := time.Now()
	r.Ask(context.Background(), qs...)
	if took := time.Since(start); took < 4*40*time.Millisecond {
		t.Errorf("16 questions took %s with 4 in flight, want at least 160ms", took)
	}
}

func TestNewRejectsNegativeBounds(t *testing.T) {
	for name, opts := range map[string]verify.Options{
		"max nameservers": {Resolver: "127.0.0.1", MaxNameservers: -1},
		"max addresses":   {Resolver: "127.0.0.1", MaxAddresses: -1},
		"query budget":    {Resolver: "127.0.0.1", QueryBudget: -1},
		"max in flight":   {Resolver: "127.0.0.1", MaxInFlight: -1},
		"max cnames":      {Resolver: "127.0.0.1", MaxCNAMEs: -1},
	} {
		if _, err := verify.New(opts); err == nil || !strings.Contains(err.Error(), name+" -1: must not be negative") {
			t.Errorf("%s: error %v, want it named", name, err)
		}
	}
}
