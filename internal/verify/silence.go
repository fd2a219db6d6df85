package verify

import (
	"sync"
	"time"
)

// A nameserver address that does not answer costs each query its whole
// timeout and retries, seconds; a batch that met one would pay that for
// every domain it serves. So a batch remembers the nameserver addresses
// whose last queries all timed out, and leaves them alone for a while
// (SilentError), then asks them again.
const (
	// silentAfter is how many queries in a row must time out at an
	// address before the batch leaves it alone: a server that drops a
	// query now and then (a lost packet, a rate limit) answers the next.
	silentAfter = 2
	// silentFor is how long the batch leaves such an address alone.
	silentFor = 30 * time.Second
	// silenceSweep is how many addresses the batch tracks before it
	// forgets those that answered or whose time is up.
	silenceSweep = 1024
)

// silence tracks the timeouts of the nameserver addresses of a batch.
type silence struct {
	now func() time.Time
	mu  sync.Mutex
	// timeouts counts the queries in a row that timed out, by address;
	// until is when a silent address is asked again.
	addrs map[string]*silentAddr
}

type silentAddr struct {
	timeouts int
	until    time.Time
}

func newSilence(now func() time.Time) *silence {
	return &silence{now: now, addrs: make(map[string]*silentAddr)}
}

// check returns a *SilentError when addr is left alone now.
func (s *silence) check(addr string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.addrs[addr]
	if !ok || a.timeouts < silentAfter || !s.now().Before(a.until) {
		return nil
	}
	return &SilentError{Timeouts: a.timeouts, Retry: silentFor}
}

// record notes how a query to addr ended: timedOut, or any reply.
func (s *silence) record(addr string, timedOut bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.addrs[addr]
	if !timedOut {
		if ok {
			delete(s.addrs, addr)
		}
		return
	}
	if !ok {
		if len(s.addrs) >= silenceSweep {
			s.sweep()
		}
		a = &silentAddr{}
		s.addrs[addr] = a
	}
	a.timeouts++
	if a.timeouts >= silentAfter {
		a.until = s.now().Add(silentFor)
	}
}

// sweep forgets the addresses whose time is up.
func (s *silence) sweep() {
	now := s.now()
	for addr, a := range s.addrs {
		if a.timeouts < silentAfter || !now.Before(a.until) {
			delete(s.addrs, addr)
		}
	}
}
