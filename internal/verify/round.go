package verify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"sync"
	"time"

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
	hops      group[Question, Answer] // links of CNAME chains
	exchanges group[exchangeKey, reply]
	zones     group[string, zoneResult]    // by name, for Zone
	bases     group[string, zoneResult]    // by registrable domain, for zoneFor
	servers   group[string, serversResult] // by apex
	count     counter
	// inFlight holds a token per message waiting for its reply
	// (Options.MaxInFlight).
	inFlight chan struct{}
	// label is the random label of the round's wildcard probes.
	label string
	// paths are the address families this machine seems to have no path
	// to, left alone this round.
	paths paths
	// mode says whether the round asks the resolver for everything.
	mode viaResolver
	// stragglers are the second opinions not waited for, which Run and
	// Ask end.
	stragglers sync.WaitGroup
	// udp are the UDP sockets the exchanges share while Run or Ask runs.
	udp udpConns
	// batch, when set, shares the round's exchanges and probes with the
	// other rounds of a batch, and paces its queries.
	batch *Batch

	mu sync.Mutex
	// known is what the round learned; version counts its changes.
	known   Answers
	version int
	// snap is a copy of known at snapVersion, handed to every planner
	// that asks before known changes again.
	snap        Answers
	snapVersion int
	// zonesKnown are the zones found so far, by apex: through the
	// resolver, or from a referral.
	zonesKnown map[string]Zone
}

func newRound(e *Engine) *Round {
	return &Round{
		e:          e,
		label:      probeLabel(),
		known:      make(Answers),
		zonesKnown: make(map[string]Zone),
		paths:      paths{skip: map[string]bool{}, tried: map[string]time.Time{}},
		count:      counter{seen: make(map[exchangeKey]bool), budget: e.set.budget},
		inFlight:   make(chan struct{}, e.set.maxInFlight),
	}
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
	r.mu.Lock()
	defer r.mu.Unlock()
	maps.Copy(next.zonesKnown, r.zonesKnown)
	next.paths = r.paths.next(slices.Collect(maps.Values(r.known)), time.Now(), r.e.set.pathRetry)
	if r.mode.on && time.Since(r.mode.since) < r.e.set.pathRetry {
		next.mode = r.mode
	}
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
//
// When no nameserver of any zone could be asked directly (every one timed
// out or answered like a resolver: the network blocks or intercepts DNS to
// outside servers), the questions are asked again of the resolver, and
// every answer says so (Answer.FromResolver); the rounds started with Next
// do so at once, trying the nameservers again every Options.PathRetry.
func (r *Round) Run(ctx context.Context, planners ...Planner) Answers {
	r.udp.hold()
	defer r.udp.drop()
	ctx, cancel := context.WithCancel(ctx)
	defer r.stragglers.Wait()
	defer cancel() // second opinions still on their way
	r.run(ctx, planners)
	if !r.resolverOnly() && ctx.Err() == nil && r.intercepted() {
		// The probes of the mail server itself went where they go; only
		// the DNS questions are asked again.
		probes := r.answers.completed(func(a Answer) bool { return a.Question.Via == Direct })
		r.mu.Lock()
		r.known = maps.Clone(probes)
		r.version++
		r.answers, r.hops = group[Question, Answer]{}, group[Question, Answer]{}
		r.answers.seed(probes)
		r.mode = viaResolver{on: true, since: time.Now()}
		r.mu.Unlock()
		r.run(ctx, planners)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.known)
}

// run drives the planners to a fixed point.
func (r *Round) run(ctx context.Context, planners []Planner) {
	var wg sync.WaitGroup
	for _, p := range planners {
		if p != nil {
			wg.Go(func() { r.drive(ctx, p) })
		}
	}
	wg.Wait()
}

// resolverOnly reports whether the round asks the resolver for everything.
func (r *Round) resolverOnly() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.mode.on
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
		// Take in whatever else arrives within a moment, so that the
		// planner sees it all in one call.
		wait := plannerSettle
		if r.batch != nil {
			wait = coalesce
		}
		takeIn(arrived, &pending, wait)
	}
}

