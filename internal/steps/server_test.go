package steps

import (
	"crypto/x509"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/probeserver"
	"github.com/mailwizard/mailwizard/internal/verify"
	"github.com/mailwizard/mailwizard/internal/verify/verifytest"
)

// everyServerCode are the server step's own codes.
func everyServerCode() []string {
	return []string{CodeSMTPUnreachable, CodeSMTPPort25Blocked, CodeSMTPGreetingName, CodeSMTPNoStartTLS, CodeSMTPOpenRelay,
		CodeTLSCertName, CodeTLSCertExpired, CodeTLSCertExpiring, CodeTLSCertUntrusted, CodeServiceUnreachable, CodeServiceTLS,
		CodeAutoconfigEndpoint, CodeAutodiscoverEndpoint}
}

func TestServer(t *testing.T) {
	now := time.Now()
	mail := []string{"mail.example.com"}
	runStepCases(t, IDServer, testConfig, map[string]stepCase{
		"every probe healthy": {
			status: StatusPass,
			not:    everyServerCode(),
		},
		"port 25 refused everywhere while the other ports answer": {
			world:  func(w *world) { w.fail(port25, verify.StageConnect, syscall.ECONNREFUSED) },
			status: StatusError,
			want:   []string{CodeSMTPPort25Blocked},
			not:    []string{CodeSMTPUnreachable, CodeSMTPOpenRelay},
			says: []string{"Port 25 seems blocked from this network", "at 192.0.2.10 and 2001:db8::10 (no connection: connection refused)",
				"other ports of the same addresses did (587, 465, 993 and 443)", "run `mailwizard check` from another machine"},
		},
		"port 25 timing out everywhere, and nothing else answers either": {
			world:  func(w *world) { w.fail(anyPort, verify.StageConnect, verify.ErrTimeout) },
			status: StatusFail,
			want:   []string{CodeSMTPUnreachable},
			not:    []string{CodeSMTPPort25Blocked},
			says:   []string{"mail.example.com. did not answer on port 25 at 192.0.2.10 and 2001:db8::10", "i/o timeout", "If this machine's network blocks outgoing port 25"},
		},
		"port 25 refused at the IPv6 address only": {
			world:  func(w *world) { w.fail(probeAt("2001:db8::10", 25), verify.StageConnect, syscall.ECONNREFUSED) },
			status: StatusFail,
			want:   []string{CodeSMTPUnreachable},
			not:    []string{CodeSMTPPort25Blocked},
			says:   []string{"did not answer on port 25 at 2001:db8::10 (checked from 2001:db8:100::200): no connection: connection refused."},
		},
		"no IPv6 route from here": {
			world: func(w *world) {
				w.onProbe(func(p verify.Probe) bool { return p.Addr.Addr().Is6() }, func(r *verify.ProbeResult) {
					verifytest.FailAt(r, verify.StageConnect, syscall.ENETUNREACH)
					r.NoRoute, r.Local = true, netip.AddrPort{}
				})
			},
			status: StatusError,
			want:   []string{CodeLookupError},
			not:    []string{CodeSMTPUnreachable, CodeSMTPPort25Blocked, CodeServiceUnreachable},
			says:   []string{"Could not check 2001:db8::10 from this machine", "IPv6 connectivity"},
		},
		"a half-open peer on port 25": {
			world:  func(w *world) { w.fail(port(25), verify.StageGreeting, fmt.Errorf("%w after 10s", verify.ErrTimeout)) },
			status: StatusFail,
			want:   []string{CodeSMTPUnreachable},
			says:   []string{"mail.example.com. on port 25 (192.0.2.10", "accepted the connection, but no greeting: i/o timeout after 10s"},
		},
		"greeting names localhost": {
			world: func(w *world) {
				w.onProbe(port(25), func(r *verify.ProbeResult) {
					r.Greeting.Lines = []string{"220-localhost ESMTP", "220 no UCE"}
					r.EHLO.Lines[0] = "250-localhost"
				})
			},
			status: StatusWarn,
			want:   []string{CodeSMTPGreetingName},
			says: []string{`calls itself "localhost" in its greeting and in its EHLO reply`, "the mail host is mail.example.com.",
				"the reverse DNS of 192.0.2.10 names mail.example.com.", "is not a host name", "myhostname = mail.example.com"},
		},
		"greeting names the host in capitals": {
			world: func(w *world) {
				w.onProbe(port(25), func(r *verify.ProbeResult) { r.Greeting.Lines = []string{"220 MAIL.EXAMPLE.COM ESMTP"} })
			},
			status: StatusPass,
			not:    []string{CodeSMTPGreetingName},
		},
		"greeting name does not lead back": {
			world: func(w *world) {
				w.replace("relay A 198.51.100.9")
				w.onProbe(port(25), func(r *verify.ProbeResult) {
					r.Greeting.Lines = []string{"220 relay.example.com ESMTP"}
					r.EHLO.Lines[0] = "250-relay.example.com"
				})
			},
			status: StatusWarn,
			want:   []string{CodeSMTPGreetingName},
			says:   []string{"relay.example.com. leads to 198.51.100.9, not to 192.0.2.10"},
		},
		"reverse DNS names another host": {
			world:  func(w *world) { w.replace("10.2.0.192.in-addr.arpa. PTR smtp.example.com.") },
			status: StatusWarn,
			want:   []string{CodeSMTPGreetingName},
			says:   []string{"the reverse DNS of 192.0.2.10 names smtp.example.com."},
		},
		"STARTTLS not offered": {
			world: func(w *world) {
				w.onProbe(port25, func(r *verify.ProbeResult) {
					r.EHLO.Lines = []string{"250-mail.example.com", "250 PIPELINING"}
					r.StartTLSOffered, r.TLS = false, nil
				})
			},
			status: StatusFail,
			want:   []string{CodeSMTPNoStartTLS},
			not:    []string{CodeTLSCertName},
			says:   []string{"does not offer STARTTLS", `"PIPELINING"`},
		},
		"STARTTLS broken midway": {
			world:  func(w *world) { w.fail(port25, verify.StageTLS, fmt.Errorf("the server closed the connection")) },
			status: StatusFail,
			want:   []string{CodeSMTPNoStartTLS},
			says:   []string{"offers STARTTLS, but the TLS handshake failed: the server closed the connection"},
		},
		"an open relay": {
			world: func(w *world) {
				w.onProbe(relayTests, func(r *verify.ProbeResult) { r.RcptTo = verify.Reply{Code: 250, Lines: []string{"250 2.1.5 Ok"}} })
			},
			status: StatusFail,
			want:   []string{CodeSMTPOpenRelay},
			says:   []string{"is an open relay", "mailwizard-relay-test@example.org", "mailwizard-relay-test@example.net", "stopped before DATA", "192.0.2.10 and 2001:db8::10"},
		},
		"the sender of the relay test refused": {
			world: func(w *world) {
				w.onProbe(relayTests, func(r *verify.ProbeResult) {
					r.MailFrom = verify.Reply{Code: 553, Lines: []string{"553 5.7.1 Sender address rejected"}}
					r.RcptTo = verify.Reply{}
				})
			},
			status: StatusPass,
			not:    []string{CodeSMTPOpenRelay},
		},
		"certificate for another name": {
			world:  func(w *world) { w.leaf(port(25), probeserver.Cert{Names: []string{"www.example.net"}}, nil) },
			status: StatusFail,
			want:   []string{CodeTLSCertName},
			says:   []string{"mail.example.com. on port 25", "is for www.example.net, not for mail.example.com."},
		},
		"a wildcard certificate": {
			world:  func(w *world) { w.leaf(anyPort, probeserver.Cert{Names: []string{"*.example.com"}}, nil) },
			status: StatusPass,
			not:    []string{CodeTLSCertName},
		},
		"an MX host at the same address, not on the certificate": {
			world:  func(w *world) { w.replace("@ MX 10 mail", "@ MX 20 mx2", "mx2 A 192.0.2.10") },
			status: StatusFail,
			want:   []string{CodeTLSCertName},
			says:   []string{"not for mx2.example.com."},
		},
		"certificate expired": {
			world: func(w *world) {
				w.leaf(port(25), probeserver.Cert{Names: mail, NotBefore: now.AddDate(0, -3, 0), NotAfter: now.AddDate(0, 0, -2)}, nil)
			},
			status: StatusFail,
			want:   []string{CodeTLSCertExpired},
			not:    []string{CodeTLSCertExpiring},
			says:   []string{"expired on", "2 days before this check", "certbot renew"},
		},
		"certificate expiring in ten days": {
			world:  func(w *world) { w.leaf(port(993), probeserver.Cert{Names: mail, NotAfter: now.AddDate(0, 0, 10)}, nil) },
			status: StatusWarn,
			want:   []string{CodeTLSCertExpiring},
			says:   []string{"IMAP (TLS) at mail.example.com. port 993", "in 10 days"},
		},
		"certificate expiring in twenty days": {
			world: func(w *world) {
				w.leaf(func(p verify.Probe) bool { return p.Kind == verify.ProbeService }, probeserver.Cert{Names: mail, NotAfter: now.AddDate(0, 0, 20)}, nil)
			},
			status: StatusPass,
			not:    []string{CodeTLSCertExpiring},
		},
		"self-signed certificate": {
			world: func(w *world) {
				w.leaf(port(25), probeserver.Cert{Names: mail, SelfSigned: true}, x509.UnknownAuthorityError{})
			},
			status: StatusFail,
			want:   []string{CodeTLSCertUntrusted},
			says:   []string{"self-signed", "MTA-STS"},
		},
		"certificate without its intermediate": {
			world:  func(w *world) { w.leaf(port(465), probeserver.Cert{Names: mail}, x509.UnknownAuthorityError{}) },
			status: StatusFail,
			want:   []string{CodeTLSCertUntrusted},
			says:   []string{"the server sends no intermediate certificate", "Mail programs warn"},
		},
		"IMAPS refused": {
			world:  func(w *world) { w.fail(port(993), verify.StageConnect, syscall.ECONNREFUSED) },
			status: StatusFail,
			want:   []string{CodeServiceUnreachable},
			not:    []string{CodeSMTPPort25Blocked, CodeSMTPUnreachable},
			says:   []string{"IMAP (TLS) at mail.example.com. port 993 (192.0.2.10 and 2001:db8::10", "no connection: connection refused"},
		},
		"a service neither offered nor published is not probed": {
			world:  func(w *world) { w.fail(port(110), verify.StageConnect, syscall.ECONNREFUSED) },
			status: StatusPass,
			not:    []string{CodeServiceUnreachable},
		},
		"a published service at another host": {
			world: func(w *world) {
				w.replace("_imaps._tcp SRV 0 1 993 imap.example.net.")
				w.add("ns1.example.net.", "imap.example.net. A 198.51.100.20")
				w.add("ns2.example.net.", "imap.example.net. A 198.51.100.20")
				w.fail(probeAt("198.51.100.20", 993), verify.StageConnect, syscall.ECONNREFUSED)
			},
			status: StatusFail,
			want:   []string{CodeServiceUnreachable},
			says:   []string{"at imap.example.net. port 993 (198.51.100.20"},
		},
		"submission without STARTTLS": {
			world: func(w *world) {
				w.onProbe(port(587), func(r *verify.ProbeResult) { r.StartTLSOffered, r.TLS = false, nil })
			},
			status: StatusFail,
			want:   []string{CodeServiceTLS},
			says:   []string{"Sending mail (STARTTLS) at mail.example.com. port 587", "does not offer STARTTLS"},
		},
		"submissions handshake fails": {
			world: func(w *world) {
				w.fail(port(465), verify.StageTLS, fmt.Errorf("tls: first record does not look like a TLS handshake"))
			},
			status: StatusFail,
			want:   []string{CodeServiceTLS},
			says:   []string{"the TLS handshake failed: first record does not look like a TLS handshake"},
		},
		"submission certificate for another name": {
			world:  func(w *world) { w.leaf(port(587), probeserver.Cert{Names: []string{"smtp.example.net"}}, nil) },
			status: StatusFail,
			want:   []string{CodeTLSCertName},
			says:   []string{"Sending mail (STARTTLS) at mail.example.com. port 587", "is for smtp.example.net"},
		},
		"autoconfig file missing": {
			world: func(w *world) {
				w.onProbe(func(p verify.Probe) bool { return p.Path == AutoconfigPath }, func(r *verify.ProbeResult) {
					r.HTTP = &verify.HTTPResponse{Status: 404, StatusLine: "HTTP/1.1 404 Not Found"}
				})
			},
			status: StatusWarn,
			want:   []string{CodeAutoconfigEndpoint},
			says:   []string{"https://autoconfig.example.com/mail/config-v1.1.xml", "Thunderbird", `answers "HTTP/1.1 404 Not Found"`},
		},
		"autoconfig file with another port": {
			world: func(w *world) {
				w.onProbe(func(p verify.Probe) bool { return p.Path == AutoconfigPath }, func(r *verify.ProbeResult) {
					r.HTTP.Body = []byte(strings.Replace(string(r.HTTP.Body), "<port>993</port>", "<port>143</port>", 1))
				})
			},
			status: StatusWarn,
			want:   []string{CodeAutoconfigEndpoint},
			says:   []string{"leaves out IMAP mail.example.com:993 (SSL)", "names IMAP mail.example.com:143 (SSL), which the SRV records do not"},
		},
		"autoconfig file that is not XML": {
			world: func(w *world) {
				w.onProbe(func(p verify.Probe) bool { return p.Path == AutoconfigPath }, func(r *verify.ProbeResult) {
					r.HTTP.Body = []byte("<html>Welcome to nginx</html>")
				})
			},
			status: StatusWarn,
			want:   []string{CodeAutoconfigEndpoint},
			says:   []string{"does not parse"},
		},
		"autoconfig served with a certificate for another name": {
			world: func(w *world) {
				w.leaf(func(p verify.Probe) bool { return p.Path == AutoconfigPath }, probeserver.Cert{Names: mail}, nil)
			},
			status: StatusWarn,
			want:   []string{CodeAutoconfigEndpoint},
			not:    []string{CodeTLSCertName},
			says:   []string{"its certificate is for mail.example.com, not for autoconfig.example.com."},
		},
		"no autoconfig name, nothing fetched": {
			world:  func(w *world) { w.remove("autoconfig", dns.TypeCNAME) },
			status: StatusPass,
			not:    []string{CodeAutoconfigEndpoint},
		},
		"autodiscover answers 404": {
			world: func(w *world) {
				w.onProbe(func(p verify.Probe) bool { return p.Path == autodiscoverPath }, func(r *verify.ProbeResult) {
					r.HTTP = &verify.HTTPResponse{Status: 404, StatusLine: "HTTP/1.1 404 Not Found"}
				})
			},
			status: StatusWarn,
			want:   []string{CodeAutodiscoverEndpoint},
			says:   []string{"https://mail.example.com/autodiscover/autodiscover.xml", "Outlook finds no settings"},
		},
		"autodiscover asks for a login": {
			world: func(w *world) {
				w.onProbe(func(p verify.Probe) bool { return p.Path == autodiscoverPath }, func(r *verify.ProbeResult) {
					r.HTTP = &verify.HTTPResponse{Status: 401, StatusLine: "HTTP/1.1 401 Unauthorized"}
				})
			},
			status: StatusPass,
			not:    []string{CodeAutodiscoverEndpoint},
		},
		"autodiscover unreachable": {
			world:  func(w *world) { w.fail(port(443), verify.StageConnect, syscall.ECONNREFUSED) },
			status: StatusWarn,
			want:   []string{CodeAutodiscoverEndpoint, CodeAutoconfigEndpoint},
			says:   []string{"could not be fetched: no connection: connection refused"},
		},
		"probes turned off in the engine": {
			world:  func(w *world) { w.fakes.Err = fmt.Errorf("SMTP at 192.0.2.10:25: %w", verify.ErrProbesOff) },
			status: StatusError,
			want:   []string{CodeLookupError},
			says:   []string{"probes are turned off (--no-probe)"},
		},
		"probes turned off in the Config": {
			cfg:    func(c *Config) { c.NoProbe = true },
			status: StatusSkipped,
			not:    append(everyServerCode(), CodeLookupError),
		},
		"no address given": {
			cfg:    func(c *Config) { c.IPs = nil },
			status: StatusError,
			want:   []string{CodeLookupError},
			says:   []string{"--ip"},
		},
	})
}

