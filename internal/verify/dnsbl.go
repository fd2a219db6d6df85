package verify

// CONTRACT STUB: the verify helper replaces the bodies.

import "net/netip"

// Listing is a blocklist's verdict on one IP.
type Listing int

const (
	// NotListed: the list answered NXDOMAIN.
	NotListed Listing = iota
	// Listed: the list returned an address in 127.0.0.0/8 outside
	// 127.255.255.0/24.
	Listed
	// Refused: the list returned 127.255.255.x, which means it refused to
	// answer (Spamhaus: query through a public resolver, rate limit, …).
	Refused
	// Unknown: the lookup failed (timeout, SERVFAIL, …) or was not made.
	Unknown
)

// BlocklistQuestions returns the questions that look ip up in the DNSBL
// zone: the A question (the verdict) and the TXT question (the reason), both
// Recursive, with the RFC 5782 reversed name (nibbles for IPv6).
func BlocklistQuestions(ip netip.Addr, zone string) (a, txt Question) {
	return Question{}, Question{}
}

// BlocklistResult is the verdict of one list on one IP.
type BlocklistResult struct {
	Zone    string
	IP      netip.Addr
	Listing Listing
	// Codes are the returned 127.x addresses.
	Codes []netip.Addr
	// Reason is the list's TXT text, if any.
	Reason string
	// Err says why the lookup failed, for Unknown.
	Err error
}

// Blocklist reads the verdict of zone on ip from the answers of a round
// that asked BlocklistQuestions(ip, zone).
func Blocklist(known Answers, ip netip.Addr, zone string) BlocklistResult {
	return BlocklistResult{Zone: zone, IP: ip, Listing: Unknown}
}
