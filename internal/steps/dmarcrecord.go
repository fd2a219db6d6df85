package steps

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// dmarcVersion opens every DMARC record (RFC 7489 §6.4: exactly "v=DMARC1",
// first).
const dmarcVersion = "v=DMARC1"

// isDMARC reports whether a TXT value is meant as a DMARC record: it starts
// with "v=DMARC1" (spaces around "=" allowed, any case) followed by the end,
// a space or ";". Leading spaces and case mistakes are for parseDMARC to
// report.
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

// dmarcRecord is a parsed DMARC record (RFC 7489 §6.3).
type dmarcRecord struct {
	// Policy is p=, in lower case. A record whose p= is missing or not
	// valid but that has a valid rua= has "none": receivers apply it so.
	Policy string
	// SubdomainPolicy is sp=, in lower case; "" when absent.
	SubdomainPolicy string
	// hasRUA is set when the record has a rua= tag.
	hasRUA bool
	// rua are the aggregate-report addresses of the mailto: URIs, without
	// mailto: and any size limit.
	rua []string
	// elsewhere are the report URIs of other schemes (https:, …), which
	// RFC 7489 allows and few receivers use.
	elsewhere []reportURI
}

// subdomainPolicy is the policy receivers apply to the subdomains of the
// record's domain that have no record of their own (RFC 7489 §6.6.3: sp=,
// else p=).
func (r dmarcRecord) subdomainPolicy() (policy, tag string) {
	if r.SubdomainPolicy != "" {
		return r.SubdomainPolicy, "sp"
	}
	return r.Policy, "p"
}

// reportURI is one URI of a rua= or ruf= tag.
type reportURI struct {
	tag string // "rua" or "ruf"
	uri string // as written, without a size limit
}

// dmarcEffect is what receivers do with a record that has a problem.
type dmarcEffect int

const (
	// dmarcIgnored: the record is discarded, as if there were none
	// (RFC 7489 §6.6.3: it does not start with v=DMARC1, or has no valid
	// p= and no valid rua=).
	dmarcIgnored dmarcEffect = iota
	// dmarcAsNone: no valid p= (or a bad sp=) but a valid rua=; receivers
	// act as if the record said p=none (RFC 7489 §6.6.3 step 6).
	dmarcAsNone
	// dmarcTagSkipped: a bad value of another tag, which receivers discard
	// in favour of its default or ignore (RFC 7489 §6.3).
	dmarcTagSkipped
)

// dmarcError is a problem of a DMARC record and what receivers do about it.
type dmarcError struct {
	problem string
	effect  dmarcEffect
}

func (e *dmarcError) Error() string { return e.problem }

// consequence says in a sentence what receivers make of the record.
func (e *dmarcError) consequence() string {
	switch e.effect {
	case dmarcAsNone:
		return "Receivers apply a record without a valid policy but with a valid rua= address as p=none: they send reports, and deliver mail that fails the checks as if there were no policy"
	case dmarcTagSkipped:
		return "Receivers skip that tag and use its default, and some may ignore the whole record"
	}
	return "Receivers ignore the whole record, as if there were none"
}

// dmarcEffectOf is the effect of a parse error: how much of the record
// receivers still apply.
func dmarcEffectOf(err error) dmarcEffect {
	var de *dmarcError
	if errors.As(err, &de) {
		return de.effect
	}
	return dmarcIgnored
}

// dmarcTag is one tag=value pair as written.
type dmarcTag struct {
	name, value string
}

// parseDMARC parses a DMARC record by the grammar of RFC 7489 §6.4 and says
// what is wrong in a sentence a person can act on. Its errors are
// *dmarcError, which tell what receivers do with the record. When the error
// leaves the record applied (dmarcAsNone, dmarcTagSkipped), the record
// returned is what receivers apply. It never panics, whatever the input.
func parseDMARC(txt string) (dmarcRecord, error) {
	ignored := func(format string, args ...any) (dmarcRecord, error) {
		return dmarcRecord{}, &dmarcError{problem: fmt.Sprintf(format, args...), effect: dmarcIgnored}
	}
	if strings.HasPrefix(txt, " ") || strings.HasPrefix(txt, "\t") {
		return ignored("it starts with a space; receivers only read a record whose very first characters are %s (RFC 7489 §6.6.3)", dmarcVersion)
	}
	tags, err := dmarcTags(txt)
	if err != nil {
		return ignored("%v", err)
	}
	if len(tags) == 0 || tags[0].name != "v" {
		return ignored("it must start with %s", dmarcVersion)
	}
	if err := checkDMARCVersion(tags[0].value); err != nil {
		return ignored("%v", err)
	}
	var rec dmarcRecord
	var first, policy error
	validRUA := false
	for _, t := range tags[1:] {
		err := checkDMARCTag(t, &rec)
		switch {
		case t.name == "rua" && err == nil:
			validRUA = true
		case (t.name == "p" || t.name == "sp") && err != nil && policy == nil:
			policy = err
		case err != nil && first == nil:
			first = err
		}
	}
	if rec.Policy == "" && policy == nil {
		policy = errors.New("it has no p= tag, which says what receivers do with mail that fails the checks")
	}
	switch {
	case policy != nil && validRUA:
		rec.Policy, rec.SubdomainPolicy = DMARCNone, ""
		return rec, &dmarcError{problem: policy.Error(), effect: dmarcAsNone}
	case policy != nil:
		return dmarcRecord{}, &dmarcError{problem: policy.Error(), effect: dmarcIgnored}
	case first != nil:
		return rec, &dmarcError{problem: first.Error(), effect: dmarcTagSkipped}
	}
	return rec, nil
}

