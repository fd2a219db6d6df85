package steps

import (
	"strings"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
)

// CodeWildcardOnly: a record the step expects is not published itself, a
// wildcard answers for it. Receivers see the wildcard's records, so the
// step judges them, and says so: "it passes" must not hide "it was never
// published" (a *._domainkey CNAME makes every selector look present).
const CodeWildcardOnly = "wildcard-only"

// wildcardParent is the name under which a wildcard answers for name (RFC
// 4592: "*.<parent>" or above), when name lies below the domain.
func wildcardParent(cfg Config, name string) (string, bool) {
	if cfg.Domain == "" || !inZone(name, cfg.Domain) || strings.EqualFold(name, cfg.Domain) {
		return "", false
	}
	i, end := dns.NextLabel(name, 0)
	if end {
		return "", false
	}
	return name[i:], true
}

// wildcardQuestions asks, for each question, the engine's wildcard probe
// under its name's parent and, once a probe finds a wildcard, the wildcard
// records themselves ("*.<parent>" and each one above up to the domain),
// to name the one that answers.
//
// The probes for addresses (A, AAAA) share the name of the TXT probe under
// the same parent, which the TXT records there (DMARC, MTA-STS) ask anyway:
// they are asked only when that name exists. Where it does not (NXDOMAIN),
// no wildcard of any type is there (RFC 4592), and the host and client
// names cost no probe of their own.
func wildcardQuestions(cfg Config, known verify.Answers, qs ...verify.Question) []verify.Question {
	var out []verify.Question
	for _, q := range qs {
		parent, ok := wildcardParent(cfg, q.Name)
		if !ok {
			continue
		}
		probe := verify.WildcardProbe(parent, q.Type)
		if q.Type == dns.TypeA || q.Type == dns.TypeAAAA {
			name := verify.WildcardProbe(parent, dns.TypeTXT)
			out = append(out, name)
			if !mayExist(known, name) {
				continue
			}
		}
		out = append(out, probe)
		if r, ok := peek(known, probe); ok && anySynthesized(r) {
			for _, w := range wildcardNames(cfg.Domain, parent) {
				out = append(out, verify.Q(w, q.Type))
			}
		}
	}
	return out
}

// wildcardNames are the wildcards that may answer under parent, the
// deepest first: "*.<parent>", then one label up, to "*.<domain>".
func wildcardNames(domain, parent string) []string {
	var out []string
	for n := parent; inZone(n, domain); {
		out = append(out, "*."+n)
		if strings.EqualFold(n, domain) {
			break
		}
		i, end := dns.NextLabel(n, 0)
		if end {
			break
		}
		n = n[i:]
	}
	return out
}

// synthesized is the key of the records a probe's reply holds at the
// probe's name (its first record's owner): "" for none.
func synthesized(o verify.Observation) string {
	if len(o.Answer) == 0 {
		return ""
	}
	return ownKey(o, o.Answer[0].Header().Name)
}

// ownKey is the key of the records owned by name in a reply, the CNAME
// included, without their owner and TTL.
func ownKey(o verify.Observation, name string) string {
	var own []dns.RR
	for _, rr := range o.Answer {
		if strings.EqualFold(rr.Header().Name, name) {
			own = append(own, rr)
		}
	}
	return canonicalKey(own)
}

func anySynthesized(r reply) bool {
	for _, o := range r.ok {
		if synthesized(o) != "" {
			return true
		}
	}
	return false
}

// byWildcard reports whether every server that has records at q's name
// has what the probe's reply from the same server holds: the wildcard
// answers there, not a record of its own. A record published with exactly
// the wildcard's data counts as the wildcard's. It reports false when no
// probe was answered.
func byWildcard(r reply, probe reply) bool {
	made := make(map[string]string)
	for _, o := range probe.ok {
		made[o.Server+" "+o.Address] = synthesized(o)
	}
	found := false
	for _, o := range r.ok {
		key := ownKey(o, r.q.Name)
		if key == "" {
			continue
		}
		if made[o.Server+" "+o.Address] != key {
			return false
		}
		found = true
	}
	return found
}

// checkWildcard adds wildcard-only when what is at q's name on the servers
// is what a wildcard makes up there, naming the wildcard. what names the
// record: "The DKIM key record mail._domainkey.example.com.".
func (v *verdict) checkWildcard(cfg Config, known verify.Answers, q verify.Question, what string) {
	parent, ok := wildcardParent(cfg, q.Name)
	if !ok {
		return
	}
	r, ok := peek(known, q)
	if !ok {
		return
	}
	probe, ok := peek(known, verify.WildcardProbe(parent, q.Type))
	if !ok || !byWildcard(r, probe) {
		return
	}
	wildcard := "a wildcard record at or above *." + parent
	for _, name := range wildcardNames(cfg.Domain, parent) {
		if w, ok := peek(known, verify.Q(name, q.Type)); ok && sameOwnKey(w, probe) {
			wildcard = "the wildcard record " + name
			break
		}
	}
	var found []dns.RR
	for _, o := range r.ok {
		if found = ownRecords(o, q.Name); len(found) > 0 {
			break
		}
	}
	v.add(CodeWildcardOnly,
		"%s is not published itself: %s answers for it on %s, with %s. Receivers get that answer too, so mailwizard judged it, but it changes whenever the wildcard does. Publish the record at %s itself.",
		what, wildcard, servers(r.ok), clip(show(found)), q.Name)
}

// sameOwnKey reports whether the wildcard's own records equal what the
// probe found, on a server that answered both.
func sameOwnKey(w, probe reply) bool {
	for _, o := range w.ok {
		for _, p := range probe.ok {
			if o.Server == p.Server && o.Address == p.Address {
				key := ownKey(o, w.q.Name)
				return key != "" && key == synthesized(p)
			}
		}
	}
	return false
}

// ownRecords are the records owned by name in a reply, its CNAME included.
func ownRecords(o verify.Observation, name string) []dns.RR {
	var out []dns.RR
	for _, rr := range o.Answer {
		if strings.EqualFold(rr.Header().Name, name) {
			out = append(out, rr)
		}
	}
	return out
}
