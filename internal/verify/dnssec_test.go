package verify_test

import (
	"context"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
	"github.com/mailwizard/mailwizard/internal/verify/dnsworld"
	"github.com/mailwizard/mailwizard/internal/verify/verifytest"
)

// signedLab is the lab's world with example.com. signed, its parent
// serving the DS, and the lab's resolver as a second opinion.
func signedLab(t *testing.T) (*verifytest.Lab, *dnsworld.ZoneSigner, *verify.Engine) {
	t.Helper()
	lab, _ := world(t, verifytest.LabConfig{})
	signer, err := dnsworld.NewZoneSigner("example.com.")
	if err != nil {
		t.Fatal(err)
	}
	lab.Sign("example.com.", signer)
	parent, err := lab.ServeParent("example.com.")
	if err != nil {
		t.Fatal(err)
	}
	if err := parent.Zones().AddRR(signer.DS()); err != nil {
		t.Fatal(err)
	}
	opts := lab.Options()
	opts.Timeout = shortTimeout
	opts.SecondOpinion = []string{lab.Resolver.Addr()}
	return lab, signer, engine(t, opts)
}

// TestSignedQuestions: a question WithSignatures is asked with the DO bit,
// apart from the same question without it, and its replies carry the
// RRSIGs; the resolver's AD bit is observed; every observation says when
// it was made.
func TestSignedQuestions(t *testing.T) {
	_, signer, e := signedLab(t)
	plain := verify.Q("example.com.", dns.TypeMX)
	signed := plain.WithSignatures()
	if plain == signed || signed.String() != "MX example.com." || !signed.Signed {
		t.Fatalf("signed question %q equals %q", signed, plain)
	}
	before := time.Now()
	got := e.Round().Ask(context.Background(), plain, signed)
	for _, o := range got[plain].Servers {
		if len(o.Records("example.com.", dns.TypeRRSIG)) != 0 || !o.OK() {
			t.Errorf("%s without DO: %v, err %v", o.Server, o.Answer, o.Err)
		}
	}
	a := got[signed]
	if len(a.Servers) != 2 {
		t.Fatalf("answer %+v", a)
	}
	for _, o := range a.Servers {
		sigs := o.Records("example.com.", dns.TypeRRSIG)
		if !o.OK() || len(o.Records("example.com.", dns.TypeMX)) != 1 || len(sigs) != 1 {
			t.Fatalf("%s with DO: %v, err %v", o.Server, o.Answer, o.Err)
		}
		if err := sigs[0].(*dns.RRSIG).Verify(signer.DNSKEY(), o.Records("example.com.", dns.TypeMX)); err != nil {
			t.Errorf("%s: the RRSIG does not verify: %v", o.Server, err)
		}
		if o.At.Before(before) || o.At.After(time.Now()) {
			t.Errorf("%s: observed at %v, not during the round", o.Server, o.At)
		}
	}
	if len(a.Resolvers) != 1 || !a.Resolvers[0].AuthenticatedData {
		t.Errorf("the resolver's second opinion %+v, want the AD bit", a.Resolvers)
	}
	if r := got[plain].Resolvers; len(r) != 1 || r[0].AuthenticatedData {
		t.Errorf("the resolver set AD for a question without DO: %+v", r)
	}
}

// TestDNSKEYAndParentDS: the apex serves the DNSKEY of a signed zone, and
// the parent's servers answer the DS with authority.
func TestDNSKEYAndParentDS(t *testing.T) {
	_, signer, e := signedLab(t)
	keys := verify.Q("example.com.", dns.TypeDNSKEY).WithSignatures()
	ds := verify.ParentDS("example.com.")
	if got := ds.String(); got != "DS example.com." {
		t.Errorf("String() = %q", got)
	}
	got := e.Round().Ask(context.Background(), keys, ds)
	for _, o := range got[keys].Servers {
		if k := o.Records("example.com.", dns.TypeDNSKEY); len(k) != 1 || len(o.Records("example.com.", dns.TypeRRSIG)) != 1 || k[0].(*dns.DNSKEY).KeyTag() != signer.DNSKEY().KeyTag() {
			t.Errorf("%s: DNSKEY answer %v", o.Server, o.Answer)
		}
	}
	a := got[ds]
	if a.Err != nil || a.Zone != "com." || len(a.Servers) != 1 {
		t.Fatalf("DS answer %+v", a)
	}
	o := a.Servers[0]
	d := o.Records("example.com.", dns.TypeDS)
	if !o.OK() || !o.Authoritative || len(d) != 1 || d[0].(*dns.DS).Digest != signer.DS().Digest {
		t.Errorf("DS from %s: %v, AA %v, err %v", o.Server, o.Answer, o.Authoritative, o.Err)
	}
}

// TestUnsignedServer: a server that serves an unsigned copy of a signed
// zone gives no RRSIG and no DNSKEY, while the other signs.
func TestUnsignedServer(t *testing.T) {
	lab, _, e := signedLab(t)
	lab.Servers[1].SetFault(dnsworld.Fault{Unsigned: true})
	q := verify.Q("example.com.", dns.TypeDNSKEY).WithSignatures()
	a := e.Round().Ask(context.Background(), q)[q]
	if len(a.Servers) != 2 || len(a.Servers[0].Records("example.com.", dns.TypeDNSKEY)) != 1 || len(a.Servers[1].Answer) != 0 || !a.Servers[1].OK() {
		t.Errorf("answer %+v, want the key from ns1 only", a.Servers)
	}
}

// TestCheckingDisabled: what mailwizard asks the resolver for (discovery)
// goes with the CD bit, so that a zone whose chain of trust is broken can
// still be found; the second opinion goes without it, to validate.
func TestCheckingDisabled(t *testing.T) {
	lab, _, e := signedLab(t)
	q := verify.Q("example.com.", dns.TypeMX).WithSignatures()
	e.Round().Ask(context.Background(), q)
	var discovery, opinion int
	for _, query := range lab.Resolver.Queries() {
		switch {
		case query.Type == dns.TypeNS && query.CD:
			discovery++
		case query.Type == dns.TypeMX && !query.CD && query.DO:
			opinion++
		case query.Type == dns.TypeMX || query.Type == dns.TypeNS:
			t.Errorf("resolver query %+v", query)
		}
	}
	if discovery == 0 || opinion != 1 {
		t.Errorf("%d discovery queries with CD, %d second opinions without it; want some and one", discovery, opinion)
	}
}
