package dkimkey

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ErrEncrypted is wrapped by errors about password-protected keys, which
// mailwizard does not decrypt.
var ErrEncrypted = errors.New("the private key is encrypted")

// ParsePrivate reads an RSA or Ed25519 private key from PEM (PKCS#1 or
// PKCS#8). Errors say what was found instead; they never quote key bytes.
// PEM blocks that carry no key, such as EC PARAMETERS, are skipped.
func ParsePrivate(data []byte) (crypto.Signer, error) {
	found := false
	for rest := data; ; {
		block, next := pem.Decode(rest)
		if block == nil {
			break
		}
		rest, found = next, true
		switch block.Type {
		case "PRIVATE KEY":
			key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("the PKCS#8 private key does not parse: %w", err)
			}
			return signer(key)
		case "RSA PRIVATE KEY":
			if encryptedPEM(block) {
				return nil, encryptedError()
			}
			key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("the PKCS#1 RSA private key does not parse: %w", err)
			}
			return key, nil
		case "ENCRYPTED PRIVATE KEY":
			return nil, encryptedError()
		case "EC PRIVATE KEY":
			return nil, ecError()
		case "OPENSSH PRIVATE KEY":
			return nil, errors.New(`it is an OpenSSH key: convert a copy with "ssh-keygen -p -m PKCS8 -f COPY", or make a DKIM key with "mailwizard dkim generate"`)
		case "CERTIFICATE":
			return nil, errors.New("it is a certificate, not a private key")
		case "PUBLIC KEY", "RSA PUBLIC KEY":
			return nil, errors.New("it is a public key; the private key is needed here")
		case "EC PARAMETERS", "DH PARAMETERS":
			continue
		default:
			return nil, fmt.Errorf("it holds a PEM block of type %q, not a private key", shorten(block.Type))
		}
	}
	if found {
		return nil, errors.New("it holds no private key")
	}
	if bytes.Contains(data, []byte("-----BEGIN")) {
		return nil, errors.New("its PEM block is damaged (the lines between BEGIN and END are not valid base64): was the file cut short or edited?")
	}
	return nil, errors.New("it is not PEM: a private key file starts with -----BEGIN PRIVATE KEY-----")
}

// signer keeps the RSA and Ed25519 keys that x509 returns.
func signer(key any) (crypto.Signer, error) {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return k, nil
	case ed25519.PrivateKey:
		return k, nil
	case *ecdsa.PrivateKey:
		return nil, ecError()
	case *ecdh.PrivateKey:
		return nil, fmt.Errorf("%w: it is an X25519 key, which cannot sign; make an Ed25519 key instead", ErrUnsupported)
	}
	return nil, fmt.Errorf("%w %T: DKIM signs with RSA or Ed25519", ErrUnsupported, key)
}

// encryptedPEM reports whether a legacy PEM block is password-protected
// (RFC 1421 §4.6.1.1 Proc-Type).
func encryptedPEM(block *pem.Block) bool {
	return strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED")
}

func encryptedError() error {
	return fmt.Errorf(`%w: decrypt a copy first ("openssl pkey -in KEY -out COPY") and give the copy`, ErrEncrypted)
}

func ecError() error {
	return fmt.Errorf("%w: it is an EC (ECDSA) key, which DKIM cannot use; make an RSA or Ed25519 key", ErrUnsupported)
}

// shorten keeps a text read from a file short enough for one message line,
// cutting between characters.
func shorten(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
