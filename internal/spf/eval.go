package spf

import (
	"net/netip"
	"strings"
)

// Limits of RFC 7208 §4.6.4.
const (
	// MaxLookups is the most DNS-querying terms (include, a, mx, ptr,
	// exists, redirect) one evaluation may use; the next one is a
	// permerror.
	MaxLookups = 10
	// MaxVoidLookups is the most lookups that may find nothing (NXDOMAIN
	// or no answer); the next one is a permerror.
	MaxVoidLookups = 2
	// maxMXNames is the most names one mx mechanism may look at.
	maxMXNames = 10
	// maxPTRNames is the most PTR names ptr and %{p} validate; the
	// others are ignored.
	maxPTRNames = 10
)

// How far past the limits the walk goes on counting. Beyond the terms a
// receiver evaluates for the IP, the walk follows include and redirect and
// asks what counts towards the limits only while the counts are within
// these, so a tree built to explode costs a few dozen questions, yet a
// message can still say how far over the limits a record is.
const (
	maxCountedLookups = 2 * MaxLookups
	maxCountedVoids   = 2 * MaxVoidLookups
)

// LookupStatus is what the evaluator knows about one DNS question.
type LookupStatus int

// Lookup statuses.
const (
	Found    LookupStatus = iota // records (maybe none with NODATA → use Void)
	Void                         // NXDOMAIN or NODATA: a void lookup (RFC 7208 §4.6.4)
	Failed                       // SERVFAIL, timeout: temperror
	NotAsked                     // not known yet: the evaluator lists it in Needed
)

// Lookup answers the evaluator's questions from data already fetched.
// Names are absolute, lower-case and in presentation format: a label that
// holds a space or a backslash is escaped as miekg/dns prints it
// ("a\ b.example.com."), since macros may expand to any octets. TXT
// returns one string per TXT record, its character-strings joined; IP
// returns A (v6 false) or AAAA records; MX returns the exchange names; PTR
// returns the names PTR records of a reverse name point at, in the order
// of the answer. Found with no records counts as Void.
type Lookup interface {
	TXT(name string) ([]string, LookupStatus)
	IP(name string, v6 bool) ([]netip.Addr, LookupStatus)
	MX(name string) ([]string, LookupStatus)
	PTR(name string) ([]string, LookupStatus)
}

// Question is a DNS question the evaluator still needs.
type Question struct {
	Name string // absolute, lower-case, presentation format
	Type uint16 // dns.TypeTXT, TypeA, TypeAAAA, TypeMX, TypePTR
}

// Result is an evaluation's verdict.
type Result string

// Results (RFC 7208 §2.6).
const (
	ResultNone      Result = "none"
	ResultNeutral   Result = "neutral"
	ResultPass      Result = "pass"
	ResultFail      Result = "fail"
	ResultSoftFail  Result = "softfail"
	ResultTempError Result = "temperror"
	ResultPermError Result = "permerror"
)

// Node is one record in the include/redirect tree, for explaining lookups.
type Node struct {
	// Domain is the name whose record this is, absolute.
	Domain string
	// Via is the term that led here ("include:_spf.example.net",
	// "redirect=_spf.example.com"), "" for the root.
	Via string
	// Record is the SPF record found, "" when there is none.
	Record string
	// Lookups counts the DNS-querying terms in this record itself; the
	// records they lead to count in the children.
	Lookups int
	// Children are the records reached through include and redirect, in
	// the order written.
	Children []*Node
	// Pending is true while the record's TXT lookup is still unanswered.
	Pending bool
	// Unfollowed is true for a record the walk left out beyond the terms
	// a receiver evaluates for the IP, because the counts were already
	// past the limits (see Evaluation.AtLeast). It is not an error.
	Unfollowed bool
	// Err says what is wrong with this record in a clause that names it
	// ("_spf.example.net. has 2 SPF records"), "" when nothing is.
	Err string
}

// Total counts the DNS-querying terms of this record and every record
// below it.
func (n *Node) Total() int {
	if n == nil {
		return 0
	}
	total := n.Lookups
	for _, c := range n.Children {
		total += c.Total()
	}
	return total
}

