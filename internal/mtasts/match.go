package mtasts

import (
	"errors"
	"fmt"
	"strings"
)

// Pattern is one mx: pattern of a policy: a host name, or "*." and a
// domain, which matches the names one label below it (RFC 8461 §4.1).
type Pattern struct {
	// Wildcard is set for "*.example.net".
	Wildcard bool
	// Domain is the name, or the domain under the wildcard, in lower case
	// and without a final dot: "mail.example.com".
	Domain string
}

// String renders the pattern as a policy writes it.
func (p Pattern) String() string {
	if p.Wildcard {
		return "*." + p.Domain
	}
	return p.Domain
}

// Matches reports whether an MX host name (any case, with or without its
// final dot) matches the pattern: the same name, or for a wildcard a name
// exactly one label below its domain (RFC 8461 §4.1: "*.example.com"
// matches "mail.example.com" but neither "example.com" nor
// "foo.mail.example.com").
func (p Pattern) Matches(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if !p.Wildcard {
		return host == p.Domain
	}
	label, rest, found := strings.Cut(host, ".")
	return found && label != "" && rest == p.Domain
}

// Length limits of a host name (RFC 1035 §2.3.4).
const (
	maxLabel = 63
	maxName  = 253
)

// ParsePattern reads an mx: value: ["*."] Domain, where Domain is a host
// name in ASCII (RFC 5321 §4.1.2: letters, digits and hyphens, A-labels
// for international names) without a final dot.
func ParsePattern(v string) (Pattern, error) {
	var p Pattern
	name := v
	if rest, ok := strings.CutPrefix(v, "*."); ok {
		p.Wildcard, name = true, rest
	}
	if err := checkHostName(name); err != nil {
		return Pattern{}, err
	}
	p.Domain = strings.ToLower(name)
	return p, nil
}

// checkHostName says what keeps name from being an mx: host name.
func checkHostName(name string) error {
	switch {
	case name == "":
		return errors.New("the mx: line names no host")
	case strings.HasSuffix(name, "."):
		return fmt.Errorf("%q ends with a dot; write the host name without it: %q", name, strings.TrimSuffix(name, "."))
	case strings.Contains(name, "*"):
		return fmt.Errorf("%q has a \"*\" that is not the whole first label; a wildcard is written \"*.example.com\"", name)
	case len(name) > maxName:
		return fmt.Errorf("the host name has %d characters; a name has at most %d", len(name), maxName)
	}
	for _, label := range strings.Split(name, ".") {
		if err := checkLabel(label); err != nil {
			return fmt.Errorf("%q is not a host name: %w", name, err)
		}
	}
	return nil
}

// checkLabel checks one label: letters, digits and hyphens, neither
// starting nor ending with a hyphen.
func checkLabel(label string) error {
	switch {
	case label == "":
		return errors.New("it has an empty label (two dots in a row)")
	case len(label) > maxLabel:
		return fmt.Errorf("the label %q has %d characters; a label has at most %d", label, len(label), maxLabel)
	case label[0] == '-' || label[len(label)-1] == '-':
		return fmt.Errorf("the label %q starts or ends with a hyphen", label)
	}
	for _, r := range label {
		switch {
		case r < 0x80 && (isAlnum(byte(r)) || r == '-'):
		case r >= 0x80:
			return fmt.Errorf("%q is not ASCII; write international names in their xn-- form (punycode)", label)
		default:
			return fmt.Errorf("the label %q holds %q; a host name holds only letters, digits and hyphens", label, r)
		}
	}
	return nil
}
