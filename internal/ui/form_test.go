package ui

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/mailwizard/mailwizard/internal/dkimkey"
	"github.com/mailwizard/mailwizard/internal/steps"
)

// keyBackend is a test backend whose key files are real, in dir: a new
// key is an Ed25519 key written with dkimkey (quick to make), and files
// are read from disk.
func keyBackend(t testing.TB, w *fakeWorld) (backend, *[]steps.Config) {
	t.Helper()
	be := testBackend(w)
	be.readFile = os.ReadFile
	be.exists = func(name string) bool {
		_, err := os.Stat(name)
		return err == nil
	}
	be.makeKey = func(path string) error {
		key, err := dkimkey.Generate(dkimkey.Ed25519, 0)
		if err != nil {
			return err
		}
		return dkimkey.WritePrivate(path, key)
	}
	be.lookupAddrs = func(context.Context, string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("192.0.2.25")}, nil
	}
	saved := &[]steps.Config{}
	be.save = func(cs []steps.Config) error {
		*saved = append(*saved, cs[len(cs)-1])
		return nil
	}
	return be, saved
}

// formIn starts the form with keys proposed in dir.
func formIn(t testing.TB, be backend, dir string) tea.Model {
	t.Helper()
	mc := modelConfig{keyDir: dir, look: look{dark: true}}
	m := newModel(mc, be, steps.All())
	var tm tea.Model = m
	tm = sized(t, tm, 100, 40)
	return settle(t, tm, m.Init())
}

func TestFormFields(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		run  func(t *testing.T, m tea.Model, dir string) tea.Model
		want []string
		not  []string
	}{
		"a bad domain is refused with the Config's own words": {
			run: func(t *testing.T, m tea.Model, _ string) tea.Model {
				return keys(t, typeText(t, m, "mail..example.com"), "enter")
			},
			want: []string{"mail..example.com", "Mail domain"},
			not:  []string{"Server IP addresses"},
		},
		"an empty domain is refused": {
			run: func(t *testing.T, m tea.Model, _ string) tea.Model {
				return keys(t, m, "enter")
			},
			want: []string{"the mail domain is needed"},
		},
		"a good domain moves on to the host": {
			run: func(t *testing.T, m tea.Model, _ string) tea.Model {
				return keys(t, typeText(t, m, "example.com"), "enter")
			},
			not: []string{"the mail domain is needed", "not a domain"},
		},
		"the addresses the host resolves to are offered and the DNS provider is named": {
			run: func(t *testing.T, m tea.Model, _ string) tea.Model {
				return keys(t, typeText(t, m, "example.com"), "enter", "enter")
			},
			want: []string{"mail.example.com. resolves to 192.0.2.25 today", "> 192.0.2.25"},
		},
		"a bad address is refused": {
			run: func(t *testing.T, m tea.Model, _ string) tea.Model {
				m = keys(t, typeText(t, m, "example.com"), "enter", "enter")
				return keys(t, typeText(t, m, ", 300.1.1.1"), "enter")
			},
			want: []string{`"300.1.1.1" is not an IP address`},
		},
		"several bad addresses are named in one sentence": {
			run: func(t *testing.T, m tea.Model, _ string) tea.Model {
				m = keys(t, typeText(t, m, "example.com"), "enter", "enter")
				return keys(t, typeText(t, m, ", 300.1.1.1, mail, 2001:db8::zz"), "enter")
			},
			want: []string{`"300.1.1.1", "mail" and "2001:db8::zz" are not IP addresses`},
		},
		"a documentation address is said as it is typed": {
			run: func(t *testing.T, m tea.Model, _ string) tea.Model {
				return keys(t, typeText(t, m, "example.com"), "enter", "enter")
			},
			want: []string{"Note: 192.0.2.25 is a documentation address (192.0.2.0/24)"},
		},
		"a pasted private key is refused and never repeated": {
			run: func(t *testing.T, m tea.Model, _ string) tea.Model {
				m = keys(t, typeText(t, m, "example.com"), "enter", "enter")
				m = keys(t, m, "enter", "down", "down", "enter", "enter")
				return keys(t, typeText(t, m, "-----BEGIN PRIVATE KEY----- MC4CAQAwBQYDK2VwBCIEIOSECRETSECRETSECRETSECRETSECRET"), "enter")
			},
			want: []string{"this is a private key: never paste it anywhere"},
			not:  []string{"SECRETSECRET\n", "Step 1 of"},
		},
		"a file name that does not exist is said without the key words": {
			run: func(t *testing.T, m tea.Model, dir string) tea.Model {
				m = keys(t, typeText(t, m, "example.com"), "enter", "enter")
				m = keys(t, m, "enter", "down", "down", "enter", "enter")
				return keys(t, typeText(t, m, filepath.Join(dir, "nope.pub")), "enter")
			},
			want: []string{"nope.pub"},
		},
		"a new key never goes over an existing file": {
			run: func(t *testing.T, m tea.Model, dir string) tea.Model {
				if err := os.WriteFile(filepath.Join(dir, "example.com.mail.dkim.pem"), []byte("old"), 0o600); err != nil {
					t.Fatal(err)
				}
				m = keys(t, typeText(t, m, "example.com"), "enter", "enter")
				return keys(t, m, "enter", "enter", "enter", "enter")
			},
			want: []string{"already exists and is never overwritten"},
		},
		"an existing key file must hold a key": {
			run: func(t *testing.T, m tea.Model, dir string) tea.Model {
				bad := filepath.Join(dir, "notakey.pem")
				if err := os.WriteFile(bad, []byte("hello"), 0o600); err != nil {
					t.Fatal(err)
				}
				m = keys(t, typeText(t, m, "example.com"), "enter", "enter")
				m = keys(t, m, "enter", "down", "enter", "enter")
				return keys(t, typeText(t, m, bad), "enter")
			},
			want: []string{"notakey.pem does not hold"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			be, _ := keyBackend(t, newFakeWorld())
			m := tc.run(t, formIn(t, be, dir), dir)
			requireContains(t, m, tc.want...)
			requireAbsent(t, m, tc.not...)
		})
	}
}

