package verify

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"

	"github.com/miekg/dns"
	"golang.org/x/net/publicsuffix"
)

// Zone is a discovered zone.
type Zone struct {
	// Name is the apex, "example.com.".
	Name string
	// Servers are the zone's nameservers, in a stable order (by name): at
	// most Options.MaxNameservers of them.
	Servers []Nameserver
	// Omitted names the nameservers beyond Options.MaxNameservers, in the
	// same order: they are not asked, and their addresses are not looked up.
	Omitted []string
}

// Nameserver is one of a zone's nameservers.
type Nameserver struct {
	Name string // "ns1.example.net."
	// Addrs are its addresses, IPv4 first, sorted.
	Addrs []netip.Addr
	// Err says why Addrs is empty: its address could not be resolved.
	Err error
}

// zoneResult is the outcome of one discovery.
type zoneResult struct {
	zone Zone
	err  error
}

// serversResult is the outcome of resolving one zone's nameservers.
type serversResult struct {
	servers []Nameserver
	omitted []string
	err     error
}

// Zone finds the zone that holds name: its apex and its nameservers with
// their addresses. Discovery goes through the recursive resolver and is
// done once per name and round; concurrent callers share it.
//
// It asks the resolver, all at once, for the NS records of every suffix of
// name from the registrable domain down ("example.com.",
// "_dmarc.example.com."; for a reverse name the /8, /16, /24 and /32 labels,
// or every nibble below ip6.arpa.): the deepest suffix with NS records is
// the zone. Then it takes the nameservers' addresses from the additional
// section of that reply (glue), or asks the resolver for A and AAAA. A zone
// above the registrable domain is found from the SOA of the negative
// replies, at the cost of one more question.
func (r *Round) Zone(ctx context.Context, name string) (Zone, error) {
	name = CanonicalName(name)
	res, ok := r.zones.do(ctx, name, func() zoneResult {
		z, err := r.discover(ctx, name, zoneChain(name))
		if err == nil {
			r.learn(z)
		}
		return zoneResult{zone: z, err: err}
	})
	if !ok {
		return Zone{}, fmt.Errorf("find the zone of %s: %w", name, ctx.Err())
	}
	return res.zone, res.err
}

// discover finds the zone of name from the NS records of the names of
// chain (suffixes of name, the shallowest first) at the resolver.
func (r *Round) discover(ctx context.Context, name string, chain []string) (Zone, error) {
	replies := make([]reply, len(chain))
	var wg sync.WaitGroup
	for i, suffix := range chain {
		wg.Go(func() { replies[i] = r.resolve(ctx, suffix, dns.TypeNS) })
	}
	wg.Wait()

	apex, nsReply := deepestNS(chain, replies)
	if apex == "" {
		if err := r.discoveryFailure(ctx, name, chain, replies); err != nil {
			return Zone{}, err
		}
		// Above the registrable domain: the negative replies' SOA names
		// the zone.
		apex = deepestSOA(name, replies)
		if apex == "" || slices.Contains(chain, apex) {
			return Zone{}, fmt.Errorf("find the zone of %s: no NS records at %s", name, strings.Join(chain, ", "))
		}
		rep := r.resolve(ctx, apex, dns.TypeNS)
		if rep.err != nil {
			return Zone{}, fmt.Errorf("find the zone of %s: %w", name, r.resolverFailure(ctx, apex, dns.TypeNS, rep))
		}
		if !hasNS(rep.msg, apex) {
			return Zone{}, fmt.Errorf("find the zone of %s: zone %s has no NS records", name, apex)
		}
		nsReply = rep.msg
	}

	res, ok := r.servers.do(ctx, apex, func() serversResult {
		return r.nameservers(ctx, apex, nsReply)
	})
	if !ok {
		return Zone{}, fmt.Errorf("find the nameservers of %s: %w", apex, ctx.Err())
	}
	return Zone{Name: apex, Servers: res.servers, Omitted: res.omitted}, res.err
}