// UnfollowedRecords counts the records of the tree below n, n included,
// that the walk left out (see Unfollowed).
func (n *Node) UnfollowedRecords() int {
	if n == nil {
		return 0
	}
	count := 0
	if n.Unfollowed {
		count++
	}
	for _, c := range n.Children {
		count += c.UnfollowedRecords()
	}
	return count
}

// Evaluation is the outcome of evaluating one IP.
type Evaluation struct {
	// Result is the verdict for the IP, exactly as a receiver following
	// RFC 7208 computes it: terms in order, stopping at the first match.
	Result Result
	// Needed lists questions not yet answered; when non-empty, Result is
	// provisional and the caller should ask them and evaluate again.
	Needed []Question
	// Lookups counts DNS-querying terms (include, a, mx, ptr, exists,
	// redirect) over the whole tree, RFC 7208 §4.6.4; VoidLookups the
	// lookups that found nothing. Both describe the walk a receiver makes
	// for a sender that matches no term before "all", so a record over the
	// limits is reported even when this IP matches early and passes.
	Lookups     int
	VoidLookups int
	// AtLeast is true when Lookups and VoidLookups are lower bounds: the
	// walk beyond the terms a receiver evaluates for the IP stopped
	// following records (and asking what the rest would count) once the
	// counts were well past the limits.
	AtLeast bool
	// Matched is the term that decided, as written in the domain's record
	// (or in the record a redirect led to); "" for the default result.
	Matched string
	// Tree is the include/redirect tree with per-node counts.
	Tree *Node
	// Problem explains a permerror, a temperror or a none in one
	// sentence that names the records involved.
	Problem string
}

// Evaluate runs check_host(ip, domain, sender) for the sender
// postmaster@domain with domain as the HELO name: what receivers do for the
// domain's own mail and for a server that greets with the domain.
func Evaluate(ip netip.Addr, domain string, lookup Lookup) Evaluation {
	name := strings.TrimSuffix(domain, ".")
	return CheckHost(ip, name, "postmaster@"+name, name, lookup)
}

// CheckHost runs check_host(ip, domain, sender) of RFC 7208 §4, with helo
// the HELO/EHLO name for %{h}, and the published records read through
// lookup. A sender without a local part stands for postmaster at its
// domain; an empty sender for postmaster@domain. It does not stop at the
// 10-lookup limit silently: it reports the count and a permerror.
//
// An invalid ip matches no term, which still walks and counts the whole
// tree. Include and redirect loops are cut where they close, and the walk
// beyond the terms a receiver evaluates for ip stops once the counts are
// well past the limits, so CheckHost always ends and asks little of a tree
// built to explode.
func CheckHost(ip netip.Addr, domain, sender, helo string, lookup Lookup) Evaluation {
	ip = ip.Unmap()
	domain = strings.TrimSuffix(domain, ".")
	local, from := "postmaster", domain
	if at := strings.LastIndexByte(sender, '@'); at >= 0 {
		local, from = sender[:at], sender[at+1:]
	} else if sender != "" {
		from = sender
	}
	if local == "" {
		local = "postmaster" // RFC 7208 §4.3
	}
	e := &evaluator{
		lookup: lookup,
		root:   queryName(domain),
		asked:  map[Question]bool{},
	}
	e.env = macroEnv{ip: ip, local: local, domain: strings.TrimSuffix(from, "."), helo: strings.TrimSuffix(helo, "."), ptr: e.validatedName}
	tree, out := e.checkHost(domain, "", nil, true)
	ev := Evaluation{
		Result:      out.result,
		Needed:      e.needed,
		Lookups:     e.lookups,
		VoidLookups: e.voids,
		AtLeast:     e.cut,
		Matched:     out.matched,
		Tree:        tree,
		Problem:     out.problem,
	}
	if ev.Result == "" {
		ev.Result = ResultNone // provisional: the questions in Needed decide
	}
	return ev
}
