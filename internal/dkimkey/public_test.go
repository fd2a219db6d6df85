package dkimkey

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func TestParsePublic(t *testing.T) {
	rsa2048 := fixtureKey(t, "rsa2048.pem")
	rsa1024 := fixtureKey(t, "rsa1024-pkcs1.pem")
	ed := fixtureKey(t, "ed25519.pem")
	pkcs1 := base64.StdEncoding.EncodeToString(x509.MarshalPKCS1PublicKey(rsa1024.Public().(*rsa.PublicKey)))
	folded := pValue(t, rsa2048)
	folded = folded[:64] + "\n" + folded[64:128] + "\r\n  " + folded[128:]
	tests := map[string]struct {
		data string
		want any // key to be Equal to
		is   error
		text string // a substring of the error
	}{
		"pkix pem rsa":        {data: string(fixture(t, "rsa2048-public.pem")), want: rsa2048},
		"pkcs1 pem rsa":       {data: string(fixture(t, "rsa1024-public-pkcs1.pem")), want: rsa1024},
		"pkix pem ed25519":    {data: string(fixture(t, "ed25519-public.pem")), want: ed},
		"bare spki base64":    {data: pValue(t, rsa2048), want: rsa2048},
		"bare base64 folded":  {data: folded, want: rsa2048},
		"bare pkcs1 base64":   {data: pkcs1, want: rsa1024},
		"bare ed25519 bytes":  {data: pValue(t, ed) + "\n", want: ed},
		"whole record":        {data: "v=DKIM1; k=ed25519; p=" + pValue(t, ed), want: ed},
		"record of p= alone":  {data: "p=" + pValue(t, rsa2048), want: rsa2048},
		"revoked record":      {data: "v=DKIM1; p=", text: "the record's p= is empty, which means the key was revoked"},
		"mangled record":      {data: `"v=DKIM1; p=` + pValue(t, ed) + `"`, text: "the value contains a quote at character 1"},
		"ec public key":       {data: string(fixture(t, "ec-public.pem")), is: ErrUnsupported, text: "EC (ECDSA) key"},
		"certificate":         {data: string(fixture(t, "certificate.pem")), text: "it is a certificate; DKIM publishes a bare public key"},
		"private key":         {data: string(fixture(t, "rsa2048.pem")), text: "it is a private key; give it as the private key file"},
		"unknown pem":         {data: "-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n", text: `PEM block of type "FOO", not a public key`},
		"broken pem":          {data: "-----BEGIN PUBLIC KEY-----\nAAAA\n", text: "its PEM block is damaged"},
		"no public key block": {data: "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n", text: "it holds no PEM public key"},
		"binary":              {data: "\x30\x82\x01\x22\x00\xff\xfe", text: "it is not a text file"},
		"corrupt pkcs1 pem":   {data: "-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n", text: "the PKCS#1 RSA public key does not parse"},
		"base64 of junk":      {data: base64.StdEncoding.EncodeToString([]byte("this is not a key at all")), text: "the public key does not parse"},
		"text":                {data: "hello world", text: "it is neither PEM, nor base64, nor a DKIM record"},
		"empty":               {data: "", text: "it is neither PEM, nor base64, nor a DKIM record"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			key, err := ParsePublic([]byte(tt.data))
			if tt.text != "" {
				if err == nil || !strings.Contains(err.Error(), tt.text) || tt.is != nil && !errors.Is(err, tt.is) {
					t.Fatalf("error = %v, want %q (%v)", err, tt.text, tt.is)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !Equal(key, tt.want) {
				t.Errorf("got a different key: %T", key)
			}
		})
	}
}
