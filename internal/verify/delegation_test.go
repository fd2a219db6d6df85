package verify_test

import (
	"context"
	"slices"
	"testing"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
	"github.com/mailwizard/mailwizard/internal/verify/verifytest"
)

// TestDelegation: the parent zone's servers are asked for the child's NS
// records and their referral is the answer; without a parent to ask, the
// answer says so.
func TestDelegation(t *testing.T) {
	lab, e := world(t, verifytest.LabConfig{})
	q := verify.Delegation("example.com.")
	if got := q.String(); got != "NS example.com. (the delegation)" {
		t.Errorf("String() = %q", got)
	}
	a := e.Round().Ask(context.Background(), q)[q]
	if a.Err == nil {
		t.Errorf("answer %+v, want an error: no parent zone is served", a)
	}
	if _, err := lab.ServeParent("example.com.", "ns1.example.net.", "ns3.example.net."); err != nil {
		t.Fatal(err)
	}
	a = e.Round().Ask(context.Background(), q)[q]
	if a.Err != nil || a.Zone != "com." || len(a.Servers) != 1 {
		t.Fatalf("answer %+v, want the parent's server", a)
	}
	o := a.Servers[0]
	var ns []string
	for _, rr := range o.Records("example.com.", dns.TypeNS) {
		ns = append(ns, rr.(*dns.NS).Ns)
	}
	if !o.OK() || o.Authoritative || o.Server != "a.parent.com." || !slices.Equal(ns, []string{"ns1.example.net.", "ns3.example.net."}) {
		t.Errorf("observation %+v, want the referral's NS records from a.parent.com.", o)
	}
}
