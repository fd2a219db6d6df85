package dkimkey

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestRoundTrip follows a key from Generate to the record a receiver
// reads back.
func TestRoundTrip(t *testing.T) {
	tests := map[string]struct {
		alg  string
		kind string // of the record
	}{
		"rsa 2048": {RSA, RSA},
		"ed25519":  {Ed25519, Ed25519},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			key, err := Generate(tt.alg, 0)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "mail.private")
			if err := WritePrivate(path, key); err != nil {
				t.Fatal(err)
			}
			info, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if mode := info.Mode().Perm(); mode != 0o600 {
				t.Errorf("mode %o, want 600", mode)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(data), "-----BEGIN PRIVATE KEY-----\n") {
				t.Errorf("file does not start as PKCS#8 PEM: %.30q", data)
			}
			loaded, err := ParsePrivate(data)
			if err != nil {
				t.Fatal(err)
			}
			value, err := RecordValue(loaded.Public())
			if err != nil {
				t.Fatal(err)
			}
			rec, err := ParseRecord(value)
			if err != nil {
				t.Fatalf("ParseRecord(%q): %v", value, err)
			}
			if rec.KeyType != tt.kind || rec.Version != "DKIM1" {
				t.Errorf("record says k=%s v=%s", rec.KeyType, rec.Version)
			}
			if !Equal(rec.Key, key.Public()) {
				t.Error("the published key is not the generated one")
			}
			pub, err := ParsePublic([]byte(rec.P))
			if err != nil || !Equal(pub, key.Public()) {
				t.Errorf("ParsePublic of the p= value: %v, equal %v", err, Equal(pub, key.Public()))
			}
		})
	}
}

func TestWritePrivateNeverOverwrites(t *testing.T) {
	key := fixtureKey(t, "ed25519.pem")
	dir := t.TempDir()
	path := filepath.Join(dir, "mail.private")
	if err := os.WriteFile(path, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := WritePrivate(path, key)
	if !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), path) {
		t.Fatalf("error = %v, want ErrExists naming %s", err, path)
	}
	if data, _ := os.ReadFile(path); string(data) != "precious" {
		t.Errorf("the existing file now holds %q", data)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the folder holds %d entries, want only the existing file", len(entries))
	}
}

// TestWritePrivateRace starts writers of different keys at once: one wins,
// the others get ErrExists, and the file holds the winner's key.
func TestWritePrivateRace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mail.private")
	const writers = 8
	keys := make([]crypto.Signer, writers)
	errs := make([]error, writers)
	for i := range keys {
		k, err := Generate(Ed25519, 0)
		if err != nil {
			t.Fatal(err)
		}
		keys[i] = k
	}
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() { errs[i] = WritePrivate(path, keys[i]) })
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner < 0:
			winner = i
		case err == nil:
			t.Errorf("writers %d and %d both succeeded", winner, i)
		case !errors.Is(err, ErrExists):
			t.Errorf("writer %d: %v", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no writer succeeded")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParsePrivate(data)
	if err != nil || !Equal(got.Public(), keys[winner].Public()) {
		t.Errorf("the file does not hold the winner's key: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the folder holds %d entries, want the key alone", len(entries))
	}
}

func TestWritePrivateErrors(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	broken := *fixtureKey(t, "rsa1024-pkcs1.pem").(*rsa.PrivateKey)
	broken.D = nil
	tests := map[string]struct {
		path string // in a fresh folder
		key  crypto.Signer
		is   error
		text string
	}{
		"ec key":         {"k.pem", ec, ErrUnsupported, "only RSA and Ed25519 keys sign DKIM"},
		"incomplete rsa": {"k.pem", &broken, nil, "the RSA key is incomplete"},
		"nil key":        {"k.pem", nil, ErrUnsupported, "only RSA and Ed25519 keys sign DKIM"},
		"missing folder": {"no/such/k.pem", fixtureKey(t, "ed25519.pem"), os.ErrNotExist, "no/such/k.pem"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			err := WritePrivate(filepath.Join(dir, tt.path), tt.key)
			if err == nil || !strings.Contains(err.Error(), tt.text) || tt.is != nil && !errors.Is(err, tt.is) {
				t.Fatalf("error = %v, want %q (%v)", err, tt.text, tt.is)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("the folder holds %d entries after a failure", len(entries))
			}
		})
	}
}
