package dkimkey

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"strings"
)

// maxString is the most octets one TXT character-string holds (RFC 1035
// §3.3); DNS hosting forms often cut a pasted value there.
const maxString = 255

// quoteDamage finds zone-file quoting pasted into the value: quotes around
// the whole value, or split strings ("…" "…"), quotes or backslash escapes
// inside p=. Elsewhere quotes and backslashes can be legal: the n= note is
// a qp-section, whose safe-char includes both (RFC 6376 §3.6.1), and
// unknown tags are ignored, so they are left for the tag parser to judge.
func quoteDamage(txt string) error {
	lead := len(txt) - len(strings.TrimLeftFunc(txt, isFWS))
	around := lead < len(txt) && (txt[lead] == '"' || txt[lead] == '\\')
	start, end := pSpan(txt)
	if j := splitStrings(txt[start:end]); j >= 0 {
		j += start
		return &MangledError{j, fmt.Sprintf(`p= contains '" "' at character %d: the value was pasted as several quoted strings. Join them into one value without quotes`, j+1)}
	}
	i := strings.IndexAny(txt[start:end], `"\`)
	if i >= 0 {
		i += start
	}
	if around && (i < 0 || lead < i) {
		i = lead
	}
	switch {
	case i < 0:
		return nil
	case txt[i] == '\\':
		return &MangledError{i, fmt.Sprintf(`%s contains a backslash at character %d: escaped quotes were pasted with the value. Publish it without backslashes and quotes`, where(txt, i), i+1)}
	}
	return &MangledError{i, fmt.Sprintf(`%s contains a quote at character %d: the value was pasted with its zone-file quotes. Publish it without quotes`, where(txt, i), i+1)}
}

// pSpan returns where the value of the first p= tag is in txt (from just
// after "=" to the next ";"), or an empty span at the end when there is
// none. It reads the tag list leniently, before the tag parser judges it.
func pSpan(txt string) (start, end int) {
	for from := 0; from < len(txt); {
		stop := strings.IndexByte(txt[from:], ';')
		if stop < 0 {
			stop = len(txt)
		} else {
			stop += from
		}
		if name, _, ok := strings.Cut(txt[from:stop], "="); ok && strings.TrimFunc(name, isFWS) == "p" {
			return from + len(name) + 1, stop
		}
		from = stop + 1
	}
	return len(txt), len(txt)
}

// splitStrings returns the offset of the first closing quote followed by
// optional whitespace and an opening quote, or -1.
func splitStrings(txt string) int {
	for i := 0; i < len(txt); i++ {
		if txt[i] != '"' {
			continue
		}
		rest := strings.TrimLeftFunc(txt[i+1:], isFWS)
		if len(rest) < len(txt[i+1:]) && strings.HasPrefix(rest, `"`) {
			return i
		}
	}
	return -1
}

// where names the part of the value that holds offset i: "p=" inside the
// key, "the value" elsewhere.
func where(txt string, i int) string {
	segment := txt[strings.LastIndexByte(txt[:i], ';')+1 : i]
	if name, _, ok := strings.Cut(segment, "="); ok && strings.TrimFunc(name, isFWS) == "p" {
		return "p="
	}
	return "the value"
}

