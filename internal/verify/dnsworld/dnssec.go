package dnsworld

import (
	"crypto"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// ZoneSigner signs a zone's answers on the fly, as an online signer (a DNS
// provider that signs, or Knot and PowerDNS in that mode) does: with one
// ECDSA P-256 key (a combined signing key, flags 257), RRSIGs made when a
// query asks for them (the DO bit), valid from Inception to Expiration.
// It is safe for concurrent use.
type ZoneSigner struct {
	apex string
	key  *dns.DNSKEY
	priv crypto.Signer

	mu sync.Mutex
	// inception and expiration bound the signatures it makes.
	inception, expiration time.Time
	// corrupt makes every signature fail to verify.
	corrupt bool
}

// NewZoneSigner makes a new key for the zone at apex, whose signatures are
// valid from an hour ago for two weeks.
func NewZoneSigner(apex string) (*ZoneSigner, error) {
	apex = dns.CanonicalName(apex)
	k := &dns.DNSKEY{Hdr: dns.RR_Header{Name: apex, Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 3600},
		Flags: dns.ZONE | dns.SEP, Protocol: 3, Algorithm: dns.ECDSAP256SHA256}
	priv, err := k.Generate(256)
	if err != nil {
		return nil, err
	}
	signer, ok := priv.(crypto.Signer)
	if !ok {
		return nil, errors.New("the generated key cannot sign")
	}
	now := time.Now()
	return &ZoneSigner{apex: apex, key: k, priv: signer, inception: now.Add(-time.Hour), expiration: now.Add(14 * 24 * time.Hour)}, nil
}

// Apex is the zone the signer signs.
func (s *ZoneSigner) Apex() string { return s.apex }

// DNSKEY is the zone's key, as its apex serves it.
func (s *ZoneSigner) DNSKEY() *dns.DNSKEY { return dns.Copy(s.key).(*dns.DNSKEY) }

// DS is the DS record (SHA-256) that the parent zone publishes for the key.
func (s *ZoneSigner) DS() *dns.DS { return s.key.ToDS(dns.SHA256) }

// SetValidity sets the validity period of the signatures made from now
// on: in the past for expired ones, ending soon for expiring ones.
func (s *ZoneSigner) SetValidity(inception, expiration time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inception, s.expiration = inception, expiration
}

// SetCorrupt makes the signatures made from now on fail to verify (their
// last byte flipped), as data changed after signing does.
func (s *ZoneSigner) SetCorrupt(corrupt bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.corrupt = corrupt
}

// Sign returns rrs with an RRSIG after each RRset of the zone (records of
// other zones, and RRSIGs, are left unsigned).
func (s *ZoneSigner) Sign(rrs []dns.RR) []dns.RR {
	s.mu.Lock()
	inception, expiration, corrupt := s.inception, s.expiration, s.corrupt
	s.mu.Unlock()
	type key struct {
		name  string
		rtype uint16
	}
	var order []key
	sets := map[key][]dns.RR{}
	for _, rr := range rrs {
		h := rr.Header()
		k := key{dns.CanonicalName(h.Name), h.Rrtype}
		if h.Rrtype == dns.TypeRRSIG || !dns.IsSubDomain(s.apex, k.name) {
			continue
		}
		if _, ok := sets[k]; !ok {
			order = append(order, k)
		}
		sets[k] = append(sets[k], rr)
	}
	out := slices.Clone(rrs)
	for _, k := range order {
		set := sets[k]
		sig := &dns.RRSIG{Hdr: dns.RR_Header{Ttl: set[0].Header().Ttl}, KeyTag: s.key.KeyTag(), SignerName: s.apex,
			Algorithm: s.key.Algorithm, Inception: uint32(inception.Unix()), Expiration: uint32(expiration.Unix())}
		if err := sig.Sign(s.priv, set); err != nil {
			continue
		}
		if corrupt {
			sig.Signature = corruptBase64(sig.Signature)
		}
		out = append(out, sig)
	}
	return out
}

// corruptBase64 changes one character of a base64 signature, keeping it
// valid base64.
func corruptBase64(sig string) string {
	if sig == "" {
		return sig
	}
	c := "A"
	if strings.HasPrefix(sig, "A") {
		c = "B"
	}
	return c + sig[1:]
}

// Sign makes the zone at apex signed by signer: its apex serves the
// signer's DNSKEY, and queries with the DO bit get RRSIGs. A nil signer
// makes the zone unsigned again.
func (z *Zones) Sign(apex string, signer *ZoneSigner) {
	z.mu.Lock()
	defer z.mu.Unlock()
	if zn := z.zones[dns.CanonicalName(apex)]; zn != nil {
		zn.signer = signer
	}
}

// signerLocked is the signer of the zone that holds name, nil when it is
// unsigned or unknown.
func (z *Zones) signerLocked(name string) *ZoneSigner {
	if zn := z.enclosingLocked(name); zn != nil {
		return zn.signer
	}
	return nil
}

// signed adds the RRSIGs of the answer and authority sections of m, for a
// query with the DO bit, from the signers of the zones their records
// belong to. A referral's NS records are the child's and stay unsigned.
func (z *Zones) signed(m *dns.Msg) {
	z.mu.RLock()
	defer z.mu.RUnlock()
	sign := func(rrs []dns.RR) []dns.RR {
		var signers []*ZoneSigner
		for _, rr := range rrs {
			s := z.signerLocked(dns.CanonicalName(rr.Header().Name))
			if rr.Header().Rrtype == dns.TypeNS && s != nil && dns.CanonicalName(rr.Header().Name) != s.apex {
				continue // a delegation's NS records are not signed
			}
			if s != nil && !slices.Contains(signers, s) {
				signers = append(signers, s)
			}
		}
		for _, s := range signers {
			rrs = s.Sign(rrs)
		}
		return rrs
	}
	m.Answer, m.Ns = sign(m.Answer), sign(m.Ns)
}

// secure reports whether the zone of name and of every record of an
// answer is signed: what the world's resolver vouches for with the AD bit
// (for a "no such record" as for records: it trusts its own data).
func (z *Zones) secure(name string, rrs []dns.RR) bool {
	z.mu.RLock()
	defer z.mu.RUnlock()
	if z.signerLocked(name) == nil {
		return false
	}
	for _, rr := range rrs {
		if z.signerLocked(dns.CanonicalName(rr.Header().Name)) == nil {
			return false
		}
	}
	return true
}

// addKeys answers a DNSKEY question at the apex of a signed zone with its
// signer's key, beside any the zone's data holds.
func (z *Zones) addKeys(m *dns.Msg, name string, qtype uint16) {
	if qtype != dns.TypeDNSKEY || m.Rcode != dns.RcodeSuccess {
		return
	}
	z.mu.RLock()
	zn := z.zones[name]
	z.mu.RUnlock()
	if zn == nil || zn.signer == nil {
		return
	}
	m.Answer = append(m.Answer, zn.signer.DNSKEY())
	m.Ns = nil // no longer a NODATA reply with the SOA
}
