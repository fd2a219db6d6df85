package verify

import (
	"context"
	"fmt"
	"maps"
	"net/netip"
	"sync"

	"github.com/miekg/dns"
)

// Round is one check round. Within a round, each zone is discovered once,
// each distinct (server, name, type) is sent once and each question is
// answered once, whoever asks and however often. Use one round per check;
// start the next with Next (keeps the discovered zones) or Engine.Round
// (forgets everything).
type Round struct {
	e *Engine

	answers   group[Question, Answer]
	exchanges group[exchangeKey, reply]
	zones     group[string, zoneResult]    // by name
	servers   group[string, serversResult] // by apex
	count     counter

	mu    sync.Mutex
	known Answers
}

func newRound(e *Engine) *Round {
	return &Round{e: e, known: make(Answers), count: counter{seen: make(map[exchangeKey]bool)}}
}

// Next starts a new round that knows the zones (and their nameservers'
// addresses) that r discovered, and the results of its recent probes
// (Options.ProbeReuse), and nothing else: every DNS question is asked
// again, without repeating discovery. Use it to re-check a few seconds later.
func (r *Round) Next() *Round {
	next := newRound(r.e)
	ok := func(res zoneResult) bool { return res.err == nil }
	next.zones.seed(r.zones.completed(ok))
	next.servers.seed(r.servers.completed(func(res serversResult) bool { return res.err == nil }))
	r.carryProbes(next)
	return next
}

// Run runs the planners to a fixed point: each planner's questions are asked
// at once (deduplicated across planners), and each planner is called again
// as its answers arrive, until none asks for anything new or ctx ends. The
// result holds every question asked in the round (by these planners, and
// before). Run never returns an error: failures are in the answers.
//
// Each planner runs in its own goroutine and is called first with what the
// round already knows. After ctx ends a planner is not called again; the
// questions in flight come back at once with the context's error.
func (r *Round) Run(ctx context.Context, planners ...Planner) Answers {
	var wg sync.WaitGroup
	for _, p := range planners {
		if p != nil {
			wg.Go(func() { r.drive(ctx, p) })
		}
	}
	wg.Wait()
	return r.snapshot()
}

// drive calls one planner until it asks nothing new and its questions are
// answered.
func (r *Round) drive(ctx context.Context, p Planner) {
	asked := make(map[Question]bool)
	arrived := make(chan struct{})
	pending := 0
	for first := true; ; first = false {
		if first || ctx.Err() == nil {
			for _, q := range p(r.snapshot()) {
				if asked[q] {
					continue
				}
				asked[q] = true
				pending++
				go func() {
					r.answer(ctx, q)
					arrived <- struct{}{}
				}()
			}
		}
		if pending == 0 {
			return
		}
		<-arrived
		pending--
		// Take in whatever else has arrived, so that the planner sees it
		// all in one call.
		for more := true; more && pending > 0; {
			select {
			case <-arrived:
				pending--
			default:
				more = false
			}
		}
	}
}

