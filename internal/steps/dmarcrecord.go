package steps

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/emersion/go-msgauth/dmarc"
)

// dmarcVersion opens every DMARC record (RFC 7489 §6.4: exactly "v=DMARC1",
// first).
const dmarcVersion = "v=DMARC1"

// isDMARC reports whether a TXT value is meant as a DMARC record: it starts
// with "v=DMARC1" (spaces around "=" allowed, any case) followed by the end,
// a space or ";". Case mistakes are for parseDMARC to report.
func isDMARC(txt string) bool {
	s := strings.TrimLeft(txt, " \t")
	if s == "" || (s[0] != 'v' && s[0] != 'V') {
		return false
	}
	s = strings.TrimLeft(s[1:], " \t")
	if !strings.HasPrefix(s, "=") {
		return false
	}
	s = strings.TrimLeft(s[1:], " \t")
	if len(s) < len("dmarc1") || !strings.EqualFold(s[:len("dmarc1")], "dmarc1") {
		return false
	}
	rest := s[len("dmarc1"):]
	return rest == "" || rest[0] == ';' || rest[0] == ' ' || rest[0] == '\t'
}

// dmarcRecord is a parsed DMARC record.
type dmarcRecord struct {
	*dmarc.Record
	// rua are the aggregate-report addresses, without mailto: and any
	// size limit.
	rua []string
}

// dmarcTag is one tag=value pair as written.
type dmarcTag struct {
	name, value string
}

// parseDMARC parses a DMARC record with github.com/emersion/go-msgauth's
// parser, after checks that turn the usual mistakes into a sentence a person
// can act on. It never panics, whatever the input.
func parseDMARC(txt string) (dmarcRecord, error) {
	tags, err := dmarcTags(txt)
	if err != nil {
		return dmarcRecord{}, err
	}
	if len(tags) == 0 || tags[0].name != "v" {
		return dmarcRecord{}, fmt.Errorf("it must start with %s", dmarcVersion)
	}
	if tags[0].value != "DMARC1" {
		return dmarcRecord{}, fmt.Errorf("it starts with v=%s; it must be exactly %s (upper case)", tags[0].value, dmarcVersion)
	}
	var rua []string
	var canonical []string
	for _, t := range tags {
		if err := checkDMARCTag(t); err != nil {
			return dmarcRecord{}, err
		}
		value := t.value
		switch t.name {
		case "p", "sp", "adkim", "aspf", "fo", "rf":
			value = strings.ToLower(value)
		case "rua":
			for _, uri := range strings.Split(value, ",") {
				addr, _ := reportAddress(uri)
				rua = append(rua, addr)
			}
		}
		canonical = append(canonical, t.name+"="+value)
	}
	rec, err := dmarc.Parse(strings.Join(canonical, "; "))
	if err != nil {
		return dmarcRecord{}, parseError{err}
	}
	if rec == nil {
		return dmarcRecord{}, fmt.Errorf("it does not parse")
	}
	return dmarcRecord{Record: rec, rua: rua}, nil
}

// dmarcTags splits a record into tags (RFC 7489 §6.4, the tag-list of
// RFC 6376 §3.2): names lower-cased, values trimmed, no repeats.
func dmarcTags(txt string) ([]dmarcTag, error) {
	var tags []dmarcTag
	seen := make(map[string]bool)
	for part := range strings.SplitSeq(txt, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("%q has no \"=\"; tags are written name=value and separated by \";\"", clip(part))
		}
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" || strings.ContainsAny(name, " \t\"") {
			return nil, fmt.Errorf("%q is not a tag name", clip(name))
		}
		if seen[name] {
			return nil, fmt.Errorf("the tag %s= appears twice", name)
		}
		seen[name] = true
		tags = append(tags, dmarcTag{name: name, value: strings.TrimSpace(value)})
	}
	return tags, nil
}

// checkDMARCTag checks the value of one known tag (RFC 7489 §6.3).
func checkDMARCTag(t dmarcTag) error {
	switch t.name {
	case "p", "sp":
		switch strings.ToLower(t.value) {
		case DMARCNone, DMARCQuarantine, DMARCReject:
		default:
			return fmt.Errorf("%s=%s is not a policy; use none, quarantine or reject", t.name, clip(t.value))
		}
	case "adkim", "aspf":
		switch strings.ToLower(t.value) {
		case "r", "s":
		default:
			return fmt.Errorf("%s=%s is not an alignment mode; use r (relaxed) or s (strict)", t.name, clip(t.value))
		}
	case "pct":
		n, err := strconv.Atoi(t.value)
		if err != nil || n < 0 || n > 100 {
			return fmt.Errorf("pct=%s is not a percentage from 0 to 100", clip(t.value))
		}
	case "ri":
		n, err := strconv.ParseUint(t.value, 10, 32)
		if err != nil || n == 0 {
			return fmt.Errorf("ri=%s is not a number of seconds", clip(t.value))
		}
	case "rua", "ruf":
		for uri := range strings.SplitSeq(t.value, ",") {
			if _, err := reportAddress(uri); err != nil {
				return fmt.Errorf("%s=%s: %w", t.name, clip(t.value), err)
			}
		}
	}
	return nil
}

// reportAddress returns the mail address of a DMARC report URI
// ("mailto:dmarc@example.com!10m", RFC 7489 §6.2).
func reportAddress(uri string) (string, error) {
	uri = strings.TrimSpace(uri)
	scheme, rest, ok := strings.Cut(uri, ":")
	if !ok || !strings.EqualFold(scheme, "mailto") {
		return "", fmt.Errorf("%q is not a mailto: address; write mailto:%s", clip(uri), clip(uri))
	}
	if i := strings.LastIndexByte(rest, '!'); i >= 0 {
		rest = rest[:i]
	}
	at := strings.LastIndexByte(rest, '@')
	if at <= 0 || at == len(rest)-1 || strings.ContainsAny(rest, " \t") {
		return "", fmt.Errorf("%q is not a mail address", clip(rest))
	}
	return rest, nil
}

// clip shortens a stranger's text for a message, on a character boundary.
func clip(s string) string {
	const limit = 60
	r := []rune(s)
	if len(r) <= limit {
		return s
	}
	return string(r[:limit]) + "…"
}

// parseError words an error of the DMARC library for a person (without its
// "dmarc: " prefix) and unwraps to it.
type parseError struct{ err error }

func (e parseError) Error() string {
	return "it does not parse: " + strings.TrimPrefix(e.err.Error(), "dmarc: ")
}

func (e parseError) Unwrap() error { return e.err }