// discoveryFailure returns the error that explains why no suffix had NS
// records, if it is a failure: the resolver not answering at all, or
// failing for every suffix. It returns nil when the replies are usable.
func (r *Round) discoveryFailure(ctx context.Context, name string, chain []string, replies []reply) error {
	failed := 0
	var first error
	for i, rep := range replies {
		if err := r.resolverFailure(ctx, chain[i], dns.TypeNS, rep); err != nil {
			failed++
			if first == nil {
				first = err
			}
		}
	}
	if failed < len(replies) {
		return nil
	}
	if _, ok := first.(*ResolverError); ok {
		return first
	}
	return fmt.Errorf("find the zone of %s: %w", name, first)
}

// resolverFailure is the error of a reply from the resolver that cannot be
// used: no reply (a *ResolverError, unless the context ended) or an rcode
// other than NOERROR and NXDOMAIN. It is nil for a usable reply.
func (r *Round) resolverFailure(ctx context.Context, name string, qtype uint16, rep reply) error {
	obs, err := r.fromResolver(ctx, Question{Name: name, Type: qtype, Via: Recursive}, rep)
	if err != nil {
		return err
	}
	return obs.Err
}

// resolve asks the resolver (with the CD bit, see resolverAt).
func (r *Round) resolve(ctx context.Context, name string, qtype uint16) reply {
	return r.exchange(ctx, resolverAt(r.e.set.resolver), name, qtype, false)
}

// zoneChain returns the suffixes of name where its zone may start, from the
// shallowest to name itself: from the registrable domain (publicsuffix),
// or from a private public suffix ("blogspot.com.") since its owner runs
// that zone, or name alone when it is a public suffix itself.
func zoneChain(name string) []string {
	labels := dns.SplitDomainName(name)
	if len(labels) == 0 {
		return []string{"."}
	}
	bare := strings.TrimSuffix(name, ".")
	top := len(labels) // how many labels the shallowest suffix has
	if etld1, err := publicsuffix.EffectiveTLDPlusOne(bare); err == nil {
		top = dns.CountLabel(etld1 + ".")
		if ps, icann := publicsuffix.PublicSuffix(bare); !icann && strings.Contains(ps, ".") {
			top = dns.CountLabel(ps + ".")
		}
	}
	top = min(max(top, 1), len(labels))
	chain := make([]string, 0, len(labels)-top+1)
	for n := top; n <= len(labels); n++ {
		chain = append(chain, strings.Join(labels[len(labels)-n:], ".")+".")
	}
	return chain
}

// deepestNS returns the deepest suffix whose reply holds an NS RRset owned
// by it, and that reply.
func deepestNS(chain []string, replies []reply) (string, *dns.Msg) {
	for i := len(chain) - 1; i >= 0; i-- {
		m := replies[i].msg
		if replies[i].err == nil && m.Rcode == dns.RcodeSuccess && hasNS(m, chain[i]) {
			return chain[i], m
		}
	}
	return "", nil
}

// hasNS reports whether m answers NS records owned by owner (not those of
// a CNAME's target).
func hasNS(m *dns.Msg, owner string) bool {
	return len(nsTargets(m, owner)) > 0
}