// TestServerRows: one row per address and port, port 25 first, each
// saying where it ran from, with the TLSA data of port 25's certificate.
func TestServerRows(t *testing.T) {
	cfg := testConfig(t)
	w := newWorld(t)
	for _, s := range All() {
		w.publish(s.Records(cfg))
	}
	w.fail(probeAt("192.0.2.10", 993), verify.StageConnect, syscall.ECONNREFUSED)
	res := w.judge(cfg, IDServer)
	var got []string
	for _, r := range res.Probes {
		got = append(got, fmt.Sprintf("%s %s %s", r.Service, r.Address, r.Status))
		if r.From == "" {
			t.Errorf("%s %s does not say where it ran from: %+v", r.Service, r.Address, r)
		}
		if (r.Service == "smtp") != strings.HasPrefix(r.TLSA, "3 1 1 ") {
			t.Errorf("%s %s TLSA %q", r.Service, r.Address, r.TLSA)
		}
	}
	want := []string{
		"smtp 192.0.2.10:25 pass", "smtp [2001:db8::10]:25 pass",
		"submission 192.0.2.10:587 pass", "submission [2001:db8::10]:587 pass",
		"submissions 192.0.2.10:465 pass", "submissions [2001:db8::10]:465 pass",
		"imaps 192.0.2.10:993 fail", "imaps [2001:db8::10]:993 pass",
		"autoconfig 192.0.2.10:443 pass", "autoconfig [2001:db8::10]:443 pass",
		"autodiscover 192.0.2.10:443 pass", "autodiscover [2001:db8::10]:443 pass",
	}
	if !slices.Equal(got, want) {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if d := res.Probes[0].Detail; !strings.HasPrefix(d, "greets as mail.example.com · STARTTLS · TLS 1.3 · certificate until ") || !strings.HasSuffix(d, " · no open relay") {
		t.Errorf("port 25 row %q", d)
	}
}

// TestServerConnections: the step keeps to a few connections per address:
// two on port 25 (the probe and the open-relay test), one per client
// service and web endpoint, each asked once.
func TestServerConnections(t *testing.T) {
	cfg := testConfig(t)
	w := newWorld(t)
	for _, s := range All() {
		w.publish(s.Records(cfg))
	}
	w.judge(cfg, IDServer)
	perAddr := map[netip.Addr]int{}
	for p, n := range w.fakes.Asked() {
		if n != 1 {
			t.Errorf("%s asked %d times", p, n)
		}
		perAddr[p.Addr.Addr()]++
	}
	for addr, n := range perAddr {
		// 25 twice, 587, 465, 993, autoconfig and autodiscover on 443.
		if n != 7 {
			t.Errorf("%s: %d connections, want 7", addr, n)
		}
	}
}

func TestServedTLSA(t *testing.T) {
	cfg := testConfig(t)
	w := newWorld(t)
	known := w.run(func(known verify.Answers) []verify.Question { return serverQuestions(cfg, known) })
	got := ServedTLSA(cfg, known)
	leaf := w.fakes.TLS("mail.example.com").Leaf()
	if len(got) != 2 || got[netip.MustParseAddr("192.0.2.10")] != "3 1 1 "+(&verify.TLSState{Chain: []*x509.Certificate{leaf}}).SPKISHA256() {
		t.Errorf("ServedTLSA = %v", got)
	}
	if q := SMTPProbe(cfg, netip.MustParseAddr("192.0.2.10")); q.String() != "SMTP STARTTLS mail.example.com. at 192.0.2.10:25" {
		t.Errorf("SMTPProbe = %s", q)
	}
}

func TestRelayAddresses(t *testing.T) {
	tests := map[string][2]string{
		"example.com.":      {"mailwizard-relay-test@example.org", "mailwizard-relay-test@example.net"},
		"mail.example.org.": {"mailwizard-relay-test@example.net", "mailwizard-relay-test@example.com"},
		"example.net.":      {"mailwizard-relay-test@example.org", "mailwizard-relay-test@example.com"},
		"org.":              {"mailwizard-relay-test@example.net", "mailwizard-relay-test@example.com"},
	}
	for domain, want := range tests {
		if from, to := relayAddresses(domain); from != want[0] || to != want[1] {
			t.Errorf("relayAddresses(%s) = %s, %s; want %s", domain, from, to, want)
		}
	}
}

func TestParseAutoconfig(t *testing.T) {
	cfg := testConfig(t)
	got, err := parseAutoconfig([]byte(AutoconfigXML(cfg)), cfg.Domain)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range got {
		names = append(names, e.String())
	}
	want := []string{"IMAP mail.example.com:993 (SSL)", "SMTP mail.example.com:587 (STARTTLS)", "SMTP mail.example.com:465 (SSL)"}
	if !slices.Equal(names, want) {
		t.Errorf("endpoints %q, want %q", names, want)
	}
	placeholder := `<clientConfig><emailProvider><incomingServer type="imap"><hostname>imap.%EMAILDOMAIN%</hostname><port> 993 </port><socketType>ssl</socketType></incomingServer></emailProvider></clientConfig>`
	if got, err := parseAutoconfig([]byte(placeholder), "example.com."); err != nil || got[0] != (endpoint{"imap", "imap.example.com.", 993, "SSL"}) {
		t.Errorf("placeholder: %v, %v", got, err)
	}
	for name, body := range map[string]string{
		"html":       "<html><body>hello</body></html>",
		"no servers": `<clientConfig version="1.1"><emailProvider id="x"/></clientConfig>`,
		"bad port":   `<clientConfig><emailProvider><incomingServer type="imap"><hostname>x</hostname><port>99999</port></incomingServer></emailProvider></clientConfig>`,
		"empty":      "",
	} {
		if _, err := parseAutoconfig([]byte(body), "example.com."); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}

func FuzzParseAutoconfig(f *testing.F) {
	f.Add([]byte(AutoconfigXML(Config{Domain: "example.com"})))
	f.Add([]byte(`<clientConfig><emailProvider><outgoingServer type="smtp"><hostname>%EMAILDOMAIN%</hostname><port>587</port></outgoingServer></emailProvider></clientConfig>`))
	f.Add([]byte("<clientConfig><emailProvider><incomingServer type=\"pop3\"><port>0x10</port>"))
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := parseAutoconfig(body, "example.com.")
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without words")
			}
			return
		}
		for _, e := range got {
			if e.port == 0 || (e.kind != "imap" && e.kind != "pop3" && e.kind != "smtp") {
				t.Fatalf("accepted %+v", e)
			}
		}
	})
}
