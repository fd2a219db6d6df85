package steps

import (
	"crypto/x509"
	"strings"
	"syscall"
	"testing"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/dane"
	"github.com/mailwizard/mailwizard/internal/probeserver"
	"github.com/mailwizard/mailwizard/internal/verify"
)

// daneConfig is testConfig with DANE chosen.
func daneConfig(t testing.TB) Config {
	cfg := testConfig(t)
	cfg.DANE = true
	return cfg
}

// served is the certificate the world's mail host presents on port 25.
func (w *world) served() *x509.Certificate {
	return w.fakes.Cert(probeserver.Cert{Names: []string{"mail.example.com"}})
}

// next is another certificate of the mail host, with a new key.
func (w *world) next() *x509.Certificate {
	return w.fakes.Cert(probeserver.Cert{Names: []string{"mail.example.com", "next.example.com"}})
}

// tlsa publishes TLSA records of port 25 of the mail host on both servers.
func (w *world) tlsa(data ...string) {
	w.remove("_25._tcp.mail", dns.TypeTLSA)
	for _, d := range data {
		w.add("ns1.example.net.", "_25._tcp.mail TLSA "+d).add("ns2.example.net.", "_25._tcp.mail TLSA "+d)
	}
}

// rollover publishes the served key's record and the next key's.
func rollover(w *world) { w.tlsa(dane.EE(w.served()).String(), dane.EE(w.next()).String()) }

func TestDANE(t *testing.T) {
	const name = "_25._tcp.mail.example.com."
	refused := func(w *world) { w.fail(port25, verify.StageConnect, syscall.ECONNREFUSED) }
	runStepCases(t, IDDANE, daneConfig, map[string]stepCase{
		"the served key and the next": {
			world:  rollover,
			status: StatusPass,
			not:    []string{CodeTLSAMissing, CodeTLSASyntax, CodeTLSAMismatch, CodeTLSAUnsignedZone, CodeTLSANoRollover, CodeTLSAUnverified},
		},
		"only the served key": {
			world:  func(w *world) { w.tlsa(dane.EE(w.served()).String()) },
			status: StatusWarn,
			want:   []string{CodeTLSANoRollover},
			not:    []string{CodeTLSAMismatch},
			says:   []string{name + " has one 3 1 1 record", "certbot", "--reuse-key", "2 1 1"},
		},
		"the served key and its authority": {
			world: func(w *world) {
				w.tlsa(dane.EE(w.served()).String(), "2 1 1 "+strings.Repeat("ab", 32))
			},
			status: StatusPass,
			not:    []string{CodeTLSANoRollover, CodeTLSAMismatch},
		},
		"a renewal made a new key": {
			world:  func(w *world) { w.tlsa(dane.EE(w.next()).String()) },
			status: StatusFail,
			want:   []string{CodeTLSAMismatch},
			says:   []string{"None of the TLSA records of " + name, "presents on port 25 at 192.0.2.10", "refuse to deliver", "Publish " + name + " TLSA 3 1 1 "},
		},
		"PKIX-EE": {
			world: func(w *world) {
				w.tlsa("1 1 1 "+dane.EE(w.served()).Data, dane.EE(w.served()).String(), dane.EE(w.next()).String())
			},
			status: StatusFail,
			want:   []string{CodeTLSASyntax},
			not:    []string{CodeTLSAMismatch},
			says:   []string{"usage 1 (PKIX-EE) is not usable for SMTP", "Senders skip it"},
		},
		"a digest cut short": {
			world:  func(w *world) { w.tlsa("3 1 1 " + dane.EE(w.served()).Data[:40]) },
			status: StatusFail,
			want:   []string{CodeTLSASyntax},
			says:   []string{"64 hex digits, this one 40"},
		},
		"missing, zone signed": {
			world:    func(w *world) { w.tlsa() },
			status:   StatusPending,
			want:     []string{CodeTLSAMissing},
			severity: SeverityError,
			says:     []string{"Add " + name + " TLSA 3 1 1 ", "presents on port 25"},
		},
		"missing, zone not signed": {
			world: func(w *world) {
				w.tlsa()
				w.unsign("example.com.")
			},
			status:   StatusPending,
			want:     []string{CodeTLSAMissing},
			severity: SeverityError,
			says:     []string{"should not have one yet", "not signed (no DNSKEY)", "Sign the zone first"},
		},
		"missing, not chosen": {
			cfg:      func(c *Config) { c.DANE = false },
			world:    func(w *world) { w.tlsa() },
			status:   StatusPass,
			want:     []string{CodeTLSAMissing},
			severity: SeverityInfo,
			says:     []string{"DANE is optional", "choose DANE (--dane)"},
		},
		"in a zone that is not signed": {
			world: func(w *world) {
				rollover(w)
				w.unsign("example.com.")
			},
			status: StatusWarn,
			want:   []string{CodeTLSAUnsignedZone},
			says:   []string{"not signed (no DNSKEY)", "Sign the zone first"},
		},
		"in a zone with no DS": {
			world: func(w *world) {
				rollover(w)
				w.dropDS("example.com.")
			},
			status: StatusWarn,
			want:   []string{CodeTLSAUnsignedZone},
			says:   []string{"its parent has no DS record"},
		},
		"port 25 refused, no certificate file": {
			world: func(w *world) {
				rollover(w)
				refused(w)
			},
			status: StatusWarn,
			want:   []string{CodeTLSAUnverified},
			says:   []string{"could not compare", "gave no certificate", "--tls-cert"},
		},
		"port 25 refused, compared with the certificate file": {
			cfg: func(c *Config) {
				c.TLSCertFile = "mail-fullchain.pem"
				if err := c.Normalize(readTestdata); err != nil {
					t.Fatal(err)
				}
			},
			world: func(w *world) {
				data, err := readTestdata("mail-fullchain.pem")
				if err != nil {
					t.Fatal(err)
				}
				chain, err := dane.ParseChain(data)
				if err != nil {
					t.Fatal(err)
				}
				refused(w)
				w.tlsa(dane.EE(chain[0]).String(), dane.TA(chain[1]).String())
			},
			status: StatusPass,
			not:    []string{CodeTLSAUnverified, CodeTLSAMismatch, CodeTLSANoRollover},
		},
		"DNS only": {
			cfg:    func(c *Config) { c.NoProbe = true },
			world:  rollover,
			status: StatusWarn,
			want:   []string{CodeTLSAUnverified},
			says:   []string{"--no-probe"},
		},
	})
}

