package steps

import (
	"time"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
	"github.com/mailwizard/mailwizard/internal/verify/dnsworld"
)

// signing is the part of a world that signs: the zones signed on the fly
// (every zone of the world is, with its own key, unless unsigned), the DS
// records the parent serves, and the servers that serve unsigned copies.
type signing struct {
	signers map[string]*dnsworld.ZoneSigner // by apex
	// unsignedZones are zones that are not signed.
	unsignedZones map[string]bool
	// ds are the DS records the parent serves, by child apex; a zone
	// signed before the parent is asked gets its key's DS, unless noDS.
	ds   map[string][]dns.RR
	noDS map[string]bool
	// unsignedOn are servers that serve an unsigned copy.
	unsignedOn map[string]bool
	// validating adds a second opinion to questions with the DO bit: a
	// validating resolver, with the AD bit for answers from signed zones.
	validating bool
}

// signer is the signer of zone, made at first use; nil for an unsigned
// zone.
func (w *world) signer(zone string) *dnsworld.ZoneSigner {
	if zone == "" || w.unsignedZones[zone] {
		return nil
	}
	if w.signers == nil {
		w.signers = map[string]*dnsworld.ZoneSigner{}
	}
	s, ok := w.signers[zone]
	if !ok {
		var err error
		if s, err = dnsworld.NewZoneSigner(zone); err != nil {
			w.t.Fatal(err)
		}
		w.signers[zone] = s
	}
	return s
}

// unsign makes a zone unsigned, and takes its DS away.
func (w *world) unsign(zone string) {
	if w.unsignedZones == nil {
		w.unsignedZones = map[string]bool{}
	}
	w.unsignedZones[zone] = true
	w.dropDS(zone)
}

// dropDS takes the DS of zone away from the parent.
func (w *world) dropDS(zone string) {
	if w.noDS == nil {
		w.noDS = map[string]bool{}
	}
	w.noDS[zone] = true
	delete(w.ds, zone)
}

// setDS makes the parent serve these DS records for zone.
func (w *world) setDS(zone string, ds ...dns.RR) {
	if w.ds == nil {
		w.ds = map[string][]dns.RR{}
	}
	w.ds[zone] = ds
}

// dsOf is what the parent serves for zone.
func (w *world) dsOf(zone string) []dns.RR {
	if ds, ok := w.ds[zone]; ok || w.noDS[zone] {
		return ds
	}
	if s := w.signer(zone); s != nil {
		return []dns.RR{s.DS()}
	}
	return nil
}

// sign adds what a signed zone's server adds to its reply to q: the
// DNSKEY at the apex, and RRSIGs for a question with the DO bit.
func (w *world) sign(o *verify.Observation, q verify.Question, zone string) {
	o.At = time.Now()
	s := w.signer(zone)
	if s == nil || w.unsignedOn[o.Server] || o.Err != nil {
		return
	}
	if q.Type == dns.TypeDNSKEY && q.Name == zone && o.Rcode == dns.RcodeSuccess {
		o.Answer = append(o.Answer, s.DNSKEY())
	}
	if q.Signed {
		o.Answer = s.Sign(o.Answer)
	}
}

// parentDS is the parent's answer to a DS question.
func (w *world) parentDS(q verify.Question) verify.Answer {
	o := verify.Observation{Server: "a.gtld.example.", Address: "192.0.2.250:53", Rcode: dns.RcodeSuccess, Authoritative: true, At: time.Now()}
	o.Answer = w.dsOf(q.Name)
	return verify.Answer{Question: q, Zone: "com.", Servers: []verify.Observation{o}}
}

// opinion is the validating resolver's second opinion on q, answered like
// the first server.
func (w *world) opinion(ans *verify.Answer) {
	if !w.validating || !ans.Question.Signed || len(ans.Servers) == 0 {
		return
	}
	o := ans.Servers[0]
	o.Server, o.Address, o.Authoritative = resolverName+":53", resolverName+":53", false
	o.AuthenticatedData = w.signer(ans.Zone) != nil && len(w.dsOf(ans.Zone)) > 0
	ans.Resolvers = append(ans.Resolvers, o)
}
