package dnssec

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// ZoneKeys returns the DNSKEY records of rrs that may sign a zone's data:
// the zone key flag set and protocol 3 (RFC 4034 §2.1.1, §2.1.2).
func ZoneKeys(rrs []dns.RR) []*dns.DNSKEY {
	var out []*dns.DNSKEY
	for _, rr := range rrs {
		if k, ok := rr.(*dns.DNSKEY); ok && k.Flags&dns.ZONE != 0 && k.Protocol == 3 {
			out = append(out, k)
		}
	}
	return out
}

// DSMatch is what one DS record of the parent points at.
type DSMatch struct {
	DS *dns.DS
	// Key is the zone's DNSKEY whose digest the DS holds, nil when none.
	Key *dns.DNSKEY
	// Unsupported is set when the DS uses a digest type mailwizard cannot
	// compute (RFC 8624: GOST, or an unassigned number): it is neither a
	// match nor a mismatch. Validating resolvers that cannot compute it
	// either treat the zone as unsigned.
	Unsupported bool
}

// MatchDS finds, for each DS record, the DNSKEY whose digest it holds
// (RFC 4034 §5.1.4: owner name and DNSKEY RDATA hashed with the DS's
// digest type; key tag and algorithm equal).
func MatchDS(ds []*dns.DS, keys []*dns.DNSKEY) []DSMatch {
	out := make([]DSMatch, 0, len(ds))
	for _, d := range ds {
		m := DSMatch{DS: d}
		supported := false
		for _, k := range keys {
			if k.KeyTag() != d.KeyTag || k.Algorithm != d.Algorithm {
				continue
			}
			computed := k.ToDS(d.DigestType)
			if computed == nil {
				continue
			}
			supported = true
			if strings.EqualFold(computed.Digest, d.Digest) {
				m.Key = k
				break
			}
		}
		if m.Key == nil && !supported {
			m.Unsupported = (&dns.DNSKEY{Hdr: dns.RR_Header{Name: "."}, Protocol: 3}).ToDS(d.DigestType) == nil
		}
		out = append(out, m)
	}
	return out
}

// Verdict is what the signatures on one RRset say.
type Verdict int

// Verdicts of an RRset.
const (
	// Unsigned: no RRSIG covers it.
	Unsigned Verdict = iota
	// Secure: an RRSIG made with one of the keys verifies and is valid
	// at the time checked.
	Secure
	// Bogus: RRSIGs cover it, but none verifies with the keys, or none
	// is valid at the time checked.
	Bogus
	// Indeterminate: the only signatures use an algorithm mailwizard
	// cannot check.
	Indeterminate
)

// Reason is why an RRset is not secure.
type Reason int

// Reasons, from the most telling to the least.
const (
	ReasonNone         Reason = iota
	ReasonExpired             // the signature's validity period ended
	ReasonNotYetValid         // its validity period has not begun
	ReasonBadSignature        // it does not verify with the key
	ReasonNoKey               // no key of the zone made it
	ReasonAlgorithm           // its algorithm cannot be checked
)

// Check is the verdict on one RRset, and the signature it rests on.
type Check struct {
	Verdict Verdict
	Reason  Reason
	// Problem says, when Bogus or Indeterminate, why: "the signature by
	// key 12345 expired on 2026-02-01 12:00 UTC".
	Problem string
	// Sig is the valid signature that lasts longest, when Secure; or the
	// signature Problem is about.
	Sig *dns.RRSIG
	// Inception and Expiration are Sig's validity period.
	Inception, Expiration time.Time
}

// Covering returns the RRSIG records of rrs that cover type qtype at name.
func Covering(rrs []dns.RR, name string, qtype uint16) []*dns.RRSIG {
	var out []*dns.RRSIG
	for _, rr := range rrs {
		if s, ok := rr.(*dns.RRSIG); ok && s.TypeCovered == qtype && strings.EqualFold(s.Hdr.Name, name) {
			out = append(out, s)
		}
	}
	return out
}

