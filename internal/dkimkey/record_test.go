package dkimkey

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestParseRecord(t *testing.T) {
	rsa2048 := fixtureKey(t, "rsa2048.pem")
	rsa1024 := fixtureKey(t, "rsa1024-pkcs1.pem")
	ed := fixtureKey(t, "ed25519.pem")
	rsaP, edP := pValue(t, rsa2048), pValue(t, ed)
	pkcs1 := base64.StdEncoding.EncodeToString(x509.MarshalPKCS1PublicKey(rsa1024.Public().(*rsa.PublicKey)))
	// exactly255 is a whole, valid record of exactly 255 characters.
	short := "v=DKIM1; k=rsa; p=" + pValue(t, rsa1024)
	exactly255 := "v=DKIM1; n=" + strings.Repeat("x", 255-len(short)-len("; n=")) + "; k=rsa; p=" + pValue(t, rsa1024)
	tests := map[string]struct {
		txt      string
		want     any // the key Equal to Key, nil for none
		keyType  string
		version  string
		flags    []string
		testing  bool
		services []string
		hashes   []string
		tags     map[string]string
	}{
		"rsa": {
			txt: "v=DKIM1; k=rsa; p=" + rsaP, want: rsa2048, keyType: RSA, version: "DKIM1",
			tags: map[string]string{"v": "DKIM1", "k": "rsa", "p": rsaP},
		},
		"defaults": {
			txt: "p=" + rsaP, want: rsa2048, keyType: RSA,
			tags: map[string]string{"p": rsaP},
		},
		"ed25519": {
			txt: "v=DKIM1; k=ed25519; p=" + edP, want: ed, keyType: Ed25519, version: "DKIM1",
			tags: map[string]string{"v": "DKIM1", "k": "ed25519", "p": edP},
		},
		"pkcs1 key": {
			txt: "v=DKIM1; p=" + pkcs1, want: rsa1024, keyType: RSA, version: "DKIM1",
			tags: map[string]string{"v": "DKIM1", "p": pkcs1},
		},
		"flags, services and hashes": {
			txt: "v=DKIM1; t=y:s; s=email; h=sha1 : sha256; p=" + rsaP, want: rsa2048, keyType: RSA, version: "DKIM1",
			flags: []string{"y", "s"}, testing: true, services: []string{"email"}, hashes: []string{"sha1", "sha256"},
			tags: map[string]string{"v": "DKIM1", "t": "y:s", "s": "email", "h": "sha1 : sha256", "p": rsaP},
		},
		"strict flag is not testing": {
			txt: "v=DKIM1; t=s; p=" + rsaP, want: rsa2048, keyType: RSA, version: "DKIM1", flags: []string{"s"},
			tags: map[string]string{"v": "DKIM1", "t": "s", "p": rsaP},
		},
		"unknown tags are kept": {
			txt: "v=DKIM1; x_1=anything goes; p=" + edP + "; k=ed25519", want: ed, keyType: Ed25519, version: "DKIM1",
			tags: map[string]string{"v": "DKIM1", "x_1": "anything goes", "p": edP, "k": "ed25519"},
		},
		"folding whitespace that decodes": {
			txt: " v = DKIM1 ;\tk=rsa;\r\n p=" + rsaP[:100] + " " + rsaP[100:200] + "\t" + rsaP[200:] + " ", want: rsa2048, keyType: RSA, version: "DKIM1",
			tags: map[string]string{"v": "DKIM1", "k": "rsa", "p": rsaP[:100] + " " + rsaP[100:200] + "\t" + rsaP[200:]},
		},
		"empty specs and a final semicolon": {
			txt: "v=DKIM1;; k=rsa; ;p=" + rsaP + ";", want: rsa2048, keyType: RSA, version: "DKIM1",
			tags: map[string]string{"v": "DKIM1", "k": "rsa", "p": rsaP},
		},
		"revoked": {
			txt: "v=DKIM1; k=rsa; p=", keyType: RSA, version: "DKIM1",
			tags: map[string]string{"v": "DKIM1", "k": "rsa", "p": ""},
		},
		// RFC 6376 §3.6.1: n= is a qp-section, whose safe-char takes '"'
		// and '\'; quotes there are a note's own, not zone-file quoting.
		"quotes and backslashes in the note": {
			txt: `v=DKIM1; n="signed by mail" \o/ "a" "b"; k=ed25519; p=` + edP, want: ed, keyType: Ed25519, version: "DKIM1",
			tags: map[string]string{"v": "DKIM1", "n": `"signed by mail" \o/ "a" "b"`, "k": "ed25519", "p": edP},
		},
		"quotes in an unknown tag": {
			txt: `v=DKIM1; x="y"; p=` + edP + "; k=ed25519", want: ed, keyType: Ed25519, version: "DKIM1",
			tags: map[string]string{"v": "DKIM1", "x": `"y"`, "p": edP, "k": "ed25519"},
		},
		"a note that ends the record with a quote": {
			txt: `v=DKIM1; k=ed25519; p=` + edP + `; n="rotated 2026"`, want: ed, keyType: Ed25519, version: "DKIM1",
			tags: map[string]string{"v": "DKIM1", "k": "ed25519", "p": edP, "n": `"rotated 2026"`},
		},
		"exactly 255 characters and whole": {
			txt: exactly255, want: rsa1024, keyType: RSA, version: "DKIM1",
			tags: map[string]string{"v": "DKIM1", "n": strings.Repeat("x", 255-len(short)-len("; n=")), "k": "rsa", "p": pValue(t, rsa1024)},
		},
	}
	if len(exactly255) != 255 {
		t.Fatalf("the 255-character record is %d characters", len(exactly255))
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			rec, err := ParseRecord(tt.txt)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == nil && rec.Key != nil || tt.want != nil && !Equal(rec.Key, tt.want) {
				t.Errorf("Key = %T, want the key of %T", rec.Key, tt.want)
			}
			if rec.KeyType != tt.keyType || rec.Version != tt.version || rec.Testing != tt.testing {
				t.Errorf("k=%q v=%q testing=%v, want k=%q v=%q testing=%v", rec.KeyType, rec.Version, rec.Testing, tt.keyType, tt.version, tt.testing)
			}
			if !slices.Equal(rec.Flags, tt.flags) || !slices.Equal(rec.Services, tt.services) || !slices.Equal(rec.Hashes, tt.hashes) {
				t.Errorf("t=%q s=%q h=%q, want %q %q %q", rec.Flags, rec.Services, rec.Hashes, tt.flags, tt.services, tt.hashes)
			}
			if strings.ContainsAny(rec.P, " \t\r\n") || strings.Join(strings.Fields(tt.tags["p"]), "") != rec.P {
				t.Errorf("P = %q, want p= without whitespace", rec.P)
			}
			if len(rec.Tags) != len(tt.tags) {
				t.Errorf("Tags = %q, want %q", rec.Tags, tt.tags)
			}
			for k, v := range tt.tags {
				if rec.Tags[k] != v {
					t.Errorf("Tags[%q] = %q, want %q", k, rec.Tags[k], v)
				}
			}
		})
	}
}

