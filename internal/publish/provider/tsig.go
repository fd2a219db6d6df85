package provider

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/miekg/dns"
)

// TSIGKey is a TSIG key (RFC 8945) from a key file.
type TSIGKey struct {
	// Name is the key's name, absolute: "mail-update.example.com.".
	Name string
	// Algorithm is miekg/dns's name of it: "hmac-sha256.".
	Algorithm string
	// Secret is base64, as in the file. Never print it.
	Secret string
}

// tsigAlgorithms maps the algorithm names of BIND key files to miekg/dns's.
var tsigAlgorithms = map[string]string{
	"hmac-md5":                 dns.HmacMD5,
	"hmac-md5.sig-alg.reg.int": dns.HmacMD5,
	"hmac-sha1":                dns.HmacSHA1,
	"hmac-sha224":              dns.HmacSHA224,
	"hmac-sha256":              dns.HmacSHA256,
	"hmac-sha384":              dns.HmacSHA384,
	"hmac-sha512":              dns.HmacSHA512,
}

// ParseTSIGKey reads a key file in the format BIND's nsupdate -k and
// tsig-keygen use:
//
//	key "mail-update.example.com" {
//		algorithm hmac-sha256;
//		secret "base64…";
//	};
//
// Comments (#, //, /* */) are allowed. Errors name the file and line and
// never quote the secret.
func ParseTSIGKey(file string, data []byte) (TSIGKey, error) {
	toks, err := tokenize(file, string(data))
	if err != nil {
		return TSIGKey{}, err
	}
	p := &keyParser{file: file, toks: toks}
	return p.parse()
}

// token is a word, a quoted string or one of { } ;, with its line.
type token struct {
	text   string
	quoted bool
	line   int
}

func tokenize(file, s string) ([]token, error) {
	var toks []token
	line := 1
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '#' || strings.HasPrefix(s[i:], "//"):
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case strings.HasPrefix(s[i:], "/*"):
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return nil, fmt.Errorf("%s:%d: a /* comment is never closed", file, line)
			}
			line += strings.Count(s[i:i+2+end], "\n")
			i += end + 4
		case c == '{' || c == '}' || c == ';':
			toks = append(toks, token{text: string(c), line: line})
			i++
		case c == '"':
			end := strings.IndexAny(s[i+1:], "\"\n")
			if end < 0 || s[i+1+end] != '"' {
				return nil, fmt.Errorf("%s:%d: a quoted string is not closed on its line", file, line)
			}
			toks = append(toks, token{text: s[i+1 : i+1+end], quoted: true, line: line})
			i += end + 2
		default:
			start := i
			for i < len(s) && !strings.ContainsRune(" \t\r\n{};\"#", rune(s[i])) {
				i++
			}
			toks = append(toks, token{text: s[start:i], line: line})
		}
	}
	return toks, nil
}

type keyParser struct {
	file string
	toks []token
	pos  int
}

func (p *keyParser) errorf(line int, format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", p.file, line, fmt.Sprintf(format, args...))
}

// next returns the next token; at the end, a token with no text on the
// last line.
func (p *keyParser) next() token {
	if p.pos >= len(p.toks) {
		line := 1
		if len(p.toks) > 0 {
			line = p.toks[len(p.toks)-1].line
		}
		return token{line: line}
	}
	t := p.toks[p.pos]
	p.pos++
	return t
}

func (p *keyParser) expect(text, where string) error {
	t := p.next()
	if t.quoted || t.text != text {
		return p.errorf(t.line, "expected %q %s, found %s", text, where, describe(t))
	}
	return nil
}

// describe names a token without quoting what may be a secret.
func describe(t token) string {
	switch {
	case t.text == "" && !t.quoted:
		return "the end of the file"
	case t.quoted:
		return "a quoted string"
	case len(t.text) == 1 && strings.Contains("{};", t.text):
		return fmt.Sprintf("%q", t.text)
	}
	// Never the word itself: it may be a secret in the wrong place.
	return "a word"
}

func (p *keyParser) parse() (TSIGKey, error) {
	var key TSIGKey
	first := p.next()
	if first.quoted || first.text != "key" {
		return key, p.errorf(first.line, "expected a key statement (key \"name\" { algorithm …; secret \"…\"; };), found %s; this is not a BIND key file", describe(first))
	}
	name := p.next()
	if name.text == "" || name.text == "{" {
		return key, p.errorf(name.line, "the key has no name")
	}
	if _, ok := dns.IsDomainName(name.text); !ok {
		return key, p.errorf(name.line, "the key name %q is not a domain name", name.text)
	}
	key.Name = dns.CanonicalName(name.text)
	if err := p.expect("{", "after the key name"); err != nil {
		return key, err
	}
	for {
		t := p.next()
		switch {
		case t.text == "}" && !t.quoted:
			if err := p.expect(";", "after the key's closing brace"); err != nil {
				return key, err
			}
			switch {
			case key.Algorithm == "":
				return key, p.errorf(t.line, "the key %s has no algorithm line (algorithm hmac-sha256;)", key.Name)
			case key.Secret == "":
				return key, p.errorf(t.line, "the key %s has no secret line (secret \"…\";)", key.Name)
			}
			if rest := p.next(); rest.text != "" || rest.quoted {
				return key, p.errorf(rest.line, "more follows the key %s; give a file with one key", key.Name)
			}
			return key, nil
		case t.text == "algorithm" && !t.quoted:
			a := p.next()
			alg, ok := tsigAlgorithms[strings.ToLower(strings.TrimSuffix(a.text, "."))]
			if !ok {
				name := "that is not one"
				if len(a.text) <= 24 && !a.quoted {
					name = fmt.Sprintf("%q", a.text)
				}
				return key, p.errorf(a.line, "unknown algorithm %s: use hmac-sha256 (or hmac-sha1, hmac-sha224, hmac-sha384, hmac-sha512, hmac-md5)", name)
			}
			key.Algorithm = alg
			if err := p.expect(";", "after the algorithm"); err != nil {
				return key, err
			}
		case t.text == "secret" && !t.quoted:
			s := p.next()
			if s.text == "" || s.text == ";" {
				return key, p.errorf(s.line, "the secret is empty")
			}
			if _, err := base64.StdEncoding.DecodeString(s.text); err != nil {
				return key, p.errorf(s.line, "the secret is not base64 (as tsig-keygen writes it)")
			}
			key.Secret = s.text
			if err := p.expect(";", "after the secret"); err != nil {
				return key, err
			}
		case t.text == "" && !t.quoted:
			return key, p.errorf(t.line, "the key %s is not closed with \"};\"", key.Name)
		default:
			return key, p.errorf(t.line, "unexpected %s in the key %s: a key holds an algorithm and a secret", describe(t), key.Name)
		}
	}
}
