package dkimkey

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ParsePublic reads a public key from PEM (PKIX "PUBLIC KEY" or PKCS#1 "RSA
// PUBLIC KEY"), from a bare base64 p= value (DER SubjectPublicKeyInfo or
// PKCS#1 for RSA, the raw 32 bytes for Ed25519), or from a whole DKIM
// record ("v=DKIM1; k=…; p=…", whose errors are ParseRecord's).
func ParsePublic(data []byte) (crypto.PublicKey, error) {
	s := strings.TrimSpace(string(data))
	if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < ' ' && !unicode.IsSpace(r) }) {
		return nil, errors.New("it is not a text file: a public key is PEM (-----BEGIN PUBLIC KEY-----), base64, or a DKIM record")
	}
	switch {
	case strings.HasPrefix(s, "-----BEGIN"):
		return parsePEMPublic(data)
	case recordLike(s):
		rec, err := ParseRecord(s)
		if err != nil {
			return nil, err
		}
		if rec.Key == nil {
			return nil, errors.New("the record's p= is empty, which means the key was revoked")
		}
		return rec.Key, nil
	}
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil || len(der) == 0 {
		return nil, errors.New("it is neither PEM, nor base64, nor a DKIM record")
	}
	if len(der) == ed25519.PublicKeySize {
		return ed25519.PublicKey(der), nil
	}
	return parseDER(der)
}

// recordLike reports whether s looks like a DKIM tag list rather than bare
// base64, which holds no ";", quotes or backslashes, and "=" only as
// padding at the end.
func recordLike(s string) bool {
	if strings.ContainsAny(s, `;"\`) {
		return true
	}
	name, value, ok := strings.Cut(s, "=")
	return ok && validTagName(strings.TrimSpace(name)) && strings.TrimLeft(value, "=") != ""
}

// parsePEMPublic reads the first key block of PEM data.
func parsePEMPublic(data []byte) (crypto.PublicKey, error) {
	for rest := data; ; {
		block, next := pem.Decode(rest)
		if block == nil {
			if bytes.Contains(rest, []byte("-----BEGIN")) {
				return nil, errors.New("its PEM block is damaged (the lines between BEGIN and END are not valid base64): was the file cut short or edited?")
			}
			return nil, errors.New("it holds no PEM public key")
		}
		rest = next
		switch block.Type {
		case "PUBLIC KEY":
			return parseDER(block.Bytes)
		case "RSA PUBLIC KEY":
			key, err := x509.ParsePKCS1PublicKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("the PKCS#1 RSA public key does not parse: %w", err)
			}
			return key, nil
		case "CERTIFICATE":
			return nil, errors.New("it is a certificate; DKIM publishes a bare public key")
		case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "OPENSSH PRIVATE KEY":
			return nil, errors.New("it is a private key; give it as the private key file, and keep it off anything public")
		case "EC PARAMETERS":
			continue
		default:
			return nil, fmt.Errorf("it holds a PEM block of type %q, not a public key", shorten(block.Type))
		}
	}
}

// parseDER reads an RSA or Ed25519 key from DER SubjectPublicKeyInfo, or an
// RSA key from DER PKCS#1.
func parseDER(der []byte) (crypto.PublicKey, error) {
	key, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		if rsaKey, err1 := x509.ParsePKCS1PublicKey(der); err1 == nil {
			return rsaKey, nil
		}
		return nil, fmt.Errorf("the public key does not parse: %w", err)
	}
	switch k := key.(type) {
	case *rsa.PublicKey, ed25519.PublicKey:
		return k, nil
	case *ecdsa.PublicKey:
		return nil, ecError()
	}
	return nil, fmt.Errorf("%w %T: DKIM uses RSA or Ed25519", ErrUnsupported, key)
}
