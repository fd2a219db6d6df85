package verify

import (
	"context"
	"sync"
)

// group computes each key's value once: the first caller computes it,
// callers that come meanwhile wait for that value, later ones get it at
// once. It is how a round shares one discovery, one exchange, one answer
// between everyone who needs it.
type group[K comparable, V any] struct {
	mu    sync.Mutex
	calls map[K]*call[V]
}

// call is one key's computation.
type call[V any] struct {
	done chan struct{} // closed when val is set
	val  V
}

// do returns key's value, computing it with fn if no one has. A caller
// that waits for someone else's computation stops waiting when ctx ends
// and gets false.
func (g *group[K, V]) do(ctx context.Context, key K, fn func() V) (V, bool) {
	g.mu.Lock()
	if g.calls == nil {
		g.calls = make(map[K]*call[V])
	}
	c, ok := g.calls[key]
	if !ok {
		c = &call[V]{done: make(chan struct{})}
		g.calls[key] = c
		g.mu.Unlock()
		c.val = fn()
		close(c.done)
		return c.val, true
	}
	g.mu.Unlock()
	select {
	case <-c.done:
		return c.val, true
	case <-ctx.Done():
		var zero V
		return zero, false
	}
}

// completed returns the values computed so far that keep says to keep.
func (g *group[K, V]) completed(keep func(V) bool) map[K]V {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make(map[K]V)
	for k, c := range g.calls {
		select {
		case <-c.done:
			if keep(c.val) {
				out[k] = c.val
			}
		default:
		}
	}
	return out
}

// seed sets values as if they had been computed.
func (g *group[K, V]) seed(vals map[K]V) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.calls == nil {
		g.calls = make(map[K]*call[V], len(vals))
	}
	for k, v := range vals {
		c := &call[V]{done: make(chan struct{}), val: v}
		close(c.done)
		g.calls[k] = c
	}
}
