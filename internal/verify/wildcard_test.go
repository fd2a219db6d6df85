package verify_test

import (
	"context"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
	"github.com/mailwizard/mailwizard/internal/verify/verifytest"
)

// TestWildcardProbe: a probe asks a random name under the parent, new each
// round, and its reply holds what a wildcard makes up there; without a
// wildcard it is NXDOMAIN.
func TestWildcardProbe(t *testing.T) {
	lab, e := world(t, verifytest.LabConfig{Zones: []string{
		verifytest.Zone("example.com.", `* TXT "v=spf1 -all"`, "*._domainkey CNAME key.example.org.", `_dmarc TXT "v=DMARC1; p=none"`),
		verifytest.Zone("example.org."),
	}})
	tests := map[string]struct {
		parent string
		zone   string
		want   string // the rdata of the first record, "" for NXDOMAIN
	}{
		"a TXT wildcard at the apex": {"example.com.", "example.com.", `"v=spf1 -all"`},
		"a CNAME wildcard deeper":    {"_domainkey.example.com.", "example.com.", "key.example.org."},
		"no wildcard in the zone":    {"example.org.", "example.org.", ""},
		"below a name that exists":   {"_dmarc.example.com.", "example.com.", ""},
		"below a name that does not": {"nope.example.com.", "example.com.", `"v=spf1 -all"`},
	}
	var labels []string
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			q := verify.WildcardProbe(tc.parent, dns.TypeTXT)
			r := e.Round()
			a := r.Ask(context.Background(), q)[q]
			if a.Err != nil || a.Zone != tc.zone || len(a.Servers) != 2 {
				t.Fatalf("answer %+v, want both servers of %s", a, tc.zone)
			}
			for _, o := range a.Servers {
				got := ""
				if len(o.Answer) > 0 {
					rr := o.Answer[0]
					got = strings.TrimPrefix(rr.String(), rr.Header().String())
					if !strings.HasPrefix(rr.Header().Name, "mailwizard-nx-") || !strings.HasSuffix(rr.Header().Name, "."+tc.parent) {
						t.Errorf("%s: the record is owned by %s, want a random name under %s", o.Server, rr.Header().Name, tc.parent)
					}
					labels = append(labels, rr.Header().Name)
				}
				if got != tc.want || (tc.want == "") != o.NXDomain() || !o.OK() {
					t.Errorf("%s: %q (%v), want %q", o.Server, got, o.Err, tc.want)
				}
			}
			if got := q.String(); got != "TXT *."+tc.parent+" (a name that does not exist)" {
				t.Errorf("String() = %q", got)
			}
		})
	}
	for i, srv := range lab.Servers {
		for _, q := range srv.Queries() {
			if !strings.HasPrefix(q.Name, "mailwizard-nx-") {
				t.Errorf("server %d was asked %s, want only random names", i+1, q.Name)
			}
		}
	}
	if len(labels) == 0 || labels[0] == labels[len(labels)-1] {
		t.Errorf("probe names %v, want a new label each round", labels)
	}
}
