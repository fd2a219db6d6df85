package verify_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
	"github.com/mailwizard/mailwizard/internal/verify/verifytest"
)

// noIPv6Lab is a dual-stack lab seen from a machine without an IPv6 path:
// every IPv6 address of the nameservers goes to a server that never
// answers.
func noIPv6Lab(t *testing.T) (*verifytest.Lab, *verifytest.Server) {
	t.Helper()
	lab := verifytest.StartLab(t, verifytest.LabConfig{IPv6: true, Zones: []string{mailZone()}})
	hole := verifytest.StartServer(t, verifytest.Authoritative)
	hole.SetFault(verifytest.Fault{Drop: true})
	for _, ns := range lab.Nameservers {
		for _, a := range ns.Addrs {
			if a.Is6() {
				lab.Route(hole, a)
			}
		}
	}
	return lab, hole
}

// TestNoIPv6Path: a nameserver that answers on IPv4 has answered; its IPv6
// address is not waited for to a timeout, and fails at the address level.
// The family is then left alone by the next rounds, and tried again once
// PathRetry has passed.
func TestNoIPv6Path(t *testing.T) {
	lab, hole := noIPv6Lab(t)
	opts := lab.Options()
	opts.Timeout = 2 * time.Second
	opts.PathRetry = 300 * time.Millisecond
	e := engine(t, opts)
	q := verify.Q("_dmarc.example.com.", dns.TypeTXT)
	ctx := context.Background()

	r := e.Round()
	if _, err := r.Zone(ctx, "example.com."); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	a := r.Ask(ctx, q)[q]
	if took := time.Since(start); took > time.Second {
		t.Errorf("the question took %s: the IPv6 addresses were waited for", took)
	}
	if a.Err != nil || len(a.Servers) != 4 {
		t.Fatalf("answer %+v, want four observations", a)
	}
	for _, o := range a.Servers {
		fam := "IPv4"
		if netip.MustParseAddrPort(o.Address).Addr().Is6() {
			fam = "IPv6"
		}
		var ae *verify.AbandonedError
		switch {
		case fam == "IPv4" && !o.OK():
			t.Errorf("%s %s: %v, want the record", o.Server, o.Address, o.Err)
		case fam == "IPv6" && !errors.As(o.Err, &ae):
			t.Errorf("%s %s: %v, want it abandoned once the server answered on IPv4", o.Server, o.Address, o.Err)
		}
	}
	if got := verify.NoPath([]verify.Answer{a}); !slices.Equal(got, []string{"IPv6"}) {
		t.Errorf("NoPath = %v, want IPv6", got)
	}

	hole.ResetQueries()
	next := r.Next()
	start = time.Now()
	b := next.Ask(ctx, q)[q]
	if took := time.Since(start); took > 200*time.Millisecond {
		t.Errorf("the next round took %s", took)
	}
	var np *verify.NoPathError
	if len(b.Servers) != 4 || !errors.As(b.Servers[1].Err, &np) || np.Family != "IPv6" {
		t.Fatalf("next round: %+v, want the IPv6 addresses not asked", b.Servers)
	}
	if n := len(hole.Queries()); n != 0 {
		t.Errorf("the IPv6 addresses got %d queries in the next round, want none", n)
	}
	if got := verify.NoPath([]verify.Answer{b}); !slices.Equal(got, []string{"IPv6"}) {
		t.Errorf("NoPath of the next round = %v, want IPv6 still", got)
	}

	time.Sleep(350 * time.Millisecond)
	again := next.Next()
	again.Ask(ctx, q)
	if n := len(hole.Queries()); n != 2 {
		t.Errorf("after PathRetry the IPv6 addresses got %d queries, want 2: the family is tried again", n)
	}
}

// TestDualStackAnswers is the must-not case: when both families answer,
// no address is abandoned and no family lacks a path.
func TestDualStackAnswers(t *testing.T) {
	_, e := world(t, verifytest.LabConfig{IPv6: true})
	q := verify.Q("_dmarc.example.com.", dns.TypeTXT)
	a := e.Round().Ask(context.Background(), q)[q]
	for _, o := range a.Servers {
		if !o.OK() {
			t.Errorf("%s %s: %v", o.Server, o.Address, o.Err)
		}
	}
	if got := verify.NoPath([]verify.Answer{a}); len(got) != 0 {
		t.Errorf("NoPath = %v, want none", got)
	}
}

// TestPathFailure: only failures that say no packet went back and forth
// count.
func TestPathFailure(t *testing.T) {
	q := verify.Q("example.com.", dns.TypeMX)
	wrap := func(err error) error { return &verify.QueryError{Question: q, Server: "ns1.example.net.", Err: err} }
	for name, tc := range map[string]struct {
		err  error
		want bool
	}{
		"timeout":      {wrap(verify.ErrTimeout), true},
		"abandoned":    {wrap(&verify.AbandonedError{Answered: "192.0.2.53:53", After: time.Second}), true},
		"not asked":    {wrap(&verify.NoPathError{Family: "IPv6", Retry: time.Minute}), true},
		"servfail":     {wrap(&verify.RcodeError{Rcode: dns.RcodeServerFailure}), false},
		"lame":         {wrap(verify.ErrLame), false},
		"no error":     {nil, false},
		"some other":   {errors.New("connection refused"), false},
		"budget":       {wrap(&verify.BudgetError{Queries: 1000}), false},
		"no route":     {wrap(&net.OpError{Op: "dial", Net: "udp", Err: os.NewSyscallError("connect", syscall.ENETUNREACH)}), true},
		"no ipv6 here": {wrap(&net.OpError{Op: "dial", Net: "udp", Err: os.NewSyscallError("socket", syscall.EAFNOSUPPORT)}), true},
	} {
		if got := verify.PathFailure(tc.err); got != tc.want {
			t.Errorf("%s: PathFailure = %v, want %v", name, got, tc.want)
		}
	}
}
