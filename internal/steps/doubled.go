package steps

import (
	"slices"
	"strings"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
)

// A provider's form completes the Host field with the zone, so a Host typed
// as the whole name ends up at "_dmarc.example.com.example.com." and the
// record "never verifies". Asking for that name too costs nothing in the
// same round.

// doubledZones are the zones whose name may have been appended to q's name:
// the configured domain, and the zone the servers said holds the name.
func doubledZones(cfg Config, known verify.Answers, q verify.Question) []string {
	var zones []string
	if cfg.Domain != "" && inZone(q.Name, cfg.Domain) {
		zones = append(zones, verify.CanonicalName(cfg.Domain))
	}
	if ans, ok := known.Get(q); ok && ans.Zone != "" {
		if z := verify.CanonicalName(ans.Zone); z != "." && !slices.Contains(zones, z) {
			zones = append(zones, z)
		}
	}
	return zones
}

// doubledQuestions asks for q's name with the zone appended, and the
// engine's wildcard probe there once a doubled name answers: a wildcard
// answers for any name and must not count as a doubled record.
//
// One question stands in for them all first: the zone's own name doubled
// ("example.com.example.com." TXT, the gate). Where the servers say no
// such name, nothing below it exists either (RFC 8020), so the doubled
// names are asked only when the gate's name exists: two queries a zone
// instead of two for every record the steps look for, a third of a
// complete check's, in the same round trip.
func doubledQuestions(cfg Config, known verify.Answers, q verify.Question) []verify.Question {
	var qs []verify.Question
	for _, zone := range doubledZones(cfg, known, q) {
		d := doubledName(q.Name, zone)
		if _, ok := dns.IsDomainName(d); !ok || len(d) > maxName+1 {
			continue
		}
		dq := verify.Q(d, q.Type)
		if gate := doubledGate(zone); dq != gate {
			qs = append(qs, gate)
			if !mayExist(known, gate) {
				continue
			}
		}
		qs = append(qs, dq)
		if r, ok := peek(known, dq); ok && len(doubledAt(r)) > 0 {
			qs = append(qs, verify.WildcardProbe(parentName(d), q.Type))
		}
	}
	return qs
}

// doubledGate is the question that tells whether any doubled name may
// exist in zone: its own name doubled.
func doubledGate(zone string) verify.Question {
	return verify.Q(doubledName(zone, zone), dns.TypeTXT)
}

// mayExist reports whether the reply to q leaves room for names at and
// below q's name: some server answered, and not every one that did said
// NXDOMAIN. Before the reply, or when no server gave one, it reports
// false: what waits on it (doubled names, a wildcard probe) is detail
// whose failure would say nothing either.
func mayExist(known verify.Answers, gate verify.Question) bool {
	r, ok := peek(known, gate)
	if !ok {
		return false
	}
	return slices.ContainsFunc(r.ok, func(o verify.Observation) bool { return o.Rcode != dns.RcodeNameError })
}

// doubledAt returns, per server that has any, the records of r's type (or
// a CNAME) at r's name.
func doubledAt(r reply) map[string][]dns.RR {
	out := make(map[string][]dns.RR)
	for _, o := range r.ok {
		rrs := o.Records(r.q.Name, r.q.Type)
		rrs = append(rrs, o.Records(r.q.Name, dns.TypeCNAME)...)
		if len(rrs) > 0 {
			out[o.Server] = rrs
		}
	}
	return out
}

// checkDoubled adds doubled-domain when q's records sit at the doubled name
// on any server. what names the record: "The DMARC record".
func (v *verdict) checkDoubled(cfg Config, known verify.Answers, q verify.Question, what string) {
	for _, zone := range doubledZones(cfg, known, q) {
		dq := verify.Q(doubledName(q.Name, zone), q.Type)
		r, ok := peek(known, dq)
		if !ok {
			continue
		}
		found := doubledAt(r)
		if len(found) == 0 || wildcarded(known, r) {
			continue
		}
		with, _ := split(r.ok, func(o verify.Observation) bool { return len(found[o.Server]) > 0 })
		host := Record{Name: q.Name}.Host(zone)
		typed := strings.TrimSuffix(q.Name, ".")

		v.add(CodeDoubledDomain,
			"%s was found at %s on %s (%s), not at %s: your DNS provider added %s to a Host field that already held the whole name. Remove the domain from the Host field: enter %q instead of %q.",
			what, dq.Name, servers(with), clip(show(found[with[0].Server])), q.Name, strings.TrimSuffix(zone, "."), host, typed)
	}
}

// wildcarded reports whether the records found at a doubled name are a
// wildcard answering, not a record of their own: the engine's probe next
// to it got the same. When the probe is not answered yet, it says so too:
// better no finding than a wrong one.
func wildcarded(known verify.Answers, r reply) bool {
	probe, ok := peek(known, verify.WildcardProbe(parentName(r.q.Name), r.q.Type))
	return !ok || byWildcard(r, probe)
}

// parentName is name without its first label.
func parentName(name string) string {
	i, end := dns.NextLabel(name, 0)
	if end {
		return "."
	}
	return name[i:]
}
