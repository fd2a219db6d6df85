package assets

import (
	"fmt"
	"slices"
	"strings"
)

// matchAny reports whether name lies under one of the suffix patterns.
func matchAny(name string, patterns []string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return matchSuffix(name, p) })
}

// matchSuffix reports whether name lies strictly under the suffix pattern,
// comparing whole labels case-insensitively and ignoring a final dot. In
// the pattern, a label "*" matches any one label and a label "prefix*" any
// label that starts with prefix.
func matchSuffix(name, pattern string) bool {
	nameLabels, ok := labels(name)
	if !ok {
		return false
	}
	patLabels, ok := labels(pattern)
	if !ok || len(nameLabels) <= len(patLabels) {
		return false
	}
	tail := nameLabels[len(nameLabels)-len(patLabels):]
	for i, p := range patLabels {
		if !matchLabel(tail[i], p) {
			return false
		}
	}
	return true
}

// matchLabel matches one label against one pattern label.
func matchLabel(label, pattern string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(label, prefix)
	}
	return label == pattern
}

// labels splits a domain name into lower-case labels; it reports false for
// an empty name or an empty label.
func labels(name string) ([]string, bool) {
	name = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ".")
	if name == "" {
		return nil, false
	}
	out := strings.Split(name, ".")
	if slices.Contains(out, "") {
		return nil, false
	}
	return out, true
}

// checkPattern reports a suffix pattern that cannot mean what it says: an
// empty label, a "*" inside a label, or nothing but "*" labels, which
// would match every name.
func checkPattern(pattern string) error {
	ls, ok := labels(pattern)
	if !ok {
		return fmt.Errorf("%q is not a domain suffix", pattern)
	}
	for _, l := range ls {
		if strings.Contains(strings.TrimSuffix(l, "*"), "*") {
			return fmt.Errorf("%q: a \"*\" may only end a label", pattern)
		}
	}
	if !slices.ContainsFunc(ls, func(l string) bool { return l != "*" }) {
		return fmt.Errorf("%q matches every name", pattern)
	}
	return nil
}