// checkDMARCVersion checks the value of v=, which must be exactly DMARC1
// (RFC 7489 §6.4: %x44 %x4d %x41 %x52 %x43 %x31).
func checkDMARCVersion(value string) error {
	const want = "DMARC1"
	switch {
	case value == want:
		return nil
	case len(value) > len(want) && strings.EqualFold(value[:len(want)], want) && isWSP(value[len(want)]):
		return fmt.Errorf("a \";\" is missing after %s, so receivers read %q as one tag; separate the tags: \"%s; %s\"",
			dmarcVersion, clip("v="+value), dmarcVersion, clip(strings.TrimLeft(value[len(want):], " \t")))
	case strings.EqualFold(value, want):
		return fmt.Errorf("it starts with v=%s; it must be exactly %s (upper case)", value, dmarcVersion)
	}
	return fmt.Errorf("it starts with v=%s; it must be exactly %s", clip(value), dmarcVersion)
}

// dmarcTags splits a record into tags (RFC 7489 §6.4, the tag-list of
// RFC 6376 §3.2): names lower-cased, values trimmed, no repeats.
func dmarcTags(txt string) ([]dmarcTag, error) {
	var tags []dmarcTag
	seen := make(map[string]bool)
	for part := range strings.SplitSeq(txt, ";") {
		part = strings.Trim(part, " \t")
		if part == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("%q has no \"=\"; tags are written name=value and separated by \";\"", clip(part))
		}
		name = strings.ToLower(strings.Trim(name, " \t"))
		if !dmarcTagName.MatchString(name) {
			return nil, fmt.Errorf("%q is not a tag name", clip(name))
		}
		if seen[name] {
			return nil, fmt.Errorf("the tag %s= appears twice", name)
		}
		seen[name] = true
		tags = append(tags, dmarcTag{name: name, value: strings.Trim(value, " \t")})
	}
	return tags, nil
}

