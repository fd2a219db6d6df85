package dnssec

import (
	"crypto"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// key is a zone's signing key.
type key struct {
	pub  *dns.DNSKEY
	priv crypto.Signer
}

func newKey(t *testing.T, zone string, flags uint16) key {
	t.Helper()
	k := &dns.DNSKEY{Hdr: dns.RR_Header{Name: zone, Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 3600},
		Flags: flags, Protocol: 3, Algorithm: dns.ECDSAP256SHA256}
	priv, err := k.Generate(256)
	if err != nil {
		t.Fatal(err)
	}
	return key{pub: k, priv: priv.(crypto.Signer)}
}

// sign signs rrset with k, valid from..until.
func (k key) sign(t *testing.T, rrset []dns.RR, from, until time.Time) *dns.RRSIG {
	t.Helper()
	sig := &dns.RRSIG{Hdr: dns.RR_Header{Ttl: rrset[0].Header().Ttl}, KeyTag: k.pub.KeyTag(), SignerName: k.pub.Hdr.Name,
		Algorithm: k.pub.Algorithm, Inception: uint32(from.Unix()), Expiration: uint32(until.Unix())}
	if err := sig.Sign(k.priv, rrset); err != nil {
		t.Fatal(err)
	}
	return sig
}

func rr(t *testing.T, s string) dns.RR {
	t.Helper()
	r, err := dns.NewRR(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestVerifyRRset(t *testing.T) {
	zsk := newKey(t, "example.com.", dns.ZONE)
	other := newKey(t, "example.com.", dns.ZONE)
	mx := []dns.RR{rr(t, "example.com. 3600 IN MX 10 mail.example.com.")}
	changed := []dns.RR{rr(t, "example.com. 3600 IN MX 10 mail2.example.com.")}
	day := 24 * time.Hour
	valid := func() *dns.RRSIG { return zsk.sign(t, mx, now.Add(-day), now.Add(14*day)) }
	unknownAlg := func() (*dns.RRSIG, *dns.DNSKEY) {
		k := &dns.DNSKEY{Hdr: dns.RR_Header{Name: "example.com.", Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET}, Flags: dns.ZONE, Protocol: 3, Algorithm: dns.ED448, PublicKey: "AAAA"}
		s := valid()
		s.Algorithm, s.KeyTag = dns.ED448, k.KeyTag()
		return s, k
	}
	sigAlg, keyAlg := unknownAlg()
	tests := map[string]struct {
		rrset   []dns.RR
		sigs    []*dns.RRSIG
		keys    []*dns.DNSKEY
		verdict Verdict
		reason  Reason
		says    string
	}{
		"secure":            {mx, []*dns.RRSIG{valid()}, []*dns.DNSKEY{zsk.pub}, Secure, ReasonNone, ""},
		"unsigned":          {mx, nil, []*dns.DNSKEY{zsk.pub}, Unsigned, ReasonNone, ""},
		"expired":           {mx, []*dns.RRSIG{zsk.sign(t, mx, now.Add(-30*day), now.Add(-2*day))}, []*dns.DNSKEY{zsk.pub}, Bogus, ReasonExpired, "expired on 2026-02-27 12:00 UTC, 2 days ago"},
		"not yet valid":     {mx, []*dns.RRSIG{zsk.sign(t, mx, now.Add(3*time.Hour), now.Add(14*day))}, []*dns.DNSKEY{zsk.pub}, Bogus, ReasonNotYetValid, "not valid before 2026-03-01 15:00 UTC, 3 hours from now"},
		"data changed":      {changed, []*dns.RRSIG{valid()}, []*dns.DNSKEY{zsk.pub}, Bogus, ReasonBadSignature, "does not verify"},
		"key not published": {mx, []*dns.RRSIG{valid()}, []*dns.DNSKEY{other.pub}, Bogus, ReasonNoKey, "not among the zone's DNSKEYs"},
		"no keys at all":    {mx, []*dns.RRSIG{valid()}, nil, Bogus, ReasonNoKey, "by key"},
		"one of two valid":  {mx, []*dns.RRSIG{zsk.sign(t, mx, now.Add(-30*day), now.Add(-day)), valid()}, []*dns.DNSKEY{zsk.pub}, Secure, ReasonNone, ""},
		"expired beats a missing key": {mx, []*dns.RRSIG{other.sign(t, mx, now.Add(-day), now.Add(day)), zsk.sign(t, mx, now.Add(-30*day), now.Add(-day))},
			[]*dns.DNSKEY{zsk.pub}, Bogus, ReasonExpired, "expired"},
		"unknown algorithm": {mx, []*dns.RRSIG{sigAlg}, []*dns.DNSKEY{keyAlg}, Indeterminate, ReasonAlgorithm, "cannot check"},
	}
	if c := VerifyRRset(mx, []*dns.RRSIG{zsk.sign(t, mx, now.Add(-30*day), now.Add(-2*day))}, []*dns.DNSKEY{zsk.pub}, time.Time{}); c.Verdict != Secure {
		t.Errorf("without a time, an expired signature that verifies is %+v, want secure", c)
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c := VerifyRRset(tc.rrset, tc.sigs, tc.keys, now)
			if c.Verdict != tc.verdict || c.Reason != tc.reason || !strings.Contains(c.Problem, tc.says) {
				t.Errorf("VerifyRRset = %+v, want verdict %d, reason %d, saying %q", c, tc.verdict, tc.reason, tc.says)
			}
		})
	}
}

func TestSecureKeepsTheLongestSignature(t *testing.T) {
	k := newKey(t, "example.com.", dns.ZONE)
	a := []dns.RR{rr(t, "mail.example.com. 300 IN A 192.0.2.25")}
	short := k.sign(t, a, now.Add(-time.Hour), now.Add(2*24*time.Hour))
	long := k.sign(t, a, now.Add(-time.Hour), now.Add(20*24*time.Hour))
	c := VerifyRRset(a, []*dns.RRSIG{short, long}, []*dns.DNSKEY{k.pub}, now)
	if c.Verdict != Secure || c.Sig != long || !c.Expiration.Equal(now.Add(20*24*time.Hour)) || !c.Inception.Equal(now.Add(-time.Hour)) {
		t.Errorf("VerifyRRset = %+v, want the signature that lasts 20 days", c)
	}
}

func TestMatchDS(t *testing.T) {
	ksk := newKey(t, "example.com.", dns.ZONE|dns.SEP)
	zsk := newKey(t, "example.com.", dns.ZONE)
	other := newKey(t, "example.com.", dns.ZONE|dns.SEP)
	keys := []*dns.DNSKEY{ksk.pub, zsk.pub}
	good := ksk.pub.ToDS(dns.SHA256)
	sha384 := ksk.pub.ToDS(dns.SHA384)
	wrongDigest := *good
	wrongDigest.Digest = strings.Repeat("0", len(good.Digest))
	gost := *good
	gost.DigestType = dns.GOST94
	gost.Digest = strings.Repeat("ab", 32)
	tests := map[string]struct {
		ds          *dns.DS
		want        *dns.DNSKEY
		unsupported bool
	}{
		"SHA-256 of the KSK":        {good, ksk.pub, false},
		"SHA-384 of the KSK":        {sha384, ksk.pub, false},
		"a key the zone lacks":      {other.pub.ToDS(dns.SHA256), nil, false},
		"the right tag, wrong hash": {&wrongDigest, nil, false},
		"GOST":                      {&gost, nil, true},
	}
	for name, tc := range tests {
		m := MatchDS([]*dns.DS{tc.ds}, keys)
		if len(m) != 1 || m[0].Key != tc.want || m[0].Unsupported != tc.unsupported {
			t.Errorf("%s: MatchDS = %+v", name, m)
		}
	}
}

func TestZoneKeys(t *testing.T) {
	zone := newKey(t, "example.com.", dns.ZONE)
	notZone := newKey(t, "example.com.", 0)
	badProto := newKey(t, "example.com.", dns.ZONE)
	badProto.pub.Protocol = 2
	got := ZoneKeys([]dns.RR{zone.pub, notZone.pub, badProto.pub, rr(t, "example.com. 1 IN A 192.0.2.1")})
	if len(got) != 1 || got[0] != zone.pub {
		t.Errorf("ZoneKeys = %v", got)
	}
}

func TestSigTime(t *testing.T) {
	for _, want := range []time.Time{now, now.Add(-40 * 24 * time.Hour), now.Add(30 * 24 * time.Hour), time.Date(2106, 3, 1, 0, 0, 0, 0, time.UTC)} {
		if got := SigTime(uint32(want.Unix()), now); !got.Equal(want) && want.Year() < 2100 {
			t.Errorf("SigTime(%v) = %v", want, got)
		}
	}
	// After 2106 the 32-bit value wraps; near that time it still reads
	// as the moment closest to now.
	later := time.Date(2106, 3, 1, 0, 0, 0, 0, time.UTC)
	if got := SigTime(uint32(later.Unix()), later.Add(-time.Hour)); !got.Equal(later) {
		t.Errorf("SigTime across the wrap = %v, want %v", got, later)
	}
}

func TestCovering(t *testing.T) {
	k := newKey(t, "example.com.", dns.ZONE)
	mx := []dns.RR{rr(t, "example.com. 3600 IN MX 10 mail.example.com.")}
	sig := k.sign(t, mx, now, now.Add(time.Hour))
	answer := []dns.RR{mx[0], sig, rr(t, "example.com. 1 IN A 192.0.2.1")}
	if got := Covering(answer, "EXAMPLE.com.", dns.TypeMX); len(got) != 1 || got[0] != sig {
		t.Errorf("Covering MX = %v", got)
	}
	if got := Covering(answer, "example.com.", dns.TypeA); len(got) != 0 {
		t.Errorf("Covering A = %v", got)
	}
}
