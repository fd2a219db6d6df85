package dkimkey

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"strings"
	"testing"
)

func TestGenerate(t *testing.T) {
	tests := map[string]struct {
		alg     string
		bits    int
		wantAlg string
		want    int    // bits
		err     string // a substring of the error
	}{
		"ed25519 ignores bits":      {alg: Ed25519, bits: 512, wantAlg: Ed25519, want: 256},
		"rsa of given bits":         {alg: RSA, bits: 1024, wantAlg: RSA, want: 1024},
		"empty means rsa":           {alg: "", bits: 1024, wantAlg: RSA, want: 1024},
		"rsa too small":             {alg: RSA, bits: 512, err: "generate a 512-bit RSA key: use 1024 to 4096 bits"},
		"rsa too large":             {alg: RSA, bits: 8192, err: "generate a 8192-bit RSA key: use 1024 to 4096 bits"},
		"unknown algorithm":         {alg: "ecdsa", err: `unsupported key type "ecdsa": use "rsa" or "ed25519"`},
		"algorithm names are exact": {alg: "RSA", err: `unsupported key type "RSA"`},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			key, err := Generate(tt.alg, tt.bits)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Generate(%q, %d) error = %v, want %q", tt.alg, tt.bits, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := Algorithm(key.Public()); got != tt.wantAlg {
				t.Errorf("Algorithm = %q, want %q", got, tt.wantAlg)
			}
			if got := Bits(key.Public()); got != tt.want {
				t.Errorf("Bits = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestKeyFacts(t *testing.T) {
	rsa2048 := fixtureKey(t, "rsa2048.pem")
	rsa1024 := fixtureKey(t, "rsa1024-pkcs1.pem")
	ed := fixtureKey(t, "ed25519.pem")
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		key  crypto.PublicKey
		alg  string
		bits int
	}{
		"rsa 2048":             {rsa2048.Public(), RSA, 2048},
		"rsa 1024":             {rsa1024.Public(), RSA, 1024},
		"rsa by value":         {*rsa1024.Public().(*rsa.PublicKey), RSA, 1024},
		"ed25519":              {ed.Public(), Ed25519, 256},
		"a private key counts": {rsa2048, RSA, 2048},
		"ec is unsupported":    {ec.Public(), "", 0},
		"nil":                  {nil, "", 0},
		"empty rsa key":        {&rsa.PublicKey{}, "", 0},
		"short ed25519 key":    {ed25519.PublicKey{1, 2, 3}, "", 0},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Algorithm(tt.key); got != tt.alg {
				t.Errorf("Algorithm = %q, want %q", got, tt.alg)
			}
			if got := Bits(tt.key); got != tt.bits {
				t.Errorf("Bits = %d, want %d", got, tt.bits)
			}
		})
	}
}

func TestEqual(t *testing.T) {
	rsa2048 := fixtureKey(t, "rsa2048.pem")
	rsa1024 := fixtureKey(t, "rsa1024-pkcs1.pem")
	ed := fixtureKey(t, "ed25519.pem")
	other, err := Generate(Ed25519, 0)
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		a, b crypto.PublicKey
		want bool
	}{
		"same rsa key":             {rsa2048.Public(), rsa2048.Public(), true},
		"rsa private and public":   {rsa2048, rsa2048.Public(), true},
		"rsa by value and pointer": {*rsa1024.Public().(*rsa.PublicKey), rsa1024.Public(), true},
		"different rsa keys":       {rsa2048.Public(), rsa1024.Public(), false},
		"same ed25519 key":         {ed.Public(), ed.Public(), true},
		"different ed25519 keys":   {ed.Public(), other.Public(), false},
		"rsa and ed25519":          {rsa2048.Public(), ed.Public(), false},
		"nil keys are never equal": {nil, nil, false},
		"empty rsa keys":           {&rsa.PublicKey{}, &rsa.PublicKey{}, false},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Equal(tt.a, tt.b); got != tt.want {
				t.Errorf("Equal = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRecordValue(t *testing.T) {
	rsa2048 := fixtureKey(t, "rsa2048.pem")
	ed := fixtureKey(t, "ed25519.pem")
	tests := map[string]struct {
		key  crypto.PublicKey
		want string
		err  error
	}{
		"rsa":                {rsa2048.Public(), "v=DKIM1; k=rsa; p=" + pValue(t, rsa2048), nil},
		"ed25519 raw bytes":  {ed.Public(), "v=DKIM1; k=ed25519; p=" + pValue(t, ed), nil},
		"from a private key": {ed, "v=DKIM1; k=ed25519; p=" + pValue(t, ed), nil},
		"unsupported":        {"not a key", "", ErrUnsupported},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := RecordValue(tt.key)
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Errorf("RecordValue = %q, %v; want %q, %v", got, err, tt.want, tt.err)
			}
		})
	}
	if v, _ := RecordValue(ed.Public()); len(v) != len("v=DKIM1; k=ed25519; p=")+44 {
		t.Errorf("an Ed25519 record is %d characters, want the 44 of 32 bytes in base64 after the tags", len(v))
	}
}