// recordKey decodes p= for key type k, and when it does not decode says
// why: a value cut at 255 characters, a key cut short, whitespace that
// broke it, or plain syntax.
func recordKey(txt, k string, p tag) (crypto.PublicKey, error) {
	b64 := stripFWS(p.value)
	for i := p.vpos; i < p.vend; i++ {
		if c := txt[i]; !isFWS(rune(c)) && !base64Char(c) {
			return nil, &SyntaxError{i, fmt.Sprintf("p= contains %q at character %d, which is not base64: copy the key again", rune(c), i+1)}
		}
	}
	der, err := base64.StdEncoding.DecodeString(b64)
	problem := "p= is not valid base64"
	if err == nil {
		var key crypto.PublicKey
		if key, problem = keyFromDER(k, der); problem == "" {
			return key, nil
		}
	}
	have, want, cut := truncated(k, b64)
	ws := strings.IndexFunc(txt[p.vpos:p.vend], isFWS)
	switch {
	case cut && len(txt) >= maxString-1 && len(txt) <= maxString+1, len(txt) == maxString:
		return nil, &MangledError{len(txt), fmt.Sprintf("the value was cut at %d characters: publish it as one value, or as several quoted strings (it is %d characters long and its key does not decode)", maxString, len(txt))}
	case ws >= 0:
		return nil, &MangledError{p.vpos + ws, fmt.Sprintf("p= is split by whitespace at character %d and does not decode even without it: the key was damaged when pasted. Copy it again as one line", p.vpos+ws+1)}
	case cut:
		return nil, &MangledError{p.vend, fmt.Sprintf("p= is cut short at character %d: the key holds %d of its %d bytes. Copy the whole key again", p.vend, have, want)}
	}
	return nil, &SyntaxError{p.vpos, fmt.Sprintf("%s (at character %d)", problem, p.vpos+1)}
}

// keyFromDER reads the key of type k from the decoded p=, or says what is
// wrong with it.
func keyFromDER(k string, der []byte) (crypto.PublicKey, string) {
	if k == Ed25519 {
		if len(der) == ed25519.PublicKeySize {
			return ed25519.PublicKey(der), ""
		}
		if key, err := parseDER(der); err == nil {
			if raw, ok := key.(ed25519.PublicKey); ok {
				return nil, "p= wraps the Ed25519 key in a SubjectPublicKeyInfo, but RFC 8463 publishes the raw 32 bytes: p=" + base64.StdEncoding.EncodeToString(raw)
			}
		}
		return nil, fmt.Sprintf("p= must hold the 32 bytes of an Ed25519 key (RFC 8463), not %d bytes", len(der))
	}
	if len(der) == ed25519.PublicKeySize {
		return nil, "p= holds 32 bytes, an Ed25519 key, but the record says k=rsa or nothing: add k=ed25519"
	}
	key, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		if key, err := x509.ParsePKCS1PublicKey(der); err == nil {
			return key, ""
		}
		return nil, "p= does not hold an RSA public key"
	}
	switch key.(type) {
	case *rsa.PublicKey:
		return key, ""
	case ed25519.PublicKey:
		return nil, "p= holds an Ed25519 key, but the record says k=rsa or nothing: use k=ed25519 with the raw 32 bytes (RFC 8463)"
	case *ecdsa.PublicKey:
		return nil, "p= holds an EC key, which DKIM cannot use"
	}
	return nil, "p= holds a key of a type DKIM cannot use"
}

// truncated reports whether b64 is the start of a longer key: the DER
// header of an RSA key announces more bytes than there are, or an Ed25519
// key has fewer than 32.
func truncated(k, b64 string) (have, want int, ok bool) {
	der, err := base64.StdEncoding.DecodeString(b64[:len(b64)/4*4])
	if err != nil {
		return 0, 0, false
	}
	if k == Ed25519 {
		return len(der), ed25519.PublicKeySize, len(der) < ed25519.PublicKeySize
	}
	if len(der) < 2 || der[0] != 0x30 { // a DER SEQUENCE
		return 0, 0, false
	}
	want = 2 + int(der[1])
	switch {
	case der[1] == 0x81 && len(der) >= 3:
		want = 3 + int(der[2])
	case der[1] == 0x82 && len(der) >= 4:
		want = 4 + (int(der[2])<<8 | int(der[3]))
	case der[1] >= 0x80:
		return 0, 0, false
	}
	return len(der), want, want > len(der)
}

// base64Char reports whether c belongs to the standard base64 alphabet or
// is padding.
func base64Char(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/' || c == '='
}
