package verify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/miekg/dns"
)

// ErrNotDirect means a question was not asked because the round asks the
// resolver for everything: the network does not let it ask nameservers.
var ErrNotDirect = errors.New("not asked: this network does not let mailwizard ask nameservers directly")

// intercepted reports whether the round's authoritative questions show a
// network that blocks or intercepts DNS to outside servers: in at least
// two zones, no server gave a usable authoritative reply, and every reply
// was a path failure (timeout, no route) or the reply of a resolver (RA
// set, no AA). One lame or unreachable zone among good ones is that zone's
// problem, not the network's.
func (r *Round) intercepted() bool {
	r.mu.Lock()
	answers := make([]Answer, 0, len(r.known))
	for _, a := range r.known {
		answers = append(answers, a)
	}
	r.mu.Unlock()
	zones := make(map[string]bool)
	blocked := 0
	var visit func(a Answer) bool
	visit = func(a Answer) bool {
		for _, o := range a.Servers {
			switch {
			case o.OK():
				return false
			case PathFailure(o.Err):
				blocked++
			case errors.Is(o.Err, ErrLame) && o.RecursionAvailable:
				blocked++
			default:
				return false
			}
		}
		if a.Zone != "" && len(a.Servers) > 0 {
			zones[a.Zone] = true
		}
		for _, link := range a.Chain {
			if !visit(link) {
				return false
			}
		}
		return true
	}
	for _, a := range answers {
		if a.Question.Via != Authoritative && a.Question.Via != Wildcard {
			continue
		}
		if !visit(a) {
			return false
		}
	}
	return blocked > 0 && len(zones) >= 2
}

// resolverMode answers an Authoritative question (or a wildcard probe, or
// the parent's DS records) in resolver mode: the resolver is asked, with
// recursion, and its reply is the one observation.
func (r *Round) resolverMode(ctx context.Context, q Question) Answer {
	a := Answer{Question: q, FromResolver: true}
	switch {
	case q.Via == Parent && q.Type != dns.TypeDS:
		a.Err = fmt.Errorf("%s: %w", q, ErrNotDirect)
		return a
	case q.Via == Wildcard:
		q.Name = r.label + "." + q.Name
	}
	// A resolver answers DS from the parent, as it must (RFC 4035 §4.2).
	q.Via = Recursive
	obs, err := r.recursive(ctx, q)
	a.Servers, a.Err = []Observation{obs}, err
	return a
}

// viaResolver says whether the round asks the resolver for everything, and
// since when the network was found to block direct questions.
type viaResolver struct {
	on    bool
	since time.Time
}