var (
	// dmarcTagName is a tag-name of RFC 6376 §3.2: ALPHA *ALNUMPUNC.
	dmarcTagName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	// nextTag finds a tag inside another's value: the ";" before it is
	// missing ("p=none rua=mailto:…").
	nextTag = regexp.MustCompile(`[ \t]+([A-Za-z][A-Za-z0-9_]*)[ \t]*=`)
	// reportSize is the size limit of a report URI (RFC 7489 §6.4:
	// "!" 1*DIGIT [ "k" / "m" / "g" / "t" ]).
	reportSize = regexp.MustCompile(`^([0-9]+)[kmgtKMGT]?$`)
	// uriScheme is a URI scheme (RFC 3986 §3.1).
	uriScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*$`)
	// keyword is a Keyword of RFC 5321 §4.1.2, the report formats of rf=.
	keyword = regexp.MustCompile(`^[A-Za-z0-9-]*[A-Za-z0-9]$`)
)

func isWSP(c byte) bool { return c == ' ' || c == '\t' }

// checkDMARCTag checks the value of one tag by RFC 7489 §6.3 and §6.4 and
// records what it says in rec. Unknown tags are ignored (§6.3).
func checkDMARCTag(t dmarcTag, rec *dmarcRecord) error {
	known := func(vals ...string) bool {
		for _, v := range vals {
			if strings.EqualFold(t.value, v) {
				return true
			}
		}
		return false
	}
	switch t.name {
	case "p", "sp", "adkim", "aspf", "pct", "ri", "fo", "rf", "rua", "ruf":
		if m := nextTag.FindStringSubmatchIndex(t.value); m != nil {
			next := t.value[m[2]:m[3]]
			return fmt.Errorf("a \";\" is missing before %s= in %q; tags are separated by \";\"", strings.ToLower(next), clip(t.name+"="+t.value))
		}
	default:
		return nil
	}
	switch t.name {
	case "p", "sp":
		if !known(DMARCNone, DMARCQuarantine, DMARCReject) {
			return fmt.Errorf("%s=%s is not a policy; use none, quarantine or reject", t.name, clip(t.value))
		}
		if t.name == "p" {
			rec.Policy = strings.ToLower(t.value)
		} else {
			rec.SubdomainPolicy = strings.ToLower(t.value)
		}
	case "adkim", "aspf":
		if !known("r", "s") {
			return fmt.Errorf("%s=%s is not an alignment mode; use r (relaxed) or s (strict)", t.name, clip(t.value))
		}
	case "pct":
		// 1*3DIGIT, from 0 to 100: no sign, no spaces.
		n, err := strconv.Atoi(t.value)
		if err != nil || len(t.value) > 3 || t.value[0] < '0' || t.value[0] > '9' || n > 100 {
			return fmt.Errorf("pct=%s is not a percentage from 0 to 100", clip(t.value))
		}
	case "ri":
		// 1*DIGIT, a 32-bit unsigned number of seconds; 0 is valid.
		if t.value == "" || t.value[0] < '0' || t.value[0] > '9' {
			return fmt.Errorf("ri=%s is not a number of seconds", clip(t.value))
		}
		if _, err := strconv.ParseUint(t.value, 10, 32); err != nil {
			return fmt.Errorf("ri=%s is not a number of seconds up to 4294967295", clip(t.value))
		}
	case "fo":
		for opt := range strings.SplitSeq(t.value, ":") {
			switch strings.ToLower(strings.Trim(opt, " \t")) {
			case "0", "1", "d", "s":
			default:
				return fmt.Errorf("fo=%s: %q is not a failure-report option; use 0, 1, d or s, separated by \":\"", clip(t.value), clip(strings.Trim(opt, " \t")))
			}
		}
	case "rf":
		for f := range strings.SplitSeq(t.value, ":") {
			if f = strings.Trim(f, " \t"); !keyword.MatchString(f) {
				return fmt.Errorf("rf=%s: %q is not a report format name; use afrf", clip(t.value), clip(f))
			}
		}
	case "rua", "ruf":
		for u := range strings.SplitSeq(t.value, ",") {
			uri, addr, err := parseReportURI(strings.Trim(u, " \t"))
			if err != nil {
				return fmt.Errorf("%s=%s: %w", t.name, clip(t.value), err)
			}
			switch {
			case addr == "":
				rec.elsewhere = append(rec.elsewhere, reportURI{tag: t.name, uri: uri})
			case t.name == "rua":
				rec.rua = append(rec.rua, addr)
			}
		}
		rec.hasRUA = rec.hasRUA || t.name == "rua"
	}
	return nil
}

// parseReportURI reads one report URI ("mailto:dmarc@example.com!10m",
// RFC 7489 §6.2 and §6.4): it returns the URI without its size limit, and
// for mailto: the mail address ("" for other schemes).
func parseReportURI(s string) (uri, addr string, err error) {
	uri, size, limited := strings.Cut(s, "!")
	if limited {
		m := reportSize.FindStringSubmatch(size)
		if m == nil {
			return "", "", fmt.Errorf("%q has the size limit !%s; write a number with an optional unit k, m, g or t, as in !10m", clip(s), clip(size))
		}
		if _, err := strconv.ParseUint(m[1], 10, 64); err != nil {
			return "", "", fmt.Errorf("%q has a size limit too large to be a number", clip(s))
		}
	}
	scheme, rest, ok := strings.Cut(uri, ":")
	if !ok || !uriScheme.MatchString(scheme) {
		return "", "", fmt.Errorf("%q is not a mailto: address; write mailto:%s", clip(uri), clip(uri))
	}
	if strings.EqualFold(scheme, "mailto") {
		addr, _, _ = strings.Cut(rest, "?")
		at := strings.LastIndexByte(addr, '@')
		if at <= 0 || at == len(addr)-1 || !uriChars(addr) {
			return "", "", fmt.Errorf("%q is not a mail address", clip(addr))
		}
		return uri, addr, nil
	}
	if rest == "" || !uriChars(rest) {
		return "", "", fmt.Errorf("%q is not a valid URI", clip(uri))
	}
	return uri, "", nil
}

// uriChars reports whether s holds only characters a URI may hold, with
// every "%" starting an escape of two hex digits (RFC 3986 §2). Commas and
// "!" are for the record's own syntax (RFC 7489 §6.4).
func uriChars(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return false
			}
			i += 2
		case c <= ' ' || c >= 0x7f || strings.IndexByte("\"<>\\^`{|},!", c) >= 0:
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return isDigit(c) || 'a' <= c|0x20 && c|0x20 <= 'f'
}

// Clip shortens text a stranger or a user gave, for a message that echoes
// it: at most 60 characters, on a character boundary, "…" marking the cut.
func Clip(s string) string { return clip(s) }

// clip shortens a stranger's text for a message, on a character boundary.
func clip(s string) string {
	const limit = 60
	r := []rune(s)
	if len(r) <= limit {
		return s
	}
	return string(r[:limit]) + "…"
}
