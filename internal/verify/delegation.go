package verify

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/miekg/dns"
)

// atParent asks the servers of the zone above q's name (an apex) for q's
// type there: NS, the delegation, or DS, its signed part. It returns that
// zone and one observation per server address; for NS each holds the NS
// records of the delegation in Answer.
func (r *Round) atParent(ctx context.Context, q Question) (string, []string, []Observation, error) {
	apex := q.Name
	if apex == "." {
		return "", nil, nil, errors.New("the root zone has no parent")
	}
	i, _ := dns.NextLabel(apex, 0)
	parent := apex[i:]
	if parent == "" {
		parent = "."
	}
	zone, err := r.zoneFor(ctx, parent)
	if err != nil {
		return "", nil, nil, fmt.Errorf("find the parent zone of %s: %w", apex, err)
	}
	if q.Type == dns.TypeDS {
		// The parent holds the DS records (RFC 4035 §3.1.4.1): its servers
		// answer them with authority, as any other record of theirs.
		obs, err := r.fanOut(ctx, zone, Question{Name: apex, Type: dns.TypeDS, Via: Authoritative, Signed: q.Signed})
		return zone.Name, zone.Omitted, obs, err
	}
	obs, err := r.fanOut(ctx, zone, Question{Name: apex, Type: dns.TypeNS, Via: Authoritative})
	for i := range obs {
		obs[i] = referral(obs[i], apex)
	}
	return zone.Name, zone.Omitted, obs, err
}

// referral reads a parent server's reply to NS apex: a referral (no AA, the
// NS records in the authority section) is a usable reply here, and the
// delegation's NS records become the observation's Answer.
func referral(o Observation, apex string) Observation {
	var delegated []dns.RR
	for _, rr := range o.Authority {
		if rr.Header().Rrtype == dns.TypeNS && strings.EqualFold(rr.Header().Name, apex) {
			delegated = append(delegated, rr)
		}
	}
	if errors.Is(o.Err, ErrLame) && len(delegated) > 0 {
		o.Err = nil
	}
	if o.Err != nil {
		return o
	}
	if ns := o.Records(apex, dns.TypeNS); len(ns) > 0 {
		delegated = ns
	}
	o.Answer = delegated
	return o
}
