package dkimkey

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
)

// Algorithms.
const (
	RSA     = "rsa"
	Ed25519 = "ed25519"
)

// RSA key sizes that Generate accepts, in bits. RFC 8301 §3.2: verifiers
// ignore keys under 1024 bits and signers should use 2048.
const (
	DefaultBits = 2048
	MinBits     = 1024
	MaxBits     = 4096
)

// ErrUnsupported is wrapped by errors about keys that are neither RSA nor
// Ed25519.
var ErrUnsupported = errors.New("unsupported key type")

// Generate makes a key pair: RSA of the given bits (DefaultBits when 0), or
// Ed25519 (bits ignored). An empty alg means RSA.
func Generate(alg string, bits int) (crypto.Signer, error) {
	switch alg {
	case RSA, "":
		if bits == 0 {
			bits = DefaultBits
		}
		if bits < MinBits || bits > MaxBits {
			return nil, fmt.Errorf("generate a %d-bit RSA key: use %d to %d bits (%d is the usual choice)", bits, MinBits, MaxBits, DefaultBits)
		}
		key, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			return nil, fmt.Errorf("generate a %d-bit RSA key: %w", bits, err)
		}
		return key, nil
	case Ed25519:
		_, key, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("generate an Ed25519 key: %w", err)
		}
		return key, nil
	}
	return nil, fmt.Errorf("%w %q: use %q or %q", ErrUnsupported, alg, RSA, Ed25519)
}

// public returns the usable public key of k, which may be a public key or a
// private one, or nil when k is neither an RSA nor an Ed25519 key.
func public(k any) crypto.PublicKey {
	switch k := k.(type) {
	case *rsa.PublicKey:
		if k == nil || k.N == nil || k.N.Sign() <= 0 {
			return nil
		}
		return k
	case rsa.PublicKey:
		return public(&k)
	case *rsa.PrivateKey:
		if k == nil {
			return nil
		}
		return public(&k.PublicKey)
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return nil
		}
		return k
	case ed25519.PrivateKey:
		if len(k) != ed25519.PrivateKeySize {
			return nil
		}
		return k.Public()
	}
	return nil
}

// Algorithm is RSA or Ed25519 for a supported key, "" otherwise. Private
// keys are accepted too.
func Algorithm(pub crypto.PublicKey) string {
	switch public(pub).(type) {
	case *rsa.PublicKey:
		return RSA
	case ed25519.PublicKey:
		return Ed25519
	}
	return ""
}

// Bits is the key size in bits (RSA modulus; 256 for Ed25519), 0 for an
// unsupported key.
func Bits(pub crypto.PublicKey) int {
	switch k := public(pub).(type) {
	case *rsa.PublicKey:
		return k.N.BitLen()
	case ed25519.PublicKey:
		return 256
	}
	return 0
}

// Equal reports whether two public keys are the same key. Private keys
// compare by their public half; unsupported keys are never equal.
func Equal(a, b crypto.PublicKey) bool {
	switch k := public(a).(type) {
	case *rsa.PublicKey:
		other, ok := public(b).(*rsa.PublicKey)
		return ok && k.Equal(other)
	case ed25519.PublicKey:
		return k.Equal(public(b))
	}
	return false
}

// RecordValue renders the TXT value to publish: "v=DKIM1; k=rsa; p=…" with
// the DER SubjectPublicKeyInfo (RFC 6376 §3.6.1), or "v=DKIM1; k=ed25519;
// p=…" with the raw 32-byte key (RFC 8463 §4.2).
func RecordValue(pub crypto.PublicKey) (string, error) {
	switch k := public(pub).(type) {
	case *rsa.PublicKey:
		der, err := x509.MarshalPKIXPublicKey(k)
		if err != nil {
			return "", fmt.Errorf("render DKIM record: %w", err)
		}
		return "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der), nil
	case ed25519.PublicKey:
		return "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(k), nil
	}
	return "", fmt.Errorf("render DKIM record: %w %T", ErrUnsupported, pub)
}
