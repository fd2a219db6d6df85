package spf

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// Name limits (RFC 1035 §2.3.4).
const (
	maxName  = 253 // octets, without the trailing dot
	maxLabel = 63
)

// parseDomainSpec parses a domain-spec (RFC 7208 §7.1): a macro-string
// that ends in a top-level label or in a macro.
func parseDomainSpec(spec string) (macroString, *macroError) {
	if spec == "" {
		return nil, &macroError{0, "a domain name is missing"}
	}
	if ip, err := netip.ParseAddr(spec); err == nil {
		if ip.Is4() {
			return nil, &macroError{0, spec + " is an address, not a domain name: write it as ip4:" + spec}
		}
		return nil, &macroError{0, spec + " is an address, not a domain name: write it as ip6:" + spec}
	}
	m, merr := parseMacroString(spec, false)
	if merr != nil {
		return nil, merr
	}
	if last := m[len(m)-1]; last.expand {
		return m, nil
	}
	tail := strings.TrimSuffix(m[len(m)-1].literal, ".")
	dot := strings.LastIndexByte(tail, '.')
	if dot < 0 {
		return nil, &macroError{0, spec + " is not a domain name: it needs a dot and a top-level label"}
	}
	if !topLabel(tail[dot+1:]) {
		return nil, &macroError{0, spec + " does not end in a valid top-level label"}
	}
	if len(m) == 1 {
		if problem := nameProblem(spec); problem != "" {
			return nil, &macroError{0, spec + " is not a domain name: " + problem}
		}
	}
	return m, nil
}

// topLabel reports whether s is a toplabel (RFC 7208 §7.1): letters and
// digits with at least one letter, or letters, digits and hyphens that
// neither start nor end with a hyphen.
func topLabel(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	letter, hyphen := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c|0x20 && c|0x20 <= 'z':
			letter = true
		case '0' <= c && c <= '9':
		case c == '-':
			hyphen = true
		default:
			return false
		}
	}
	return letter || hyphen
}

// nameProblem says why name (with or without the trailing dot) cannot be
// asked in DNS, or returns "". Names need two labels or more (RFC 7208
// §4.3) and only the characters SPF macros produce.
func nameProblem(name string) string {
	name = strings.TrimSuffix(name, ".")
	switch {
	case name == "":
		return "the name is empty"
	case len(name) > maxName:
		return "the name is longer than 253 characters"
	}
	labels := strings.Split(name, ".")
	if len(labels) < 2 {
		return "the name has a single label"
	}
	for _, label := range labels {
		switch {
		case label == "":
			return "the name has an empty label"
		case len(label) > maxLabel:
			return "a label is longer than 63 characters"
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c|0x20 && c|0x20 <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-_@+=/*", c) >= 0) {
				return "the name contains the character " + strconv.QuoteRune(rune(c))
			}
		}
	}
	return ""
}

// shorten drops left-hand labels until the name fits in 253 octets
// (RFC 7208 §7.3).
func shorten(name string) string {
	name = strings.TrimSuffix(name, ".")
	for len(name) > maxName {
		dot := strings.IndexByte(name, '.')
		if dot < 0 {
			return name
		}
		name = name[dot+1:]
	}
	return name
}

// absolute returns name lower-case with a trailing dot, as questions carry
// it.
func absolute(name string) string { return dns.CanonicalName(name) }

// bare returns name without its trailing dot, as macros expand it.
func bare(name string) string { return strings.TrimSuffix(name, ".") }
