package steps

import (
	"fmt"
	"strings"
)

// maxString is the longest character-string of a TXT record, in octets
// (RFC 1035 §3.3).
const maxString = 255

// JoinTXT joins the character-strings of a TXT record as miekg/dns hands
// them over (presentation form: \" \\ and \DDD escapes) into the raw value,
// without separators, the way receivers read SPF (RFC 7208 §3.3), DKIM
// (RFC 6376 §3.6.2.2) and DMARC records.
func JoinTXT(txt []string) string {
	var b strings.Builder
	for _, s := range txt {
		b.WriteString(unescapeTXT(s))
	}
	return b.String()
}

// rawStrings unescapes each character-string of a TXT record.
func rawStrings(txt []string) []string {
	out := make([]string, len(txt))
	for i, s := range txt {
		out[i] = unescapeTXT(s)
	}
	return out
}

// unescapeTXT turns one presentation-form character-string into its raw
// octets: "\X" is X and "\DDD" the octet DDD (RFC 1035 §5.1). A stray
// backslash at the end is kept.
func unescapeTXT(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		if i+3 < len(s) && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) {
			n := int(s[i+1]-'0')*100 + int(s[i+2]-'0')*10 + int(s[i+3]-'0')
			if n <= 0xff {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i+1])
		i++
	}
	return b.String()
}

// escapeTXT turns raw octets into one presentation-form character-string
// for miekg/dns: quotes and backslashes escaped, other unprintable octets
// as \DDD.
func escapeTXT(raw string) string {
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < ' ' || c > '~':
			fmt.Fprintf(&b, `\%03d`, c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// splitTXT splits a raw value into character-strings of at most 255 octets,
// never inside a UTF-8 sequence. An empty value is one empty string.
func splitTXT(value string) []string {
	if value == "" {
		return []string{""}
	}
	var out []string
	for len(value) > maxString {
		cut := maxString
		for cut > maxString-3 && value[cut]&0xc0 == 0x80 {
			cut--
		}
		out = append(out, value[:cut])
		value = value[cut:]
	}
	return append(out, value)
}

// damage is what a provider's web form did to a TXT value on its way in.
type damage struct {
	// what says it in words: `starts with a quote character`.
	what string
	// meant is the value as it was probably meant.
	meant string
}

// inspectTXT looks for the two ways forms mangle TXT values: quotes stored
// as part of the text (the zone-file form pasted into a field that adds its
// own), and a value split at every space into separate strings, which
// receivers join without the spaces. raw are
// the record's strings, unescaped. It reports false for a clean value.
func inspectTXT(raw []string) (damage, bool) {
	joined := strings.Join(raw, "")
	trimmed := strings.TrimSpace(joined)
	if strings.HasPrefix(trimmed, `"`) || strings.HasPrefix(trimmed, `\"`) {
		return damage{
			what:  "starts with a quote character: the quotes were stored as part of the text",
			meant: unquote(trimmed),
		}, true
	}
	if len(raw) < 2 {
		return damage{}, false
	}
	for _, s := range raw {
		if s == "" || strings.ContainsAny(s, " \t") || len(s) >= maxString {
			return damage{}, false
		}
	}
	return damage{
		what:  fmt.Sprintf("arrived as %d separate strings, one per word, which receivers join without spaces into %q", len(raw), joined),
		meant: strings.Join(raw, " "),
	}, true
}

// unquote reads a value that holds zone-file quoting as text: `"a b" "c"`
// becomes "a bc"; escaped quotes (\") count as quotes. Text outside quotes
// is kept, stray quotes are dropped.
func unquote(s string) string {
	s = strings.ReplaceAll(s, `\"`, `"`)
	var b strings.Builder
	in := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			in = !in
		case !in && (c == ' ' || c == '\t'):
			// Space between quoted strings separates them.
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
