package mtasts

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Mode is what a policy asks of senders (RFC 8461 §5).
type Mode string

// Modes of a policy.
const (
	// ModeEnforce: senders deliver only over TLS with a valid certificate
	// to an MX host the policy names, or not at all.
	ModeEnforce Mode = "enforce"
	// ModeTesting: senders deliver as before and report failures
	// (TLS-RPT).
	ModeTesting Mode = "testing"
	// ModeNone: senders forget the policy they cached.
	ModeNone Mode = "none"
)

// Bounds of a policy.
const (
	// MaxMaxAge is the largest max_age, in seconds: a year (RFC 8461
	// §3.2).
	MaxMaxAge = 31557600
	// MaxSize is the most senders read of a policy file: 64 KiB (RFC 8461
	// §3.3 suggests this bound).
	MaxSize = 64 << 10
	// Path is where a policy is served, on https://mta-sts.<domain>
	// (RFC 8461 §3.3).
	Path = "/.well-known/mta-sts.txt"
	// ContentType is the media type a policy must be served with (RFC
	// 8461 §3.2).
	ContentType = "text/plain"
)

// Field names of a policy (RFC 8461 §3.2).
const (
	fieldVersion = "version"
	fieldMode    = "mode"
	fieldMaxAge  = "max_age"
	fieldMX      = "mx"
)

// Policy is a parsed MTA-STS policy file (RFC 8461 §3.2).
type Policy struct {
	Mode Mode
	// MaxAge is how long senders may cache the policy, in seconds.
	MaxAge int64
	// MX are the patterns of the MX hosts senders may deliver to, in the
	// order written.
	MX []Pattern
	// Extensions are fields the package does not interpret, which senders
	// ignore.
	Extensions []Field
	// Ignored lists repeated fields (other than mx), of which senders read
	// only the first, as written: "mode: enforce".
	Ignored []string
}

// PolicyError is a problem with a policy file: on which line, and what.
type PolicyError struct {
	// Line is the 1-based line number, 0 when the problem is the policy
	// as a whole.
	Line int
	// Text is the line as written (without its line break), shortened when
	// long.
	Text string
	// Problem is a sentence fragment: `the mode is "enfore"; it must be
	// enforce, testing or none`.
	Problem string
}

// Error renders `line 2 ("mode: enfore"): the mode …`.
func (e *PolicyError) Error() string {
	if e.Line == 0 {
		return e.Problem
	}
	return fmt.Sprintf("line %d (%q): %s", e.Line, e.Text, e.Problem)
}

// maxErrText bounds the line quoted in a PolicyError.
const maxErrText = 80

func lineError(n int, line, format string, args ...any) *PolicyError {
	if len(line) > maxErrText {
		cut := maxErrText
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		line = line[:cut] + "…"
	}
	return &PolicyError{Line: n, Text: line, Problem: fmt.Sprintf(format, args...)}
}

