package verify

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"
)

// Defaults of BatchOptions; DefaultRate for the flag that sets Rate.
const (
	// DefaultRate is how many queries a second a batch sends to one
	// nameserver address: a small share of what an authoritative server
	// answers (tens to hundreds of thousands a second), which still lets a
	// check of many domains on two shared nameservers (about 20 questions
	// each per domain) go at about two hundred domains a second.
	DefaultRate = 5000
	// defaultCacheBytes bounds the replies a batch keeps for its rounds:
	// those many domains share stay, as the most recently used, and the
	// last few hundred domains' own.
	defaultCacheBytes = 16 << 20
	// defaultRetryJitter is the most a retry waits before it is sent.
	defaultRetryJitter = 250 * time.Millisecond
	// probeAnswerSize is what a probe's answer counts for in the cache: a
	// transcript of up to 100 lines and a certificate chain.
	probeAnswerSize = 16 << 10
)

// BatchOptions configure a Batch. Zero means the default; a negative
// value is an error, except where it says otherwise.
type BatchOptions struct {
	// Rate is the most queries a second the batch sends to one
	// nameserver address, whichever round sends them; default 5,000.
	// Queries to the recursive resolver, the user's own, are not
	// limited. A negative Rate means no limit.
	Rate float64
	// Burst is how many queries may go to one address at once before the
	// rate holds them back; default a twentieth of Rate (at least 1).
	Burst int
	// CacheBytes bounds the replies and probe results the rounds of the
	// batch share, roughly, in bytes of memory; default 16 MiB. The least
	// recently used are dropped first, so the cache does not grow with
	// the batch: the answers many domains share (a provider's SPF
	// include, a shared MX host, the nameservers' addresses) stay.
	CacheBytes int
	// RetryJitter is the most a retry waits, at random, before it is
	// sent, so that the retries of many rounds after a server's hiccup
	// do not all arrive at once; default 250 ms. A negative value means
	// none.
	RetryJitter time.Duration
}

// Batch shares the work of many rounds: the checks of many domains, run
// at once. Within a batch each distinct (server, name, type) is asked once,
// whichever round asks it: a round takes the reply another round already
// had (or waits for the one on its way), so the questions domains share —
// zone discovery, the nameservers' addresses, a shared MX host, the SPF
// includes of a provider — cost one query for the whole batch. Probes are
// shared the same way. What is kept is bounded (BatchOptions.CacheBytes).
//
// Each round keeps its own bounds (Options: the query budget, the queries
// in flight, the nameservers per zone), and the replies it takes from the
// batch do not count against its budget. On top of them the batch limits
// the queries a second sent to each nameserver address
// (BatchOptions.Rate), and a retry after a timeout or a SERVFAIL waits a
// random moment first (BatchOptions.RetryJitter).
//
// A batch is one pass over its domains: its replies are not asked again.
// A check repeated later (--watch) starts a new batch (NextIn).
type Batch struct {
	e *Engine
	// ctx is the context of the batch's exchanges and probes: they go on
	// when the round that asked ends (another one may wait for them),
	// bounded by their own deadlines, until Close.
	ctx    context.Context
	cancel context.CancelFunc
	work   sync.WaitGroup

	replies *lru[exchangeKey, reply]
	probes  *lru[Probe, Answer]
	limit   *limiter
	jitter  time.Duration
	silent  *silence
	sent    atomic.Int64
	shared  atomic.Int64
}

// BatchStats counts what a batch's rounds did together.
type BatchStats struct {
	// Queries is the number of DNS messages the rounds sent.
	Queries int64
	// Shared is how many exchanges a round took from the batch instead
	// of sending them.
	Shared int64
	// Waited is the time the queries waited, in all, for the rate limit.
	Waited time.Duration
	// Evicted is how many replies were dropped from the cache to keep it
	// within its bound.
	Evicted int64
}

