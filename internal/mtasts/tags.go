package mtasts

import (
	"fmt"
	"strings"
)

// Field is one name=value pair of a TXT record, or one "name: value" line
// of a policy, that the package does not interpret: an extension, as
// written.
type Field struct {
	Name, Value string
}

// SyntaxError is a problem with a TXT record: where, and what.
type SyntaxError struct {
	// Pos is the 0-based byte offset of Text in the record.
	Pos int
	// Text is the part of the record the problem is about, as written;
	// empty when it is about the record as a whole.
	Text string
	// Problem is a sentence fragment: "the id may hold only letters and
	// digits".
	Problem string
}

// Error renders `"id=2026-03-01" at character 10: the id may hold only
// letters and digits`, counting characters from 1.
func (e *SyntaxError) Error() string {
	if e.Text == "" {
		return e.Problem
	}
	return fmt.Sprintf("%q at character %d: %s", e.Text, e.Pos+1, e.Problem)
}

// tag is one name=value field of a TXT record, with where it starts.
type tag struct {
	name, value string
	pos         int
}

// isWSP reports whether c is a space or a tab (RFC 5234 WSP).
func isWSP(c byte) bool { return c == ' ' || c == '\t' }

// looksLike reports whether a TXT record is meant as a record of version
// ("v=STSv1"): it starts with it in any case, after any spaces, and the
// version is not the start of a longer word. Records that look like one
// are judged as one, so that a misspelt record is reported rather than
// missed.
func looksLike(txt, version string) bool {
	txt = strings.TrimLeft(txt, " \t")
	if len(txt) < len(version) || !strings.EqualFold(txt[:len(version)], version) {
		return false
	}
	rest := txt[len(version):]
	return rest == "" || !isNameChar(rest[0])
}

// parseTags reads the tag grammar the MTA-STS and TLS-RPT records share
// (RFC 8461 §3.1, RFC 8460 §3):
//
//	record = version 1*(sep field) [sep]
//	sep    = *WSP ";" *WSP
//	field  = name "=" value
//	name   = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
//
// Values are returned as written, up to the next separator; the caller
// checks them. what names the record in messages ("MTA-STS record").
func parseTags(txt, version, what string) ([]tag, error) {
	if err := checkVersion(txt, version, what); err != nil {
		return nil, err
	}
	var tags []tag
	pos := len(version)
	for {
		// A separator: *WSP ";" *WSP.
		i := pos
		for i < len(txt) && isWSP(txt[i]) {
			i++
		}
		switch {
		case i == len(txt) && len(tags) > 0:
			return tags, nil
		case i == len(txt):
			return nil, &SyntaxError{Pos: 0, Problem: fmt.Sprintf("the %s holds nothing after %s", what, version)}
		case txt[i] != ';':
			end := fieldEnd(txt, i)
			return nil, &SyntaxError{Pos: i, Text: txt[i:end], Problem: fmt.Sprintf("a \";\" is missing before it: fields of the %s are separated by semicolons", what)}
		}
		i++
		for i < len(txt) && isWSP(txt[i]) {
			i++
		}
		if i == len(txt) {
			if len(tags) == 0 {
				return nil, &SyntaxError{Pos: 0, Problem: fmt.Sprintf("the %s holds nothing after %s", what, version)}
			}
			return tags, nil // one final separator is allowed
		}
		if txt[i] == ';' {
			return nil, &SyntaxError{Pos: i, Text: ";", Problem: "two semicolons with nothing between them"}
		}
		t, next, err := parseTag(txt, i)
		if err != nil {
			return nil, err
		}
		tags = append(tags, t)
		pos = next
	}
}

// checkVersion checks that txt starts with version exactly: case matters
// and nothing may come before it.
func checkVersion(txt, version, what string) error {
	if strings.HasPrefix(txt, version) {
		if rest := txt[len(version):]; rest != "" && !isWSP(rest[0]) && rest[0] != ';' {
			return &SyntaxError{Pos: 0, Text: txt[:fieldEnd(txt, 0)], Problem: fmt.Sprintf("the record must start with %s followed by \";\"", version)}
		}
		return nil
	}
	trimmed := strings.TrimLeft(txt, " \t")
	switch {
	case trimmed != txt && strings.HasPrefix(trimmed, version):
		return &SyntaxError{Pos: 0, Problem: fmt.Sprintf("the %s starts with a space; senders only read records that start with %s", what, version)}
	case len(trimmed) >= len(version) && strings.EqualFold(trimmed[:len(version)], version):
		return &SyntaxError{Pos: len(txt) - len(trimmed), Text: trimmed[:len(version)], Problem: fmt.Sprintf("the version must be written %s, in exactly this case", version)}
	}
	return &SyntaxError{Pos: 0, Problem: fmt.Sprintf("the %s does not start with %s", what, version)}
}

// parseTag reads name=value at txt[i:], up to the next separator, and
// returns where the value ends.
func parseTag(txt string, i int) (tag, int, error) {
	end := i
	for end < len(txt) && txt[end] != ';' {
		end++
	}
	// Trailing spaces belong to the next separator.
	for end > i && isWSP(txt[end-1]) {
		end--
	}
	field := txt[i:end]
	name, value, found := strings.Cut(field, "=")
	switch {
	case !found:
		return tag{}, 0, &SyntaxError{Pos: i, Text: field, Problem: "a field must have the form name=value"}
	case name == "":
		return tag{}, 0, &SyntaxError{Pos: i, Text: field, Problem: "the field has no name before \"=\""}
	}
	if p := badName(name); p != "" {
		return tag{}, 0, &SyntaxError{Pos: i, Text: field, Problem: p}
	}
	if value == "" {
		return tag{}, 0, &SyntaxError{Pos: i, Text: field, Problem: "the field has no value after \"=\""}
	}
	return tag{name: name, value: value, pos: i}, end, nil
}

// fieldEnd is where the field starting at txt[i] ends: at the next space
// or semicolon.
func fieldEnd(txt string, i int) int {
	for i < len(txt) && !isWSP(txt[i]) && txt[i] != ';' {
		i++
	}
	return i
}

// isNameChar reports whether c may appear in a field name after its first
// character.
func isNameChar(c byte) bool {
	return isAlnum(c) || c == '_' || c == '-' || c == '.'
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// maxNameLen is the longest field name: a letter or digit, then up to 31
// more characters (RFC 8461 §3.1, §3.2; RFC 8460 §3).
const maxNameLen = 32

// badName says what is wrong with a field name, or "" when nothing is.
func badName(name string) string {
	switch {
	case name == "":
		return "the field has no name"
	case len(name) > maxNameLen:
		return fmt.Sprintf("a field name has at most %d characters", maxNameLen)
	case !isAlnum(name[0]):
		return "a field name starts with a letter or a digit"
	}
	for i := 1; i < len(name); i++ {
		if !isNameChar(name[i]) {
			return "a field name holds only letters, digits, \"_\", \"-\" and \".\""
		}
	}
	return ""
}

// badExtValue says what is wrong with the value of a field the package
// does not interpret (RFC 8461 §3.1: %x21-3A / %x3C / %x3E-7E, that is
// visible ASCII but "=" and ";"), or "" when nothing is.
func badExtValue(value string) string {
	for i := 0; i < len(value); i++ {
		switch c := value[i]; {
		case isWSP(c):
			return "a value cannot hold a space; is a \";\" missing?"
		case c == '=':
			return "a value cannot hold \"=\"; is a \";\" missing?"
		case c < 0x21 || c > 0x7e:
			return fmt.Sprintf("a value holds only visible ASCII characters, not %q", rune(c))
		}
	}
	return ""
}
