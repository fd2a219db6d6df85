// Package dkimkey makes, stores, loads and renders DKIM keys, and parses
// the DKIM key records (RFC 6376 §3.6.1) that strangers publish.
package dkimkey

// CONTRACT STUB: the dkimkey/spf helper replaces the bodies; the signatures
// are what internal/steps and cmd rely on. Adding is fine.

import (
	"crypto"
	"errors"
)

// Algorithms.
const (
	RSA     = "rsa"
	Ed25519 = "ed25519"
)

// ErrExists is returned by WritePrivate when the file already exists.
var ErrExists = errors.New("file exists")

// Generate makes a key pair: RSA of the given bits (2048 when 0), or
// Ed25519 (bits ignored).
func Generate(alg string, bits int) (crypto.Signer, error) { return nil, nil }

// WritePrivate writes key as PKCS#8 PEM with mode 0600 through a temp file
// in the same folder and a rename; it never overwrites an existing file
// (ErrExists, wrapped with the path).
func WritePrivate(path string, key crypto.Signer) error { return nil }

// ParsePrivate reads an RSA or Ed25519 private key from PEM (PKCS#1 or
// PKCS#8). Errors say what was found instead; they never quote key bytes.
func ParsePrivate(data []byte) (crypto.Signer, error) { return nil, nil }

// ParsePublic reads a public key from PEM (PKIX "PUBLIC KEY" or PKCS#1 "RSA
// PUBLIC KEY"), from a bare base64 p= value, or from a whole DKIM record.
func ParsePublic(data []byte) (crypto.PublicKey, error) { return nil, nil }

// RecordValue renders the TXT value to publish: "v=DKIM1; k=rsa; p=…".
func RecordValue(pub crypto.PublicKey) (string, error) { return "", nil }

// Bits is the key size in bits (RSA modulus; 256 for Ed25519).
func Bits(pub crypto.PublicKey) int { return 0 }

// Algorithm is RSA or Ed25519 for a supported key, "" otherwise.
func Algorithm(pub crypto.PublicKey) string { return "" }

// Equal reports whether two public keys are the same key.
func Equal(a, b crypto.PublicKey) bool { return false }

// Record is a parsed DKIM key record.
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
	Problem string // "tag list: missing '=' in \"p\""
}

func (e *SyntaxError) Error() string { return e.Problem }

// MangledError is a record whose p= was damaged on the way in: a quote,
// backslash or whitespace inside the base64, or a value cut at 255 octets.
type MangledError struct {
	Pos     int    // 0-based offset into the whole value
	Problem string // "p= contains a quote at character 212"
}

func (e *MangledError) Error() string { return e.Problem }

// ParseRecord parses a DKIM key record (the joined TXT strings). It returns
// a *MangledError or *SyntaxError; it never panics, whatever the input.
func ParseRecord(txt string) (Record, error) { return Record{}, nil }
