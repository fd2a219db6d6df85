package spf

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// SyntaxError names the term and the place.
type SyntaxError struct {
	// Pos is the 0-based offset of the term in the record.
	Pos int
	// Term is the term as written, "" when the problem is the record as a
	// whole.
	Term string
	// Problem is a sentence fragment: "not an IPv4 address".
	Problem string
}

// Error renders `"ip4:192.0.2.300" at character 14: not an IPv4 address`,
// counting characters from 1.
func (e *SyntaxError) Error() string {
	if e.Term == "" {
		return fmt.Sprintf("at character %d: %s", e.Pos+1, e.Problem)
	}
	return fmt.Sprintf("%q at character %d: %s", e.Term, e.Pos+1, e.Problem)
}

// Parse parses an SPF record (RFC 7208 §4.5, §12): the version, then
// mechanisms and modifiers separated by spaces. Names are case-insensitive;
// redirect and exp may appear once each; unknown modifiers are kept. It
// returns a *SyntaxError for the first bad term and never panics.
func Parse(txt string) (*Record, error) {
	if !IsSPF(txt) {
		first, _, _ := strings.Cut(txt, " ")
		return nil, &SyntaxError{Term: first, Problem: `not an SPF record: it must start with "v=spf1" followed by a space`}
	}
	rec := &Record{Raw: txt}
	seen := map[string]bool{}
	for pos := len("v=spf1"); pos < len(txt); {
		if txt[pos] == ' ' {
			pos++
			continue
		}
		end := strings.IndexByte(txt[pos:], ' ')
		if end < 0 {
			end = len(txt)
		} else {
			end += pos
		}
		t, problem := parseTerm(txt[pos:end])
		if problem == "" && !t.Mechanism() && (t.Name == "redirect" || t.Name == "exp") {
			if seen[t.Name] {
				problem = t.Name + "= may appear only once (RFC 7208 §6)"
			}
			seen[t.Name] = true
		}
		if problem != "" {
			return nil, &SyntaxError{Pos: pos, Term: txt[pos:end], Problem: problem}
		}
		t.Pos, t.Text = pos, txt[pos:end]
		rec.Terms = append(rec.Terms, t)
		pos = end
	}
	return rec, nil
}

// parseTerm parses one directive or modifier; problem is "" when it is
// valid.
func parseTerm(s string) (Term, string) {
	t := Term{Prefix4: -1, Prefix6: -1}
	if eq := strings.IndexByte(s, '='); eq > 0 {
		name := s[:eq]
		if modifierName(name) {
			return parseModifier(t, strings.ToLower(name), s[eq+1:])
		}
		if modifierName(name[1:]) && strings.IndexByte("+-~?", name[0]) >= 0 {
			return t, "a modifier takes no qualifier"
		}
	}
	t.Qualifier = Pass
	if strings.IndexByte("+-~?", s[0]) >= 0 {
		t.Qualifier = Qualifier(s[0])
		s = s[1:]
	}
	n := 0
	for n < len(s) && ('a' <= s[n]|0x20 && s[n]|0x20 <= 'z' || '0' <= s[n] && s[n] <= '9') {
		n++
	}
	t.Name, s = strings.ToLower(s[:n]), s[n:]
	if s != "" && s[0] != ':' && s[0] != '/' {
		return t, "unknown mechanism"
	}
	switch t.Name {
	case "all":
		if s != "" {
			return t, "all takes no argument"
		}
	case "include", "exists":
		if s == "" || s[0] != ':' {
			return t, t.Name + " needs a domain: " + t.Name + ":example.com"
		}
		t.Value = s[1:]
		return t, specProblem(t.Value, true)
	case "ptr":
		if s == "" {
			return t, ""
		}
		if s[0] != ':' {
			return t, "ptr takes no CIDR length"
		}
		t.Value = s[1:]
		return t, specProblem(t.Value, true)
	case "a", "mx":
		return parseHostMechanism(t, s)
	case "ip4", "ip6":
		return parseIPMechanism(t, s)
	case "":
		return t, "a qualifier must be followed by a mechanism"
	default:
		return t, "unknown mechanism"
	}
	return t, ""
}

