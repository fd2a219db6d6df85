package dnsworld

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Role says how a Server answers.
type Role uint8

const (
	// Authoritative servers answer names in their zones with the AA bit and
	// refuse names outside them. CNAMEs are followed within the zone only.
	Authoritative Role = iota
	// Resolver servers answer every name from their zones like a recursive
	// resolver would (RA bit, no AA bit, CNAMEs followed across zones,
	// NXDOMAIN for names no zone holds), and can be told to keep a cached
	// NXDOMAIN.
	Resolver
)

// String names the role.
func (r Role) String() string {
	if r == Resolver {
		return "resolver"
	}
	return "authoritative"
}

// Query is one query a server received.
type Query struct {
	Name      string // as asked, lower-cased
	Type      uint16
	Transport string // "udp" or "tcp"
	// RD is the query's recursion-desired bit.
	RD bool
	// EDNS is the advertised EDNS0 buffer size, 0 without EDNS0.
	EDNS uint16
	// DO and CD are the query's DNSSEC OK and Checking Disabled bits.
	DO, CD bool
	// At is when the query reached the server: the kernel's stamp on its
	// datagram where there is one (see arrivals).
	At time.Time
}

// Server is a DNS server on 127.0.0.1, UDP and TCP on the same port,
// answering from its Zones with its own handler. Its zones, its fault and
// its cached NXDOMAINs may be changed while it runs; every method is safe
// for concurrent use.
type Server struct {
	role  Role
	zones *Zones
	addr  string
	udp   *dns.Server
	tcp   *dns.Server
	// arrivals knows when each UDP query arrived (nil when the socket is
	// not UDP).
	arrivals *arrivals
	// closing is closed by Close, and ends every held-back reply.
	closing   chan struct{}
	closeOnce sync.Once
	closeErr  error

	mu    sync.Mutex
	fault Fault
	// also are more zones a Resolver answers from.
	also     []*Zones
	minimal  bool
	queries  []Query
	negative map[string]time.Time // resolver: name → when a cached NXDOMAIN expires
	// negCache, when positive, makes a resolver remember the NXDOMAIN
	// answers it gives, for at most this long.
	negCache time.Duration
}

// NewServer starts a server with the given role answering from zones (nil:
// an empty set) and returns once it listens on both UDP and TCP.
func NewServer(role Role, zones *Zones) (*Server, error) {
	pc, l, err := listen()
	if err != nil {
		return nil, err
	}
	return startServer(role, zones, pc, l)
}

// serverBuffer is the socket buffer NewServerOn asks for.
const serverBuffer = 4 << 20

// NewServerOn is NewServer listening on the loopback address addr
// ("127.54.0.1:53"), for a program that reaches nameservers only at
// their own addresses on port 53 (binding port 53 takes root).
func NewServerOn(role Role, zones *Zones, addr string) (*Server, error) {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil || !ap.Addr().IsLoopback() {
		return nil, fmt.Errorf("listen on %q: want a loopback address and port", addr)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen tcp: %w", err)
	}
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		_ = l.Close()
		return nil, fmt.Errorf("listen udp: %w", err)
	}
	// A server that many checks at once ask (a load test) needs a larger
	// receive buffer than the default, as real servers have, or the
	// kernel drops the queries that come while it is busy.
	if uc, ok := pc.(*net.UDPConn); ok {
		_ = uc.SetReadBuffer(serverBuffer)
		_ = uc.SetWriteBuffer(serverBuffer)
	}
	return startServer(role, zones, pc, l)
}

// startServer starts a server on pc and l.
func startServer(role Role, zones *Zones, pc net.PacketConn, l net.Listener) (*Server, error) {
	if zones == nil {
		zones = NewZones()
	}
	s := &Server{
		role:     role,
		zones:    zones,
		closing:  make(chan struct{}),
		negative: make(map[string]time.Time),
	}
	s.addr = l.Addr().String()
	pc = stampArrivals(pc)
	s.arrivals, _ = pc.(*arrivals)
	s.udp = &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(s.serve)}
	s.tcp = &dns.Server{Listener: l, Handler: dns.HandlerFunc(s.serve)}
	if err := start(s.udp); err != nil {
		_ = pc.Close()
		_ = l.Close()
		return nil, fmt.Errorf("start udp server: %w", err)
	}
	if err := start(s.tcp); err != nil {
		_ = s.udp.Shutdown()
		_ = l.Close()
		return nil, fmt.Errorf("start tcp server: %w", err)
	}
	return s, nil
}

// NewServerZones starts a server with the given role answering from the
// zone texts (see Zone).
func NewServerZones(role Role, zoneTexts ...string) (*Server, error) {
	zones := NewZones()
	for _, text := range zoneTexts {
		if err := zones.AddZone(text); err != nil {
			return nil, err
		}
	}
	return NewServer(role, zones)
}

// listen opens a TCP listener and a UDP socket on the same loopback port.
func listen() (net.PacketConn, net.Listener, error) {
	var lastErr error
	for range 10 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, nil, fmt.Errorf("listen tcp: %w", err)
		}
		pc, err := net.ListenPacket("udp", l.Addr().String())
		if err == nil {
			return pc, l, nil
		}
		// The port is taken for UDP; try another.
		lastErr = err
		_ = l.Close()
	}
	return nil, nil, fmt.Errorf("listen udp: %w", lastErr)
}

