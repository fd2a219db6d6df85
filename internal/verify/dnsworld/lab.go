package dnsworld

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
)

// unreachable is where MapAddr sends addresses the lab does not know: a
// closed loopback port, so that nothing ever leaves the machine and the
// asker gets "connection refused" at once.
const unreachable = "127.0.0.1:1"

// maxServers bounds LabConfig.Servers so that every nameserver gets its own
// documentation address.
const maxServers = 200

// LabConfig describes a Lab.
type LabConfig struct {
	// Zones are zone texts (see Zone). Every authoritative server serves
	// every zone; the NS records at each apex are replaced by the lab's
	// nameservers.
	Zones []string
	// Servers is the number of authoritative servers; default 2.
	Servers int
	// NSDomain is the domain of the nameservers' names, ns1.<NSDomain>,
	// ns2.<NSDomain>, …; default "example.net.". Their A (and AAAA)
	// records go into the zone of Zones that holds them, or into a zone
	// NSDomain made for them.
	NSDomain string
	// IPv6 gives each nameserver an AAAA record besides its A record, so
	// that each server is asked on both addresses.
	IPv6 bool
	// MinimalResponses makes the resolver leave the nameservers' addresses
	// out of NS answers (no glue): the engine must resolve them.
	MinimalResponses bool
}

// Lab is a whole DNS world on loopback: authoritative servers for some
// zones, named ns1.<NSDomain>, ns2.<NSDomain>, … at documentation addresses
// (192.0.2.53 and 2001:db8::53, 192.0.2.54 and 2001:db8::54, …), and a
// recursive resolver that knows them all. Point the engine at it with
// Options (or Resolver.Addr and MapAddr).
//
// Each server has its own copy of the zones, so records can be published on
// one server before the other (Servers[i].Zones().Add) or on all at once
// (Add). The resolver answers from the first server's zones: it sees what
// ns1 serves, at once, unless told to keep a cached NXDOMAIN
// (Resolver.CacheNXDomain). Faults are set per server (SetFault); a fault
// on a server does not touch the resolver.
type Lab struct {
	// Servers are the authoritative servers; Servers[i] is Nameservers[i].
	Servers []*Server
	// Resolver is the recursive resolver.
	Resolver *Server
	// Nameservers are the servers' names and real (documentation)
	// addresses, as the resolver reports them.
	Nameservers []verify.Nameserver

	byAddr map[netip.Addr]*Server
	// extra are servers started by ServeParent, ServeChild and
	// BlockDirect.
	extra []*Server

	mu sync.Mutex
	// middlebox, when set, gets every query to a nameserver address.
	middlebox *Server
}

// Interception is how a network treats DNS queries to outside servers.
type Interception int

// Ways a network blocks direct DNS (BlockDirect).
const (
	// DropDirect drops every query to a nameserver: it times out.
	DropDirect Interception = iota
	// InterceptDirect answers every query to a nameserver itself, as a
	// resolver would: RA set, no AA bit, NXDOMAIN for every name.
	InterceptDirect
)

// NewLab builds and starts a lab. Close it when done.
func NewLab(cfg LabConfig) (*Lab, error) {
	if cfg.Servers == 0 {
		cfg.Servers = 2
	}
	if cfg.Servers < 1 || cfg.Servers > maxServers {
		return nil, fmt.Errorf("lab servers %d: want 1 to %d", cfg.Servers, maxServers)
	}
	if cfg.NSDomain == "" {
		cfg.NSDomain = "example.net."
	}
	nsDomain := dns.CanonicalName(cfg.NSDomain)
	if _, ok := dns.IsDomainName(nsDomain); !ok {
		return nil, fmt.Errorf("lab nameserver domain %q: not a domain name", cfg.NSDomain)
	}

	zones := NewZones()
	for i, text := range cfg.Zones {
		if err := zones.AddZone(text); err != nil {
			return nil, fmt.Errorf("lab zone %d: %w", i+1, err)
		}
	}
	l := &Lab{byAddr: make(map[netip.Addr]*Server)}
	for i := range cfg.Servers {
		ns := verify.Nameserver{
			Name:  fmt.Sprintf("ns%d.%s", i+1, nsDomain),
			Addrs: []netip.Addr{netip.AddrFrom4([4]byte{192, 0, 2, byte(53 + i)})},
		}
		if cfg.IPv6 {
			ns.Addrs = append(ns.Addrs, netip.MustParseAddr(fmt.Sprintf("2001:db8::%d", 53+i)))
		}
		l.Nameservers = append(l.Nameservers, ns)
	}
	if err := l.delegate(zones, nsDomain); err != nil {
		return nil, err
	}

	for i := range cfg.Servers {
		srv, err := NewServer(Authoritative, zones.Clone())
		if err != nil {
			return nil, errors.Join(err, l.Close())
		}
		l.Servers = append(l.Servers, srv)
		for _, a := range l.Nameservers[i].Addrs {
			l.byAddr[a] = srv
		}
	}
	res, err := NewServer(Resolver, l.Servers[0].Zones())
	if err != nil {
		return nil, errors.Join(err, l.Close())
	}
	res.SetMinimalResponses(cfg.MinimalResponses)
	l.Resolver = res
	return l, nil
}

