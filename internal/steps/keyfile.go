package steps

import (
	"errors"
	"strings"

	"github.com/mailwizard/mailwizard/internal/dkimkey"
)

// minRSABits: RFC 8301 §3.2, verifiers must not accept RSA keys under 1024
// bits.
const minRSABits = 1024

// normalizeDKIM checks the selector and loads the public key from the key
// files. Messages name the files, never their content.
func (c *Config) normalizeDKIM(p *problems, readFile func(string) ([]byte, error)) {
	if c.DKIMSelector != "" {
		sel, err := parseName(c.DKIMSelector, nameRules{})
		if err != nil {
			p.add("dkim-selector", "%q is not a selector: it %s; a selector is letters, digits and hyphens, with dots between labels, as in \"mail\" or \"2026a\"",
				clip(c.DKIMSelector), strings.TrimSuffix(err.Error(), ", which is not allowed in a domain name"))
		} else {
			c.DKIMSelector = strings.TrimSuffix(sel, ".")
		}
	}
	files := c.DKIMKeyFile != "" || c.DKIMPublicKeyFile != ""
	if files && readFile == nil {
		p.add("dkim-key", "key files cannot be read here")
		return
	}
	if c.DKIMKeyFile != "" {
		if pub, ok := loadKey(p, "dkim-key", c.DKIMKeyFile, readFile, true); ok {
			c.DKIMPublicKey = pub
		}
	}
	if c.DKIMPublicKeyFile != "" {
		pub, ok := loadKey(p, "dkim-public-key", c.DKIMPublicKeyFile, readFile, false)
		switch {
		case !ok:
		case c.DKIMKeyFile == "":
			c.DKIMPublicKey = pub
		case c.DKIMPublicKey != nil && !dkimkey.Equal(pub, c.DKIMPublicKey):
			p.add("dkim-public-key", "%s is not the public half of the private key in %s; give only one of them", c.DKIMPublicKeyFile, c.DKIMKeyFile)
		}
	}
	if !files && c.DKIMPublicKey != nil {
		checkKey(p, "dkim-key", "the given public key", c.DKIMPublicKey)
	}
	if c.DKIMPublicKey != nil && c.DKIMSelector == "" {
		p.add("dkim-selector", "is needed with a DKIM key: it is the name the key is published under (for example \"mail\")")
	}
}

// loadKey reads and parses a key file and checks its type and size.
func loadKey(p *problems, field, file string, readFile func(string) ([]byte, error), private bool) (any, bool) {
	data, err := readFile(file)
	if err != nil {
		p.add(field, "cannot read %s: %v", file, err)
		return nil, false
	}
	var pub any
	if private {
		key, err := dkimkey.ParsePrivate(data)
		if err != nil || key == nil {
			p.add(field, "%s does not hold an RSA or Ed25519 private key: %v", file, errOrEmpty(err))
			return nil, false
		}
		pub = key.Public()
	} else {
		pub, err = dkimkey.ParsePublic(data)
		if err != nil || pub == nil {
			p.add(field, "%s does not hold an RSA or Ed25519 public key: %v", file, errOrEmpty(err))
			return nil, false
		}
	}
	return pub, checkKey(p, field, file, pub)
}

// checkKey refuses keys that are not RSA or Ed25519 and RSA keys under
// 1024 bits.
func checkKey(p *problems, field, what string, pub any) bool {
	switch {
	case dkimkey.Algorithm(pub) == "":
		p.add(field, "%s is not an RSA or Ed25519 key", what)
		return false
	case dkimkey.Algorithm(pub) == dkimkey.RSA && dkimkey.Bits(pub) < minRSABits:
		p.add(field, "%s holds a %d-bit RSA key; receivers ignore keys under %d bits, so make a new one with \"mailwizard dkim generate\"", what, dkimkey.Bits(pub), minRSABits)
		return false
	}
	return true
}

// errOrEmpty turns a nil error into a readable reason.
func errOrEmpty(err error) error {
	if err == nil {
		return errors.New("no key found")
	}
	return err
}
