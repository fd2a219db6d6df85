package dkimkey

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// ErrExists is returned by WritePrivate when the file already exists.
var ErrExists = errors.New("file exists")

// WritePrivate writes key as PKCS#8 PEM with mode 0600 through a temp file
// in the same folder and a rename; it never overwrites an existing file
// (ErrExists, wrapped with the path).
//
// The temp file is synced, then hard-linked to path, which fails when path
// exists even if another process creates it meanwhile, then removed; the
// folder is synced last. Filesystems without hard links get an error
// rather than a weaker guarantee.
func WritePrivate(path string, key crypto.Signer) error {
	der, err := marshalPrivate(key)
	if err != nil {
		return fmt.Errorf("write private key %s: %w", path, err)
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write private key %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // the link, if made, keeps the data
	if err := writeSynced(tmp, data); err != nil {
		return fmt.Errorf("write private key %s: %w", path, err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("write private key %s: %w", path, ErrExists)
		}
		return fmt.Errorf("write private key %s: %w", path, err)
	}
	syncDir(dir)
	return nil
}

// writeSynced makes f owner-only, writes data, syncs and closes it.
func writeSynced(f *os.File, data []byte) error {
	err := f.Chmod(0o600)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir makes a new directory entry durable. Some systems cannot sync a
// directory; the file itself is already synced, so failure is ignored.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}

// marshalPrivate encodes an RSA or Ed25519 private key as PKCS#8 DER,
// refusing anything else, including RSA keys whose numbers do not hold
// together.
func marshalPrivate(key crypto.Signer) ([]byte, error) {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if k == nil || k.N == nil || k.D == nil || len(k.Primes) < 2 || slices.Contains(k.Primes, nil) {
			return nil, errors.New("the RSA key is incomplete")
		}
		if err := k.Validate(); err != nil {
			return nil, fmt.Errorf("the RSA key is not valid: %w", err)
		}
	case ed25519.PrivateKey:
		if len(k) != ed25519.PrivateKeySize {
			return nil, errors.New("the Ed25519 key is not 64 bytes long")
		}
	default:
		return nil, fmt.Errorf("%w %T: only RSA and Ed25519 keys sign DKIM", ErrUnsupported, key)
	}
	return x509.MarshalPKCS8PrivateKey(key)
}
