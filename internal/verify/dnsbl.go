package verify

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/miekg/dns"
)

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

// String names the verdict: "not listed", "listed", "refused", "unknown".
func (l Listing) String() string {
	switch l {
	case NotListed:
		return "not listed"
	case Listed:
		return "listed"
	case Refused:
		return "refused"
	default:
		return "unknown"
	}
}

// BlocklistQuestions returns the questions that look ip up in the DNSBL
// zone: the A question (the verdict) and the TXT question (the reason), both
// Recursive, with the RFC 5782 reversed name (nibbles for IPv6).
// An IPv4-mapped IPv6 address is looked up as IPv4. An invalid ip gives
// questions for an invalid name, whose answers carry the error.
func BlocklistQuestions(ip netip.Addr, zone string) (a, txt Question) {
	name := blocklistName(ip, zone)
	return RQ(name, dns.TypeA), RQ(name, dns.TypeTXT)
}

// blocklistName is ip reversed under zone (RFC 5782 §2.1, §2.4):
// "2.0.0.127.zen.example." or 32 nibbles for IPv6 — the reverse-DNS name
// with the zone in place of in-addr.arpa. or ip6.arpa.
func blocklistName(ip netip.Addr, zone string) string {
	rev, err := dns.ReverseAddr(ip.Unmap().String())
	if err != nil {
		// No address: an empty label makes the name invalid.
		return "." + CanonicalName(zone)
	}
	for _, suffix := range []string{"in-addr.arpa.", "ip6.arpa."} {
		if base, ok := strings.CutSuffix(rev, suffix); ok {
			return base + CanonicalName(zone)
		}
	}
	return "." + CanonicalName(zone)
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
//
// NXDOMAIN (or NOERROR without an A record) is NotListed; any code in
// 127.255.255.0/24 is Refused, whatever else came with it; other codes in
// 127.0.0.0/8 are Listed; a code outside 127.0.0.0/8 (a resolver that
// rewrites NXDOMAIN to an advertising server) or a failed lookup is
// Unknown. The reason is the TXT strings of all records, joined by "; ".
func Blocklist(known Answers, ip netip.Addr, zone string) BlocklistResult {
	res := BlocklistResult{Zone: CanonicalName(zone), IP: ip, Listing: Unknown}
	aq, txtq := BlocklistQuestions(ip, zone)
	ans, ok := known.Get(aq)
	if !ok {
		res.Err = fmt.Errorf("%s was not asked", aq)
		return res
	}
	obs, err := blocklistObservation(ans)
	if err != nil {
		res.Err = err
		return res
	}
	if obs.NXDomain() {
		res.Listing = NotListed
		return res
	}
	for _, rr := range obs.Answer {
		if a, ok := rr.(*dns.A); ok {
			if code, ok := netip.AddrFromSlice(a.A); ok {
				res.Codes = append(res.Codes, code.Unmap())
			}
		}
	}
	slices.SortFunc(res.Codes, netip.Addr.Compare)
	res.Codes = slices.Compact(res.Codes)
	res.Listing = verdict(res.Codes)
	if res.Listing == Unknown {
		codes := make([]string, len(res.Codes))
		for i, c := range res.Codes {
			codes[i] = c.String()
		}
		res.Err = fmt.Errorf("%s: %s returned %s, outside 127.0.0.0/8", aq, res.Zone, strings.Join(codes, ", "))
		return res
	}
	if res.Listing == NotListed {
		return res
	}
	if txt, ok := known.Get(txtq); ok {
		if obs, err := blocklistObservation(txt); err == nil {
			res.Reason = reason(obs)
		}
	}
	return res
}

// blocklistObservation is the resolver's usable observation in ans.
func blocklistObservation(ans Answer) (Observation, error) {
	switch {
	case ans.Err != nil:
		return Observation{}, ans.Err
	case len(ans.Servers) == 0:
		return Observation{}, errors.New(ans.Question.String() + ": no observation")
	case ans.Servers[0].Err != nil:
		return Observation{}, ans.Servers[0].Err
	}
	return ans.Servers[0], nil
}

// verdict reads the return codes.
func verdict(codes []netip.Addr) Listing {
	if len(codes) == 0 {
		return NotListed
	}
	// RFC 5782 §2.1: codes are in 127.0.0.0/8; the lists use
	// 127.255.255.0/24 to say they refused to answer.
	listedRange := netip.PrefixFrom(netip.AddrFrom4([4]byte{127, 0, 0, 0}), 8)
	refusedRange := netip.PrefixFrom(netip.AddrFrom4([4]byte{127, 255, 255, 0}), 24)
	listing := Listed
	for _, c := range codes {
		switch {
		case refusedRange.Contains(c):
			return Refused
		case !listedRange.Contains(c):
			listing = Unknown
		}
	}
	return listing
}

// reason joins the TXT records of an observation.
func reason(obs Observation) string {
	var parts []string
	for _, rr := range obs.Answer {
		if t, ok := rr.(*dns.TXT); ok {
			parts = append(parts, strings.Join(t.Txt, ""))
		}
	}
	return strings.Join(parts, "; ")
}
