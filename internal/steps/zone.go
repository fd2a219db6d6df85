package steps

import (
	"fmt"
	"slices"
	"strings"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/assets"
	"github.com/mailwizard/mailwizard/internal/verify"
)

// CodeNSDelegationMismatch: the parent zone delegates the domain's zone to
// other nameservers than the zone's own NS records name. Resolvers follow
// the delegation, so records edited on servers it does not name are not
// seen: the classic result of moving a domain to a new DNS provider (or of
// editing at the old one).
const CodeNSDelegationMismatch = "ns-delegation-mismatch"

// zoneApex is the apex of the zone that holds the domain: the domain
// until an answer says otherwise.
func zoneApex(cfg Config, known verify.Answers) string {
	if ans, ok := known.Get(verify.Q(cfg.Domain, dns.TypeNS)); ok && ans.Zone != "" && inZone(cfg.Domain, ans.Zone) {
		return verify.CanonicalName(ans.Zone)
	}
	return verify.CanonicalName(cfg.Domain)
}

// zoneQuestions ask the domain zone's NS records on its own servers and
// its delegation at the parent's: first at the domain, then, when the
// domain lies inside a zone above it, at that zone's apex.
func zoneQuestions(cfg Config, known verify.Answers) []verify.Question {
	qs := []verify.Question{verify.Q(cfg.Domain, dns.TypeNS), verify.Delegation(cfg.Domain)}
	if apex := zoneApex(cfg, known); apex != verify.CanonicalName(cfg.Domain) {
		qs = append(qs, verify.Q(apex, dns.TypeNS), verify.Delegation(apex))
	}
	return qs
}

// nsSet renders the NS records owned by name in a reply: "ns1.example.net.
// and ns2.example.net.", sorted; "" when there are none.
func nsSet(o verify.Observation, name string) string {
	var names []string
	for _, ns := range typed[*dns.NS](o.Records(name, dns.TypeNS)) {
		if n := verify.CanonicalName(ns.Ns); !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return list(names)
}

// checkDelegation adds ns-delegation-mismatch when the parent's
// delegation and the zone's own NS records name different servers. When
// the parent could not be asked, nothing is said.
func (v *verdict) checkDelegation(cfg Config, known verify.Answers) {
	apex := zoneApex(cfg, known)
	own, ok := peek(known, verify.Q(apex, dns.TypeNS))
	if !ok {
		return
	}
	parent, ok := peek(known, verify.Delegation(apex))
	if !ok {
		return
	}
	delegations := groupBy(parent.ok, func(o verify.Observation) string { return nsSet(o, apex) })
	delegations = slices.DeleteFunc(delegations, func(g group) bool { return g.key == "none" })
	if len(delegations) == 0 {
		return
	}
	zoneSets := groupBy(own.ok, func(o verify.Observation) string { return nsSet(o, apex) })
	mismatch := len(delegations) > 1
	for _, g := range zoneSets {
		mismatch = mismatch || g.key != delegations[0].key
	}
	if !mismatch {
		return
	}
	parentZone := "its parent zone"
	if ans, ok := known.Get(verify.Delegation(apex)); ok && ans.Zone != "" {
		parentZone = "the parent zone " + ans.Zone
	}
	var said []string
	for _, g := range delegations {
		said = append(said, fmt.Sprintf("%s (asked at %s)", g.key, g.names))
	}
	var own2 []string
	for _, g := range zoneSets {
		own2 = append(own2, fmt.Sprintf("%s on %s", g.key, g.names))
	}
	v.add(CodeNSDelegationMismatch,
		"The delegation of %s in %s names %s, but the zone's own NS records name %s. mailwizard asked %s, the servers the zone's NS records name; resolvers that follow the delegation may ask others, which can serve other records (an old DNS provider, or a new one not yet set up). Make both the same: set the nameservers at your registrar to those of the DNS provider where you edit the zone, and let its NS records name the same servers.",
		apex, parentZone, strings.Join(said, "; "), strings.Join(own2, "; "), servers(own.ok))
}

// ProviderMismatch says, when the DNS provider chosen is not the one whose
// nameservers serve the zone, that records added there are not seen: "Your
// zone is served by Cloudflare's nameservers (…); records added at GoDaddy
// are not seen." It is "" when they match, when no provider or "other" was
// chosen, or when the names tell nothing.
func ProviderMismatch(provider string, nsNames []string) string {
	chosen, ok := assets.ProviderByID(provider)
	if !ok || provider == assets.OtherProviderID || len(nsNames) == 0 {
		return ""
	}
	names := slices.Clone(nsNames)
	slices.Sort(names)
	names = slices.Compact(names)
	if serving, ok := assets.DetectProvider(names); ok {
		if serving.ID == chosen.ID {
			return ""
		}
		return fmt.Sprintf("Your zone is served by %s's nameservers (%s); records added at %s are not seen.", serving.Name, list(names), chosen.Name)
	}
	if len(chosen.NSSuffixes) == 0 {
		return ""
	}
	return fmt.Sprintf("Your zone is served by %s, which %s not %s's nameservers; records added at %s are not seen.", list(names), plural(len(names), "is", "are"), chosen.Name, chosen.Name)
}

// servingNames are the nameservers that serve the domain's zone as
// resolvers find them: the parent's delegation, or else the zone's own NS
// records.
func servingNames(cfg Config, known verify.Answers) []string {
	apex := zoneApex(cfg, known)
	var names []string
	for _, q := range []verify.Question{verify.Delegation(apex), verify.Q(apex, dns.TypeNS)} {
		r, _ := peek(known, q)
		for _, o := range r.ok {
			for _, ns := range typed[*dns.NS](o.Records(apex, dns.TypeNS)) {
				names = append(names, verify.CanonicalName(ns.Ns))
			}
		}
		if len(names) > 0 {
			return names
		}
	}
	return nil
}

// checkProvider adds to each *-missing finding that the provider chosen
// does not serve the zone, when it does not: the record may well be there,
// at a provider no resolver asks.
func (v *verdict) checkProvider(cfg Config, known verify.Answers) {
	say := ProviderMismatch(cfg.Provider, servingNames(cfg, known))
	if say == "" {
		return
	}
	for i, n := range v.notes {
		if n.effect == StatusPending && strings.HasSuffix(n.finding.Code, "-missing") {
			v.notes[i].finding.Message += " " + say
		}
	}
}
