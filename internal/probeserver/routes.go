package probeserver

import (
	"net/netip"
	"sync"
)

// closedPort is where Routes sends addresses it does not know when there
// is no next mapping: a closed loopback port, so the probe is refused at
// once and nothing leaves the machine.
const closedPort = "127.0.0.1:1"

// Routes maps the real addresses probes would connect to ("192.0.2.25:25",
// "[2001:db8::25]:25") to the loopback servers standing in for them. It is
// safe for concurrent use.
type Routes struct {
	mu sync.RWMutex
	m  map[netip.AddrPort]string
}

// Set sends connections to real (its IPv4-mapped form included) to the
// loopback address to.
func (r *Routes) Set(real netip.AddrPort, to string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = make(map[netip.AddrPort]string)
	}
	r.m[netip.AddrPortFrom(real.Addr().Unmap(), real.Port())] = to
}

// Refuse makes connections to real refused.
func (r *Routes) Refuse(real netip.AddrPort) { r.Set(real, closedPort) }

// Lookup returns where connections to addr go, if Routes knows it.
func (r *Routes) Lookup(addr string) (string, bool) {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return "", false
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	to, ok := r.m[netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())]
	return to, ok
}

// Map returns a verify.Options.MapAddr that sends the addresses Routes
// knows to their servers and every other one to next (a DNS lab's
// mapping), or to a closed loopback port when next is nil.
func (r *Routes) Map(next func(string) string) func(string) string {
	return func(addr string) string {
		if to, ok := r.Lookup(addr); ok {
			return to
		}
		if next != nil {
			return next(addr)
		}
		return closedPort
	}
}
