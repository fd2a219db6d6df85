package dkimkey

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParseRecord(f *testing.F) {
	rsaP := pValue(f, fixtureKey(f, "rsa2048.pem"))
	edP := pValue(f, fixtureKey(f, "ed25519.pem"))
	whole := "v=DKIM1; k=rsa; p=" + rsaP
	for _, s := range []string{
		whole,
		whole[:255],
		"v=DKIM1; k=ed25519; p=" + edP,
		"v=DKIM1; t=y:s; s=email; h=sha256; n=note; p=",
		`"v=DKIM1; k=rsa; p=` + rsaP[:200] + `" "` + rsaP[200:] + `"`,
		"v=DKIM1; p=" + rsaP[:100] + ` \"` + rsaP[100:],
		" v = DKIM1 ;; k=rsa ;p=" + rsaP[:50] + "\r\n\t" + rsaP[50:] + ";",
		"k=rsa; v=DKIM1; p=; p=",
		"v=DKIM1; k=ed25519; p=MCowBQYDK2VwAyEA",
		"=;=;",
		`v=DKIM1; n="a" "b" \\; x="; p=` + edP,
		"v=DKIM1; k=a" + strings.Repeat("é", 25) + "; p=",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, txt string) {
		rec, err := ParseRecord(txt)
		var me *MangledError
		var se *SyntaxError
		switch {
		case errors.As(err, &me):
			if me.Pos < 0 || me.Pos > len(txt) || me.Problem == "" || utf8.ValidString(txt) && !utf8.ValidString(me.Problem) {
				t.Fatalf("mangled at %d of %d: %q", me.Pos, len(txt), me.Problem)
			}
			return
		case errors.As(err, &se):
			if se.Pos < -1 || se.Pos > len(txt) || se.Problem == "" || utf8.ValidString(txt) && !utf8.ValidString(se.Problem) {
				t.Fatalf("syntax error at %d of %d: %q", se.Pos, len(txt), se.Problem)
			}
			return
		case err != nil:
			t.Fatalf("error %T %v is neither mangled nor syntax", err, err)
		}
		if strings.ContainsAny(rec.P, " \t\r\n") {
			t.Fatalf("P %q holds whitespace", rec.P)
		}
		if rec.Key == nil {
			if rec.P != "" {
				t.Fatalf("no key and no error for p=%q", rec.P)
			}
			return
		}
		if rec.KeyType != Algorithm(rec.Key) {
			t.Fatalf("k=%s holds a %s key", rec.KeyType, Algorithm(rec.Key))
		}
		value, err := RecordValue(rec.Key)
		if err != nil {
			t.Fatalf("RecordValue of a parsed key: %v", err)
		}
		again, err := ParseRecord(value)
		if err != nil || !Equal(again.Key, rec.Key) {
			t.Fatalf("rendered %q does not read back as the same key: %v", value, err)
		}
	})
}

func FuzzParsePublic(f *testing.F) {
	for _, name := range []string{"rsa2048-public.pem", "rsa1024-public-pkcs1.pem", "ed25519-public.pem", "ec-public.pem", "certificate.pem"} {
		f.Add(fixture(f, name))
	}
	f.Add([]byte(pValue(f, fixtureKey(f, "ed25519.pem"))))
	f.Fuzz(func(t *testing.T, data []byte) {
		key, err := ParsePublic(data)
		if err == nil && Algorithm(key) == "" {
			t.Fatalf("ParsePublic returned an unsupported %T without an error", key)
		}
	})
}

func FuzzParsePrivate(f *testing.F) {
	for _, name := range []string{"rsa2048.pem", "rsa1024-pkcs1.pem", "ed25519.pem", "ec-with-params.pem", "encrypted-pkcs1.pem", "x25519.pem"} {
		f.Add(fixture(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		key, err := ParsePrivate(data)
		if err == nil && Algorithm(key.Public()) == "" {
			t.Fatalf("ParsePrivate returned an unsupported %T without an error", key)
		}
	})
}