// Ask asks the given questions in parallel and returns their answers.
func (r *Round) Ask(ctx context.Context, qs ...Question) Answers {
	out := make(Answers, len(qs))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, q := range qs {
		wg.Go(func() {
			a := r.answer(ctx, q)
			mu.Lock()
			out[q] = a
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

// Stats counts what the round sent.
func (r *Round) Stats() Stats {
	return r.count.stats()
}

// snapshot copies what the round knows.
func (r *Round) snapshot() Answers {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.known)
}

// answer answers q once per round.
func (r *Round) answer(ctx context.Context, q Question) Answer {
	a, ok := r.answers.do(ctx, q, func() Answer {
		a := r.ask(ctx, q)
		r.mu.Lock()
		r.known[q] = a
		r.mu.Unlock()
		return a
	})
	if !ok {
		return Answer{Question: q, Err: fmt.Errorf("%s: %w", q, ctx.Err())}
	}
	return a
}

// ask puts q to whom it is for.
func (r *Round) ask(ctx context.Context, q Question) Answer {
	if q.Via == Direct {
		return r.probe(ctx, q)
	}
	a := Answer{Question: q}
	name := CanonicalName(q.Name)
	if _, ok := dns.IsDomainName(name); !ok || !dns.IsFqdn(name) {
		a.Err = fmt.Errorf("%s: not a domain name", q)
		return a
	}
	// The question as sent: canonical, so that it matches the exchanges
	// of others.
	sent := Question{Name: name, Type: q.Type, Via: q.Via}
	switch q.Via {
	case Recursive:
		obs, err := r.recursive(ctx, sent)
		a.Servers, a.Err = []Observation{obs}, err
	case Authoritative:
		var wg sync.WaitGroup
		a.Resolvers = make([]Observation, len(r.e.set.second))
		for i, addr := range r.e.set.second {
			wg.Go(func() {
				t := resolverAt(addr)
				a.Resolvers[i] = observe(t, sent, r.exchange(ctx, t, name, q.Type))
			})
		}
		zone, err := r.Zone(ctx, name)
		if err == nil {
			a.Zone = zone.Name
			a.Servers, err = r.fanOut(ctx, zone, sent)
		}
		a.Err = err
		wg.Wait()
	default:
		a.Err = fmt.Errorf("%s: unknown Via %d", q, q.Via)
	}
	return a
}

// recursive puts q to the resolver. The error is set when the resolver
// gave no reply at all.
func (r *Round) recursive(ctx context.Context, q Question) (Observation, error) {
	return r.fromResolver(ctx, q, r.resolve(ctx, q.Name, q.Type))
}

// fromResolver is the observation of the resolver's reply to q, and a
// *ResolverError when no reply came (unless the context ended).
func (r *Round) fromResolver(ctx context.Context, q Question, rep reply) (Observation, error) {
	addr := r.e.set.resolver
	obs := observe(resolverAt(addr), q, rep)
	if rep.err != nil {
		return obs, unreachable(ctx, addr, obs.Err)
	}
	return obs, nil
}

// unreachable wraps a failure to get any reply from the resolver, unless it
// is only the context ending.
func unreachable(ctx context.Context, addr string, err error) error {
	if ContextErr(ctx) != nil {
		return err
	}
	return &ResolverError{Address: addr, Err: err}
}

// fanOut puts q to every address of every nameserver of zone, in parallel,
// and returns one observation per address (one per nameserver without an
// address), ordered by server name, then address.
func (r *Round) fanOut(ctx context.Context, zone Zone, q Question) ([]Observation, error) {
	if len(zone.Servers) == 0 {
		return nil, fmt.Errorf("zone %s has no nameservers", zone.Name)
	}
	var obs []Observation
	var targets []target
	var slots []int
	for _, ns := range zone.Servers {
		if len(ns.Addrs) == 0 {
			err := ns.Err
			if err == nil {
				err = fmt.Errorf("nameserver %s has no address", ns.Name)
			}
			obs = append(obs, Observation{Server: ns.Name, Rcode: -1, Err: &QueryError{Question: q, Server: ns.Name, Err: err}})
			continue
		}
		for _, ip := range ns.Addrs {
			targets = append(targets, target{server: ns.Name, addr: netip.AddrPortFrom(ip, dnsPort).String()})
			slots = append(slots, len(obs))
			obs = append(obs, Observation{})
		}
	}
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Go(func() { obs[slots[i]] = observe(t, q, r.exchange(ctx, t, q.Name, q.Type)) })
	}
	wg.Wait()
	return obs, nil
}

// counter counts what a round sends.
type counter struct {
	mu   sync.Mutex
	seen map[exchangeKey]bool
	s    Stats
}

// sent records one message: a retry after a timeout, a TCP retry after
// truncation, or a first try, which must be the first of its key.
func (c *counter) sent(key exchangeKey, retry, tcp bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.s.Queries++
	switch {
	case tcp:
		c.s.TCPRetries++
	case retry:
	case c.seen[key]:
		c.s.Duplicates++
	default:
		c.seen[key] = true
	}
}

func (c *counter) stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.s
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
	// Probes is the number of probes made (connections to services).
	Probes int
}
