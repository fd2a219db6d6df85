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
