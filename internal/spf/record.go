package spf

import (
	"net/netip"
	"strconv"
	"strings"
)

// IsSPF reports whether a TXT value is an SPF record: "v=spf1" alone or
// followed by a space (RFC 7208 §4.5), case-insensitively.
func IsSPF(txt string) bool {
	const version = "v=spf1"
	if len(txt) < len(version) || !strings.EqualFold(txt[:len(version)], version) {
		return false
	}
	return len(txt) == len(version) || txt[len(version)] == ' '
}

// Qualifier of a mechanism.
type Qualifier byte

// Qualifiers (RFC 7208 §4.6.2).
const (
	Pass     Qualifier = '+'
	Fail     Qualifier = '-'
	SoftFail Qualifier = '~'
	Neutral  Qualifier = '?'
)

// result is what a matching mechanism with this qualifier yields.
func (q Qualifier) result() Result {
	switch q {
	case Fail:
		return ResultFail
	case SoftFail:
		return ResultSoftFail
	case Neutral:
		return ResultNeutral
	default:
		return ResultPass
	}
}

// Term is a mechanism or a modifier.
type Term struct {
	// Qualifier is the mechanism's qualifier, Pass when none was written;
	// zero for modifiers.
	Qualifier Qualifier
	// Name is lower-case: "ip4", "include", "all", "redirect", "exp", or
	// an unknown modifier's name.
	Name string
	// Value is the domain-spec, macro-string or address as written,
	// without the CIDR lengths, which are in the fields below.
	Value string
	// Prefix is the network of ip4 and ip6 (a /32 or /128 when no length
	// was written); zero for other terms.
	Prefix netip.Prefix
	// Prefix6 is the IPv6 dual-cidr-length of a and mx ("//64"), -1 when
	// absent or for other terms.
	Prefix6 int
	// Prefix4 is the IPv4 cidr-length of a and mx ("/24"), -1 when absent
	// or for other terms.
	Prefix4 int
	// Pos is the 0-based offset of the term in the record.
	Pos int
	// Text is the term exactly as written, qualifier included.
	Text string
}

// Mechanism reports whether the term is a mechanism (not a modifier).
func (t Term) Mechanism() bool { return t.Qualifier != 0 }

// lookups reports whether evaluating the term queries DNS, which counts
// towards the limit of RFC 7208 §4.6.4.
func (t Term) lookups() bool {
	switch t.Name {
	case "include", "a", "mx", "ptr", "exists":
		return t.Mechanism()
	case "redirect":
		return !t.Mechanism()
	}
	return false
}

// String renders the term in a canonical form that Parse reads back to the
// same term: the qualifier only when it is not "+", lengths only when set.
func (t Term) String() string {
	var b strings.Builder
	if !t.Mechanism() {
		return t.Name + "=" + t.Value
	}
	if t.Qualifier != Pass {
		b.WriteByte(byte(t.Qualifier))
	}
	b.WriteString(t.Name)
	if t.Value != "" {
		b.WriteString(":" + t.Value)
	}
	if (t.Name == "ip4" || t.Name == "ip6") && t.Prefix.IsValid() && t.Prefix.Bits() != t.Prefix.Addr().BitLen() {
		b.WriteString("/" + strconv.Itoa(t.Prefix.Bits()))
	}
	if t.Prefix4 >= 0 {
		b.WriteString("/" + strconv.Itoa(t.Prefix4))
	}
	if t.Prefix6 >= 0 {
		b.WriteString("//" + strconv.Itoa(t.Prefix6))
	}
	return b.String()
}

// Record is a parsed SPF record.
type Record struct {
	// Terms are the mechanisms and modifiers in the order written.
	Terms []Term
	// Raw is the record as published.
	Raw string
}

// modifier returns the modifier with the given name, if present.
func (r *Record) modifier(name string) (Term, bool) {
	for _, t := range r.Terms {
		if !t.Mechanism() && t.Name == name {
			return t, true
		}
	}
	return Term{}, false
}

// hasAll reports whether the record has an "all" mechanism, which makes
// receivers ignore redirect (RFC 7208 §6.1).
func (r *Record) hasAll() bool {
	for _, t := range r.Terms {
		if t.Mechanism() && t.Name == "all" {
			return true
		}
	}
	return false
}