// modifierName reports whether s is a modifier name (RFC 7208 §12):
// ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ).
func modifierName(s string) bool {
	if s == "" || !('a' <= s[0]|0x20 && s[0]|0x20 <= 'z') {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !('a' <= c|0x20 && c|0x20 <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// parseModifier parses redirect=, exp= and unknown modifiers, which RFC
// 7208 §6 says to ignore. The domain-spec of exp= must follow the grammar
// (an empty or cut one is a permerror), but a name DNS cannot carry is no
// error there: receivers skip an explanation they cannot fetch
// (RFC 7208 §6.2).
func parseModifier(t Term, name, value string) (Term, string) {
	t.Name, t.Value = name, value
	switch name {
	case "redirect":
		return t, specProblem(value, true)
	case "exp":
		return t, specProblem(value, false)
	}
	if _, err := parseMacroString(value, true); err != nil {
		return t, err.problem
	}
	return t, ""
}

// specProblem checks a domain-spec and returns its problem, or "". With
// askable, a spec without macros must be a name DNS can carry.
func specProblem(spec string, askable bool) string {
	if _, err := parseDomainSpec(spec, askable); err != nil {
		return err.problem
	}
	return ""
}

// parseHostMechanism parses the rest of a or mx: [":" domain-spec]
// [dual-cidr-length].
func parseHostMechanism(t Term, s string) (Term, string) {
	rest, v4, v6, problem := splitDualCIDR(s)
	if problem != "" {
		return t, problem
	}
	t.Prefix4, t.Prefix6 = v4, v6
	switch {
	case rest == "":
		return t, ""
	case rest[0] != ':':
		return t, "bad CIDR length"
	}
	t.Value = rest[1:]
	return t, specProblem(t.Value, true)
}

// splitDualCIDR takes "/24", "//64" or "/24//64" off the end of s
// (RFC 7208 §5.6); absent lengths are -1.
func splitDualCIDR(s string) (rest string, v4, v6 int, problem string) {
	v4, v6 = -1, -1
	if i := strings.LastIndex(s, "//"); i >= 0 && digits(s[i+2:]) {
		n, ok := cidrLength(s[i+2:], 128)
		if !ok {
			return s, v4, v6, "bad IPv6 CIDR length /" + s[i+2:]
		}
		s, v6 = s[:i], n
	}
	if i := strings.LastIndexByte(s, '/'); i >= 0 && digits(s[i+1:]) {
		n, ok := cidrLength(s[i+1:], 32)
		if !ok {
			return s, v4, v6, "bad IPv4 CIDR length /" + s[i+1:]
		}
		s, v4 = s[:i], n
	}
	return s, v4, v6, ""
}

// parseIPMechanism parses the rest of ip4 or ip6: ":" address
// [cidr-length].
func parseIPMechanism(t Term, s string) (Term, string) {
	family := "IPv4"
	if t.Name == "ip6" {
		family = "IPv6"
	}
	if s == "" || s[0] != ':' {
		return t, t.Name + " needs an " + family + " address"
	}
	s = s[1:]
	bits := 32
	if t.Name == "ip6" {
		bits = 128
	}
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		n, ok := cidrLength(s[i+1:], bits)
		if !ok {
			return t, "bad CIDR length /" + s[i+1:]
		}
		s, bits = s[:i], n
	}
	t.Value = s
	ip, err := netip.ParseAddr(s)
	switch {
	case err != nil, ip.Zone() != "":
		return t, "not an " + family + " address"
	case t.Name == "ip4" && !ip.Is4():
		return t, "not an IPv4 address: write IPv6 addresses as ip6:" + s
	case t.Name == "ip6" && !ip.Is6():
		return t, "not an IPv6 address: write IPv4 addresses as ip4:" + s
	}
	t.Prefix = netip.PrefixFrom(ip, bits)
	return t, ""
}

// cidrLength parses a CIDR length of at most max bits, without leading
// zeros (RFC 7208 §12).
func cidrLength(s string, max int) (int, bool) {
	if !digits(s) || len(s) > 1 && s[0] == '0' || len(s) > 3 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n <= max
}

// digits reports whether s is one or more ASCII digits.
func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
