package steps

import (
	"fmt"
	"net/netip"
)

// Warnings lists problems that do not stop a check: private, loopback or
// documentation-range IPs. Tests and the demo ignore them.
func (c Config) Warnings() []FieldError {
	var out []FieldError
	for _, ip := range c.IPs {
		if why := notPublic(ip); why != "" {
			out = append(out, FieldError{Field: "ip", Problem: fmt.Sprintf("%s is %s; mail servers elsewhere cannot reach it, so give the server's public address", ip, why)})
		}
	}
	return out
}

// notPublic says why ip is not a public address, or "" when it is.
func notPublic(ip netip.Addr) string {
	ip = ip.Unmap()
	switch {
	case ip.IsLoopback():
		return "a loopback address"
	case ip.IsPrivate():
		return "a private address"
	case ip.IsLinkLocalUnicast():
		return "a link-local address"
	case netip.MustParsePrefix("100.64.0.0/10").Contains(ip): // RFC 6598
		return "a carrier-grade NAT address"
	}
	// RFC 5737 and RFC 3849: documentation ranges.
	for _, r := range []string{"192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32"} {
		if netip.MustParsePrefix(r).Contains(ip) {
			return "a documentation address (" + r + ")"
		}
	}
	return ""
}