// delegate points every zone at the lab's nameservers and publishes their
// addresses.
func (l *Lab) delegate(zones *Zones, nsDomain string) error {
	var rrs []string
	for _, apex := range zones.Apexes() {
		zones.RemoveRRset(apex, dns.TypeNS)
		for _, ns := range l.Nameservers {
			rrs = append(rrs, fmt.Sprintf("%s 3600 IN NS %s", apex, ns.Name))
		}
	}
	if zones.soaFor(l.Nameservers[0].Name) == nil {
		if err := zones.AddZone(Zone(nsDomain)); err != nil {
			return fmt.Errorf("lab nameserver zone: %w", err)
		}
		for _, ns := range l.Nameservers {
			rrs = append(rrs, fmt.Sprintf("%s 3600 IN NS %s", nsDomain, ns.Name))
		}
	}
	for _, ns := range l.Nameservers {
		for _, a := range ns.Addrs {
			typ := "A"
			if a.Is6() {
				typ = "AAAA"
			}
			rrs = append(rrs, fmt.Sprintf("%s 3600 IN %s %s", ns.Name, typ, a))
		}
	}
	if err := zones.Add(rrs...); err != nil {
		return fmt.Errorf("lab delegation: %w", err)
	}
	return nil
}

// MapAddr maps a nameserver's real address ("192.0.2.53:53",
// "[2001:db8::53]:53") to the loopback address of the lab server behind it,
// for verify.Options.MapAddr. Addresses the lab does not know go to a closed
// loopback port, so nothing leaves the machine.
func (l *Lab) MapAddr(addr string) string {
	l.mu.Lock()
	box := l.middlebox
	l.mu.Unlock()
	if box != nil {
		return box.Addr()
	}
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return unreachable
	}
	srv, ok := l.byAddr[ap.Addr().Unmap()]
	if !ok {
		return unreachable
	}
	return srv.Addr()
}

// Route sends the queries for the given real addresses to srv (one of the
// lab's servers, or one started apart and closed by the caller), so that
// many nameserver names and addresses can be served by one server.
func (l *Lab) Route(srv *Server, addrs ...netip.Addr) {
	for _, a := range addrs {
		l.byAddr[a.Unmap()] = srv
	}
}

