package verify_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
	"github.com/mailwizard/mailwizard/internal/verify/verifytest"
)

// TestOneServerFaulty breaks ns1 in each way and checks that ns1's
// observation says what went wrong while ns2's still shows the record.
func TestOneServerFaulty(t *testing.T) {
	const dmarc = "_dmarc.example.com."
	tests := map[string]struct {
		fault verifytest.Fault
		// wantErr is the end of ns1's error text, "" for none.
		wantErr    string
		is         error
		rcode      int
		tcp        bool
		tcpQuery   int
		answer     bool
		tcpRetries int
		// closed stops ns1: nothing listens at its address.
		closed bool
	}{
		"healthy":          {fault: verifytest.Fault{}, rcode: dns.RcodeSuccess, answer: true},
		"slow but in time": {fault: verifytest.Fault{Delay: 20 * time.Millisecond}, rcode: dns.RcodeSuccess, answer: true},
		"down": {
			fault:   verifytest.Fault{Drop: true},
			wantErr: "query TXT _dmarc.example.com. at ns1.example.net. (192.0.2.53:53): i/o timeout (2 tries of 200ms)",
			is:      verify.ErrTimeout, rcode: -1,
		},
		"stopped": {
			closed:  true,
			wantErr: "connection refused", rcode: -1,
		},
		"servfail": {
			fault:   verifytest.Fault{Rcode: dns.RcodeServerFailure},
			wantErr: "(192.0.2.53:53): SERVFAIL", rcode: dns.RcodeServerFailure,
		},
		"refused": {
			fault:   verifytest.Fault{Rcode: dns.RcodeRefused},
			wantErr: "(192.0.2.53:53): REFUSED", rcode: dns.RcodeRefused,
		},
		"lame": {
			fault:   verifytest.Fault{NoAA: true},
			wantErr: "(192.0.2.53:53): lame server: reply without the authoritative (AA) bit",
			is:      verify.ErrLame, rcode: dns.RcodeSuccess, answer: true,
		},
		"truncated": {
			fault: verifytest.Fault{Truncate: true}, rcode: dns.RcodeSuccess, answer: true,
			tcp: true, tcpQuery: 1, tcpRetries: 1,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			lab, e := world(t, verifytest.LabConfig{})
			lab.Servers[0].SetFault(tc.fault)
			if tc.closed {
				if err := lab.Servers[0].Close(); err != nil {
					t.Fatal(err)
				}
				// Send ns1's queries where nothing can listen: the port
				// ns1 freed may be taken at once by a parallel test.
				opts := lab.Options()
				opts.Timeout = shortTimeout
				mapAddr, dead := opts.MapAddr, closedPort(t)
				opts.MapAddr = func(addr string) string {
					if addr == "192.0.2.53:53" {
						return dead
					}
					return mapAddr(addr)
				}
				e = engine(t, opts)
			}
			r := e.Round()
			q := verify.Q(dmarc, dns.TypeTXT)
			a := r.Ask(context.Background(), q)[q]
			if a.Err != nil || len(a.Servers) != 2 {
				t.Fatalf("answer error %v with %d observations, want 2 observations", a.Err, len(a.Servers))
			}
			ns1, ns2 := a.Servers[0], a.Servers[1]
			if !ns2.OK() || len(ns2.Records(dmarc, dns.TypeTXT)) != 1 {
				t.Errorf("ns2 %+v, want the record: one server failing must not hide the other", ns2)
			}
			switch {
			case tc.wantErr == "" && ns1.Err != nil:
				t.Errorf("ns1 error %v, want none", ns1.Err)
			case tc.wantErr != "" && (ns1.Err == nil || !strings.HasSuffix(ns1.Err.Error(), tc.wantErr)):
				t.Errorf("ns1 error %v, want one ending %q", ns1.Err, tc.wantErr)
			}
			if tc.is != nil && !errors.Is(ns1.Err, tc.is) {
				t.Errorf("ns1 error %v is not %v", ns1.Err, tc.is)
			}
			if ns1.Rcode != tc.rcode || ns1.TCP != tc.tcp || (len(ns1.Answer) > 0) != tc.answer {
				t.Errorf("ns1 rcode %d tcp %v %d records; want rcode %d tcp %v records %v", ns1.Rcode, ns1.TCP, len(ns1.Answer), tc.rcode, tc.tcp, tc.answer)
			}
			if got := lab.Servers[0].Count(dmarc, dns.TypeTXT, "tcp"); got != tc.tcpQuery {
				t.Errorf("ns1 received %d TCP queries, want %d", got, tc.tcpQuery)
			}
			if st := r.Stats(); st.TCPRetries != tc.tcpRetries || st.Duplicates != 0 {
				t.Errorf("stats %+v, want %d TCP retries, no duplicates", st, tc.tcpRetries)
			}
		})
	}
}

