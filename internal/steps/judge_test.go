package steps

import (
	"errors"
	"fmt"
	"testing"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
)

// TestFailure words the errors the engine returns, shaped as it shapes
// them, the way a message must say them: each server once, no question.
func TestFailure(t *testing.T) {
	const resolver = "192.0.2.1:53"
	timeout := fmt.Errorf("%w (2 tries of 2s)", verify.ErrTimeout)
	noReply := &verify.ResolverError{Address: resolver, Err: &verify.QueryError{
		Question: verify.RQ("ns1.example.net.", dns.TypeA), Server: resolver, Address: resolver, Err: timeout,
	}}
	tests := map[string]struct {
		err  error
		want string
	}{
		"a server timed out": {
			err:  &verify.QueryError{Question: verify.Q("mail.example.com.", dns.TypeA), Server: "ns1.example.net.", Address: "192.0.2.53:53", Err: timeout},
			want: "ns1.example.net. (192.0.2.53:53): i/o timeout (2 tries of 2s)",
		},
		"the resolver gave no reply": {
			err:  noReply,
			want: "the resolver 192.0.2.1:53 gave no reply: i/o timeout (2 tries of 2s)",
		},
		"the resolver failed while the zone was looked for": {
			err: fmt.Errorf("find the zone of _dmarc.example.com.: %w", &verify.QueryError{
				Question: verify.RQ("example.com.", dns.TypeNS), Server: resolver, Address: resolver, Err: &verify.RcodeError{Rcode: dns.RcodeServerFailure},
			}),
			want: "find the zone of _dmarc.example.com.: the resolver 192.0.2.1:53, asked NS example.com.: SERVFAIL",
		},
		"a nameserver without an address": {
			err: &verify.QueryError{Question: verify.Q("example.com.", dns.TypeMX), Server: "ns1.example.net.",
				Err: fmt.Errorf("resolve nameserver ns1.example.net.: %w", noReply)},
			want: "ns1.example.net.: resolve nameserver ns1.example.net.: the resolver 192.0.2.1:53 gave no reply: i/o timeout (2 tries of 2s)",
		},
		"an error of its own words": {
			err:  errors.New("zone example.com. has no nameservers"),
			want: "zone example.com. has no nameservers",
		},
		"no error at all": {want: "no reply"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := failure(tc.err); got != tc.want {
				t.Errorf("failure = %q\nwant      %q", got, tc.want)
			}
		})
	}
}

func TestPrintable(t *testing.T) {
	tests := map[string]struct {
		in, want string
	}{
		"plain words stay":         {"mail.example.com. has no MX record… é.", "mail.example.com. has no MX record… é."},
		"a terminal escape":        {"p=\x1b[31mred", `p=\x1b[31mred`},
		"a byte that is not UTF-8": {"mailto:\xff@example.net", `mailto:\xff@example.net`},
		"a C1 control":             {"next\u0085line", `next\u0085line`},
		"a tab and a new line":     {"a\tb\nc", `a\x09b\x0ac`},
		"a replacement character":  {"\ufffd", "\ufffd"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := printable(tc.in); got != tc.want {
				t.Errorf("printable(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestServerAnsweredOnOneAddress: a server whose IPv6 address fails while
// its IPv4 address answers has answered (no ns-unreachable); one that
// fails on every address has not.
func TestServerAnsweredOnOneAddress(t *testing.T) {
	q := verify.Q("example.com.", dns.TypeMX)
	ok := func(server, addr string) verify.Observation {
		return verify.Observation{Server: server, Address: addr, Rcode: dns.RcodeSuccess, Authoritative: true}
	}
	failed := func(server, addr string) verify.Observation {
		return verify.Observation{Server: server, Address: addr, Rcode: -1,
			Err: &verify.QueryError{Question: q, Server: server, Address: addr, Err: &verify.AbandonedError{Answered: "192.0.2.53:53", After: 50e6}}}
	}
	tests := map[string]struct {
		obs  []verify.Observation
		want bool
	}{
		"ipv6 fails, ipv4 answers": {[]verify.Observation{ok("ns1.example.net.", "192.0.2.53:53"), failed("ns1.example.net.", "[2001:db8::53]:53"), ok("ns2.example.net.", "192.0.2.54:53")}, false},
		"a server fails on both":   {[]verify.Observation{ok("ns1.example.net.", "192.0.2.53:53"), failed("ns2.example.net.", "192.0.2.54:53"), failed("ns2.example.net.", "[2001:db8::54]:53")}, true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			v := judging(CommonCodes())
			v.ask(verify.Answers{q: {Question: q, Zone: "example.com.", Servers: tc.obs}}, q)
			res := v.result(IDMX, nil)
			if _, got := finding(res, CodeNSUnreachable); got != tc.want {
				t.Errorf("ns-unreachable %v, want %v: %s", got, tc.want, messages(res))
			}
		})
	}
}
