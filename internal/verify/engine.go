package verify

// CONTRACT STUB: the verify helper replaces the bodies; the exported
// signatures below are what internal/steps, internal/ui and cmd rely on.
// Adding is fine; changing a signature needs everyone's agreement.

import (
	"context"
	"net/netip"
	"time"
)

// Options configure an Engine.
type Options struct {
	// Resolver is the recursive resolver ("host:port") used for discovery
	// and Recursive questions. Empty means the first nameserver in
	// ResolvConf.
	Resolver string
	// ResolvConf is the resolv.conf to read when Resolver is empty; default
	// /etc/resolv.conf.
	ResolvConf string
	// SecondOpinion lists recursive resolvers ("host:port") that are asked
	// every Authoritative question too, reported apart. May be empty.
	SecondOpinion []string
	// Timeout is the deadline of one exchange; default 2 s.
	Timeout time.Duration
	// Retries is how many more times a timed-out exchange is tried; default
	// 1. Set NoRetry to make it 0.
	Retries int
	// NoRetry disables retries.
	NoRetry bool
	// MapAddr, when set, maps a nameserver's real address ("192.0.2.53:53")
	// to the address the query is sent to. Tests and the demo point the
	// engine at loopback servers with it; the real world is always port 53.
	MapAddr func(addr string) string
}

// Engine asks questions. It is safe for concurrent use; it keeps no state
// between rounds.
type Engine struct {
	opts Options
}

// New returns an Engine, or an error naming the bad option (an unparsable
// resolver address, an unreadable resolv.conf).
func New(opts Options) (*Engine, error) {
	return &Engine{opts: opts}, nil
}

// Round starts a check round: within it, discovery is cached and each
// distinct (server, name, type) is asked at most once.
func (e *Engine) Round() *Round {
	return &Round{e: e}
}

// Round is one check round.
type Round struct {
	e *Engine
}

// Run runs the planners to a fixed point: each planner's questions are asked
// at once (deduplicated across planners), and each planner is called again
// as its answers arrive, until none asks for anything new or ctx ends. The
// result holds every question asked. Run never returns an error: failures
// are in the answers.
func (r *Round) Run(ctx context.Context, planners ...Planner) Answers {
	return Answers{}
}

// Ask asks the given questions in parallel and returns their answers.
func (r *Round) Ask(ctx context.Context, qs ...Question) Answers {
	return Answers{}
}

// Zone finds the zone that holds name: its apex and its nameservers with
// their addresses.
func (r *Round) Zone(ctx context.Context, name string) (Zone, error) {
	return Zone{}, nil
}

// Stats counts what the round sent.
func (r *Round) Stats() Stats {
	return Stats{}
}

// Zone is a discovered zone.
type Zone struct {
	// Name is the apex, "example.com.".
	Name string
	// Servers are the zone's nameservers, in a stable order.
	Servers []Nameserver
}

// Nameserver is one of a zone's nameservers.
type Nameserver struct {
	Name  string // "ns1.example.net."
	Addrs []netip.Addr
}

// Stats counts the exchanges of a round.
type Stats struct {
	// Queries is the number of DNS messages sent (UDP and TCP, retries
	// included).
	Queries int
	// TCPRetries is how many of them were TCP retries after truncation.
	TCPRetries int
	// Duplicates is how many (server, name, type) were sent more than once
	// other than as a retry; it should be zero.
	Duplicates int
}

// Poll runs check every interval until done holds for its result or ctx
// ends; it returns the last result, and ctx.Err() when ctx ended first. The
// first check runs at once.
func Poll[T any](ctx context.Context, interval time.Duration, check func(context.Context) T, done func(T) bool) (T, error) {
	var zero T
	return zero, nil
}