func TestTruncationExactlyOneTCPRetry(t *testing.T) {
	lab, e := world(t, verifytest.LabConfig{})
	lab.SetFault(verifytest.Fault{Truncate: true})
	q := verify.Q("example.com.", dns.TypeMX)
	r := e.Round()
	a := r.Ask(context.Background(), q)[q]
	for i, srv := range lab.Servers {
		if udp, tcp := srv.Count("example.com.", dns.TypeMX, "udp"), srv.Count("example.com.", dns.TypeMX, "tcp"); udp != 1 || tcp != 1 {
			t.Errorf("server %d received %d UDP and %d TCP queries, want 1 and 1", i+1, udp, tcp)
		}
		if o := a.Servers[i]; !o.OK() || !o.TCP || len(o.Records("example.com.", dns.TypeMX)) != 1 {
			t.Errorf("server %d observation %+v, want the MX over TCP", i+1, o)
		}
	}
	if st := r.Stats(); st.TCPRetries != 2 || st.Queries != discoveryQueries(lab)+4 || st.Duplicates != 0 {
		t.Errorf("stats %+v, want 2 TCP retries and 4 queries besides discovery", st)
	}
}

func TestTimeoutRetries(t *testing.T) {
	tests := map[string]struct {
		opts  func(*verify.Options)
		tries int
	}{
		// The last retry goes with and without EDNS0 (a server that drops
		// queries with it answers the other): one message more.
		"default one retry": {func(*verify.Options) {}, 3},
		"no retry":          {func(o *verify.Options) { o.NoRetry = true }, 1},
		"two retries":       {func(o *verify.Options) { o.Retries = 2 }, 4},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			lab := verifytest.StartLab(t, verifytest.LabConfig{Servers: 1, Zones: []string{mailZone()}})
			opts := lab.Options()
			opts.Timeout = 100 * time.Millisecond
			tc.opts(&opts)
			e := engine(t, opts)
			lab.Servers[0].SetFault(verifytest.Fault{Drop: true})
			q := verify.Q("mail.example.com.", dns.TypeA)
			r := e.Round()
			o := r.Ask(context.Background(), q)[q].Servers[0]
			if !errors.Is(o.Err, verify.ErrTimeout) {
				t.Fatalf("error %v, want a timeout", o.Err)
			}
			if got := lab.Servers[0].Count("mail.example.com.", dns.TypeA, "udp"); got != tc.tries {
				t.Errorf("server received %d queries, want %d", got, tc.tries)
			}
			if st := r.Stats(); st.Queries-discoveryQueries(lab) != tc.tries || st.Duplicates != 0 {
				t.Errorf("stats %+v, want %d queries to the server, no duplicates", st, tc.tries)
			}
		})
	}
}

// discoveryQueries counts the queries the lab's resolver received.
func discoveryQueries(lab *verifytest.Lab) int { return len(lab.Resolver.Queries()) }

func TestTimeoutRecoveredByRetry(t *testing.T) {
	lab, e := world(t, verifytest.LabConfig{Servers: 1})
	// The first try times out, the retry is answered at once.
	lab.Servers[0].SetFault(verifytest.Fault{Delay: 300 * time.Millisecond})
	q := verify.Q("mail.example.com.", dns.TypeA)
	r := e.Round()
	done := make(chan verify.Answers)
	go func() { done <- r.Ask(context.Background(), q) }()
	for lab.Servers[0].Count("mail.example.com.", dns.TypeA, "udp") == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	lab.Servers[0].SetFault(verifytest.Fault{})
	o := (<-done)[q].Servers[0]
	if !o.OK() || len(o.Records("mail.example.com.", dns.TypeA)) != 1 || o.NoEDNS {
		t.Fatalf("observation %+v, want the record from the retry with EDNS0", o)
	}
	// The retry goes with and without EDNS0; once the one with EDNS0 is
	// answered, the other may not have left yet.
	if got := lab.Servers[0].Count("mail.example.com.", dns.TypeA, "udp"); got != 2 && got != 3 {
		t.Errorf("server received %d queries, want 2 or 3 (one retry, with and without EDNS0)", got)
	}
}