func TestFormCompletes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	be, saved := keyBackend(t, newFakeWorld())
	m := formIn(t, be, dir)
	m = keys(t, typeText(t, m, "example.com"), "enter", "enter") // domain, default host
	m = keys(t, m, "enter", "enter")                             // offered address, generate a key
	m = keys(t, m, "enter", "enter")                             // selector, proposed path
	m = keys(t, m, "enter", "enter", "enter")                    // DMARC none, report address, services
	m = keys(t, m, "enter", "down", "enter")                     // MTA-STS testing, DNSSEC and DANE: yes
	m = keys(t, m, "enter", "enter")                             // the detected provider, no other domain

	nm := m.(model)
	if nm.phase != phaseStep {
		t.Fatalf("phase %d after the form, want the first step:\n%s", nm.phase, screen(m))
	}
	key := filepath.Join(dir, "example.com.mail.dkim.pem")
	info, err := os.Stat(key)
	if err != nil {
		t.Fatalf("no key written: %v", err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("key mode %v, want 0600", info.Mode().Perm())
	}
	if nm.cfg.DKIMKeyFile != key || nm.cfg.Provider != "cloudflare" || nm.cfg.Domain != "example.com." || nm.cfg.MTASTSMode != "testing" || !nm.cfg.DANE {
		t.Errorf("config: key %q provider %q domain %q MTA-STS %q DANE %v", nm.cfg.DKIMKeyFile, nm.cfg.Provider, nm.cfg.Domain, nm.cfg.MTASTSMode, nm.cfg.DANE)
	}
	if nm.cfg.MTASTSID != "20260302T100000Z" {
		t.Errorf("MTA-STS id %q, want the time the answers were completed", nm.cfg.MTASTSID)
	}
	if len(*saved) == 0 || (*saved)[0].DKIMKeyFile != key || !(*saved)[0].DANE {
		t.Errorf("saved %+v, want the completed answers", *saved)
	}
	requireContains(t, m, stepNumber(1), "Wrote the new DKIM private key to")

	// No screen ever shows the private key, only its path.
	pem, err := os.ReadFile(key)
	if err != nil {
		t.Fatal(err)
	}
	secret := strings.Split(string(pem), "\n")[1]
	for i := range steps.All() {
		next, _ := nm.goStep(i)
		for _, view := range []tea.Model{next, keys(t, next, "z")} {
			if strings.Contains(screen(view), secret[:20]) {
				t.Fatalf("step %d shows the private key:\n%s", i+1, screen(view))
			}
		}
	}
}

