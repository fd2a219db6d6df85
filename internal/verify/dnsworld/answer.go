package dnsworld

import (
	"strings"

	"github.com/miekg/dns"
)

// maxChain bounds CNAME chasing, so that a loop in the data ends.
const maxChain = 8

// lookup is the content of a reply, before the header.
type lookup struct {
	// inZone is false when no zone holds the name.
	inZone bool
	// referral is set when the name lies below a delegation in its zone:
	// the reply names the child's servers, without the AA bit.
	referral bool
	rcode    int
	answer   []dns.RR
	ns       []dns.RR
	extra    []dns.RR
}

// lookup answers qname/qtype from the data as a server would. With
// crossZones false (an authoritative server) a CNAME is followed only
// within the zone that holds qname; with crossZones true (a resolver) it is
// followed into every zone known. The answer to an NS question at an apex
// carries the nameservers' addresses in the additional section.
func (z *Zones) lookup(qname string, qtype uint16, crossZones bool) lookup {
	z.mu.RLock()
	defer z.mu.RUnlock()
	first := z.enclosingLocked(qname)
	if first == nil {
		return lookup{rcode: z.outsideRcodeLocked(qname)}
	}
	res := lookup{inZone: true}
	if cut := first.cutLocked(qname); cut != "" && !crossZones && (qtype != dns.TypeDS || qname != cut) {
		// The DS records at a cut are the parent's own (RFC 4035
		// §3.1.4.1); everything else at or below it is the child's.
		// A server that serves the parent only refers to the child.
		ns := first.rrsetLocked(cut, dns.TypeNS)
		res.referral, res.ns, res.extra = true, copyRRs(ns), z.glueLocked(ns)
		return res
	}
	name := qname
	for range maxChain {
		zn := z.enclosingLocked(name)
		if zn == nil || (!crossZones && zn != first) {
			// The chain leaves the data: the asker follows it.
			return res
		}
		owner := zn.sourceLocked(name)
		if rrs := zn.rrsetLocked(owner, qtype); len(rrs) > 0 {
			res.answer = append(res.answer, synthesize(rrs, name)...)
			if qtype == dns.TypeNS {
				res.extra = z.glueLocked(rrs)
			}
			return res
		}
		cname := zn.rrsetLocked(owner, dns.TypeCNAME)
		if len(cname) == 0 || qtype == dns.TypeCNAME {
			if !zn.existsLocked(owner) {
				res.rcode = dns.RcodeNameError
			}
			res.ns = []dns.RR{dns.Copy(zn.soa)}
			return res
		}
		res.answer = append(res.answer, synthesize(cname[:1], name)...)
		name = dns.CanonicalName(cname[0].(*dns.CNAME).Target)
	}
	res.rcode = dns.RcodeServerFailure // a CNAME loop or an absurd chain
	return res
}

// cutLocked returns the delegation point name lies at or below in the
// zone, the one nearest the apex, or "" when there is none: a name below
// the apex with NS records.
func (zn *zone) cutLocked(name string) string {
	cut := ""
	for n, ok := name, true; ok && n != zn.apex; n, ok = parent(n) {
		if len(zn.rrsetLocked(n, dns.TypeNS)) > 0 {
			cut = n
		}
	}
	return cut
}

// sourceLocked is the owner whose records answer for name: name itself
// when it exists, else the wildcard "*.<closest encloser>" when there is
// one (RFC 4592 §3.3.1), else name.
func (zn *zone) sourceLocked(name string) string {
	if zn.existsLocked(name) {
		return name
	}
	for n, ok := parent(name); ok; n, ok = parent(n) {
		if zn.existsLocked(n) {
			if w := "*." + n; len(zn.names[w]) > 0 {
				return w
			}
			break
		}
	}
	return name
}

// synthesize copies records, owned by name (a wildcard's records answer
// under the name asked).
func synthesize(rrs []dns.RR, name string) []dns.RR {
	out := copyRRs(rrs)
	for _, rr := range out {
		rr.Header().Name = name
	}
	return out
}

// outsideRcodeLocked is the rcode for a name no zone holds: NOERROR when it
// is above a known zone (an empty non-terminal of the tree, like
// in-addr.arpa.), NXDOMAIN otherwise.
func (z *Zones) outsideRcodeLocked(name string) int {
	below := "." + name
	if name == "." {
		below = "."
	}
	for apex := range z.zones {
		if apex == name || strings.HasSuffix(apex, below) {
			return dns.RcodeSuccess
		}
	}
	return dns.RcodeNameError
}

// glueLocked returns the A and AAAA records of the targets of the NS
// records, from any zone.
func (z *Zones) glueLocked(nsRRs []dns.RR) []dns.RR {
	var out []dns.RR
	for _, rr := range nsRRs {
		ns, ok := rr.(*dns.NS)
		if !ok {
			continue
		}
		target := dns.CanonicalName(ns.Ns)
		zn := z.enclosingLocked(target)
		if zn == nil {
			continue
		}
		out = append(out, copyRRs(zn.rrsetLocked(target, dns.TypeA))...)
		out = append(out, copyRRs(zn.rrsetLocked(target, dns.TypeAAAA))...)
	}
	return out
}
