package spf

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/miekg/dns"
)

// Name limits (RFC 1035 §2.3.4).
const (
	maxName  = 253 // octets, without the trailing dot
	maxLabel = 63
)

// parseDomainSpec parses a domain-spec (RFC 7208 §7.1): a macro-string
// whose literal text may hold any visible character but "%", ending in a
// macro-expand or in "." toplabel ["."]. With askable, a spec without
// macros must also be a name DNS can carry: receivers cannot ask for
// "mail.example..com", and some of them return permerror for it.
func parseDomainSpec(spec string, askable bool) (macroString, *macroError) {
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
	if askable && len(m) == 1 {
		if problem := dnsProblem(spec); problem != "" {
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

// dnsProblem says why name (as macros expand it, with or without the
// trailing dot) cannot be put in a DNS question, or returns "". Any octet
// may appear in a label (RFC 2181 §11); labels must not be empty or longer
// than 63 octets.
func dnsProblem(name string) string {
	name = strings.TrimSuffix(name, ".")
	switch {
	case name == "":
		return "the name is empty"
	case len(name) > maxName:
		return "the name is longer than 253 characters"
	}
	for label := range strings.SplitSeq(name, ".") {
		switch {
		case label == "":
			return "the name has an empty label"
		case len(label) > maxLabel:
			return "a label is longer than 63 characters"
		}
	}
	return ""
}

// hostProblem says why name cannot be the <domain> of check_host, or
// returns "": RFC 7208 §4.3 asks for a multi-label domain name that DNS can
// carry, not an address literal.
func hostProblem(name string) string {
	if problem := dnsProblem(name); problem != "" {
		return problem
	}
	switch {
	case strings.HasPrefix(name, "["):
		return "it is an address literal"
	case !strings.Contains(strings.TrimSuffix(name, "."), "."):
		return "the name has a single label"
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

// queryName returns the name a question carries for name as macros expand
// it: lower-case, absolute and in presentation format (RFC 1035 §5.1), so
// that a label holding a space, an "@" or a backslash is escaped the way
// miekg/dns prints the owners of answers.
func queryName(name string) string {
	name = strings.TrimSuffix(name, ".")
	if plain(name) {
		return name + "."
	}
	var b strings.Builder
	b.Grow(len(name) + 1)
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '.':
			b.WriteByte(c)
		case strings.IndexByte(` '@;()"\`, c) >= 0:
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < ' ' || c > '~':
			fmt.Fprintf(&b, "\\%03d", c)
		case 'A' <= c && c <= 'Z':
			b.WriteByte(c | 0x20)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('.')
	return b.String()
}

// plain reports whether name is its own presentation format in lower
// case: visible ASCII that needs no escape, no upper-case letter.
func plain(name string) bool {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c > '~' || 'A' <= c && c <= 'Z' || strings.IndexByte(`'@;()"\`, c) >= 0 {
			return false
		}
	}
	return true
}

// plainName undoes the escapes of a name in presentation format (as DNS
// answers give PTR targets), the way miekg/dns reads them, and drops the
// trailing dot, as macros expand names.
func plainName(name string) string {
	var buf [256]byte
	n, err := dns.PackDomainName(dns.Fqdn(name), buf[:], 0, nil, false)
	if err != nil {
		return strings.TrimSuffix(name, ".")
	}
	var b strings.Builder
	for i := 0; i < n && buf[i] != 0; i += int(buf[i]) + 1 {
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.Write(buf[i+1 : i+1+int(buf[i])])
	}
	return b.String()
}

// absolute returns a name from a DNS answer lower-case with a trailing
// dot, as questions carry it.
func absolute(name string) string { return dns.CanonicalName(name) }
