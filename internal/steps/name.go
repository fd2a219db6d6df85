package steps

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// RFC 1035 §2.3.4: a label is at most 63 octets and a name at most 255 octets
// on the wire, which is 253 characters in text without the final dot.
const (
	maxLabel = 63
	maxName  = 253
)

// nameRules says which names parseName accepts.
type nameRules struct {
	// underscore allows "_" in labels (service names such as _spf.example.com).
	underscore bool
	// needDot asks for at least two labels (a domain, not a bare word).
	needDot bool
}

// parseName turns a name a person typed (Unicode or ASCII, with or without
// the final dot) into an absolute lower-case punycode name, or says what is
// wrong with it.
func parseName(typed string, rules nameRules) (string, error) {
	name := strings.TrimSpace(typed)
	name = strings.TrimSuffix(name, ".")
	if name == "" {
		return "", errors.New("is empty")
	}
	// Each character is at least one octet of the ASCII form, so these
	// limits hold before any conversion: a name of any size costs no more
	// than a glance.
	if n := utf8.RuneCountInString(name); n > maxName {
		return "", fmt.Errorf("is %d characters long; a domain name can have at most %d", n, maxName)
	}
	for label := range strings.SplitSeq(name, ".") {
		if n := utf8.RuneCountInString(label); n > maxLabel {
			return "", fmt.Errorf("has a label of %d characters (%s); a label can have at most %d", n, clip(label), maxLabel)
		}
	}
	if !isASCII(name) {
		ascii, err := idna.Lookup.ToASCII(name)
		if err != nil {
			return "", fmt.Errorf("is not a valid international domain name: %w", err)
		}
		name = ascii
	}
	name = strings.ToLower(name)
	if len(name) > maxName {
		return "", fmt.Errorf("is %d characters long; a domain name can have at most %d", len(name), maxName)
	}
	labels := strings.Split(name, ".")
	if rules.needDot && len(labels) < 2 {
		return "", errors.New(`is not a domain name: it needs at least one dot, as in "example.com"`)
	}
	for _, label := range labels {
		if err := checkLabel(label, rules.underscore); err != nil {
			return "", err
		}
	}
	return name + ".", nil
}

// CheckDomain returns a mail domain as a person typed it (Unicode or ASCII,
// with or without the final dot) as an absolute lower-case punycode name,
// or says what is wrong with it: at most 253 octets, 63 per label, host
// name characters (RFC 1035 §2.3.4, RFC 1123 §2.1). It is cheap on input of
// any size, so a name is checked with it before it is used for anything (a
// file name, a question), and its errors quote at most a few dozen
// characters of the name.
func CheckDomain(typed string) (string, error) {
	name, err := parseName(typed, nameRules{needDot: true})
	if err != nil {
		return "", fmt.Errorf("%q %w", clip(typed), err)
	}
	return name, nil
}

// checkLabel applies the host-name rules of RFC 1123 §2.1 to one label.
func checkLabel(label string, underscore bool) error {
	switch {
	case label == "":
		return errors.New("is not a domain name: it has an empty label (two dots in a row, or a leading dot)")
	case len(label) > maxLabel:
		return fmt.Errorf("has a label of %d characters (%s); a label can have at most %d", len(label), clip(label), maxLabel)
	case strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-"):
		return fmt.Errorf("has the label %q, which starts or ends with a hyphen", label)
	}
	for _, r := range label {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || underscore && r == '_'
		if !ok {
			return fmt.Errorf("contains %q, which is not allowed in a domain name", r)
		}
	}
	return nil
}

// isASCII reports whether s holds only ASCII characters.
func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// inZone reports whether the absolute name is zone or below it.
func inZone(name, zone string) bool {
	name, zone = strings.ToLower(name), strings.ToLower(zone)
	return name == zone || zone == "." || strings.HasSuffix(name, "."+zone)
}

// doubledName is name with the zone appended once more, the way a provider's
// form stores a Host field that already held the whole name:
// "_dmarc.example.com.example.com.".
func doubledName(name, zone string) string {
	if zone == "" || zone == "." {
		return ""
	}
	return strings.ToLower(name) + strings.ToLower(zone)
}

// appendedZone reports whether got is want with the zone appended, the
// result of typing a target without its final dot into a form that
// completes relative names: "mail.example.com.example.com.".
func appendedZone(got, want, zone string) bool {
	d := doubledName(want, zone)
	return d != "" && strings.EqualFold(got, d)
}
