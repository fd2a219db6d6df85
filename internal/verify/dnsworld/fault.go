package dnsworld

import "time"

// Fault is what a server does wrong. The zero Fault is a healthy server.
// Faults apply to every query the server receives after SetFault.
type Fault struct {
	// Delay holds every reply back this long after its query arrived
	// (also a dropped one's silence, which does not matter): a network's
	// latency, counted from the kernel's stamp on the query where there is
	// one (see arrivals).
	Delay time.Duration
	// Drop sends no reply at all: the asker times out.
	Drop bool
	// Rcode, when not zero, is the reply's rcode instead of the answer
	// (dns.RcodeServerFailure, dns.RcodeRefused, …).
	Rcode int
	// Truncate answers every UDP query with an empty reply with the TC bit
	// set; over TCP the full answer comes.
	Truncate bool
	// NoAA clears the AA bit of an authoritative server's replies: a lame
	// server.
	NoAA bool
	// FormErrEDNS answers FORMERR to every query with EDNS0, as servers
	// that do not know it do; queries without EDNS0 are answered.
	FormErrEDNS bool
	// DropEDNS drops every query with EDNS0, as some middleboxes in front
	// of servers do; queries without EDNS0 are answered.
	DropEDNS bool
	// Unsigned serves signed zones without their DNSKEY and RRSIG
	// records, as a secondary that still serves an unsigned copy does.
	Unsigned bool
}