// VerifyRRset checks the signatures on an RRset with a zone's keys at
// time now (RFC 4035 §5.3): the RRset is secure when at least one RRSIG
// was made by one of the keys (key tag, algorithm and signer name), its
// signature verifies, and now is within its validity period. A zero now
// checks no validity period, only the signatures.
func VerifyRRset(rrset []dns.RR, sigs []*dns.RRSIG, keys []*dns.DNSKEY, now time.Time) Check {
	if len(sigs) == 0 {
		return Check{Verdict: Unsigned}
	}
	var best Check
	var problems []Check
	for _, sig := range sigs {
		c := verifyOne(rrset, sig, keys, now)
		switch {
		case c.Verdict == Secure && (best.Verdict != Secure || c.Expiration.After(best.Expiration)):
			best = c
		case c.Verdict != Secure:
			problems = append(problems, c)
		}
	}
	if best.Verdict == Secure {
		return best
	}
	// The most telling problem first: a bad date over a bad signature
	// over a missing key; an unknown algorithm alone is indeterminate.
	slices.SortStableFunc(problems, func(a, b Check) int { return int(a.Reason) - int(b.Reason) })
	return problems[0]
}

// verifyOne checks one signature.
func verifyOne(rrset []dns.RR, sig *dns.RRSIG, keys []*dns.DNSKEY, now time.Time) Check {
	ref := now
	if ref.IsZero() {
		ref = time.Unix(int64(sig.Inception), 0)
	}
	c := Check{Verdict: Bogus, Sig: sig, Inception: SigTime(sig.Inception, ref), Expiration: SigTime(sig.Expiration, ref)}
	alg := algorithm(sig.Algorithm)
	var candidates []*dns.DNSKEY
	for _, k := range keys {
		if k.KeyTag() == sig.KeyTag && k.Algorithm == sig.Algorithm && strings.EqualFold(dns.CanonicalName(k.Hdr.Name), dns.CanonicalName(sig.SignerName)) {
			candidates = append(candidates, k)
		}
	}
	if len(candidates) == 0 {
		c.Reason = ReasonNoKey
		c.Problem = fmt.Sprintf("the signature is by key %d (%s) of %s, which is not among the zone's DNSKEYs", sig.KeyTag, alg, dns.CanonicalName(sig.SignerName))
		return c
	}
	var err error
	for _, k := range candidates {
		if err = sig.Verify(k, rrset); err == nil {
			break
		}
	}
	switch {
	case errors.Is(err, dns.ErrAlg):
		c.Verdict, c.Reason = Indeterminate, ReasonAlgorithm
		c.Problem = fmt.Sprintf("the signature by key %d uses algorithm %s, which mailwizard cannot check", sig.KeyTag, alg)
		return c
	case err != nil:
		c.Reason = ReasonBadSignature
		c.Problem = fmt.Sprintf("the signature by key %d (%s) does not verify: the data differs from what was signed", sig.KeyTag, alg)
		return c
	case now.IsZero():
	case now.Before(c.Inception):
		c.Reason = ReasonNotYetValid
		c.Problem = fmt.Sprintf("the signature by key %d is not valid before %s, %s from now: the signer's clock runs ahead", sig.KeyTag, stamp(c.Inception), span(c.Inception.Sub(now)))
		return c
	case now.After(c.Expiration):
		c.Reason = ReasonExpired
		c.Problem = fmt.Sprintf("the signature by key %d expired on %s, %s ago", sig.KeyTag, stamp(c.Expiration), span(now.Sub(c.Expiration)))
		return c
	}
	c.Verdict = Secure
	return c
}

// year68 is 2^32 seconds, the period of RRSIG times (RFC 4034 §3.1.5).
const year68 = 1 << 32

// SigTime reads an RRSIG time (seconds since 1970, modulo 2^32) as the
// moment closest to now that it can mean (RFC 1982 serial arithmetic, as
// RRSIG.ValidityPeriod does).
func SigTime(v uint32, now time.Time) time.Time {
	n := now.Unix()
	t := int64(v) + (n-int64(v)+year68/2)/year68*year68
	if t-n > year68/2 {
		t -= year68
	}
	return time.Unix(t, 0).UTC()
}

// algorithm names a DNSSEC algorithm: "ECDSAP256SHA256", or its number.
func algorithm(a uint8) string {
	if s, ok := dns.AlgorithmToString[a]; ok {
		return s
	}
	return fmt.Sprintf("algorithm %d", a)
}

// Algorithm names a DNSSEC algorithm for messages: "ECDSAP256SHA256 (13)".
func Algorithm(a uint8) string { return fmt.Sprintf("%s (%d)", algorithm(a), a) }

// stamp renders a moment for messages: "2026-03-01 12:00 UTC".
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// span renders a duration for messages in its largest whole unit: "3
// days", "5 hours", "12 minutes".
func span(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d hours", int(d/time.Hour))
	case d >= 2*time.Minute:
		return fmt.Sprintf("%d minutes", int(d/time.Minute))
	}
	return fmt.Sprintf("%d seconds", int(d/time.Second))
}