// TestDANEExpected: the records the step shows are the served key's, and
// none at all in a zone that is not signed.
func TestDANEExpected(t *testing.T) {
	cfg := daneConfig(t)
	published := func() *world {
		w := newWorld(t)
		for _, s := range All() {
			w.publish(s.Records(cfg))
		}
		return w
	}
	w := published()
	res := w.judge(cfg, IDDANE)
	if len(res.Expected) != 1 || res.Expected[0].Value != dane.EE(w.served()).String() || res.Expected[0].Name != "_25._tcp.mail.example.com." {
		t.Errorf("expected %+v, want the served key's 3 1 1", res.Expected)
	}
	w = published()
	w.unsign("example.com.")
	if res := w.judge(cfg, IDDANE); len(res.Expected) != 0 {
		t.Errorf("expected %+v in an unsigned zone, want nothing", res.Expected)
	}
	cfg.DANE = false
	if res := published().judge(cfg, IDDANE); len(res.Expected) != 0 {
		t.Errorf("expected %+v without DANE chosen, want nothing", res.Expected)
	}
}

// TestDANERecords: records computes the TLSA records of --tls-cert when
// DANE is chosen: 3 1 1 of the server's key, 2 1 1 of its issuer
// (optional).
func TestDANERecords(t *testing.T) {
	cfg := daneConfig(t)
	cfg.TLSCertFile = "mail-fullchain.pem"
	if err := cfg.Normalize(readTestdata); err != nil {
		t.Fatal(err)
	}
	s, _ := ByID(IDDANE)
	recs := s.Records(cfg)
	if len(recs) != 2 || recs[0].Value != "3 1 1 de1975d0c06bc3470b05b521d3b894c71d394f4bb567c8f1c24f7bc14295740f" || recs[0].Optional ||
		!strings.HasPrefix(recs[1].Value, "2 1 1 ") || !recs[1].Optional {
		t.Fatalf("records %+v", recs)
	}
	if line := recs[0].ZoneLines()[0]; !strings.HasPrefix(line, "_25._tcp.mail.example.com.\t3600\tIN\tTLSA\t3 1 1 ") {
		t.Errorf("zone line %q", line)
	}
	cfg.DANE = false
	if recs := s.Records(cfg); len(recs) != 0 {
		t.Errorf("records %+v without DANE chosen", recs)
	}
}

// TestSignedZone: publish asks whether a zone may take TLSA records: signed
// with a DS at the parent, and why not otherwise.
func TestSignedZone(t *testing.T) {
	tests := map[string]struct {
		world func(*world)
		want  bool
		why   string
	}{
		"signed, DS at the parent": {world: func(*world) {}, want: true},
		"unsigned":                 {world: func(w *world) { w.unsign("example.com.") }, why: "is not signed (no DNSKEY)"},
		"no DS":                    {world: func(w *world) { w.dropDS("example.com.") }, why: "its parent has no DS record"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			for _, s := range All() {
				w.publish(s.Records(testConfig(t)))
			}
			tc.world(w)
			known := w.run(func(verify.Answers) []verify.Question { return SignedZoneQuestions("example.com") })
			got, why := SignedZone("example.com", known)
			if got != tc.want || !strings.Contains(why, tc.why) {
				t.Errorf("SignedZone = %v, %q; want %v, %q", got, why, tc.want, tc.why)
			}
		})
	}
	if ok, why := SignedZone("example.com.", verify.Answers{}); ok || !strings.Contains(why, "could not be checked") {
		t.Errorf("without answers: %v, %q", ok, why)
	}
}