func TestResolverUnreachable(t *testing.T) {
	closed := closedPort(t)
	tests := map[string]struct {
		setup func(lab *verifytest.Lab, opts *verify.Options) string // returns the resolver address
	}{
		"not answering": {func(lab *verifytest.Lab, opts *verify.Options) string {
			lab.Resolver.SetFault(verifytest.Fault{Drop: true})
			return lab.Resolver.Addr()
		}},
		"nothing listening": {func(lab *verifytest.Lab, opts *verify.Options) string {
			opts.Resolver = closed
			return closed
		}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			lab := verifytest.StartLab(t, verifytest.LabConfig{Zones: []string{mailZone(), dnsblZone()}})
			opts := lab.Options()
			opts.Timeout = 100 * time.Millisecond
			addr := tc.setup(lab, &opts)
			e := engine(t, opts)
			bl, _ := verify.BlocklistQuestions(mustAddr("192.0.2.99"), "dnsbl.example.org.")
			qs := []verify.Question{verify.Q("example.com.", dns.TypeMX), verify.Q("_dmarc.example.com.", dns.TypeTXT), bl}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			answers := e.Round().Ask(ctx, qs...)
			for _, q := range qs {
				a := answers[q]
				var re *verify.ResolverError
				if !errors.As(a.Err, &re) || re.Address != addr {
					t.Errorf("%s: error %v, want a ResolverError for %s", q, a.Err, addr)
					continue
				}
				if want := "could not reach resolver " + addr + ": "; !strings.HasPrefix(a.Err.Error(), want) {
					t.Errorf("%s: error %q, want it to start %q", q, a.Err, want)
				}
			}
			for i, srv := range lab.Servers {
				if n := len(srv.Queries()); n != 0 {
					t.Errorf("server %d received %d queries without discovery", i+1, n)
				}
			}
		})
	}
}

// closedPort returns a loopback address where nothing listens. It is on
// 127.0.0.77, where no test server ever binds: a port freed on 127.0.0.1
// could be taken at once by a server another parallel test starts.
func closedPort(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.77:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	if err := pc.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

func TestCancelReturnsPromptly(t *testing.T) {
	lab := verifytest.StartLab(t, verifytest.LabConfig{Zones: []string{mailZone()}})
	opts := lab.Options()
	opts.Timeout = 10 * time.Second
	e := engine(t, opts)
	lab.SetFault(verifytest.Fault{Delay: time.Hour})
	lab.Resolver.SetFault(verifytest.Fault{Delay: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	answers := e.Round().Run(ctx, func(verify.Answers) []verify.Question {
		return []verify.Question{verify.Q("example.com.", dns.TypeMX), verify.RQ("example.com.", dns.TypeMX)}
	})
	if took := time.Since(start); took > time.Second {
		t.Errorf("Run took %s after cancel, want it to return promptly", took)
	}
	if len(answers) != 2 {
		t.Fatalf("%d answers, want both questions answered with an error", len(answers))
	}
	for q, a := range answers {
		if !errors.Is(a.Err, context.Canceled) {
			t.Errorf("%s: error %v, want context.Canceled", q, a.Err)
		}
	}
}

func TestDeadlineFromContext(t *testing.T) {
	lab := verifytest.StartLab(t, verifytest.LabConfig{Zones: []string{mailZone()}})
	e := engine(t, lab.Options()) // default 2 s timeout
	lab.SetFault(verifytest.Fault{Drop: true})
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	q := verify.Q("example.com.", dns.TypeMX)
	a := e.Round().Ask(ctx, q)[q]
	if took := time.Since(start); took > time.Second {
		t.Errorf("Ask took %s, want the context's 150ms deadline to end it", took)
	}
	for _, o := range a.Servers {
		if !errors.Is(o.Err, context.DeadlineExceeded) {
			t.Errorf("%s: error %v, want the context deadline", o.Server, o.Err)
		}
	}
}