// TestProviderHintMismatch: choosing a provider whose nameservers do not
// serve the zone is said in the form; the detected provider, or none, is
// not.
func TestProviderHintMismatch(t *testing.T) {
	cf := []string{"dana.ns.cloudflare.com.", "lars.ns.cloudflare.com."}
	tests := map[string]struct {
		a    answers
		want string
	}{
		"another provider": {answers{provider: "godaddy", detected: "cloudflare", nsNames: cf},
			"Your zone is served by Cloudflare's nameservers (dana.ns.cloudflare.com. and lars.ns.cloudflare.com.); records added at GoDaddy are not seen."},
		"the provider found": {answers{provider: "cloudflare", detected: "cloudflare", nsNames: cf}, "Your DNS is at Cloudflare"},
		"other":              {answers{provider: "other", detected: "cloudflare", nsNames: cf}, "Your DNS is at Cloudflare"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := providerHint(&tc.a); !strings.HasPrefix(got, tc.want) {
				t.Errorf("providerHint = %q, want it to start %q", got, tc.want)
			}
		})
	}
}

// TestFormPastedPublicKey: a public key pasted into the public key field
// (a whole DKIM record here) is taken, kept in a file next to the profile
// and named by that file in the answers.
func TestFormPastedPublicKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	be, _ := keyBackend(t, newFakeWorld())
	be.writeFile = writeNewFile
	pub, err := os.ReadFile("testdata/dkim.pub.pem")
	if err != nil {
		t.Fatal(err)
	}
	key, err := dkimkey.ParsePublic(pub)
	if err != nil {
		t.Fatal(err)
	}
	record, err := dkimkey.RecordValue(key)
	if err != nil {
		t.Fatal(err)
	}
	m := formIn(t, be, dir)
	m = keys(t, typeText(t, m, "example.com"), "enter", "enter")
	m = keys(t, m, "enter", "down", "down", "enter", "enter") // the address, "only the public key", the selector
	m = keys(t, typeText(t, m, record), "enter")
	m = keys(t, m, "enter", "enter", "enter")          // DMARC, report address, services
	m = keys(t, m, "enter", "enter", "enter", "enter") // MTA-STS mode, DANE, provider, no other domain
	nm := m.(model)
	if nm.phase != phaseStep {
		t.Fatalf("the form did not finish:\n%s", screen(m))
	}
	want := filepath.Join(dir, "example.com.mail.dkim.pub")
	if nm.cfg.DKIMPublicKeyFile != want || !dkimkey.Equal(nm.cfg.DKIMPublicKey, key) {
		t.Errorf("public key file %q (key equal: %v), want %q", nm.cfg.DKIMPublicKeyFile, dkimkey.Equal(nm.cfg.DKIMPublicKey, key), want)
	}
	if data, err := os.ReadFile(want); err != nil || !strings.Contains(string(data), "p=") {
		t.Errorf("the kept key file: %v %q", err, data)
	}
}

// TestProviderFilter: filtering the providers ("/cloud") and pressing
// enter picks the first match, Cloudflare, whatever was chosen before.
func TestProviderFilter(t *testing.T) {
	t.Parallel()
	be, _ := keyBackend(t, newFakeWorld())
	be.lookupNS = func(context.Context, string) ([]string, error) { return []string{"ns1.example.net."}, nil }
	m := formIn(t, be, t.TempDir())
	m = keys(t, typeText(t, m, "example.com"), "enter", "enter")
	m = keys(t, m, "enter", "enter", "enter", "enter") // the address, a new key, its selector and path
	m = keys(t, m, "enter", "enter", "enter")          // DMARC, report address, services
	m = keys(t, m, "enter", "enter")                   // MTA-STS mode, DANE
	requireContains(t, m, "Who hosts your DNS?")
	m = keys(t, m, "/")
	m = typeText(t, m, "cloud")
	m = keys(t, m, "enter")
	if p := m.(model).form.a.provider; p != "cloudflare" {
		t.Errorf("provider %q after /cloud and enter, want cloudflare", p)
	}
}