// nsTargets returns the sorted, distinct targets of the NS records owned by
// owner in m's answer.
func nsTargets(m *dns.Msg, owner string) []string {
	var out []string
	for _, rr := range m.Answer {
		if ns, ok := rr.(*dns.NS); ok && strings.EqualFold(ns.Hdr.Name, owner) {
			out = append(out, CanonicalName(ns.Ns))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// deepestSOA returns the owner of the deepest SOA in the authority section
// of a negative reply that encloses name, skipping replies that went
// through a CNAME (their SOA is the target's).
func deepestSOA(name string, replies []reply) string {
	best := ""
	for _, rep := range replies {
		if rep.err != nil || hasCNAME(rep.msg) {
			continue
		}
		for _, rr := range rep.msg.Ns {
			soa, ok := rr.(*dns.SOA)
			if !ok {
				continue
			}
			owner := CanonicalName(soa.Hdr.Name)
			if dns.IsSubDomain(owner, name) && dns.CountLabel(owner) >= dns.CountLabel(best) {
				best = owner
			}
		}
	}
	return best
}

func hasCNAME(m *dns.Msg) bool {
	return slices.ContainsFunc(m.Answer, func(rr dns.RR) bool { return rr.Header().Rrtype == dns.TypeCNAME })
}

// nameservers returns apex's nameservers with their addresses: the glue of
// the NS reply, or else A and AAAA asked of the resolver (all at once).
// Only the first Options.MaxNameservers by name are kept, with at most
// Options.MaxAddresses addresses of each family; the others are named in
// omitted.
func (r *Round) nameservers(ctx context.Context, apex string, nsReply *dns.Msg) serversResult {
	targets := nsTargets(nsReply, apex)
	var omitted []string
	if n := r.e.set.maxNameservers; len(targets) > n {
		targets, omitted = targets[:n], targets[n:]
	}
	glue := make(map[string][]netip.Addr)
	for _, rr := range nsReply.Extra {
		if a, ok := addrOf(rr); ok {
			owner := CanonicalName(rr.Header().Name)
			glue[owner] = append(glue[owner], a)
		}
	}
	servers := make([]Nameserver, len(targets))
	var wg sync.WaitGroup
	for i, name := range targets {
		servers[i] = Nameserver{Name: name, Addrs: glue[name]}
		if len(glue[name]) > 0 {
			continue
		}
		wg.Go(func() { servers[i] = r.resolveNameserver(ctx, name) })
	}
	wg.Wait()
	for i := range servers {
		servers[i].Addrs = firstAddrs(servers[i].Addrs, r.e.set.maxAddresses)
	}
	res := serversResult{servers: servers, omitted: omitted}
	if ctx.Err() != nil {
		res.err = fmt.Errorf("find the nameservers of %s: %w", apex, ctx.Err())
	}
	return res
}

// firstAddrs sorts addresses (IPv4 first), drops repeats and keeps the first
// n of each family.
func firstAddrs(addrs []netip.Addr, n int) []netip.Addr {
	slices.SortFunc(addrs, netip.Addr.Compare)
	addrs = slices.Compact(addrs)
	var out []netip.Addr
	v4, v6 := 0, 0
	for _, a := range addrs {
		switch {
		case a.Is4() && v4 < n:
			v4++
		case a.Is6() && v6 < n:
			v6++
		default:
			continue
		}
		out = append(out, a)
	}
	return out
}

// resolveNameserver asks the resolver for the A and AAAA records of a
// nameserver without glue.
func (r *Round) resolveNameserver(ctx context.Context, name string) Nameserver {
	ns := Nameserver{Name: name}
	var reps [2]reply
	var wg sync.WaitGroup
	for i, qtype := range []uint16{dns.TypeA, dns.TypeAAAA} {
		wg.Go(func() { reps[i] = r.resolve(ctx, name, qtype) })
	}
	wg.Wait()
	var errs []error
	for i, qtype := range []uint16{dns.TypeA, dns.TypeAAAA} {
		if err := r.resolverFailure(ctx, name, qtype, reps[i]); err != nil {
			errs = append(errs, err)
			continue
		}
		for _, rr := range reps[i].msg.Answer {
			if a, ok := addrOf(rr); ok {
				ns.Addrs = append(ns.Addrs, a)
			}
		}
	}
	if len(ns.Addrs) == 0 {
		if len(errs) > 0 {
			ns.Err = fmt.Errorf("resolve nameserver %s: %w", name, errs[0])
		} else {
			ns.Err = fmt.Errorf("nameserver %s has no A or AAAA record", name)
		}
	}
	return ns
}

// addrOf returns the address of an A or AAAA record.
func addrOf(rr dns.RR) (netip.Addr, bool) {
	var a netip.Addr
	var ok bool
	switch rr := rr.(type) {
	case *dns.A:
		a, ok = netip.AddrFromSlice(rr.A)
	case *dns.AAAA:
		a, ok = netip.AddrFromSlice(rr.AAAA)
	}
	return a.Unmap(), ok
}
