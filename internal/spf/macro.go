package spf

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// macroPart is one piece of a macro-string (RFC 7208 §7.1): literal text,
// or the expansion of a macro letter.
type macroPart struct {
	// literal is the text of a literal run, or what "%%", "%_" and "%-"
	// stand for.
	literal string
	// expand is true for every macro-expand, including "%%", "%_" and
	// "%-", which end a domain-spec as well as a letter does.
	expand bool
	// letter is the lower-case macro letter, 0 for literals and escapes.
	letter byte
	// escape asks for URL escaping: the letter was written upper-case.
	escape bool
	// keep is how many right-hand parts to keep, 0 for all.
	keep int
	// reverse reverses the parts before keeping.
	reverse bool
	// delimiters split the value; "" means ".".
	delimiters string
}

// macroString is a parsed macro-string.
type macroString []macroPart

// macroError is a problem at an offset inside a macro-string.
type macroError struct {
	offset  int
	problem string
}

// Macro letters (RFC 7208 §7.2); c, r and t are only for explanations.
const (
	domainLetters  = "slodiphv"
	explainLetters = "crt"
	delimiters     = ".-+,/_="
)

// parseMacroString parses s. explain allows the letters reserved for exp
// records.
func parseMacroString(s string, explain bool) (macroString, *macroError) {
	var out macroString
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			out = append(out, macroPart{literal: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			switch {
			case c >= 0x80:
				return nil, &macroError{i, "non-ASCII characters are not allowed: write international names in punycode (xn--…)"}
			case c < 0x21 || c == 0x7f:
				return nil, &macroError{i, "character " + strconv.QuoteRune(rune(c)) + " is not allowed"}
			}
			lit.WriteByte(c)
			continue
		}
		flush()
		if i+1 >= len(s) {
			return nil, &macroError{i, "a lone % must be written %%"}
		}
		switch s[i+1] {
		case '%':
			out = append(out, macroPart{literal: "%", expand: true})
			i++
			continue
		case '_':
			out = append(out, macroPart{literal: " ", expand: true})
			i++
			continue
		case '-':
			out = append(out, macroPart{literal: "%20", expand: true})
			i++
			continue
		case '{':
		default:
			return nil, &macroError{i, "% must be followed by {, %, _ or -"}
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return nil, &macroError{i, "macro has no closing }"}
		}
		part, problem := parseMacroExpand(s[i+2:i+end], explain)
		if problem != "" {
			return nil, &macroError{i, problem}
		}
		out = append(out, part)
		i += end
	}
	flush()
	return out, nil
}

// parseMacroExpand parses the inside of "%{…}": a letter, transformers and
// delimiters.
func parseMacroExpand(body string, explain bool) (macroPart, string) {
	if body == "" {
		return macroPart{}, "empty macro %{}"
	}
	part := macroPart{expand: true}
	letter := body[0]
	lower := letter | 0x20
	switch {
	case strings.IndexByte(domainLetters, lower) >= 0:
	case strings.IndexByte(explainLetters, lower) >= 0 && explain:
	case strings.IndexByte(explainLetters, lower) >= 0:
		return part, "macro %{" + string(letter) + "} is only allowed in explanation records"
	default:
		return part, "unknown macro letter " + strconv.Quote(string(letter))
	}
	part.letter = lower
	part.escape = letter != lower
	rest := body[1:]
	digits := 0
	for digits < len(rest) && rest[digits] >= '0' && rest[digits] <= '9' {
		digits++
	}
	if digits > 0 {
		n, err := strconv.Atoi(rest[:digits])
		switch {
		case err != nil || n > 128:
			n = 128 // RFC 7208 §7.3: at least 128 parts must work; more keeps all
		case n == 0:
			return part, "macro transformer 0 is not allowed"
		}
		part.keep = n
		rest = rest[digits:]
	}
	if rest != "" && (rest[0] == 'r' || rest[0] == 'R') {
		part.reverse = true
		rest = rest[1:]
	}
	for i := 0; i < len(rest); i++ {
		if strings.IndexByte(delimiters, rest[i]) < 0 {
			return part, "bad macro delimiter " + strconv.Quote(string(rest[i]))
		}
	}
	part.delimiters = rest
	return part, ""
}

// macroEnv is what macros expand to during one evaluation.
type macroEnv struct {
	ip     netip.Addr
	local  string // local part of the sender
	domain string // domain of the sender, no trailing dot
	helo   string // HELO/EHLO name, no trailing dot
	// ptr is the validated name of ip for %{p}, chosen for the record of
	// domain; false while its lookups are unanswered.
	ptr func(domain string) (string, bool)
}

// expand renders m for the record of domain (no trailing dot). It reports
// false while a macro's value waits for an answer (only %{p} can).
func (m macroString) expand(env macroEnv, domain string) (string, bool) {
	var b strings.Builder
	for _, p := range m {
		if p.letter == 0 {
			b.WriteString(p.literal)
			continue
		}
		v, ok := env.value(p.letter, domain)
		if !ok {
			return "", false
		}
		v = p.transform(v)
		if p.escape {
			v = urlEscape(v)
		}
		b.WriteString(v)
	}
	return b.String(), true
}

// value is the raw expansion of a macro letter (RFC 7208 §7.3), false
// while it waits for an answer.
func (env macroEnv) value(letter byte, domain string) (string, bool) {
	switch letter {
	case 's':
		return env.local + "@" + env.domain, true
	case 'l':
		return env.local, true
	case 'o':
		return env.domain, true
	case 'd':
		return domain, true
	case 'h':
		return env.helo, true
	case 'i':
		return dottedIP(env.ip), true
	case 'p':
		if env.ptr != nil {
			return env.ptr(domain)
		}
	case 'c':
		if env.ip.IsValid() {
			return env.ip.String(), true
		}
	case 'v':
		if env.ip.Is6() {
			return "ip6", true
		}
		return "in-addr", true
	}
	return "unknown", true // r, t, and c without an address
}

// transform splits value on the delimiters, optionally reverses the parts,
// keeps the right-hand ones and joins them with dots (RFC 7208 §7.3).
// Empty parts are parts too: "a..b" stays "a..b".
func (p macroPart) transform(value string) string {
	delims := p.delimiters
	if delims == "" {
		delims = "."
	}
	var parts []string
	for {
		i := strings.IndexAny(value, delims)
		if i < 0 {
			parts = append(parts, value)
			break
		}
		parts = append(parts, value[:i])
		value = value[i+1:]
	}
	if p.reverse {
		slices.Reverse(parts)
	}
	if p.keep > 0 && p.keep < len(parts) {
		parts = parts[len(parts)-p.keep:]
	}
	return strings.Join(parts, ".")
}

// dottedIP renders an address for %{i}: dotted quad for IPv4, dotted
// nibbles for IPv6 (RFC 7208 §7.3).
func dottedIP(ip netip.Addr) string {
	switch {
	case !ip.IsValid():
		return ""
	case ip.Is4():
		return ip.String()
	}
	const hex = "0123456789abcdef"
	var b strings.Builder
	for i, octet := range ip.As16() {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteByte(hex[octet>>4])
		b.WriteByte('.')
		b.WriteByte(hex[octet&0xf])
	}
	return b.String()
}

// urlEscape escapes every byte outside the URI unreserved set (RFC 3986
// §2.3), as upper-case macro letters ask.
func urlEscape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xf])
	}
	return b.String()
}