// NewBatch starts a batch, or returns an error naming the bad option.
func (e *Engine) NewBatch(opts BatchOptions) (*Batch, error) {
	switch {
	case opts.Burst < 0:
		return nil, fmt.Errorf("batch burst %d: must not be negative", opts.Burst)
	case opts.CacheBytes < 0:
		return nil, fmt.Errorf("batch cache %d bytes: must not be negative", opts.CacheBytes)
	}
	rate := opts.Rate
	if rate == 0 {
		rate = DefaultRate
	}
	burst := opts.Burst
	if burst == 0 {
		burst = max(1, int(rate/20))
	}
	size := opts.CacheBytes
	if size == 0 {
		size = defaultCacheBytes
	}
	jitter := opts.RetryJitter
	switch {
	case jitter == 0:
		jitter = defaultRetryJitter
	case jitter < 0:
		jitter = 0
	}
	ctx, cancel := context.WithCancel(context.Background())
	b := &Batch{e: e, jitter: jitter, ctx: ctx, cancel: cancel,
		replies: newLRU[exchangeKey, reply](size),
		probes:  newLRU[Probe, Answer](max(size/16, probeAnswerSize)),
		silent:  newSilence(time.Now),
	}
	if rate > 0 {
		b.limit = newLimiter(rate, float64(burst), time.Now)
	}
	return b, nil
}

// Round starts a round of the batch: a check round like Engine.Round's,
// whose exchanges and probes the batch shares with its other rounds.
func (b *Batch) Round() *Round {
	r := newRound(b.e)
	r.batch = b
	return r
}

// NextIn starts a round that keeps what r discovered, as Next does, in
// batch b: a repeated check of one of many domains.
func (r *Round) NextIn(b *Batch) *Round {
	next := r.Next()
	next.batch = b
	return next
}

// Stats counts what the batch's rounds did so far.
func (b *Batch) Stats() BatchStats {
	s := BatchStats{Queries: b.sent.Load(), Shared: b.shared.Load(), Evicted: b.replies.evictions() + b.probes.evictions()}
	if b.limit != nil {
		s.Waited = b.limit.waited()
	}
	return s
}

// Close ends the batch: the exchanges and probes still on their way (for
// rounds that ended before them) are stopped, and Close returns once they
// are.
func (b *Batch) Close() {
	b.cancel()
	b.work.Wait()
}

// exchange is the batch's reply to key: the one a round already had, or
// the one on its way, or else send's. send runs with the batch's context:
// a round that stops waiting (its end, or an address it gave up on) does
// not stop it, so that the query, sent once, serves the rounds that ask
// next.
func (b *Batch) exchange(ctx context.Context, key exchangeKey, send func(context.Context) reply) (reply, bool) {
	rep, shared, ok := b.replies.do(ctx, key, func() (reply, int, bool) {
		b.work.Add(1)
		defer b.work.Done()
		rep := send(b.ctx)
		return rep, replySize(rep), b.ctx.Err() == nil && !roundsOwn(rep.err)
	})
	if shared {
		b.shared.Add(1)
	}
	return rep, ok
}

// roundsOwn reports whether err stopped a query for a reason of the
// asking round's or of the batch's own (the round's query budget spent,
// the batch leaving the address alone) rather than the server's: such a
// reply says nothing of the address, and another round of the batch must
// not take it for its own.
func roundsOwn(err error) bool {
	var se *SilentError
	var be *BudgetError
	return errors.As(err, &se) || errors.As(err, &be)
}

// probe is the batch's answer to a probe, made once for the batch as
// exchange makes a query once.
func (b *Batch) probe(ctx context.Context, p Probe, run func(context.Context) Answer) Answer {
	a, _, ok := b.probes.do(ctx, p, func() (Answer, int, bool) {
		b.work.Add(1)
		defer b.work.Done()
		a := run(b.ctx)
		return a, probeAnswerSize, b.ctx.Err() == nil
	})
	if !ok {
		return Answer{Err: fmt.Errorf("%s: %w", p, ctx.Err())}
	}
	return a
}

// replySize is roughly what a reply holds in memory: its records as
// parsed structures take a few times their wire size.
func replySize(rep reply) int {
	const overhead = 256
	if rep.msg == nil {
		return overhead
	}
	return overhead + 4*rep.msg.Len()
}

// pace waits for the rate limit of the nameserver address of key before
// a query is sent there; queries to the resolver are not limited.
func (b *Batch) pace(ctx context.Context, key exchangeKey) error {
	b.sent.Add(1)
	if b.limit == nil || key.rd {
		return nil
	}
	return b.limit.wait(ctx, key.addr)
}

// pause waits a random moment, up to RetryJitter, before a retry.
func (b *Batch) pause(ctx context.Context) error {
	if b.jitter <= 0 {
		return nil
	}
	return sleep(ctx, rand.N(b.jitter))
}

// retryServfail reports whether a reply is a SERVFAIL that a batch asks
// once more: under the load of a batch a resolver or a server fails
// questions it answers a moment later.
func retryServfail(rep reply) bool {
	return rep.msg != nil && rep.msg.Rcode == dns.RcodeServerFailure
}
