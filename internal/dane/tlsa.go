package dane

import (
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/miekg/dns"
)

// Certificate usages (RFC 6698 §2.1.1; names from RFC 7218).
const (
	UsagePKIXTA = 0 // a public authority, checked as browsers do
	UsagePKIXEE = 1 // the server's certificate, checked as browsers do
	UsageDANETA = 2 // the authority that issued the server's certificate
	UsageDANEEE = 3 // the server's own certificate or key
)

// Selectors (RFC 6698 §2.1.2).
const (
	SelectorCert = 0 // the whole certificate
	SelectorSPKI = 1 // its public key (SubjectPublicKeyInfo)
)

// Matching types (RFC 6698 §2.1.3).
const (
	MatchFull   = 0 // the data itself
	MatchSHA256 = 1
	MatchSHA512 = 2
)

// Record is the data of one TLSA record.
type Record struct {
	Usage, Selector, MatchingType uint8
	// Data is the certificate association data in lower-case hex.
	Data string
}

// FromRR reads the data of a TLSA record.
func FromRR(rr *dns.TLSA) Record {
	return Record{Usage: rr.Usage, Selector: rr.Selector, MatchingType: rr.MatchingType, Data: strings.ToLower(rr.Certificate)}
}

// String renders the record's data as a zone file writes it: "3 1 1 ab…".
func (r Record) String() string {
	return fmt.Sprintf("%d %d %d %s", r.Usage, r.Selector, r.MatchingType, r.Data)
}

// association computes a record of the given usage for cert: selector
// SPKI, matching type SHA-256, the form RFC 7671 §5.1 and §5.2 recommend
// (it survives a renewal that keeps the key).
func association(usage uint8, cert *x509.Certificate) Record {
	var rr dns.TLSA
	// Sign fails only for an unknown selector or matching type.
	_ = rr.Sign(int(usage), SelectorSPKI, MatchSHA256, cert)
	return FromRR(&rr)
}

// EE is the DANE-EE record "3 1 1" of a server's certificate: the SHA-256
// digest of its public key.
func EE(cert *x509.Certificate) Record { return association(UsageDANEEE, cert) }

// TA is the DANE-TA record "2 1 1" of an issuing authority's certificate.
func TA(cert *x509.Certificate) Record { return association(UsageDANETA, cert) }

// Problem says why senders cannot use a record for SMTP, or "" when they
// can: RFC 7672 §3.1.3 makes PKIX-TA and PKIX-EE unusable for SMTP, and a
// record with an unknown usage, selector or matching type, or a digest of
// the wrong length, matches nothing.
func (r Record) Problem() string {
	switch r.Usage {
	case UsagePKIXTA, UsagePKIXEE:
		return fmt.Sprintf("usage %d (PKIX-%s) is not usable for SMTP: senders ignore it (RFC 7672 §3.1.3); use 3 (DANE-EE) or 2 (DANE-TA)", r.Usage, map[uint8]string{0: "TA", 1: "EE"}[r.Usage])
	case UsageDANETA, UsageDANEEE:
	default:
		return fmt.Sprintf("usage %d is not defined; it is 3 (DANE-EE) or 2 (DANE-TA)", r.Usage)
	}
	if r.Selector > SelectorSPKI {
		return fmt.Sprintf("selector %d is not defined; it is 1 (the public key) or 0 (the whole certificate)", r.Selector)
	}
	data, err := hex.DecodeString(r.Data)
	if err != nil || len(data) == 0 {
		return "the data is not hexadecimal"
	}
	switch r.MatchingType {
	case MatchSHA256:
		if len(data) != 32 {
			return fmt.Sprintf("a SHA-256 digest has 64 hex digits, this one %d", 2*len(data))
		}
	case MatchSHA512:
		if len(data) != 64 {
			return fmt.Sprintf("a SHA-512 digest has 128 hex digits, this one %d", 2*len(data))
		}
	case MatchFull:
	default:
		return fmt.Sprintf("matching type %d is not defined; it is 1 (SHA-256), 2 (SHA-512) or 0 (the data itself)", r.MatchingType)
	}
	return ""
}

// Match returns the index in chain (leaf first) of the certificate a
// usable record matches, or -1: DANE-EE matches the leaf; DANE-TA matches
// an issuer the chain sends, which the certificates below it in the chain
// must be signed by, each by the next (RFC 7671 §5.1, §5.2).
func (r Record) Match(chain []*x509.Certificate) int {
	if r.Problem() != "" || len(chain) == 0 {
		return -1
	}
	rr := dns.TLSA{Usage: r.Usage, Selector: r.Selector, MatchingType: r.MatchingType, Certificate: r.Data}
	if r.Usage == UsageDANEEE {
		if rr.Verify(chain[0]) == nil {
			return 0
		}
		return -1
	}
	for i := 1; i < len(chain); i++ {
		if chain[i-1].CheckSignatureFrom(chain[i]) != nil {
			return -1
		}
		if rr.Verify(chain[i]) == nil {
			return i
		}
	}
	return -1
}

// Rollover reports whether a set of records survives a new key on the
// server: it has a usable DANE-TA record, or two usable DANE-EE records
// with different data (the current key and the next).
func Rollover(records []Record) bool {
	ee := map[string]bool{}
	for _, r := range records {
		if r.Problem() != "" {
			continue
		}
		if r.Usage == UsageDANETA {
			return true
		}
		ee[fmt.Sprint(r.Selector, r.MatchingType, r.Data)] = true
	}
	return len(ee) > 1
}
