package dane

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// issue makes a certificate for name signed by parent (self-signed when
// parent is nil), with a new P-256 key.
func issue(t *testing.T, name string, parent *x509.Certificate, parentKey *ecdsa.PrivateKey, ca bool) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC),
		IsCA:                  ca,
		BasicConstraintsValid: true,
	}
	if ca {
		tmpl.KeyUsage = x509.KeyUsageCertSign
	} else {
		tmpl.DNSNames = []string{name}
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// testChain is a leaf for mail.example.com issued by an intermediate
// issued by a root, and another CA that issued none of them.
type testChain struct {
	leaf, intermediate, root, stranger *x509.Certificate
}

func newTestChain(t *testing.T) testChain {
	root, rootKey := issue(t, "Test Root", nil, nil, true)
	inter, interKey := issue(t, "Test Intermediate", root, rootKey, true)
	leaf, _ := issue(t, "mail.example.com", inter, interKey, false)
	stranger, _ := issue(t, "Other CA", nil, nil, true)
	return testChain{leaf: leaf, intermediate: inter, root: root, stranger: stranger}
}

func TestEE(t *testing.T) {
	c := newTestChain(t)
	sum := sha256.Sum256(c.leaf.RawSubjectPublicKeyInfo)
	want := "3 1 1 " + hex.EncodeToString(sum[:])
	if got := EE(c.leaf).String(); got != want {
		t.Errorf("EE = %s, want %s", got, want)
	}
	if got := TA(c.intermediate).String(); !strings.HasPrefix(got, "2 1 1 ") || len(got) != len(want) {
		t.Errorf("TA = %s", got)
	}
}

func TestMatch(t *testing.T) {
	c := newTestChain(t)
	chain := []*x509.Certificate{c.leaf, c.intermediate}
	full := func(r Record, cert *x509.Certificate, sel uint8) Record {
		rr := dns.TLSA{}
		if err := rr.Sign(int(r.Usage), int(sel), int(r.MatchingType), cert); err != nil {
			t.Fatal(err)
		}
		return FromRR(&rr)
	}
	tests := map[string]struct {
		rec   Record
		chain []*x509.Certificate
		want  int
	}{
		"3 1 1 of the leaf":          {EE(c.leaf), chain, 0},
		"3 0 1 of the leaf":          {full(Record{Usage: 3, MatchingType: 1}, c.leaf, 0), chain, 0},
		"3 1 2 of the leaf":          {full(Record{Usage: 3, MatchingType: 2}, c.leaf, 1), chain, 0},
		"3 1 0 of the leaf":          {full(Record{Usage: 3, MatchingType: 0}, c.leaf, 1), chain, 0},
		"3 1 1 of another key":       {EE(c.stranger), chain, -1},
		"3 1 1 of the intermediate":  {EE(c.intermediate), chain, -1},
		"2 1 1 of the intermediate":  {TA(c.intermediate), chain, 1},
		"2 1 1 of the root, sent":    {TA(c.root), []*x509.Certificate{c.leaf, c.intermediate, c.root}, 2},
		"2 1 1 of the root, unsent":  {TA(c.root), chain, -1},
		"2 1 1 of another authority": {TA(c.stranger), chain, -1},
		"2 1 1 of an unlinked chain": {TA(c.stranger), []*x509.Certificate{c.leaf, c.stranger}, -1},
		"2 1 1 of the leaf":          {TA(c.leaf), chain, -1},
		"unusable 1 1 1":             {Record{Usage: 1, Selector: 1, MatchingType: 1, Data: EE(c.leaf).Data}, chain, -1},
		"no chain":                   {EE(c.leaf), nil, -1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := tc.rec.Match(tc.chain); got != tc.want {
				t.Errorf("Match = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestProblem(t *testing.T) {
	digest := strings.Repeat("ab", 32)
	tests := map[string]struct {
		rec  Record
		want string
	}{
		"3 1 1":           {Record{3, 1, 1, digest}, ""},
		"2 0 2":           {Record{2, 0, 2, digest + digest}, ""},
		"3 1 0":           {Record{3, 1, 0, "3059"}, ""},
		"PKIX-EE":         {Record{1, 1, 1, digest}, "not usable for SMTP"},
		"PKIX-TA":         {Record{0, 1, 1, digest}, "PKIX-TA"},
		"usage 4":         {Record{4, 1, 1, digest}, "usage 4 is not defined"},
		"selector 2":      {Record{3, 2, 1, digest}, "selector 2 is not defined"},
		"matching type 3": {Record{3, 1, 3, digest}, "matching type 3 is not defined"},
		"short SHA-256":   {Record{3, 1, 1, digest[:62]}, "64 hex digits, this one 62"},
		"short SHA-512":   {Record{3, 1, 2, digest}, "128 hex digits, this one 64"},
		"not hex":         {Record{3, 1, 1, "zz"}, "not hexadecimal"},
	}
	for name, tc := range tests {
		got := tc.rec.Problem()
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("%s: Problem() = %q, want %q", name, got, tc.want)
		}
	}
}

func TestRollover(t *testing.T) {
	c := newTestChain(t)
	next, _ := issue(t, "mail.example.com", nil, nil, false)
	tests := map[string]struct {
		recs []Record
		want bool
	}{
		"one 3 1 1":                 {[]Record{EE(c.leaf)}, false},
		"the same 3 1 1 twice":      {[]Record{EE(c.leaf), EE(c.leaf)}, false},
		"current and next key":      {[]Record{EE(c.leaf), EE(next)}, true},
		"3 1 1 and 2 1 1":           {[]Record{EE(c.leaf), TA(c.intermediate)}, true},
		"2 1 1 alone":               {[]Record{TA(c.intermediate)}, true},
		"an unusable second record": {[]Record{EE(c.leaf), {Usage: 1, Selector: 1, MatchingType: 1, Data: EE(next).Data}}, false},
		"nothing":                   {nil, false},
	}
	for name, tc := range tests {
		if got := Rollover(tc.recs); got != tc.want {
			t.Errorf("%s: Rollover = %v, want %v", name, got, tc.want)
		}
	}
}

func TestParseChain(t *testing.T) {
	c := newTestChain(t)
	pemOf := func(typ string, der []byte) string {
		return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
	}
	full := pemOf("CERTIFICATE", c.leaf.Raw) + pemOf("CERTIFICATE", c.intermediate.Raw)
	chain, err := ParseChain([]byte("# comment\n" + full))
	if err != nil || len(chain) != 2 || !chain[0].Equal(c.leaf) || !chain[1].Equal(c.intermediate) {
		t.Fatalf("ParseChain(full chain) = %d certificates, %v", len(chain), err)
	}
	for name, tc := range map[string]struct{ data, want string }{
		"empty":       {"", "holds no PEM certificate"},
		"garbage":     {"not a pem file", "holds no PEM certificate"},
		"private key": {pemOf("EC PRIVATE KEY", []byte("secret-bytes")), "block 1 is a private key"},
		"key second":  {full + pemOf("PRIVATE KEY", []byte("secret-bytes")), "block 3 is a private key"},
		"public key":  {pemOf("PUBLIC KEY", []byte{1}), `block 1 is a "PUBLIC KEY"`},
		"bad DER":     {pemOf("CERTIFICATE", []byte{1, 2, 3}), "certificate 1 does not parse"},
	} {
		_, err := ParseChain([]byte(tc.data))
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: ParseChain = %v, want an error saying %q", name, err, tc.want)
		}
	}
}