// start runs srv and returns once it serves, or with the error that stopped
// it from starting.
func start(srv *dns.Server) error {
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	failed := make(chan error, 1)
	go func() { failed <- srv.ActivateAndServe() }()
	select {
	case <-started:
		return nil
	case err := <-failed:
		if err == nil {
			err = errors.New("server stopped at once")
		}
		return err
	}
}

// Addr is the server's "127.0.0.1:port", for UDP and TCP alike.
func (s *Server) Addr() string { return s.addr }

// Role is how the server answers.
func (s *Server) Role() Role { return s.role }

// Zones is the data the server answers from; changes to it show at once.
func (s *Server) Zones() *Zones { return s.zones }

// Close stops the server; replies held back by a Delay are never sent.
// Closing twice is harmless.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		close(s.closing)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.closeErr = errors.Join(s.udp.ShutdownContext(ctx), s.tcp.ShutdownContext(ctx))
	})
	return s.closeErr
}

// SetFault sets what the server does wrong from now on; Fault{} heals it.
func (s *Server) SetFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = f
}

// Fault returns the server's current fault.
func (s *Server) Fault() Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fault
}

// SetMinimalResponses drops the additional section from replies (the
// nameservers' addresses after an NS answer), as resolvers configured with
// "minimal-responses" do; the asker must then resolve them itself.
func (s *Server) SetMinimalResponses(minimal bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.minimal = minimal
}

// CacheNXDomain makes a Resolver answer NXDOMAIN for name, whatever its
// zones hold, as a resolver that cached "no such name" before the record was
// published: the authority SOA's TTL is the cache's remaining time. It has
// no effect on an Authoritative server.
func (s *Server) CacheNXDomain(name string, remaining time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.negative[dns.CanonicalName(name)] = time.Now().Add(remaining)
}

// SetNegativeCaching makes a Resolver remember every NXDOMAIN it answers, as
// real resolvers do (RFC 2308 §5): for the zone's negative TTL (the lesser
// of the SOA's TTL and MINIMUM), but at most max, it keeps answering
// NXDOMAIN for the name even after the record is published, with the
// remaining time as the authority SOA's TTL. Zero turns it off (names
// already cached stay until they expire).
func (s *Server) SetNegativeCaching(max time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.negCache = max
}

// cachedNXDomainLocked returns the remaining time, in whole seconds rounded up,
// of a cached NXDOMAIN for name; expired entries are dropped.
func (s *Server) cachedNXDomainLocked(name string, now time.Time) (uint32, bool) {
	exp, ok := s.negative[name]
	if !ok {
		return 0, false
	}
	left := exp.Sub(now)
	if left <= 0 {
		delete(s.negative, name)
		return 0, false
	}
	return uint32((left + time.Second - 1) / time.Second), true
}

// rememberNXDomain caches the NXDOMAIN just answered for name, when
// negative caching is on.
func (s *Server) rememberNXDomain(name string, ns []dns.RR) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.negCache <= 0 {
		return
	}
	ttl := s.negCache
	for _, rr := range ns {
		if soa, ok := rr.(*dns.SOA); ok {
			ttl = min(ttl, time.Duration(min(soa.Hdr.Ttl, soa.Minttl))*time.Second)
		}
	}
	if _, cached := s.negative[name]; !cached && ttl > 0 {
		s.negative[name] = time.Now().Add(ttl)
	}
}

// AlsoFrom makes a Resolver answer from more zones too, those of servers
// that serve zones its own data delegates (a child zone on servers of its
// own): for each name the set with the deepest zone answers.
func (s *Server) AlsoFrom(zones *Zones) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.also = append(s.also, zones)
}

// zonesFor returns the zones that answer name: of the server's own and
// those given with AlsoFrom, the set with the deepest zone holding name.
func (s *Server) zonesFor(name string) *Zones {
	s.mu.Lock()
	sets := append([]*Zones{s.zones}, s.also...)
	s.mu.Unlock()
	best, depth := s.zones, -1
	for _, z := range sets {
		if d := z.depth(name); d > depth {
			best, depth = z, d
		}
	}
	return best
}

// ForgetNXDomain drops a cached NXDOMAIN set by CacheNXDomain.
func (s *Server) ForgetNXDomain(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.negative, dns.CanonicalName(name))
}

// Queries returns every query the server received, in order.
func (s *Server) Queries() []Query {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Query(nil), s.queries...)
}

// Count returns how many queries for name and qtype the server received
// over transport ("udp", "tcp", or "" for both).
func (s *Server) Count(name string, qtype uint16, transport string) int {
	name = dns.CanonicalName(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, q := range s.queries {
		if q.Name == name && q.Type == qtype && (transport == "" || q.Transport == transport) {
			n++
		}
	}
	return n
}

// ResetQueries forgets the queries received so far.
func (s *Server) ResetQueries() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queries = nil
}
