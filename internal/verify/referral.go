package verify

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/miekg/dns"
)

// maxReferrals bounds how many zone cuts one question may be referred down
// from the zone it was first put to.
const maxReferrals = 8

// zoneFor returns the zone whose servers the round asks about name first:
// the deepest zone the round knows that holds name, at or below the
// registrable domain; else the zone found through the resolver for the
// registrable domain alone (for a reverse name, for every suffix at once,
// as the reverse tree is cut on octet and nibble boundaries). A zone cut
// below it is found when its servers refer a question there (askAt): the
// resolver is not asked about every name first.
func (r *Round) zoneFor(ctx context.Context, name string) (Zone, error) {
	floor, key, chain := baseChain(name)
	if z, ok := r.deepestKnown(name, floor); ok {
		return z, nil
	}
	res, ok := r.bases.do(ctx, key, func() zoneResult {
		z, err := r.discover(ctx, key, chain)
		if err == nil {
			r.learn(z)
		}
		return zoneResult{zone: z, err: err}
	})
	if !ok {
		return Zone{}, fmt.Errorf("find the zone of %s: %w", name, ctx.Err())
	}
	var unreachable *ResolverError
	if res.err != nil && len(chain) == 1 && name != key && ContextErr(ctx) == nil && !errors.As(res.err, &unreachable) {
		// The resolver has no zone for the registrable domain; one below
		// it may be served all the same: ask about every suffix, as Zone
		// does.
		return r.Zone(ctx, name)
	}
	return res.zone, res.err
}

// baseChain says how the zone of name is found through the resolver:
// floor is the highest apex a known zone may have to be used for name, key
// shares the discovery between names, and chain lists the names whose NS
// records are asked.
func baseChain(name string) (floor, key string, chain []string) {
	chain = zoneChain(name)
	for _, rev := range []string{"in-addr.arpa.", "ip6.arpa."} {
		if dns.IsSubDomain(rev, name) {
			return rev, name, chain
		}
	}
	return chain[0], chain[0], chain[:1]
}

// learn remembers a zone for the rest of the round and for the rounds
// started from it with Next.
func (r *Round) learn(z Zone) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.zonesKnown[z.Name] = z
}

// deepestKnown returns the deepest known zone that holds name and lies at
// or below floor.
func (r *Round) deepestKnown(name, floor string) (Zone, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var best Zone
	found := false
	for apex, z := range r.zonesKnown {
		if dns.IsSubDomain(floor, apex) && dns.IsSubDomain(apex, name) && (!found || dns.CountLabel(apex) > dns.CountLabel(best.Name)) {
			best, found = z, true
		}
	}
	return best, found
}

// askAt puts q to zone's servers and, when they refer it to a zone below
// (a delegation: no AA bit, the child's NS records in the authority
// section), to that zone's servers, and so on. It returns the zone that
// answered and its servers' observations.
func (r *Round) askAt(ctx context.Context, zone Zone, q Question) (Zone, []Observation, error) {
	for range maxReferrals {
		obs, ref, err := r.fanOutRef(ctx, zone, q)
		if err != nil || ref == nil {
			return zone, obs, err
		}
		child, err := r.child(ctx, ref)
		if err != nil {
			return zone, obs, err
		}
		zone = child
	}
	return zone, nil, fmt.Errorf("%s: referred down more than %d zone cuts from %s", q, maxReferrals, zone.Name)
}

// delegationReply is a referral to a zone below: the cut and the reply
// that names its servers.
type delegationReply struct {
	cut string
	msg *dns.Msg
}

// referralIn returns the referral a reply to name from a server of apex
// holds: no AA bit, no answer, and NS records in the authority section
// owned by a name below apex that is name or above it.
func referralIn(m *dns.Msg, apex, name string) (*delegationReply, bool) {
	if m == nil || m.Authoritative || m.Rcode != dns.RcodeSuccess || len(m.Answer) > 0 {
		return nil, false
	}
	cut := ""
	ref := &dns.Msg{Extra: m.Extra}
	for _, rr := range m.Ns {
		ns, ok := rr.(*dns.NS)
		if !ok {
			continue
		}
		owner := CanonicalName(ns.Hdr.Name)
		if owner == apex || !dns.IsSubDomain(apex, owner) || !dns.IsSubDomain(owner, name) || (cut != "" && owner != cut) {
			continue
		}
		cut = owner
		ref.Answer = append(ref.Answer, ns)
	}
	if cut == "" {
		return nil, false
	}
	return &delegationReply{cut: cut, msg: ref}, true
}

// child is the zone a referral names, with its servers' addresses (the
// referral's glue, or asked of the resolver), learned for the round.
func (r *Round) child(ctx context.Context, ref *delegationReply) (Zone, error) {
	if z, ok := r.learned(ref.cut); ok {
		return z, nil
	}
	res, ok := r.servers.do(ctx, ref.cut, func() serversResult {
		return r.nameservers(ctx, ref.cut, ref.msg)
	})
	if !ok {
		return Zone{}, fmt.Errorf("find the nameservers of %s: %w", ref.cut, ctx.Err())
	}
	z := Zone{Name: ref.cut, Servers: res.servers, Omitted: res.omitted}
	if res.err == nil {
		r.learn(z)
	}
	return z, res.err
}

// learned returns the zone learned at apex.
func (r *Round) learned(apex string) (Zone, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	z, ok := r.zonesKnown[strings.ToLower(apex)]
	return z, ok
}
