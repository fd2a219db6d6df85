package verify

import (
	"context"
	"sync"
	"time"
)

// limiter holds the queries to each address to a rate: a token bucket per
// address, rate tokens a second, at most burst of them. A query takes a
// token, or reserves the next one and waits for it, so that queries go out
// in the order they came. Buckets of addresses left alone long enough to
// be full again are forgotten, so the limiter does not grow with the
// number of addresses a batch has met.
type limiter struct {
	rate, burst float64
	now         func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	total   time.Duration
}

// bucket is one address's tokens at a time.
type bucket struct {
	tokens float64
	at     time.Time
}

// sweepAbove is how many buckets the limiter holds before it forgets the
// full ones.
const sweepAbove = 1024

func newLimiter(rate, burst float64, now func() time.Time) *limiter {
	return &limiter{rate: rate, burst: burst, now: now, buckets: make(map[string]*bucket)}
}

// reserve takes a token for addr and says how long to wait for it.
func (l *limiter) reserve(addr string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[addr]
	if !ok {
		if len(l.buckets) >= sweepAbove {
			l.sweep(now)
		}
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[addr] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	b.at = now
	b.tokens--
	if b.tokens >= 0 {
		return 0
	}
	d := time.Duration(-b.tokens / l.rate * float64(time.Second))
	l.total += d
	return d
}

// sweep forgets the buckets that are full by now.
func (l *limiter) sweep(now time.Time) {
	for addr, b := range l.buckets {
		if b.tokens+now.Sub(b.at).Seconds()*l.rate >= l.burst {
			delete(l.buckets, addr)
		}
	}
}

// wait takes a token for addr, waiting for it until ctx ends.
func (l *limiter) wait(ctx context.Context, addr string) error {
	return sleep(ctx, l.reserve(addr))
}

// sleep waits d, or less when ctx ends first (then it returns why).
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return causeOf(ctx)
	}
}

// waited is the time queries waited, in all.
func (l *limiter) waited() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.total
}
