package verify

import (
	"errors"
	"fmt"

	"github.com/miekg/dns"
)

// ErrTimeout means no reply came before the deadline, retries included.
var ErrTimeout = errors.New("i/o timeout")

// ErrLame means an authoritative server replied without the AA bit: it
// does not consider itself authoritative for the zone (a lame delegation,
// or a referral elsewhere).
var ErrLame = errors.New("lame server: reply without the authoritative (AA) bit")

// RcodeError is a reply whose rcode makes it unusable: SERVFAIL, REFUSED,
// NOTIMP, FORMERR, …. NXDOMAIN is an answer, never an RcodeError.
type RcodeError struct {
	Rcode int
}

// Error names the rcode: "SERVFAIL".
func (e *RcodeError) Error() string {
	if s, ok := dns.RcodeToString[e.Rcode]; ok {
		return s
	}
	return fmt.Sprintf("rcode %d", e.Rcode)
}

// QueryError is the failure of one question at one server. Its text names
// both: "query TXT _dmarc.example.com. at ns1.example.net. (192.0.2.53:53):
// i/o timeout (2 tries of 2s)".
type QueryError struct {
	Question Question
	// Server is the nameserver's name, or the address for a resolver.
	Server string
	// Address is the server's real address; empty when it has none.
	Address string
	Err     error
}

// Error names the question, the server and what went wrong.
func (e *QueryError) Error() string {
	switch {
	case e.Address == "" || e.Server == e.Address:
		return fmt.Sprintf("query %s at %s: %v", e.Question, e.Server, e.Err)
	default:
		return fmt.Sprintf("query %s at %s (%s): %v", e.Question, e.Server, e.Address, e.Err)
	}
}

// Unwrap returns the cause, for errors.Is and errors.As.
func (e *QueryError) Unwrap() error { return e.Err }

// ResolverError means the recursive resolver gave no reply at all: zone
// discovery and Recursive questions cannot be answered.
type ResolverError struct {
	// Address is the resolver's address.
	Address string
	Err     error
}

// Error says which resolver could not be reached, and why.
func (e *ResolverError) Error() string {
	return fmt.Sprintf("could not reach resolver %s: %v", e.Address, e.Err)
}

// Unwrap returns the cause, for errors.Is and errors.As.
func (e *ResolverError) Unwrap() error { return e.Err }

// BudgetError means the round had spent its query budget
// (Options.QueryBudget) before a message could be sent: the question was
// not asked, or not asked of every server.
type BudgetError struct {
	// Queries is the budget: how many messages the round sent.
	Queries int
}

// Error says where the round stopped and why.
func (e *BudgetError) Error() string {
	return fmt.Sprintf("stopped after %d queries: the zone's data asks for more than a mail domain needs", e.Queries)
}
