package dkimkey

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"
)

// fixture reads a file of testdata.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// fixtureKey reads a private key of testdata.
func fixtureKey(t testing.TB, name string) crypto.Signer {
	t.Helper()
	key, err := ParsePrivate(fixture(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return key
}

// pValue is the base64 p= of a key, as RecordValue renders it.
func pValue(t testing.TB, key crypto.Signer) string {
	t.Helper()
	switch pub := key.Public().(type) {
	case *rsa.PublicKey:
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		return base64.StdEncoding.EncodeToString(der)
	case ed25519.PublicKey:
		return base64.StdEncoding.EncodeToString(pub)
	}
	t.Fatalf("unexpected key %T", key)
	return ""
}
