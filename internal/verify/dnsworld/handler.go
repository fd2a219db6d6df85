package dnsworld

import (
	"net"
	"time"

	"github.com/miekg/dns"
)

// serve answers one query: it records it, applies the fault, and answers
// from the zones according to the server's role.
func (s *Server) serve(w dns.ResponseWriter, req *dns.Msg) {
	if len(req.Question) != 1 {
		_ = w.WriteMsg(new(dns.Msg).SetRcode(req, dns.RcodeFormatError))
		return
	}
	q := req.Question[0]
	name := dns.CanonicalName(q.Name)
	transport := "udp"
	if _, ok := w.RemoteAddr().(*net.TCPAddr); ok {
		transport = "tcp"
	}
	at := time.Now()
	if transport == "udp" && s.arrivals != nil {
		at = s.arrivals.arrived(w.RemoteAddr(), req.Id)
	}
	var edns uint16
	do := false
	if opt := req.IsEdns0(); opt != nil {
		edns, do = opt.UDPSize(), opt.Do()
	}

	s.mu.Lock()
	s.queries = append(s.queries, Query{Name: name, Type: q.Qtype, Transport: transport, RD: req.RecursionDesired, EDNS: edns, DO: do, CD: req.CheckingDisabled, At: at})
	fault, minimal := s.fault, s.minimal
	negTTL, cachedNeg := s.cachedNXDomainLocked(name, time.Now())
	s.mu.Unlock()

	// A delay counts from the query's arrival, as a network's latency
	// would.
	if wait := fault.Delay - time.Since(at); fault.Delay > 0 && wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-s.closing:
			t.Stop()
			return
		}
	}
	if fault.Drop || (fault.DropEDNS && edns > 0) {
		return
	}

	m := new(dns.Msg).SetReply(req)
	switch {
	case fault.FormErrEDNS && edns > 0:
		m.Rcode = dns.RcodeFormatError
		edns = 0 // a server that does not know EDNS0 does not send it
	case fault.Rcode != dns.RcodeSuccess:
		m.Rcode = fault.Rcode
	case s.role == Resolver:
		s.answerRecursive(m, name, q.Qtype, cachedNeg, negTTL)
		if zones := s.zonesFor(name); !fault.Unsigned {
			zones.addKeys(m, name, q.Qtype)
			if do {
				zones.signed(m)
				m.AuthenticatedData = zones.secure(name, m.Answer)
			}
		}
	default:
		s.answerAuthoritative(m, name, q.Qtype, fault.NoAA)
		if !fault.Unsigned {
			s.zones.addKeys(m, name, q.Qtype)
			if do {
				s.zones.signed(m)
			}
		}
	}
	if minimal {
		m.Extra = nil
	}
	if edns > 0 {
		m.SetEdns0(1232, do)
	}
	if transport == "udp" {
		size := max(edns, dns.MinMsgSize)
		if fault.Truncate {
			m.Answer, m.Ns, m.Extra = nil, nil, nil
			m.Truncated = true
			if edns > 0 {
				m.SetEdns0(1232, false)
			}
		} else {
			m.Truncate(int(size))
		}
	} else {
		// A message over 64 KiB (a hostile NS set with its glue) cannot
		// go whole even over TCP: servers leave out what does not fit.
		m.Truncate(dns.MaxMsgSize)
	}
	_ = w.WriteMsg(m)
}

// answerAuthoritative fills m as an authoritative server: AA for names in
// its zones (unless lame), REFUSED for the rest.
func (s *Server) answerAuthoritative(m *dns.Msg, name string, qtype uint16, lame bool) {
	res := s.zones.lookup(name, qtype, false)
	if !res.inZone {
		m.Rcode = dns.RcodeRefused
		return
	}
	m.Authoritative = !lame && !res.referral
	m.Rcode = res.rcode
	m.Answer, m.Ns, m.Extra = res.answer, res.ns, res.extra
}

// answerRecursive fills m as a recursive resolver: RA, no AA, and a cached
// NXDOMAIN wins over the data.
func (s *Server) answerRecursive(m *dns.Msg, name string, qtype uint16, cachedNeg bool, negTTL uint32) {
	m.RecursionAvailable = true
	if cachedNeg {
		m.Rcode = dns.RcodeNameError
		if soa := s.zones.soaFor(name); soa != nil {
			soa.Hdr.Ttl = negTTL
			m.Ns = []dns.RR{soa}
		}
		return
	}
	res := s.zonesFor(name).lookup(name, qtype, true)
	m.Rcode = res.rcode
	m.Answer, m.Ns, m.Extra = res.answer, res.ns, res.extra
	if res.rcode == dns.RcodeNameError {
		s.rememberNXDomain(name, res.ns)
	}
}

// soaFor returns a copy of the SOA of the zone that holds name, or nil.
func (z *Zones) soaFor(name string) *dns.SOA {
	z.mu.RLock()
	defer z.mu.RUnlock()
	zn := z.enclosingLocked(name)
	if zn == nil {
		return nil
	}
	return dns.Copy(zn.soa).(*dns.SOA)
}
