package verify

import (
	"crypto/x509"
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
	// Probes go through it too ("192.0.2.25:25"), so that an engine pointed
	// at a test world never connects outside it.
	MapAddr func(addr string) string

	// The bounds of a round. Whoever runs a zone chooses its NS set and its
	// CNAMEs, so every round is bounded whatever the data says; the
	// defaults are far above what a mail domain needs. Zero means the
	// default, a negative value is an error.

	// MaxNameservers is how many of a zone's nameservers are asked, the
	// first ones by name; default 13, as many as a referral from the root
	// names. The others are listed in Zone.Omitted and Answer.Omitted, and
	// their addresses are not looked up.
	MaxNameservers int
	// MaxAddresses is how many addresses of each family (IPv4, IPv6) of
	// one nameserver are asked, the lowest first; default 3.
	MaxAddresses int
	// QueryBudget is how many DNS messages one round may send: discovery,
	// every server's questions, CNAME chains, retries, TCP fallbacks and the
	// second opinion together; default 1000, several times what a complete
	// mail domain needs. Once it is spent, every question not yet asked
	// fails with a *BudgetError and the round ends with what it has.
	QueryBudget int
	// MaxInFlight is how many messages of one round may wait for their
	// reply at once; default 256. A complete check of a domain with two
	// dual-stack nameservers puts about 180 messages on the wire in its
	// widest round trip.
	MaxInFlight int
	// MaxCNAMEs is how many CNAMEs a chain may have before the engine stops
	// following it; default 8.
	MaxCNAMEs int
	// PathRetry is how long the rounds started with Round.Next leave an
	// address family alone once every address of it failed (timeout, no
	// route) while the other family answered: this machine seems to have
	// no path there. Default 1 minute.
	PathRetry time.Duration
	// Roots are the certificate authorities probes trust; nil means the
	// system's. Tests and the demo give their own test CA.
	Roots *x509.CertPool
	// ProbeTimeout bounds one probe, from connect to goodbye; default 10 s.
	// The TCP handshake gets at most 5 s of it: a port that drops the
	// connection attempts (a firewall, a network blocking port 25) is
	// known by then.
	ProbeTimeout time.Duration
	// NoProbe refuses every probe (ErrProbesOff): the engine then sends
	// DNS queries and nothing else.
	NoProbe bool
	// ProbeReuse is how long Round.Next reuses a probe's result rather than
	// connecting again, so that a check repeated every few seconds does not
	// knock at a server's door every few seconds; default 1 min, negative
	// for never.
	ProbeReuse time.Duration
	// RelayReuse is the same for open-relay tests, whose refusals a
	// server's logs count; default 1 h, negative for never.
	RelayReuse time.Duration
}

// Engine asks questions. It is safe for concurrent use; it keeps no state
// between rounds.
type Engine struct {
	set settings
}

// New returns an Engine, or an error naming the bad option (an unparsable
// resolver address, an unreadable resolv.conf).
func New(opts Options) (*Engine, error) {
	set, err := settle(opts)
	if err != nil {
		return nil, err
	}
	return &Engine{set: set}, nil
}

// Resolver is the address ("ip:port") of the recursive resolver the engine
// uses for discovery and Recursive questions.
func (e *Engine) Resolver() string { return e.set.resolver }

// Round starts a check round: within it, discovery is cached and each
// distinct (server, name, type) is asked at most once.
func (e *Engine) Round() *Round {
	return newRound(e)
}
