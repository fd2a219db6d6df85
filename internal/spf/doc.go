// Package spf parses SPF records and evaluates them per RFC 7208 without
// doing any I/O: evaluation reads DNS data through a Lookup and reports the
// questions it still needs, so that verify can ask them all in one round and
// the caller can evaluate again. Every mechanism, ptr and the %{p} macro
// included, is evaluated as receivers do; the openspf test suites for RFC
// 7208 and RFC 4408 run in the tests (testdata/*.yml).
//
// It is mailwizard's own evaluator rather than blitiri.com.ar/go/spf because
// a wizard needs more than a verdict: the questions still unanswered (the
// library resolves names itself), the DNS-querying terms counted over the
// whole include/redirect tree (RFC 7208 §4.6.4), and that tree itself, to
// explain to a person where the lookups go. The walk beyond what a receiver
// evaluates stops once the counts are well past the limits, so a tree built
// to explode costs a few dozen questions.
//
// The package must not talk to the network, read the clock or hold state
// between calls; everything it knows comes through its arguments.
package spf
