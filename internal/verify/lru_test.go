package verify

import (
	"context"
	"sync"
	"testing"
	"time"
)

// TestLRUBounded: values beyond the size bound are dropped, least recently
// used first, and computed again when asked for.
func TestLRUBounded(t *testing.T) {
	c := newLRU[int, int](100)
	computed := 0
	get := func(k int) {
		c.do(t.Context(), k, func() (int, int, bool) { computed++; return k, 10, true })
	}
	for k := range 30 {
		get(k)
	}
	if len(c.entries) != 10 || c.size != 100 || c.evictions() != 20 {
		t.Errorf("%d entries of %d bytes, %d evicted; want 10, 100, 20", len(c.entries), c.size, c.evictions())
	}
	get(25) // kept: no computation, and now the most recent
	get(20) // kept too
	get(0)  // dropped: computed again, dropping the least recent (21)
	if computed != 31 {
		t.Errorf("%d computations, want 31", computed)
	}
	if _, ok := c.entries[21]; ok {
		t.Error("21, the least recently used, is still kept")
	}
	if _, ok := c.entries[25]; !ok {
		t.Error("25, used again, was dropped")
	}
}

// TestLRUWaitsAndRecomputes: callers that come while a value is computed
// wait for it; when its computation says not to keep it, a waiter computes
// it again rather than taking it.
func TestLRUWaitsAndRecomputes(t *testing.T) {
	c := newLRU[string, int](1 << 10)
	release := make(chan struct{})
	started := make(chan struct{})
	go c.do(t.Context(), "k", func() (int, int, bool) {
		close(started)
		<-release
		return 1, 1, false // cut short: not for the others
	})
	<-started
	var wg sync.WaitGroup
	var got int
	var shared bool
	wg.Go(func() {
		got, shared, _ = c.do(t.Context(), "k", func() (int, int, bool) { return 2, 1, true })
	})
	time.Sleep(20 * time.Millisecond)
	close(release)
	wg.Wait()
	if got != 2 || shared {
		t.Errorf("the waiter got %d (shared %v), want its own 2", got, shared)
	}
	if v, shared, ok := c.do(t.Context(), "k", nil); v != 2 || !shared || !ok {
		t.Errorf("then: %d %v %v, want the kept 2", v, shared, ok)
	}
	ctx, cancel := context.WithCancel(t.Context())
	block := make(chan struct{})
	go c.do(t.Context(), "slow", func() (int, int, bool) { <-block; return 0, 1, true })
	time.Sleep(10 * time.Millisecond)
	cancel()
	if _, _, ok := c.do(ctx, "slow", nil); ok {
		t.Error("a waiter whose context ended got a value")
	}
	close(block)
}

// TestLimiter: a bucket gives its burst at once, then a token every
// 1/rate, in the order asked; full buckets are forgotten.
func TestLimiter(t *testing.T) {
	now := time.Unix(0, 0)
	l := newLimiter(10, 2, func() time.Time { return now })
	var waits []time.Duration
	for range 4 {
		waits = append(waits, l.reserve("a"))
	}
	want := []time.Duration{0, 0, 100 * time.Millisecond, 200 * time.Millisecond}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits %v, want %v", waits, want)
		}
	}
	if d := l.reserve("b"); d != 0 {
		t.Errorf("another address waited %s", d)
	}
	now = now.Add(time.Second)
	for i := range sweepAbove {
		l.reserve(string(rune('c' + i)))
	}
	if _, ok := l.buckets["a"]; ok {
		t.Error("a bucket full again was not forgotten")
	}
	if l.waited() != 300*time.Millisecond {
		t.Errorf("waited %s in all", l.waited())
	}
}
