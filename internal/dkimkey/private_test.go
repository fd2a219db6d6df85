package dkimkey

import (
	"errors"
	"strings"
	"testing"
)

func TestParsePrivate(t *testing.T) {
	tests := map[string]struct {
		data []byte
		alg  string
		bits int
		is   error
		text string // a substring of the error
	}{
		"rsa pkcs8":               {data: fixture(t, "rsa2048.pem"), alg: RSA, bits: 2048},
		"rsa pkcs1":               {data: fixture(t, "rsa1024-pkcs1.pem"), alg: RSA, bits: 1024},
		"ed25519 pkcs8":           {data: fixture(t, "ed25519.pem"), alg: Ed25519, bits: 256},
		"after other text":        {data: append([]byte("a comment\n"), fixture(t, "ed25519.pem")...), alg: Ed25519, bits: 256},
		"ec after its parameters": {data: fixture(t, "ec-with-params.pem"), is: ErrUnsupported, text: "EC (ECDSA) key, which DKIM cannot use"},
		"ec pkcs8":                {data: fixture(t, "ec-pkcs8.pem"), is: ErrUnsupported, text: "EC (ECDSA) key"},
		"x25519":                  {data: fixture(t, "x25519.pem"), is: ErrUnsupported, text: "X25519 key, which cannot sign"},
		"encrypted pkcs8":         {data: fixture(t, "encrypted-pkcs8.pem"), is: ErrEncrypted, text: "decrypt a copy first"},
		"encrypted pkcs1":         {data: fixture(t, "encrypted-pkcs1.pem"), is: ErrEncrypted, text: "decrypt a copy first"},
		"certificate":             {data: fixture(t, "certificate.pem"), text: "it is a certificate, not a private key"},
		"public key":              {data: fixture(t, "rsa2048-public.pem"), text: "it is a public key; the private key is needed here"},
		"openssh":                 {data: []byte("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n"), text: "it is an OpenSSH key"},
		"unknown block":           {data: []byte("-----BEGIN SOMETHING-----\nAAAA\n-----END SOMETHING-----\n"), text: `PEM block of type "SOMETHING", not a private key`},
		"parameters only":         {data: []byte("-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"), text: "it holds no private key"},
		"corrupt pkcs8":           {data: []byte("-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEA\n-----END PRIVATE KEY-----\n"), text: "the PKCS#8 private key does not parse"},
		"corrupt pkcs1":           {data: []byte("-----BEGIN RSA PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEA\n-----END RSA PRIVATE KEY-----\n"), text: "the PKCS#1 RSA private key does not parse"},
		"bare base64":             {data: []byte("MC4CAQAwBQYDK2VwBCIEIBbcXNSxfbHaLTaflpSIVcXQ4wl7JHKXWyvZ/sFZgX+N"), text: "it is not PEM"},
		"garbage":                 {data: []byte{0, 1, 2, 0xff}, text: "it is not PEM"},
		"empty":                   {data: nil, text: "it is not PEM"},
		"damaged pem":             {data: []byte("-----BEGIN PRIVATE KEY-----\nMIIE%%broken\n-----END PRIVATE KEY-----\n"), text: "its PEM block is damaged"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			key, err := ParsePrivate(tt.data)
			if tt.text != "" {
				if err == nil || !strings.Contains(err.Error(), tt.text) || tt.is != nil && !errors.Is(err, tt.is) {
					t.Fatalf("error = %v, want %q (%v)", err, tt.text, tt.is)
				}
				assertNoKeyBytes(t, err, tt.data)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if Algorithm(key.Public()) != tt.alg || Bits(key.Public()) != tt.bits {
				t.Errorf("got a %d-bit %s key, want %d-bit %s", Bits(key.Public()), Algorithm(key.Public()), tt.bits, tt.alg)
			}
		})
	}
}

// assertNoKeyBytes fails when err quotes any 8 characters of a base64
// line of data.
func assertNoKeyBytes(t *testing.T, err error, data []byte) {
	t.Helper()
	for line := range strings.Lines(string(data)) {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "-----") || strings.Contains(line, ":") {
			continue
		}
		for i := 0; i+8 <= len(line); i++ {
			if strings.Contains(err.Error(), line[i:i+8]) {
				t.Fatalf("error %q quotes key bytes %q", err, line[i:i+8])
			}
		}
	}
}
