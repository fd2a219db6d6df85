package steps

import (
	"net/netip"
	"slices"
)

// cloudflareRanges are the addresses of Cloudflare's proxy, as published at
// https://www.cloudflare.com/ips/ (lists of 2024). A mail host that resolves
// to them has the "orange cloud" on: Cloudflare answers with its own
// addresses, and mail (port 25, IMAP, submission) does not pass through its
// proxy.
func cloudflareRanges() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"173.245.48.0/20", "103.21.244.0/22", "103.22.200.0/22", "103.31.4.0/22",
		"141.101.64.0/18", "108.162.192.0/18", "190.93.240.0/20", "188.114.96.0/20",
		"197.234.240.0/22", "198.41.128.0/17", "162.158.0.0/15", "104.16.0.0/13",
		"104.24.0.0/14", "172.64.0.0/13", "131.0.72.0/22",
		"2400:cb00::/32", "2606:4700::/32", "2803:f800::/32", "2405:b500::/32",
		"2405:8100::/32", "2a06:98c0::/29", "2c0f:f248::/32",
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}

// proxied reports whether every address is Cloudflare's proxy and none of
// them is the server's own.
func proxied(got, own []netip.Addr) bool {
	if len(got) == 0 {
		return false
	}
	ranges := cloudflareRanges()
	for _, ip := range got {
		inside := false
		for _, r := range ranges {
			inside = inside || r.Contains(ip)
		}
		if !inside || slices.Contains(own, ip) {
			return false
		}
	}
	return true
}
