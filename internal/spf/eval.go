package spf

import (
	"net/netip"
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
// Names are absolute and lower-case. TXT returns one string per TXT record,
// its character-strings joined; IP returns A (v6 false) or AAAA records;
// MX returns the exchange names. Found with no records counts as Void.
type Lookup interface {
	TXT(name string) ([]string, LookupStatus)
	IP(name string, v6 bool) ([]netip.Addr, LookupStatus)
	MX(name string) ([]string, LookupStatus)
}

// Question is a DNS question the evaluator still needs.
type Question struct {
	Name string // absolute, lower-case
	Type uint16 // dns.TypeTXT, TypeA, TypeAAAA, TypeMX
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
	// a receiver evaluates for the IP, because the tree had grown to a
	// hundred records. It is not an error.
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
	// Matched is the term that decided, as written in the domain's record
	// (or in the record a redirect led to); "" for the default result.
	Matched string
	// Tree is the include/redirect tree with per-node counts.
	Tree *Node
	// Problem explains a permerror, a temperror or a none in one
	// sentence that names the records involved.
	Problem string
}

// Evaluate runs check_host(ip, domain, sender) for a sender at domain, with
// the published TXT values read through lookup. It does not stop at the
// 10-lookup limit silently: it reports the count and a permerror.
//
// The sender is postmaster@domain and the HELO name is domain. The ptr
// mechanism is counted but never matches, since Lookup has no PTR data
// (RFC 7208 §5.5 asks senders not to use it). An invalid ip matches no
// term, which still walks and counts the whole tree. Include and redirect
// loops are cut where they close, and the walk beyond the terms a receiver
// evaluates for ip stops after a hundred records, so Evaluate always ends.
func Evaluate(ip netip.Addr, domain string, lookup Lookup) Evaluation {
	ip = ip.Unmap()
	name := absolute(domain)
	e := &evaluator{
		env:    macroEnv{ip: ip, local: "postmaster", domain: bare(name), helo: bare(name)},
		lookup: lookup,
		root:   name,
		asked:  map[Question]bool{},
	}
	tree, out := e.checkHost(name, "", nil, true)
	ev := Evaluation{
		Result:      out.result,
		Needed:      e.needed,
		Lookups:     e.lookups,
		VoidLookups: e.voids,
		Matched:     out.matched,
		Tree:        tree,
		Problem:     out.problem,
	}
	if ev.Result == "" {
		ev.Result = ResultNone // provisional: the questions in Needed decide
	}
	return ev
}