// BlockDirect makes the lab a network that does not let DNS queries reach
// outside servers: every query to a nameserver's address is dropped or
// answered by a middlebox (see Interception). The lab's resolver is
// reached as before.
func (l *Lab) BlockDirect(how Interception) error {
	box, err := NewServer(Resolver, nil)
	if err != nil {
		return fmt.Errorf("lab middlebox: %w", err)
	}
	if how == DropDirect {
		box.SetFault(Fault{Drop: true})
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.extra = append(l.extra, box)
	l.middlebox = box
	return nil
}

// ServeParent starts a server for the zone above child (one of the lab's
// zones: "com." above "example.com."), at 192.0.2.250, named
// a.parent.<its apex>, that delegates child to the nameservers named
// (the lab's own when none are). The resolver learns the parent zone's
// servers; the lab's servers keep answering for child. It returns the
// server, closed with the lab.
func (l *Lab) ServeParent(child string, ns ...string) (*Server, error) {
	child = dns.CanonicalName(child)
	i, end := dns.NextLabel(child, 0)
	if end || child == "." {
		return nil, fmt.Errorf("lab parent of %q: not a zone below the root", child)
	}
	parent := child[i:]
	if len(ns) == 0 {
		for _, n := range l.Nameservers {
			ns = append(ns, n.Name)
		}
	}
	name := "a.parent." + parent
	if parent == "." {
		name = "a.parent."
	}
	addr := netip.AddrFrom4([4]byte{192, 0, 2, 250})
	top := []string{
		fmt.Sprintf("%s 3600 IN NS %s", parent, name),
		fmt.Sprintf("%s 3600 IN A %s", name, addr),
	}
	rrs := append([]string(nil), top...)
	for _, n := range ns {
		rrs = append(rrs, fmt.Sprintf("%s 3600 IN NS %s", child, dns.CanonicalName(n)))
	}
	srv, err := NewServerZones(Authoritative, Zone(parent))
	if err != nil {
		return nil, fmt.Errorf("lab parent %s: %w", parent, err)
	}
	l.extra = append(l.extra, srv)
	if err := srv.Zones().Add(rrs...); err != nil {
		return nil, fmt.Errorf("lab parent %s: %w", parent, err)
	}
	// The resolver finds the parent's servers: a zone of its own with
	// only the parent's NS records and their address.
	if err := l.Resolver.Zones().AddZone(Zone(parent)); err != nil {
		return nil, fmt.Errorf("lab parent %s: %w", parent, err)
	}
	if err := l.Resolver.Zones().Add(top...); err != nil {
		return nil, fmt.Errorf("lab parent %s: %w", parent, err)
	}
	l.Route(srv, addr)
	return srv, nil
}

// ServeChild starts a server for a zone delegated from one of the lab's
// zones (zoneText, see Zone: "_domainkey.example.com."), named
// ns.<child apex> at the address given: the lab's servers refer to it, the
// resolver answers from it. It returns the server, closed with the lab.
func (l *Lab) ServeChild(zoneText string, addr netip.Addr) (*Server, error) {
	zones := NewZones()
	if err := zones.AddZone(zoneText); err != nil {
		return nil, fmt.Errorf("lab child zone: %w", err)
	}
	apexes := zones.Apexes()
	if len(apexes) != 1 {
		return nil, fmt.Errorf("lab child zone: %d zones, want one", len(apexes))
	}
	apex := apexes[0]
	name := "ns." + apex
	typ := "A"
	if addr.Is6() {
		typ = "AAAA"
	}
	zones.RemoveRRset(apex, dns.TypeNS)
	own := []string{fmt.Sprintf("%s 3600 IN NS %s", apex, name), fmt.Sprintf("%s 3600 IN %s %s", name, typ, addr)}
	if err := zones.Add(own...); err != nil {
		return nil, fmt.Errorf("lab child zone %s: %w", apex, err)
	}
	srv, err := NewServer(Authoritative, zones)
	if err != nil {
		return nil, fmt.Errorf("lab child zone %s: %w", apex, err)
	}
	l.extra = append(l.extra, srv)
	// The delegation, with glue, in the parent on every lab server.
	if err := l.Add(own...); err != nil {
		return nil, fmt.Errorf("lab delegation of %s: %w", apex, err)
	}
	l.Resolver.AlsoFrom(zones)
	l.Route(srv, addr)
	return srv, nil
}

// Options returns engine options pointing at the lab: its resolver and its
// address mapping. Adjust the rest (Timeout, SecondOpinion) as needed.
func (l *Lab) Options() verify.Options {
	return verify.Options{Resolver: l.Resolver.Addr(), MapAddr: l.MapAddr}
}

// Add adds records (presentation format, absolute owners) on every server.
func (l *Lab) Add(rrs ...string) error {
	for _, srv := range l.Servers {
		if err := srv.Zones().Add(rrs...); err != nil {
			return err
		}
	}
	return nil
}

// RemoveRRset removes the records of type qtype owned by name on every
// server.
func (l *Lab) RemoveRRset(name string, qtype uint16) {
	for _, srv := range l.Servers {
		srv.Zones().RemoveRRset(name, qtype)
	}
}

// Sign makes the zone at apex signed by signer on every authoritative
// server, and so for the resolver (see Zones.Sign); nil unsigns it.
func (l *Lab) Sign(apex string, signer *ZoneSigner) {
	for _, srv := range l.Servers {
		srv.Zones().Sign(apex, signer)
	}
}

// SetFault sets the same fault on every authoritative server.
func (l *Lab) SetFault(f Fault) {
	for _, srv := range l.Servers {
		srv.SetFault(f)
	}
}

// String describes the lab: each nameserver, its addresses and the loopback
// address it answers on.
func (l *Lab) String() string {
	var b strings.Builder
	for i, ns := range l.Nameservers {
		if i < len(l.Servers) {
			fmt.Fprintf(&b, "%s %v at %s\n", ns.Name, ns.Addrs, l.Servers[i].Addr())
		}
	}
	if l.Resolver != nil {
		fmt.Fprintf(&b, "resolver at %s\n", l.Resolver.Addr())
	}
	return b.String()
}

// Close stops every server of the lab.
func (l *Lab) Close() error {
	var errs []error
	for _, srv := range append(l.Servers, l.extra...) {
		errs = append(errs, srv.Close())
	}
	if l.Resolver != nil {
		errs = append(errs, l.Resolver.Close())
	}
	return errors.Join(errs...)
}