func TestParseRecordErrors(t *testing.T) {
	rsa2048 := fixtureKey(t, "rsa2048.pem")
	ed := fixtureKey(t, "ed25519.pem")
	rsaP, edP := pValue(t, rsa2048), pValue(t, ed)
	ecDER, err := base64.StdEncoding.DecodeString(strings.Join(strings.Split(string(fixture(t, "ec-public.pem")), "\n")[1:3], ""))
	if err != nil {
		t.Fatal(err)
	}
	ecP := base64.StdEncoding.EncodeToString(ecDER)
	edDER, err := x509.MarshalPKIXPublicKey(ed.Public())
	if err != nil {
		t.Fatal(err)
	}
	edSPKI := base64.StdEncoding.EncodeToString(edDER)
	whole := "v=DKIM1; k=rsa; p=" + rsaP
	// at returns the offset of the n-th (from 1) occurrence of sub.
	at := func(s, sub string, n int) int {
		off := -1
		for range n {
			i := strings.Index(s[off+1:], sub)
			if i < 0 {
				t.Fatalf("%q not in %q", sub, s)
			}
			off += 1 + i
		}
		return off
	}
	broken := "v=DKIM1; k=rsa; p=" + rsaP[:150] + " " + rsaP[153:]
	tests := map[string]struct {
		txt     string
		mangled bool
		pos     int
		problem string
	}{
		"missing =": {
			txt: "v=DKIM1; k=rsa; p", pos: 16,
			problem: `tag list: missing '=' in "p" at character 17`,
		},
		"bad tag name": {
			txt: "v=DKIM1; 1k=rsa; p=" + rsaP, pos: 9,
			problem: `tag list: "1k" at character 10 is not a tag name`,
		},
		"empty tag name": {
			txt: "v=DKIM1; =rsa; p=" + rsaP, pos: 9,
			problem: `tag list: "" at character 10 is not a tag name`,
		},
		"duplicate p": {
			txt: "v=DKIM1; p=" + edP + "; k=ed25519; p=" + edP, pos: at("v=DKIM1; p="+edP+"; k=ed25519; p="+edP, "p=", 2),
			problem: "tag list: p= appears twice, at characters 10 and 69, so receivers reject the record",
		},
		"duplicate names are case-sensitive, so not these": {
			txt: "v=DKIM1; K=x; k=ecdsa; p=" + rsaP, pos: 16,
			problem: "k=ecdsa is not a key type receivers know: use k=rsa or k=ed25519",
		},
		"v not first": {
			txt: "k=rsa; v=DKIM1; p=" + rsaP, pos: 7,
			problem: "v= is at character 8, but it must be the first tag (RFC 6376 §3.6.1)",
		},
		"another version": {
			txt: "v=DKIM2; p=" + rsaP, pos: 2,
			problem: "v=DKIM2 is not v=DKIM1, so receivers discard the record",
		},
		"version case matters": {
			txt: "v=dkim1; p=" + rsaP, pos: 2,
			problem: "v=dkim1 is not v=DKIM1, so receivers discard the record",
		},
		"unknown key type": {
			txt: "v=DKIM1; k=ecdsa; p=" + rsaP, pos: 11,
			problem: "k=ecdsa is not a key type receivers know: use k=rsa or k=ed25519",
		},
		"no p": {
			txt: "v=DKIM1; k=rsa", pos: -1,
			problem: "the record has no p= tag: add p= with the public key",
		},
		"base64url": {
			txt: "v=DKIM1; p=" + strings.ReplaceAll(rsaP, "+", "-"), pos: at("v=DKIM1; p="+strings.ReplaceAll(rsaP, "+", "-"), "-", 1),
			problem: `p= contains '-' at character ` + strconv.Itoa(at("v=DKIM1; p="+strings.ReplaceAll(rsaP, "+", "-"), "-", 1)+1) + `, which is not base64: copy the key again`,
		},
		"not base64": {
			txt: "v=DKIM1; p=MIIB=xyz", pos: 11,
			problem: "p= is not valid base64 (at character 12)",
		},
		"not a key": {
			txt: "v=DKIM1; p=" + base64.StdEncoding.EncodeToString([]byte("hello, this is not a key")), pos: 11,
			problem: "p= does not hold an RSA public key (at character 12)",
		},
		"ec key": {
			txt: "v=DKIM1; p=" + ecP, pos: 11,
			problem: "p= holds an EC key, which DKIM cannot use (at character 12)",
		},
		"ed25519 key under k=rsa": {
			txt: "v=DKIM1; p=" + edP, pos: 11,
			problem: "p= holds 32 bytes, an Ed25519 key, but the record says k=rsa or nothing: add k=ed25519 (at character 12)",
		},
		"ed25519 spki under k=rsa": {
			txt: "v=DKIM1; p=" + edSPKI, pos: 11,
			problem: "p= holds an Ed25519 key, but the record says k=rsa or nothing: use k=ed25519 with the raw 32 bytes (RFC 8463) (at character 12)",
		},
		"ed25519 spki under k=ed25519": {
			txt: "v=DKIM1; k=ed25519; p=" + edSPKI, pos: 22,
			problem: "p= wraps the Ed25519 key in a SubjectPublicKeyInfo, but RFC 8463 publishes the raw 32 bytes: p=" + edP + " (at character 23)",
		},
		"rsa key under k=ed25519": {
			txt: "v=DKIM1; k=ed25519; p=" + rsaP, pos: 22,
			problem: "p= must hold the 32 bytes of an Ed25519 key (RFC 8463), not 294 bytes (at character 23)",
		},
		"quote inside p": {
			txt: "v=DKIM1; k=rsa; p=" + rsaP[:193] + `"` + rsaP[193:], mangled: true, pos: 211,
			problem: "p= contains a quote at character 212: the value was pasted with its zone-file quotes. Publish it without quotes",
		},
		"split strings inside p": {
			txt: "v=DKIM1; k=rsa; p=" + rsaP[:237] + `" "` + rsaP[237:], mangled: true, pos: 255,
			problem: `p= contains '" "' at character 256: the value was pasted as several quoted strings. Join them into one value without quotes`,
		},
		"wrapped and split": {
			txt: `"v=DKIM1; k=rsa; p=` + rsaP[:236] + `" "` + rsaP[236:] + `"`, mangled: true, pos: 255,
			problem: `p= contains '" "' at character 256: the value was pasted as several quoted strings. Join them into one value without quotes`,
		},
		"wrapped in quotes": {
			txt: `"` + whole + `"`, mangled: true, pos: 0,
			problem: "the value contains a quote at character 1: the value was pasted with its zone-file quotes. Publish it without quotes",
		},
		"escaped quotes": {
			txt: `v=DKIM1; k=rsa; p=` + rsaP[:100] + `\"` + rsaP[100:], mangled: true, pos: 118,
			problem: "p= contains a backslash at character 119: escaped quotes were pasted with the value. Publish it without backslashes and quotes",
		},
		"quotes in the key type are not zone-file quoting": {
			txt: `v=DKIM1; k="rsa"; p=` + rsaP, pos: 11,
			problem: `k="rsa" is not a key type receivers know: use k=rsa or k=ed25519`,
		},
		"wrapped in escaped quotes": {
			txt: `\"` + whole + `\"`, mangled: true, pos: 0,
			problem: "the value contains a backslash at character 1: escaped quotes were pasted with the value. Publish it without backslashes and quotes",
		},
		"quoted note, then quotes inside p": {
			txt: `v=DKIM1; n="x"; k=rsa; p=` + rsaP[:50] + `"` + rsaP[50:], mangled: true, pos: 75,
			problem: "p= contains a quote at character 76: the value was pasted with its zone-file quotes. Publish it without quotes",
		},
		"leading space, then the quotes": {
			txt: ` "` + whole + `"`, mangled: true, pos: 1,
			problem: "the value contains a quote at character 2: the value was pasted with its zone-file quotes. Publish it without quotes",
		},
		"whitespace that breaks the key": {
			txt: broken, mangled: true, pos: 168,
			problem: "p= is split by whitespace at character 169 and does not decode even without it: the key was damaged when pasted. Copy it again as one line",
		},
		"cut at 255": {
			txt: whole[:255], mangled: true, pos: 255,
			problem: "the value was cut at 255 characters: publish it as one value, or as several quoted strings (it is 255 characters long and its key does not decode)",
		},
		"cut at 256": {
			txt: whole[:256], mangled: true, pos: 256,
			problem: "the value was cut at 255 characters: publish it as one value, or as several quoted strings (it is 256 characters long and its key does not decode)",
		},
		"cut elsewhere": {
			txt: whole[:200], mangled: true, pos: 200,
			problem: "p= is cut short at character 200: the key holds 135 of its 294 bytes. Copy the whole key again",
		},
		"ed25519 cut short": {
			txt: "v=DKIM1; k=ed25519; p=" + edP[:20], mangled: true, pos: 42,
			problem: "p= is cut short at character 42: the key holds 15 of its 32 bytes. Copy the whole key again",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := ParseRecord(tt.txt)
			var me *MangledError
			var se *SyntaxError
			switch {
			case tt.mangled && errors.As(err, &me):
				if me.Pos != tt.pos || me.Problem != tt.problem {
					t.Errorf("got mangled at %d: %q\nwant mangled at %d: %q", me.Pos, me.Problem, tt.pos, tt.problem)
				}
			case !tt.mangled && errors.As(err, &se):
				if se.Pos != tt.pos || se.Problem != tt.problem {
					t.Errorf("got syntax at %d: %q\nwant syntax at %d: %q", se.Pos, se.Problem, tt.pos, tt.problem)
				}
			default:
				t.Fatalf("ParseRecord error = %T %v, want mangled=%v %q", err, err, tt.mangled, tt.problem)
			}
		})
	}
}
