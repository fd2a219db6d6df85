package dnsworld

import (
	"net"
	"sync"
	"time"
)

// arrivals is a server's UDP socket with the time each query reached it,
// as the kernel stamped it where it can (SO_TIMESTAMPNS on Linux): a Delay
// counts from there, as a network's latency does, and not from the moment
// the server's goroutine got to read the query. The two differ when the
// program that asks runs in the same process and keeps every core busy
// for a moment (a round sending a hundred queries at once): the scheduler
// gets to the server's read loop only when it has nothing else to run, up
// to a few milliseconds later, and a real server elsewhere would not have
// waited for that.
//
// It is a net.PacketConn but not a *net.UDPConn, so miekg/dns reads it with
// ReadFrom, which keeps the stamp by the sender's address and the query's
// ID until the handler takes it (arrived).
type arrivals struct {
	*net.UDPConn
	// oob is room for the kernel's stamp (nil when it does not stamp):
	// miekg/dns reads a socket from one goroutine.
	oob []byte

	mu sync.Mutex
	at map[arrivalKey]time.Time
}

// arrivalKey is one query: who sent it and its ID.
type arrivalKey struct {
	from string
	id   uint16
}

// maxArrivals bounds the stamps kept for queries no handler took (those
// miekg/dns answers or drops itself, as a FORMERR): a load test must not
// make the map grow without end.
const maxArrivals = 1 << 14

// stampArrivals wraps pc; a socket that is not UDP is returned as it is.
func stampArrivals(pc net.PacketConn) net.PacketConn {
	uc, ok := pc.(*net.UDPConn)
	if !ok {
		return pc
	}
	a := &arrivals{UDPConn: uc, at: make(map[arrivalKey]time.Time)}
	if enableStamps(uc) {
		a.oob = make([]byte, stampSpace)
	}
	return a
}

// ReadFrom reads one query and keeps when it arrived.
func (a *arrivals) ReadFrom(b []byte) (int, net.Addr, error) {
	n, oobn, _, from, err := a.ReadMsgUDP(b, a.oob)
	if err != nil {
		return n, nil, err
	}
	at := time.Now()
	if t, ok := stampIn(a.oob[:oobn]); ok && t.Before(at) {
		at = t
	}
	if n >= 2 {
		key := arrivalKey{from: from.String(), id: uint16(b[0])<<8 | uint16(b[1])}
		a.mu.Lock()
		if len(a.at) >= maxArrivals {
			clear(a.at)
		}
		a.at[key] = at
		a.mu.Unlock()
	}
	return n, from, nil
}

// arrived returns when the query with id from from arrived, and forgets
// it; now when it is unknown (over TCP, or a socket without stamps).
func (a *arrivals) arrived(from net.Addr, id uint16) time.Time {
	key := arrivalKey{from: from.String(), id: id}
	a.mu.Lock()
	defer a.mu.Unlock()
	at, ok := a.at[key]
	if !ok {
		return time.Now()
	}
	delete(a.at, key)
	return at
}
