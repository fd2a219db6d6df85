package verify

import (
	"container/list"
	"context"
	"sync"
)

// lru computes each key's value once, as group does, but keeps only the
// most recently used values, up to a total size: what a batch of many
// rounds shares without growing with the batch. A value being computed is
// never dropped; one its computation says not to keep (the batch is
// closing) is not given to the callers that waited for it: they compute
// it again.
type lru[K comparable, V any] struct {
	max int

	mu      sync.Mutex
	entries map[K]*entry[K, V]
	order   *list.List // of completed entries' keys, most recent first
	size    int
	evicted int64
}

// entry is one key's value, or its computation.
type entry[K comparable, V any] struct {
	done chan struct{} // closed when the computation ends
	val  V
	kept bool // set before done is closed: the value is in the cache
	size int
	elem *list.Element
}

func newLRU[K comparable, V any](max int) *lru[K, V] {
	return &lru[K, V]{max: max, entries: make(map[K]*entry[K, V]), order: list.New()}
}

// do returns key's value: the kept one, the one being computed (once it
// is), or else fn's, which says the value's size and whether to keep it.
// fn runs in a goroutine of its own, so that a caller whose context ends
// stops waiting (ok false) while the computation goes on for the others.
// shared says whether the value came from another caller's computation.
func (c *lru[K, V]) do(ctx context.Context, key K, fn func() (V, int, bool)) (val V, shared, ok bool) {
	for {
		c.mu.Lock()
		e, found := c.entries[key]
		if !found {
			e = &entry[K, V]{done: make(chan struct{})}
			c.entries[key] = e
			c.mu.Unlock()
			go c.compute(key, e, fn)
			select {
			case <-e.done:
				return e.val, false, true
			case <-ctx.Done():
				var zero V
				return zero, false, false
			}
		}
		select {
		case <-e.done:
			c.order.MoveToFront(e.elem)
			c.mu.Unlock()
			return e.val, true, true
		default:
		}
		c.mu.Unlock()
		select {
		case <-e.done:
			if e.kept {
				return e.val, true, true
			}
			// Not kept (cut short by its caller's context): compute it
			// again, unless this caller's context ended too.
			if ctx.Err() != nil {
				var zero V
				return zero, false, false
			}
		case <-ctx.Done():
			var zero V
			return zero, false, false
		}
	}
}

// compute runs fn for e and keeps or drops its value.
func (c *lru[K, V]) compute(key K, e *entry[K, V], fn func() (V, int, bool)) {
	val, size, keep := fn()
	c.mu.Lock()
	defer c.mu.Unlock()
	e.val, e.kept = val, keep
	if !keep {
		delete(c.entries, key)
		close(e.done)
		return
	}
	e.size = size
	e.elem = c.order.PushFront(key)
	c.size += size
	defer close(e.done)
	for c.size > c.max && c.order.Len() > 1 {
		last := c.order.Back()
		k := last.Value.(K)
		old := c.entries[k]
		c.order.Remove(last)
		delete(c.entries, k)
		c.size -= old.size
		c.evicted++
	}
}

// evictions counts the values dropped to keep the size bound.
func (c *lru[K, V]) evictions() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.evicted
}