// ParsePolicy parses a policy file (RFC 8461 §3.2): "name: value" lines
// ended by LF or CRLF, with version, mode and max_age once and mx at least
// once unless the mode is none. Field names and the version, mode and
// max_age values are case-sensitive. The error is a *PolicyError.
func ParsePolicy(body []byte) (Policy, error) {
	var p Policy
	if !utf8.Valid(body) {
		return p, &PolicyError{Problem: "the policy is not valid UTF-8 text"}
	}
	text := string(body)
	if text == "" {
		return p, &PolicyError{Problem: "the policy is empty"}
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	seen := map[string]bool{}
	for i, line := range lines {
		n := i + 1
		line = strings.TrimSuffix(line, "\r")
		name, value, err := splitLine(n, line)
		if err != nil {
			return Policy{}, err
		}
		if seen[name] && name != fieldMX {
			// RFC 8461 §3.2: of a repeated field other than mx, only the
			// first counts.
			p.Ignored = append(p.Ignored, line)
			continue
		}
		seen[name] = true
		if err := p.set(n, line, name, value); err != nil {
			return Policy{}, err
		}
	}
	for _, f := range []string{fieldVersion, fieldMode, fieldMaxAge} {
		if !seen[f] {
			return Policy{}, &PolicyError{Problem: fmt.Sprintf("the policy has no %s: line, which is required", f)}
		}
	}
	if len(p.MX) == 0 && p.Mode != ModeNone {
		return Policy{}, &PolicyError{Problem: fmt.Sprintf("the policy has no mx: line; a policy in mode %s needs at least one", p.Mode)}
	}
	return p, nil
}

// splitLine reads "name:" *WSP value *WSP from one line.
func splitLine(n int, line string) (string, string, error) {
	switch {
	case line == "":
		return "", "", lineError(n, line, "the line is empty; a policy has no empty lines, and senders that read it strictly reject the whole policy")
	case isWSP(line[0]):
		return "", "", lineError(n, line, "the line starts with a space; each line starts with its field's name")
	case strings.ContainsRune(line, '\r'):
		return "", "", lineError(n, line, "the line holds a carriage return in the middle")
	}
	name, value, found := strings.Cut(line, ":")
	if !found {
		hint := ""
		if k, v, ok := strings.Cut(line, "="); ok {
			hint = fmt.Sprintf(" (write %q)", strings.TrimSpace(k)+": "+strings.TrimSpace(v))
		}
		return "", "", lineError(n, line, "a line has the form \"name: value\", with a colon%s", hint)
	}
	if p := badName(name); p != "" {
		return "", "", lineError(n, line, "%s", p)
	}
	value = strings.Trim(value, " \t")
	if value == "" {
		return "", "", lineError(n, line, "the field %s has no value", name)
	}
	for _, r := range value {
		if r == utf8.RuneError || r < 0x20 || r == 0x7f {
			return "", "", lineError(n, line, "the value holds a control character")
		}
	}
	return name, value, nil
}

// set stores one field. Known names are case-sensitive: "Mode" is an
// unknown field, which the error of the missing "mode" then points at.
func (p *Policy) set(n int, line, name, value string) error {
	switch name {
	case fieldVersion:
		if value != Version {
			return lineError(n, line, "the version must be %s", Version)
		}
	case fieldMode:
		switch m := Mode(value); m {
		case ModeEnforce, ModeTesting, ModeNone:
			p.Mode = m
		default:
			return lineError(n, line, "the mode must be enforce, testing or none, in lower case")
		}
	case fieldMaxAge:
		age, err := parseMaxAge(value)
		if err != nil {
			return lineError(n, line, "%v", err)
		}
		p.MaxAge = age
	case fieldMX:
		pat, err := ParsePattern(value)
		if err != nil {
			return lineError(n, line, "%v", err)
		}
		p.MX = append(p.MX, pat)
	default:
		if known := strings.ToLower(name); known != name && isField(known) {
			return lineError(n, line, "field names are lower case: senders read %q, not %q", known, name)
		}
		p.Extensions = append(p.Extensions, Field{Name: name, Value: value})
	}
	return nil
}

func isField(name string) bool {
	return name == fieldVersion || name == fieldMode || name == fieldMaxAge || name == fieldMX
}

// parseMaxAge reads max_age: 1 to 10 digits, at most MaxMaxAge.
func parseMaxAge(v string) (int64, error) {
	if len(v) > 10 {
		return 0, fmt.Errorf("max_age has at most 10 digits")
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, fmt.Errorf("max_age is a number of seconds, written with digits only")
		}
	}
	age, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("max_age is a number of seconds, written with digits only")
	}
	if age > MaxMaxAge {
		return 0, fmt.Errorf("max_age is %d seconds; it may be at most %d (a year)", age, MaxMaxAge)
	}
	return age, nil
}

// String renders the policy as a file to serve, each line ended by LF:
// version, mode, the mx lines, max_age, then the extensions.
func (p Policy) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n%s: %s\n", fieldVersion, Version, fieldMode, p.Mode)
	for _, pat := range p.MX {
		fmt.Fprintf(&b, "%s: %s\n", fieldMX, pat)
	}
	fmt.Fprintf(&b, "%s: %d\n", fieldMaxAge, p.MaxAge)
	for _, f := range p.Extensions {
		fmt.Fprintf(&b, "%s: %s\n", f.Name, f.Value)
	}
	return b.String()
}

// Covers returns the first of the policy's patterns that matches an MX
// host, and whether there is one.
func (p Policy) Covers(host string) (Pattern, bool) {
	for _, pat := range p.MX {
		if pat.Matches(host) {
			return pat, true
		}
	}
	return Pattern{}, false
}
