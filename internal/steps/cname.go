package steps

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/mailwizard/mailwizard/internal/verify"
)

// Finding codes of a record published as a CNAME whose chain breaks: a
// public contract, like every code. A record published as a CNAME to a
// name elsewhere (a DKIM key at the mail provider, DMARC at a report
// service) is judged at the end of the chain, where receivers read it.
const (
	CodeCNAMEDangling = "cname-dangling"
	CodeCNAMELoop     = "cname-loop"
	CodeCNAMETooDeep  = "cname-too-deep"
)

// Alias is a record the step expects that is published as a CNAME: the
// records receivers read are at the end of the chain, and whoever runs that
// name manages them.
type Alias struct {
	// Name is the record's own name: "sel._domainkey.example.com.".
	Name string `json:"name"`
	// Target is the name it points to: "sel.dkim.example.org.".
	Target string `json:"target"`
	// Chain is every name from Name to where the records are, when the
	// chain has more than one CNAME.
	Chain []string `json:"chain,omitempty"`
}

// link is where a chain stands: a name, the usable replies that answer
// for it, and the zone they answer for.
type link struct {
	name string
	obs  []verify.Observation
	zone string
}

// follow looks q up like ask and, when the servers publish q's name as a
// CNAME, follows the chain the engine followed to the records at its end,
// which receivers read (RFC 1034 §3.6.2). It returns the reply there, its
// question naming the chain's last name. A chain that breaks (a target that
// does not exist, a loop, too many CNAMEs) is a finding showing the chain,
// and false. what names the record: "The DKIM key record".
func (v *verdict) follow(known verify.Answers, q verify.Question, what string) (reply, bool) {
	r, ok := v.ask(known, q)
	if !ok {
		return r, false
	}
	ans, _ := known.Get(q)
	aliased, plain := split(r.ok, func(o verify.Observation) bool { _, ok := o.CNAME(q.Name); return ok })
	if len(aliased) == 0 {
		return r, true
	}
	target, _ := aliased[0].CNAME(q.Name)
	same, other := split(aliased, func(o verify.Observation) bool { t, _ := o.CNAME(q.Name); return t == target })
	if rest := append(plain, other...); len(rest) > 0 {
		v.partial(fmt.Sprintf("%s CNAME %s", q.Name, target), same, rest)
	}
	names := []string{q.Name}
	at := link{name: q.Name, obs: same, zone: ans.Zone}
	for {
		next, ok := cnameAt(at)
		if !ok {
			break
		}
		if slices.Contains(names, next) {
			v.add(CodeCNAMELoop,
				"%s is published as a CNAME, and the chain comes back to a name it passed: %s. Receivers find no record there. Point %s at the name your provider gave you (or publish the record itself).",
				what, chainText(append(names, next)), q.Name)
			return r, false
		}
		names = append(names, next)
		l, found := chainLink(ans, next)
		switch {
		case found:
			failed := v.linkFailed(l)
			if failed {
				return r, false
			}
			at = link{name: next, obs: okOnly(l), zone: l.Zone}
		case at.zone != "" && inZone(next, at.zone):
			// The servers followed the CNAME in their own zone: their
			// replies hold the target's records.
			at.name = next
		case errors.Is(ans.ChainErr, verify.ErrCNAMEChainTooLong):
			v.add(CodeCNAMETooDeep,
				"%s is published as a CNAME, and the chain goes on for more than %d CNAMEs: %s. Receivers give up on such chains. Point %s straight at the name that holds the record.",
				what, len(names)-2, chainText(names), q.Name)
			return r, false
		default:
			v.lookupError(verify.Q(next, q.Type), "the CNAME target was not asked")
			return r, false
		}
	}
	v.cnames = append(v.cnames, Alias{Name: q.Name, Target: names[1]})
	if len(names) > 2 {
		v.cnames[len(v.cnames)-1].Chain = names
	}
	end := reply{q: verify.Q(at.name, q.Type), ok: at.obs}
	if slices.ContainsFunc(end.ok, verify.Observation.NXDomain) && !slices.ContainsFunc(end.ok, func(o verify.Observation) bool { return !o.NXDomain() }) {
		v.add(CodeCNAMEDangling,
			"%s is published as a CNAME to %s, which does not exist on %s (%s): receivers find no record at all. Point %s at the name your provider gave you, or ask whoever runs %s to publish it.",
			what, names[1], servers(end.ok), chainText(names), q.Name, at.name)
		return end, false
	}
	return end, true
}

// cnameAt returns the target of the CNAME at the link's name, from the first
// reply that has one.
func cnameAt(at link) (string, bool) {
	for _, o := range at.obs {
		if t, ok := o.CNAME(at.name); ok {
			return t, true
		}
	}
	return "", false
}

// chainLink returns the link of ans's chain asked for name.
func chainLink(ans verify.Answer, name string) (verify.Answer, bool) {
	for _, l := range ans.Chain {
		if l.Question.Name == name {
			return l, true
		}
	}
	return verify.Answer{}, false
}

// linkFailed records a lookup-error when no server of a chain's link gave
// a usable reply, and the servers that failed while others answered.
func (v *verdict) linkFailed(l verify.Answer) bool {
	if l.Err != nil {
		v.lookupErrors(l.Question, l.Err)
		return true
	}
	ok, failed := split(l.Servers, verify.Observation.OK)
	if len(ok) == 0 {
		errs := make([]error, 0, len(failed))
		for _, o := range failed {
			errs = append(errs, o.Err)
		}
		v.lookupErrors(l.Question, errs...)
		return true
	}
	v.unreachable = append(v.unreachable, silent(failed, ok)...)
	return false
}

// okOnly are the usable replies of an answer.
func okOnly(a verify.Answer) []verify.Observation {
	ok, _ := split(a.Servers, verify.Observation.OK)
	return ok
}

// chainText shows a chain: "a.example.com. → b.example.org.".
func chainText(names []string) string {
	return strings.Join(names, " → ")
}

// peekFollow is follow without recording anything: the reply at the end of
// q's chain (q's own reply without a CNAME), for answers that only add
// detail. Its verdict declares no codes: what it finds is never read, and
// planners call it for every SPF look-up, again after each batch of
// replies.
func peekFollow(known verify.Answers, q verify.Question) (reply, bool) {
	v := judging(nil)
	r, ok := v.follow(known, q, "")
	return r, ok && len(r.ok) > 0
}
