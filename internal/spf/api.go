// Package spf parses SPF records and evaluates them per RFC 7208 without
// doing any I/O: evaluation reads DNS data through a Lookup and reports the
// names it still needs, so that verify can ask them in the same round.
package spf

// CONTRACT STUB: the spf helper replaces the bodies. Adding is fine.

import "net/netip"

// IsSPF reports whether a TXT value is an SPF record: "v=spf1" alone or
// followed by a space (RFC 7208 §4.5), case-insensitively.
func IsSPF(txt string) bool { return false }

// Qualifier of a mechanism.
type Qualifier byte

// Qualifiers (RFC 7208 §4.6.2).
const (
	Pass     Qualifier = '+'
	Fail     Qualifier = '-'
	SoftFail Qualifier = '~'
	Neutral  Qualifier = '?'
)

// Term is a mechanism or a modifier.
type Term struct {
	Qualifier Qualifier // for mechanisms
	Name      string    // "ip4", "include", "all", "redirect", "exp", …
	Value     string    // domain-spec or address, as written
	Prefix    netip.Prefix
	Prefix6   int // dual-cidr-length for a/mx ("//64"), -1 when absent
	Prefix4   int // "/24" on a/mx, -1 when absent
	Pos       int // offset in the record
}

// Record is a parsed SPF record.
type Record struct {
	Terms []Term
	Raw   string
}

// SyntaxError names the term and the place.
type SyntaxError struct {
	Pos     int
	Term    string
	Problem string
}

func (e *SyntaxError) Error() string { return e.Problem }

// Parse parses an SPF record. It never panics.
func Parse(txt string) (*Record, error) { return nil, nil }

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
type Lookup interface {
	TXT(name string) ([]string, LookupStatus)
	IP(name string, v6 bool) ([]netip.Addr, LookupStatus)
	MX(name string) ([]string, LookupStatus)
}

// Question is a DNS question the evaluator still needs.
type Question struct {
	Name string // absolute
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
	Domain   string
	Record   string
	Lookups  int // DNS-querying terms in this record itself
	Children []*Node
	Err      string
}

// Evaluation is the outcome of evaluating one IP.
type Evaluation struct {
	Result Result
	// Needed lists questions not yet answered; when non-empty, Result is
	// provisional and the caller should ask them and evaluate again.
	Needed []Question
	// Lookups counts DNS-querying terms (include, a, mx, ptr, exists,
	// redirect) over the whole tree, RFC 7208 §4.6.4; VoidLookups the
	// lookups that found nothing.
	Lookups     int
	VoidLookups int
	// Matched is the term that decided, "" for the default result.
	Matched string
	// Tree is the include/redirect tree with per-node counts.
	Tree *Node
	// Problem explains a permerror or temperror in one sentence.
	Problem string
}

// Evaluate runs check_host(ip, domain, sender) for a sender at domain, with
// the published TXT values read through lookup. It does not stop at the
// 10-lookup limit silently: it reports the count and a permerror.
func Evaluate(ip netip.Addr, domain string, lookup Lookup) Evaluation { return Evaluation{} }
