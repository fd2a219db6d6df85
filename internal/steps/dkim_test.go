package steps

import (
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/dkimkey"
)

// keyValue is the DKIM record value of the key in a testdata file.
func keyValue(t testing.TB, file string) string {
	t.Helper()
	data, err := readTestdata(file)
	if err != nil {
		t.Fatal(err)
	}
	key, err := dkimkey.ParsePrivate(data)
	if err != nil {
		t.Fatal(err)
	}
	value, err := dkimkey.RecordValue(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	return value
}

// dkimConfig signs with the RSA-2048 test key under selector "mail".
func dkimConfig(t testing.TB) Config {
	t.Helper()
	cfg := testConfig(t)
	cfg.DKIMSelector, cfg.DKIMKeyFile = "mail", "rsa2048.pem"
	if err := cfg.Normalize(readTestdata); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// txtLine renders a TXT zone line from raw strings.
func txtLine(name string, raw ...string) string {
	var quoted []string
	for _, s := range raw {
		quoted = append(quoted, `"`+escapeTXT(s)+`"`)
	}
	return name + " TXT " + strings.Join(quoted, " ")
}

func TestDKIM(t *testing.T) {
	rsa := keyValue(t, "rsa2048.pem")
	const name = "mail._domainkey"
	publish := func(raw ...string) func(*world) {
		return func(w *world) { w.replace(txtLine(name, raw...)) }
	}
	noKey := func(c *Config) { c.DKIMKeyFile, c.DKIMPublicKey = "", nil }
	runStepCases(t, IDDKIM, dkimConfig, map[string]stepCase{
		"published everywhere": {
			status: StatusPass,
			not: []string{CodeDKIMMissing, CodeDKIMSyntax, CodeDKIMKeyMismatch, CodeDKIMMangled, CodeDKIMWeakKey,
				CodeDKIMTesting, CodeDKIMKeyUnverified, CodeDKIMMultiple, CodeDKIMRevoked, CodeDKIMNoSelector},
		},
		"absent everywhere": {
			world:  func(w *world) { w.remove(name, dns.TypeTXT) },
			status: StatusPending,
			want:   []string{CodeDKIMMissing},
			not:    []string{CodeDKIMNoSelector},
			says:   []string{"mail._domainkey.example.com. has no DKIM key record", "v=DKIM1; k=rsa; p=MIIB"},
		},
		"only on ns2": {
			world:  func(w *world) { w.remove(name, dns.TypeTXT, "ns1.example.net.") },
			status: StatusPending,
			want:   []string{CodePartialPropagation},
			not:    []string{CodeDKIMMissing},
		},
		"two records": {
			world: func(w *world) {
				for _, s := range w.servers {
					w.add(s, txtLine(name, keyValue(t, "ed25519.pem")))
				}
			},
			status: StatusFail,
			want:   []string{CodeDKIMMultiple},
		},
		"no p= tag": {
			world:  publish("v=DKIM1; k=rsa"),
			status: StatusFail,
			want:   []string{CodeDKIMSyntax},
			not:    []string{CodeDKIMRevoked},
			says:   []string{"no p= tag"},
		},
		"pasted with the zone-file quotes inside": {
			world:  publish(rsa[:100] + `" "` + rsa[100:]),
			status: StatusFail,
			want:   []string{CodeDKIMMangled},
			says:   []string{"character 101", "Paste the value again"},
		},
		"quoted as a whole": {
			world:  publish(`"` + rsa + `"`),
			status: StatusFail,
			want:   []string{CodeDKIMMangled},
			not:    []string{CodeDKIMSyntax},
		},
		"quotes and a backslash in the n= note": {
			world:  publish(`v=DKIM1; n="mail \"2026\"" \ ok;` + strings.TrimPrefix(rsa, "v=DKIM1;")),
			status: StatusPass,
			not:    []string{CodeDKIMMangled, CodeDKIMSyntax},
		},
		"cut at 255 characters": {
			world:  publish(rsa[:255]),
			status: StatusFail,
			want:   []string{CodeDKIMMangled},
			says:   []string{"255"},
		},
		"split in strings the right way": {
			world:  publish(rsa[:255], rsa[255:]),
			status: StatusPass,
			not:    []string{CodeDKIMMangled, CodeDKIMMultiple},
		},
		"another key": {
			world:  publish(keyValue(t, "ed25519.pem")),
			status: StatusFail,
			want:   []string{CodeDKIMKeyMismatch},
			not:    []string{CodeDKIMKeyUnverified},
			says:   []string{"not the public half", "k=ed25519"},
		},
		"1024-bit key": {
			cfg:    func(c *Config) { c.DKIMKeyFile = "rsa1024.pem"; _ = c.Normalize(readTestdata) },
			status: StatusWarn,
			want:   []string{CodeDKIMWeakKey},
			says:   []string{"1024-bit", "2048"},
		},
		"testing flag": {
			world:  publish(strings.Replace(rsa, "v=DKIM1;", "v=DKIM1; t=y;", 1)),
			status: StatusPass,
			want:   []string{CodeDKIMTesting},
		},
		"strict flag is not testing": {
			world:  publish(strings.Replace(rsa, "v=DKIM1;", "v=DKIM1; t=s;", 1)),
			status: StatusPass,
			not:    []string{CodeDKIMTesting},
		},
		"revoked": {
			world:  publish("v=DKIM1; k=rsa; p="),
			status: StatusFail,
			want:   []string{CodeDKIMRevoked},
			not:    []string{CodeDKIMSyntax},
		},
		"no key given": {
			cfg:    noKey,
			world:  publish(rsa),
			status: StatusPass,
			want:   []string{CodeDKIMKeyUnverified},
			not:    []string{CodeDKIMKeyMismatch},
			says:   []string{"--dkim-key"},
		},
		"only the public key given": {
			cfg: func(c *Config) {
				noKey(c)
				c.DKIMPublicKeyFile = "rsa2048.pub.pem"
				_ = c.Normalize(readTestdata)
			},
			world:  publish(rsa),
			status: StatusPass,
			want:   []string{CodeDKIMKeyUnverified},
			says:   []string{"rsa2048.pub.pem"},
		},
		"no selector": {
			cfg:    func(c *Config) { c.DKIMSelector = "" },
			status: StatusError,
			want:   []string{CodeDKIMNoSelector},
			not:    []string{CodeDKIMMissing},
		},
		"record at the doubled name": {
			world: func(w *world) {
				w.remove(name, dns.TypeTXT)
				w.replace(txtLine("mail._domainkey.example.com.example.com.", rsa[:200], rsa[200:]))
			},
			status: StatusFail,
			want:   []string{CodeDoubledDomain, CodeDKIMMissing},
			says:   []string{`enter "mail._domainkey" instead of "mail._domainkey.example.com"`},
		},
	})
}

func TestDKIMMessagesHoldNoPrivateKey(t *testing.T) {
	cfg := dkimConfig(t)
	w := newWorld(t)
	w.replace(txtLine("mail._domainkey", keyValue(t, "ed25519.pem")))
	res := w.judge(cfg, IDDKIM)
	data, err := readTestdata("rsa2048.pem")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	for _, f := range res.Findings {
		for _, line := range lines[1 : len(lines)-2] {
			if strings.Contains(f.Message, line) {
				t.Fatalf("%s quotes the private key file", f.Code)
			}
		}
	}
}