// takeIn takes in the answers that arrive within wait.
func takeIn(arrived <-chan struct{}, pending *int, wait time.Duration) {
	if *pending == 0 {
		return
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	for *pending > 0 {
		select {
		case <-arrived:
			*pending--
		case <-t.C:
			return
		}
	}
}

// plannerSettle is how long a round outside a batch takes in answers
// that arrive after one another before it calls a planner again: the
// replies to one wave come within a few milliseconds, and a planner called
// for each of them (61 calls in a warm round of a complete domain's 81
// queries, against 27 with the wait) costs CPU that delays the replies
// still coming; a question that depends on an answer waits at most this
// much more, far below a round trip.
const plannerSettle = time.Millisecond

// coalesce is how long a round of a batch takes in answers that arrive
// after one another before it calls a planner again: the replies to one
// wave of questions come within a few milliseconds, and a planner called
// once for all of them spares the work of many calls, which a batch of
// many rounds at once would feel, for a wait far below a round trip.
const coalesce = 2 * time.Millisecond

// Ask asks the given questions in parallel and returns their answers.
func (r *Round) Ask(ctx context.Context, qs ...Question) Answers {
	r.udp.hold()
	defer r.udp.drop()
	ctx, cancel := context.WithCancel(ctx)
	defer r.stragglers.Wait()
	defer cancel() // second opinions still on their way
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

// probeLabel is a label no zone holds: "mailwizard-nx-" and 12 random hex
// digits.
func probeLabel() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return "mailwizard-nx-" + hex.EncodeToString(b)
}

// snapshot copies what the round knows, once per change: planners that
// ask before the next answer arrives share the copy, and never change it.
func (r *Round) snapshot() Answers {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.snap == nil || r.snapVersion != r.version {
		r.snap, r.snapVersion = maps.Clone(r.known), r.version
	}
	return r.snap
}

// learnAnswer adds a to what the round knows.
func (r *Round) learnAnswer(q Question, a Answer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.known[q] = a
	r.version++
}

// answer answers q once per round.
func (r *Round) answer(ctx context.Context, q Question) Answer {
	a, ok := r.answers.do(ctx, q, func() Answer {
		a := r.ask(ctx, q)
		r.learnAnswer(q, a)
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
	if err := r.count.spent(); err != nil {
		a.Err = err
		return a
	}
	// The question as sent: canonical, so that it matches the exchanges
	// of others.
	sent := Question{Name: name, Type: q.Type, Via: q.Via, Signed: q.Signed}
	if q.Via != Recursive && r.resolverOnly() {
		a = r.resolverMode(ctx, sent)
		a.Question = q
		return a
	}
	switch q.Via {
	case Recursive:
		obs, err := r.recursive(ctx, sent)
		a.Servers, a.Err = []Observation{obs}, err
	case Wildcard:
		probe := Question{Name: r.label + "." + name, Type: q.Type, Via: Authoritative, Signed: q.Signed}
		if _, ok := dns.IsDomainName(probe.Name); !ok {
			a.Err = fmt.Errorf("%s: the probe name is too long", q)
			break
		}
		a.Zone, a.Omitted, a.Servers, a.Err = r.authoritative(ctx, probe)
	case Parent:
		a.Zone, a.Omitted, a.Servers, a.Err = r.atParent(ctx, sent)
	case Authoritative:
		opinions := r.secondOpinion(ctx, sent)
		start := time.Now()
		a.Zone, a.Omitted, a.Servers, a.Err = r.authoritative(ctx, sent)
		if a.Err == nil && follows(sent) {
			a.Chain, a.ChainErr = r.follow(ctx, a)
		}
		a.Resolvers = opinions(max(time.Since(start), minGrace))
	default:
		a.Err = fmt.Errorf("%s: unknown Via %d", q, q.Via)
	}
	return a
}

// authoritative puts q to the servers of the zone that holds its name,
// following referrals to zones below, and returns that zone's apex, the
// nameservers it left out, and the observations.
func (r *Round) authoritative(ctx context.Context, q Question) (string, []string, []Observation, error) {
	zone, err := r.zoneFor(ctx, q.Name)
	if err != nil {
		return "", nil, nil, err
	}
	zone, obs, err := r.askAt(ctx, zone, q)
	return zone.Name, zone.Omitted, obs, err
}

// secondOpinion puts q to the second-opinion resolvers at once, and
// returns the function that collects their observations: it waits for them
// at most grace more (the time the nameservers took), so that a resolver
// still busy (iterating, or waiting on a server that is down) never holds
// the answer back; a resolver that is late is observed as such, and its
// exchange goes on until the round's Run or Ask ends.
func (r *Round) secondOpinion(ctx context.Context, q Question) func(grace time.Duration) []Observation {
	if len(r.e.set.second) == 0 {
		return func(time.Duration) []Observation { return []Observation{} }
	}
	got := make([]Observation, len(r.e.set.second))
	done := make(chan struct{})
	r.stragglers.Go(func() {
		defer close(done)
		ask := func(i int) {
			t := opinionAt(r.e.set.second[i])
			got[i] = observe(t, q, r.exchange(ctx, t, q.Name, q.Type, q.Signed))
		}
		// The last resolver is asked here, the others meanwhile: with
		// one (the usual case), no goroutine more.
		last := len(r.e.set.second) - 1
		var wg sync.WaitGroup
		for i := range last {
			wg.Go(func() { ask(i) })
		}
		ask(last)
		wg.Wait()
	})
	return func(grace time.Duration) []Observation {
		timer := time.NewTimer(grace)
		defer timer.Stop()
		select {
		case <-done:
			return got
		case <-timer.C:
		case <-ctx.Done():
		}
		late := make([]Observation, len(r.e.set.second))
		for i, addr := range r.e.set.second {
			t := opinionAt(addr)
			late[i] = observe(t, q, reply{err: &LateError{After: grace}})
		}
		return late
	}
}

// recursive puts q to the resolver. The error is set when the resolver
// gave no reply at all.
func (r *Round) recursive(ctx context.Context, q Question) (Observation, error) {
	return r.fromResolver(ctx, q, r.exchange(ctx, resolverAt(r.e.set.resolver), q.Name, q.Type, q.Signed))
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
	obs, _, err := r.fanOutRef(ctx, zone, q)
	return obs, err
}

// fanOutRef is fanOut that also returns the referral to a zone below, when
// a server gave one.
func (r *Round) fanOutRef(ctx context.Context, zone Zone, q Question) ([]Observation, *delegationReply, error) {
	if len(zone.Servers) == 0 {
		return nil, nil, fmt.Errorf("zone %s has no nameservers", zone.Name)
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
			t := target{server: ns.Name, addr: netip.AddrPortFrom(ip, dnsPort).String()}
			if fam, _ := family(t.addr); r.paths.skip[fam] {
				err := &NoPathError{Family: fam, Retry: r.e.set.pathRetry}
				obs = append(obs, Observation{Server: t.server, Address: t.addr, Rcode: -1, Err: &QueryError{Question: q, Server: t.server, Address: t.addr, Err: err}})
				continue
			}
			targets = append(targets, t)
			slots = append(slots, len(obs))
			obs = append(obs, Observation{})
		}
	}
	type result struct {
		i   int
		rep reply
	}
	results := make(chan result, len(targets))
	cancels := make([]context.CancelCauseFunc, len(targets))
	shared := false
	for i, t := range targets {
		tctx := ctx
		if sharesServer(targets, i) {
			// Only a server's other address is ever abandoned.
			tctx, cancels[i] = context.WithCancelCause(ctx)
			shared = true
		}
		if i == len(targets)-1 && !shared {
			// Nothing to abandon: the last address is asked here rather
			// than by a goroutine more, while the others are under way.
			results <- result{i, r.exchange(tctx, t, q.Name, q.Type, q.Signed)}
			break
		}
		go func() { results <- result{i, r.exchange(tctx, t, q.Name, q.Type, q.Signed)} }()
	}
	// Once one address of a server replies, its other addresses get as
	// long again (at least minGrace), not a timeout.
	answered := make(map[string]bool)
	var timers []*time.Timer
	var ref *delegationReply
	for range targets {
		res := <-results
		t := targets[res.i]
		obs[slots[res.i]] = observe(t, q, res.rep)
		if res.rep.err != nil {
			continue
		}
		if ref == nil {
			ref, _ = referralIn(res.rep.msg, zone.Name, q.Name)
		}
		if answered[t.server] {
			continue
		}
		answered[t.server] = true
		grace := max(res.rep.rtt, minGrace)
		for j, other := range targets {
			if j != res.i && other.server == t.server {
				abandon := &AbandonedError{Answered: t.addr, After: grace}
				timers = append(timers, time.AfterFunc(grace, func() { cancels[j](abandon) }))
			}
		}
	}
	for _, tm := range timers {
		tm.Stop()
	}
	for _, cancel := range cancels {
		if cancel != nil {
			cancel(nil)
		}
	}
	return obs, ref, nil
}

// sharesServer reports whether the server of targets[i] has another
// address among targets, where a server's addresses are next to each
// other.
func sharesServer(targets []target, i int) bool {
	server := targets[i].server
	return (i > 0 && targets[i-1].server == server) || (i+1 < len(targets) && targets[i+1].server == server)
}

// counter counts what a round sends, and keeps it within the budget.
type counter struct {
	mu     sync.Mutex
	seen   map[exchangeKey]bool
	budget int
	s      Stats
}

// sent records one message about to be sent: a retry after a timeout, a
// TCP retry after truncation, or a first try, which must be the first of
// its key. It returns a *BudgetError instead when the budget is spent: the
// message must not be sent.
func (c *counter) sent(key exchangeKey, retry, tcp bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.s.Queries >= c.budget {
		c.s.OverBudget++
		return &BudgetError{Queries: c.s.Queries}
	}
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
	return nil
}

// spent returns a *BudgetError when the budget is spent.
func (c *counter) spent() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.s.Queries >= c.budget {
		return &BudgetError{Queries: c.s.Queries}
	}
	return nil
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
	// OverBudget is how many messages were not sent because the round's
	// query budget was spent.
	OverBudget int
	// Probes is the number of probes made (connections to services).
	Probes int
}
