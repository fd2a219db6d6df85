package dkimkey

import (
	"crypto"
	"fmt"
	"slices"
	"strings"
)

// Record is a parsed DKIM key record (RFC 6376 §3.6.1).
type Record struct {
	Version  string            // "DKIM1" or ""
	KeyType  string            // k=, default "rsa"
	Flags    []string          // t= flags ("y", "s")
	Testing  bool              // t=y
	Services []string          // s=
	Hashes   []string          // h=
	P        string            // p= with folding whitespace removed
	Key      crypto.PublicKey  // nil when p= is empty (revoked) or bad
	Tags     map[string]string // every tag, as published
}

// SyntaxError is a record that does not parse.
type SyntaxError struct {
	Pos     int    // 0-based offset into the value, -1 when not one place
	Problem string // "tag list: missing '=' in \"p\" at character 12"
}

func (e *SyntaxError) Error() string { return e.Problem }

// MangledError is a record damaged on the way in: zone-file quotes around
// the value, a quote, backslash or whitespace inside the base64 of p=, or a
// value cut at 255 octets.
type MangledError struct {
	Pos     int    // 0-based offset into the whole value
	Problem string // "p= contains a quote at character 212: …"
}

func (e *MangledError) Error() string { return e.Problem }

// ParseRecord parses a DKIM key record (the joined TXT strings). It returns
// a *MangledError or *SyntaxError; it never panics, whatever the input. On
// error the Record holds what could be read before the problem.
//
// Tags follow RFC 6376 §3.2: names are case-sensitive, unknown tags are
// kept in Tags and otherwise ignored, a tag given twice is an error, and
// empty specs between semicolons are skipped as receivers do. v=, when
// present, must come first and be DKIM1; k= must be rsa or ed25519; p= is
// required and an empty p= is a revoked key (Key nil, no error).
//
// Whitespace inside p= is legal folding whitespace, which receivers remove,
// so a key that decodes without it is accepted as is. Whitespace is
// reported as damage only when the key does not decode even without it:
// then the paste broke the key, and the whitespace is where it shows.
func ParseRecord(txt string) (Record, error) {
	rec := Record{KeyType: RSA, Tags: map[string]string{}}
	if err := quoteDamage(txt); err != nil {
		return rec, err
	}
	tags, err := parseTags(txt)
	if err != nil {
		return rec, err
	}
	var p *tag
	for i, t := range tags {
		rec.Tags[t.name] = t.value
		switch t.name {
		case "v":
			if i != 0 {
				return rec, &SyntaxError{t.pos, fmt.Sprintf("v= is at character %d, but it must be the first tag (RFC 6376 §3.6.1)", t.pos+1)}
			}
			if t.value != "DKIM1" {
				return rec, &SyntaxError{t.vpos, fmt.Sprintf("v=%s is not v=DKIM1, so receivers discard the record", shorten(t.value))}
			}
			rec.Version = t.value
		case "k":
			if t.value != RSA && t.value != Ed25519 {
				return rec, &SyntaxError{t.vpos, fmt.Sprintf("k=%s is not a key type receivers know: use k=rsa or k=ed25519", shorten(t.value))}
			}
			rec.KeyType = t.value
		case "t":
			rec.Flags = list(t.value)
			rec.Testing = slices.Contains(rec.Flags, "y")
		case "s":
			rec.Services = list(t.value)
		case "h":
			rec.Hashes = list(t.value)
		case "p":
			p = &tags[i]
		}
	}
	if p == nil {
		return rec, &SyntaxError{-1, "the record has no p= tag: add p= with the public key"}
	}
	rec.P = stripFWS(p.value)
	if rec.P == "" {
		return rec, nil // revoked (RFC 6376 §3.6.1)
	}
	rec.Key, err = recordKey(txt, rec.KeyType, *p)
	return rec, err
}

// tag is one tag-spec and where it is in the value.
type tag struct {
	name  string
	value string // without surrounding whitespace
	pos   int    // offset of the name
	vpos  int    // offset of the value
	vend  int    // offset just after the value
}

// parseTags splits a tag-list (RFC 6376 §3.2) into its tags.
func parseTags(s string) ([]tag, error) {
	var tags []tag
	first := map[string]int{}
	for start := 0; start <= len(s); {
		end := strings.IndexByte(s[start:], ';')
		if end < 0 {
			end = len(s)
		} else {
			end += start
		}
		if strings.TrimFunc(s[start:end], isFWS) != "" {
			t, err := parseTag(s, start, end)
			if err != nil {
				return nil, err
			}
			if at, ok := first[t.name]; ok {
				return nil, &SyntaxError{t.pos, fmt.Sprintf("tag list: %s= appears twice, at characters %d and %d, so receivers reject the record", t.name, at+1, t.pos+1)}
			}
			first[t.name] = t.pos
			tags = append(tags, t)
		}
		start = end + 1
	}
	return tags, nil
}

// parseTag parses the tag-spec s[start:end].
func parseTag(s string, start, end int) (tag, error) {
	spec := s[start:end]
	lead := len(spec) - len(strings.TrimLeftFunc(spec, isFWS))
	eq := strings.IndexByte(spec, '=')
	if eq < 0 {
		return tag{}, &SyntaxError{start + lead, fmt.Sprintf("tag list: missing '=' in %q at character %d", shorten(strings.TrimFunc(spec, isFWS)), start+lead+1)}
	}
	t := tag{name: strings.TrimFunc(spec[:eq], isFWS), pos: start + lead}
	if !validTagName(t.name) {
		return tag{}, &SyntaxError{t.pos, fmt.Sprintf("tag list: %q at character %d is not a tag name", shorten(t.name), t.pos+1)}
	}
	raw := spec[eq+1:]
	t.value = strings.TrimFunc(raw, isFWS)
	t.vpos = start + eq + 1 + len(raw) - len(strings.TrimLeftFunc(raw, isFWS))
	t.vend = t.vpos + len(t.value)
	return t, nil
}

// validTagName reports whether s is ALPHA *ALNUMPUNC (RFC 6376 §3.2).
func validTagName(s string) bool {
	if s == "" || !('a' <= s[0]|0x20 && s[0]|0x20 <= 'z') {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !('a' <= c|0x20 && c|0x20 <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// isFWS reports whether r is folding whitespace (RFC 6376 §2.8).
func isFWS(r rune) bool { return r == ' ' || r == '\t' || r == '\r' || r == '\n' }

// stripFWS removes every folding whitespace character.
func stripFWS(s string) string {
	return strings.Map(func(r rune) rune {
		if isFWS(r) {
			return -1
		}
		return r
	}, s)
}

// list splits a colon-separated tag value ("y:s", "sha1:sha256").
func list(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ":") {
		if item = strings.TrimFunc(item, isFWS); item != "" {
			out = append(out, item)
		}
	}
	return out
}
