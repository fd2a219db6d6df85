package verify

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/miekg/dns"
)

// ErrCNAMELoop means a CNAME chain comes back to a name it passed.
var ErrCNAMELoop = errors.New("CNAME loop")

// ErrCNAMEChainTooLong means a CNAME chain has more CNAMEs than
// Options.MaxCNAMEs: the engine stopped following it.
var ErrCNAMEChainTooLong = errors.New("CNAME chain too long")

// ChainError says why the engine stopped following a CNAME chain before
// its end.
type ChainError struct {
	// Names are the names of the chain, the question's first, up to and
	// including the name where it stopped.
	Names []string
	// Err is ErrCNAMELoop or ErrCNAMEChainTooLong.
	Err error
}

// Error shows the chain: "CNAME loop: a.example.com. → b.example.com. →
// a.example.com.".
func (e *ChainError) Error() string {
	return fmt.Sprintf("%v: %s", e.Err, strings.Join(e.Names, " → "))
}

// Unwrap returns ErrCNAMELoop or ErrCNAMEChainTooLong.
func (e *ChainError) Unwrap() error { return e.Err }

// follows reports whether the engine follows the CNAMEs of q: every
// Authoritative question but those of type CNAME (which ask for the alias
// itself) and ANY.
func follows(q Question) bool {
	return q.Via == Authoritative && q.Type != dns.TypeCNAME && q.Type != dns.TypeANY
}

// follow asks, at the authoritative servers of each zone along the way,
// for the targets of the CNAMEs in a's replies that the servers did not
// answer themselves (a server answers a chain only as far as its own zone
// goes). It returns the answers in the order they were asked, and a
// *ChainError when it stopped at a loop or after Options.MaxCNAMEs CNAMEs.
// Servers that disagree (a change on its way) are all followed.
func (r *Round) follow(ctx context.Context, a Answer) ([]Answer, error) {
	type step struct {
		ans   Answer
		names []string // the chain up to ans's name
	}
	var hops []Answer
	seen := map[string]bool{a.Question.Name: true}
	todo := []step{{ans: a, names: []string{a.Question.Name}}}
	var stop error
	for len(todo) > 0 {
		cur := todo[0]
		todo = todo[1:]
		for _, open := range openTargets(cur.ans) {
			names := append(append([]string(nil), cur.names...), open.passed...)
			loop := open.loop || contains(names, open.target)
			names = append(names, open.target)
			switch {
			case loop:
				if stop == nil {
					stop = &ChainError{Names: names, Err: ErrCNAMELoop}
				}
				continue
			case len(names)-1 > r.e.set.maxCNAMEs:
				if stop == nil {
					stop = &ChainError{Names: names, Err: ErrCNAMEChainTooLong}
				}
				continue
			case seen[open.target]:
				continue // another server's chain leads there too
			}
			seen[open.target] = true
			next := Q(open.target, a.Question.Type)
			next.Signed = a.Question.Signed
			hop := r.hop(ctx, next)
			hops = append(hops, hop)
			todo = append(todo, step{ans: hop, names: names})
		}
	}
	return hops, stop
}

// openTarget is a CNAME target a server named but did not answer.
type openTarget struct {
	// passed are the targets the server answered on its way there.
	passed []string
	target string
	// loop is set when the server's own answer loops.
	loop bool
}

// openTargets returns the distinct targets that a's servers lead to
// without answering them: the end of each usable reply's CNAME chain, when
// that end lies outside the zone the servers answer for.
func openTargets(a Answer) []openTarget {
	var out []openTarget
	for _, o := range a.Servers {
		if !o.OK() {
			continue
		}
		name := a.Question.Name
		var passed []string
		loop := false
		for {
			target, ok := o.CNAME(name)
			if !ok {
				break
			}
			if target == a.Question.Name || contains(passed, target) {
				loop = true
				name = target
				break
			}
			passed = append(passed, target)
			name = target
		}
		if name == a.Question.Name || (!loop && a.Zone != "" && dns.IsSubDomain(a.Zone, name)) {
			continue // no CNAME, or the server answered the end itself
		}
		open := openTarget{passed: passed[:max(len(passed)-1, 0)], target: name, loop: loop}
		if loop {
			open.passed = passed
		}
		if !containsOpen(out, open.target) {
			out = append(out, open)
		}
	}
	return out
}

func contains(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

func containsOpen(opens []openTarget, target string) bool {
	for _, o := range opens {
		if o.target == target {
			return true
		}
	}
	return false
}

// hop answers one link of a CNAME chain: the target's zone is discovered
// (or known) and its servers are asked, without a second opinion and
// without following further (follow does that). Each hop is asked once
// per round, whichever chain leads to it.
func (r *Round) hop(ctx context.Context, q Question) Answer {
	a, ok := r.hops.do(ctx, q, func() Answer {
		a := Answer{Question: q}
		if err := r.count.spent(); err != nil {
			a.Err = err
			return a
		}
		a.Zone, a.Omitted, a.Servers, a.Err = r.authoritative(ctx, q)
		return a
	})
	if !ok {
		return Answer{Question: q, Err: fmt.Errorf("%s: %w", q, ctx.Err())}
	}
	return a
}
