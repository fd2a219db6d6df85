package steps

import (
	"crypto/x509"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/probeserver"
	"github.com/mailwizard/mailwizard/internal/verify"
)

// brokenWorlds are zones with the mistakes people make, each applied to a
// world where every record of the Config is published.
func brokenWorlds(t testing.TB) map[string]struct {
	cfg   func(*Config)
	world func(*world)
} {
	rsa := keyValue(t, "rsa2048.pem")
	includes10, includeLines := includes(10)
	return map[string]struct {
		cfg   func(*Config)
		world func(*world)
	}{
		"nothing published": {world: func(w *world) {
			for _, s := range w.servers {
				w.data[s] = nil
			}
		}},
		"everything wrong": {world: func(w *world) {
			w.replace("mail A 198.51.100.7")
			w.replace("mail AAAA 2001:db8::99")
			w.replace("@ MX 10 mx.old-provider.example.")
			w.replace("10.2.0.192.in-addr.arpa. PTR static.10.2.0.192.clients.your-server.example.")
			w.replace(`@ TXT "v=spf1 ip4:198.51.100.1 +all"`)
			w.replace(txtLine("mail._domainkey", keyValue(t, "ed25519.pem")))
			w.replace(`_dmarc TXT "v=DMARC1; p=nnoe; rua=dmarc@example.com"`)
			w.replace("_imaps._tcp SRV 0 1 993 imap.example.net.")
			w.replace("_submissions._tcp SRV 0 1 587 mail")
			w.replace("_submission._tcp SRV 0 0 0 .")
			w.replace("_pop3._tcp SRV 0 1 110 mail")
			w.replace("_autodiscover._tcp SRV 0 1 80 mail")
			w.replace("autodiscover CNAME autodiscover.outlook.example.")
			w.replace("autoconfig CNAME www.example.org.")
		}},
		"the mail host is an alias": {world: func(w *world) {
			w.remove("mail", dns.TypeANY)
			w.replace("mail CNAME server", "server A 192.0.2.10", "server AAAA 2001:db8::10")
		}},
		"every record at the doubled name": {world: func(w *world) {
			for _, s := range w.servers {
				var moved []dns.RR
				for _, rr := range w.data[s] {
					if c := dns.Copy(rr); inZone(c.Header().Name, "example.com.") {
						c.Header().Name += "example.com."
						moved = append(moved, c)
					}
				}
				w.data[s] = moved
			}
		}},
		"TXT values damaged by forms": {world: func(w *world) {
			w.replace(`@ TXT "v=spf1" "mx" "-all"`)
			w.replace(`mail TXT "\"v=spf1 a -all\""`)
			w.replace(txtLine("mail._domainkey", rsa[:255]))
			w.replace(`_dmarc TXT "\"v=DMARC1; p=none\""`)
		}},
		"DKIM pasted with quotes inside": {world: func(w *world) {
			w.replace(txtLine("mail._domainkey", rsa[:100]+`" "`+rsa[100:]))
		}},
		"two of everything": {world: func(w *world) {
			for _, s := range w.servers {
				w.add(s, `@ TXT "v=spf1 include:_spf.relay.example.net -all"`,
					txtLine("mail._domainkey", keyValue(t, "ed25519.pem")),
					`_dmarc TXT "v=DMARC1; p=reject"`)
			}
		}},
		"only on one server": {world: func(w *world) { w.data["ns2.example.net."] = nil }},
		"servers disagree": {world: func(w *world) {
			w.remove("mail", dns.TypeA, "ns2.example.net.").add("ns2.example.net.", "mail A 198.51.100.7")
			w.remove("example.com.", dns.TypeTXT, "ns1.example.net.").add("ns1.example.net.", `@ TXT "v=spf1 mx ~all"`)
		}},
		"one server down": {world: func(w *world) { w.down["ns1.example.net."] = errors.New("i/o timeout") }},
		"every server down": {world: func(w *world) {
			w.down["ns1.example.net."] = errors.New("i/o timeout")
			w.down["ns2.example.net."] = errors.New("connection refused")
		}},
		"zone not found": {world: func(w *world) { w.noZone = errors.New("SERVFAIL from the resolver") }},
		"SPF over its limits": {world: func(w *world) {
			w.replace(append([]string{`@ TXT "v=spf1 mx ` + includes10 + ` a:gone1.example.com a:gone2.example.com a:gone3.example.com -all"`}, includeLines...)...)
		}},
		"SPF include that leads nowhere, first": {world: func(w *world) {
			w.replace(`@ TXT "v=spf1 include:_spf.gone.example.net mx -all"`)
		}},
		"SPF include loop": {world: func(w *world) {
			w.replace(`@ TXT "v=spf1 include:_spf.example.com mx -all"`, `_spf TXT "v=spf1 include:example.com -all"`)
		}},
		"SPF records broken behind the matching term": {world: func(w *world) {
			w.replace(`@ TXT "v=spf1 mx include:_loop.example.com include:_two.example.com include:_bad.example.com include:_%{l}x.example.com -all"`,
				`_loop TXT "v=spf1 include:example.com -all"`,
				`_two TXT "v=spf1 -all"`, `_two TXT "v=spf1 a -all"`,
				`_bad TXT "v=spf1 ip4:300.0.0.1 -all"`,
				`_postmasterx TXT "v=spf1 mx:%{l}!x.example.com -all"`)
		}},
		"SPF without all, and ?all at the host": {world: func(w *world) {
			w.replace(`@ TXT "v=spf1 mx"`)
			w.replace(`mail TXT "v=spf1 a ?all"`)
		}},
		"SPF with a syntax error": {world: func(w *world) { w.replace(`@ TXT "v=spf1 mx ip4:300.1.1.1 -all"`) }},
		"null MX":                 {world: func(w *world) { w.replace("@ MX 0 .") }},
		"MX at an address, and a stray one": {world: func(w *world) {
			w.replace("@ MX 10 192.0.2.10.", "@ MX 5 mx.old-provider.example.", "@ MX 20 mail")
		}},
		"Cloudflare proxy": {world: func(w *world) {
			w.replace("mail A 104.21.5.7")
			w.replace("mail AAAA 2606:4700:3030::6815:507")
		}},
		"PTR names another host": {world: func(w *world) {
			w.replace("10.2.0.192.in-addr.arpa. PTR smtp.example.com.")
			w.remove("0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", dns.TypePTR)
		}},
		"DKIM revoked":    {world: func(w *world) { w.replace(txtLine("mail._domainkey", "v=DKIM1; k=rsa; p=")) }},
		"DKIM without p=": {world: func(w *world) { w.replace(txtLine("mail._domainkey", "v=DKIM1; k=rsa")) }},
		"DKIM with a broken key": {world: func(w *world) {
			w.replace(txtLine("mail._domainkey", "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"))
		}},
		"DKIM in testing, weak key": {
			cfg: func(c *Config) { c.DKIMKeyFile = "rsa1024.pem"; _ = c.Normalize(readTestdata) },
			world: func(w *world) {
				w.replace(txtLine("mail._domainkey", strings.Replace(keyValue(t, "rsa1024.pem"), "v=DKIM1;", "v=DKIM1; t=y;", 1)))
			},
		},
		"no DKIM key given": {cfg: func(c *Config) { c.DKIMKeyFile, c.DKIMPublicKey = "", nil }},
		"no DKIM selector":  {cfg: func(c *Config) { c.DKIMSelector = "" }},
		"DMARC at the apex, reports elsewhere": {
			cfg: func(c *Config) { c.DMARCRUA = "reports@example.net" },
			world: func(w *world) {
				w.remove("example.com._report._dmarc.example.net.", dns.TypeTXT)
				w.replace(`_dmarc TXT "v=DMARC1; p=none; rua=mailto:reports@example.net,mailto:other@example.org"`)
				for _, s := range w.servers {
					w.add(s, `@ TXT "v=DMARC1; p=none"`)
				}
			},
		},
		"DMARC without reports": {world: func(w *world) { w.replace(`_dmarc TXT "v=DMARC1; p=reject; pct=150"`) }},
		"listed, refused and unanswered": {
			cfg: func(c *Config) { c.DNSBL = []string{"zen.example.org.", "bl.example.net.", "gone.example.org."} },
			world: func(w *world) {
				w.resolver = rrs(t,
					"10.2.0.192.zen.example.org. A 127.0.0.4",
					`10.2.0.192.zen.example.org. TXT "https://check.example.org/query/ip/192.0.2.10"`,
					"10.2.0.192.bl.example.net. A 127.255.255.254",
					"10.2.0.192.gone.example.org. A 192.0.2.200",
				)
			},
		},
		"records behind broken CNAMEs": {world: func(w *world) {
			publishCNAME("mail._domainkey", "gone.example.org.")(w)
			publishCNAME("_dmarc", "loop.example.org.", "loop.example.org. CNAME _dmarc.example.com.")(w)
		}},
		"records behind CNAMEs whose targets lack them": {world: func(w *world) {
			publishCNAME("mail._domainkey", "key.example.org.", "key.example.org. A 192.0.2.1")(w)
			publishCNAME("_dmarc", "dmarc.example.org.", "dmarc.example.org. A 192.0.2.1")(w)
			w.remove("mail._domainkey", dns.TypeCNAME, "ns2.example.net.")
		}},
		"a chain too long and too many nameservers": {world: func(w *world) {
			alternating(12)(w)
			w.omitted = []string{"ns3.example.net.", "ns4.example.net."}
		}},
		"records only a wildcard answers": {world: func(w *world) {
			w.remove("mail", dns.TypeANY)
			w.remove("_dmarc", dns.TypeTXT)
			w.remove("mail._domainkey", dns.TypeTXT)
			for _, s := range w.servers {
				w.add(s, "* A 192.0.2.10", `* TXT "v=DMARC1; p=none"`, "*._domainkey CNAME key.example.org.", txtLine("key.example.org.", rsa))
			}
		}},
		"a delegation elsewhere, records added at another provider": {
			cfg: func(c *Config) { c.Provider = "godaddy" },
			world: func(w *world) {
				w.serveAs("dana.ns.cloudflare.com.", "lars.ns.cloudflare.com.")
				withNS([]string{"dana.ns.cloudflare.com.", "lars.ns.cloudflare.com."}, "ns1.domaincontrol.com.", "ns2.domaincontrol.com.")(w)
				w.remove("_dmarc", dns.TypeTXT)
				w.remove("mail._domainkey", dns.TypeTXT)
			},
		},
		"query budget spent": {world: func(w *world) { w.budget = 1000 }},
		"the server broken in every way": {world: func(w *world) {
			w.fail(probeAt("2001:db8::10", 25), verify.StageConnect, syscall.ECONNREFUSED)
			w.onProbe(port(25), func(r *verify.ProbeResult) {
				r.Greeting.Lines = []string{"220 localhost.localdomain ESMTP \x1b[31m"}
				r.EHLO.Lines = []string{"250-localhost.localdomain", "250 PIPELINING"}
				r.StartTLSOffered, r.TLS = false, nil
			})
			w.onProbe(relayTests, func(r *verify.ProbeResult) { r.RcptTo = verify.Reply{Code: 250, Lines: []string{"250 ok"}} })
			w.leaf(port(465), probeserver.Cert{Names: []string{"www.example.net"}, SelfSigned: true, NotAfter: time.Now().AddDate(0, 0, -1), NotBefore: time.Now().AddDate(0, -1, 0)}, x509.UnknownAuthorityError{})
			w.fail(port(993), verify.StageConnect, verify.ErrTimeout)
			w.onProbe(port(587), func(r *verify.ProbeResult) { r.StartTLSOffered, r.TLS = false, nil })
			w.onProbe(func(p verify.Probe) bool { return p.Kind == verify.ProbeHTTPS }, func(r *verify.ProbeResult) {
				r.HTTP = &verify.HTTPResponse{Status: 500, StatusLine: "HTTP/1.1 500 Internal Server Error"}
			})
		}},
		"port 25 blocked here": {world: func(w *world) { w.fail(port25, verify.StageConnect, verify.ErrTimeout) }},
		"resolver down": {
			cfg:   func(c *Config) { c.DNSBL = []string{"zen.example.org."} },
			world: func(w *world) { w.down[resolverName] = errors.New("i/o timeout") },
		},
	}
}

// TestMessages judges every step in every broken world and reads each
// finding the way the person at the terminal will: full sentences, the
// record named with its final dot, no traces of Go formatting, no raw
// error text, never the private key, and no finding said twice.
func TestMessages(t *testing.T) {
	keyLines := privateKeyLines(t, "rsa2048.pem", "rsa1024.pem")
	for name, tc := range brokenWorlds(t) {
		t.Run(name, func(t *testing.T) {
			cfg := dkimConfig(t)
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			w := newWorld(t)
			for _, s := range All() {
				w.publish(s.Records(cfg))
			}
			if tc.world != nil {
				tc.world(w)
			}
			for _, r := range JudgeAll(cfg, w.run(Planners(cfg)...)) {
				seen := make(map[Finding]bool)
				for _, f := range r.Findings {
					t.Logf("%s %s (%s): %s", r.Step, f.Code, f.Severity, f.Message)
					checkContract(t, r.Step, f)
					if seen[f] {
						t.Errorf("%s: %s is said twice: %s", r.Step, f.Code, f.Message)
					}
					seen[f] = true
					for _, problem := range messageProblems(f.Message) {
						t.Errorf("%s: %s message %s:\n%s", r.Step, f.Code, problem, f.Message)
					}
					if needsName(r.Step, f.Code) && !namesRecord(f.Message) {
						t.Errorf("%s: %s message names no record with its final dot:\n%s", r.Step, f.Code, f.Message)
					}
					for _, line := range keyLines {
						if strings.Contains(f.Message, line) {
							t.Errorf("%s: %s message quotes the private key", r.Step, f.Code)
						}
					}
				}
			}
		})
	}
}

// namesRecord reports whether msg holds a domain name with its final dot,
// at the end of a word: "_dmarc.example.com." but not "example.com".
func namesRecord(msg string) bool {
	return regexp.MustCompile(`[A-Za-z0-9_-]+\.[A-Za-z0-9_.-]*[A-Za-z0-9]\.(\s|$|[),;:"])`).MatchString(msg)
}

// needsName reports whether a finding is about a record, which its
// message must name. Blocklists publish nothing and a missing selector
// leaves no record to name.
func needsName(step, code string) bool {
	return step != IDBlocklist && code != CodeDKIMNoSelector
}

// messageProblems says what is wrong with a finding's message, if anything.
func messageProblems(msg string) []string {
	// Traces of Go formatting and raw errors a sentence must not hold.
	goisms := []string{"%!", "<nil>", "map[", "&{", "{}", "\n", "  ", "..", "dns: ", "dmarc: ", "dkimkey: ", "spf: ", "x509: ", "asn1: ", "illegal base64"}
	// The text of verify's errors, which repeat the question and nest
	// their causes, where a message names the record once and says what
	// went wrong in words. A Go slice is brackets not followed by a port.
	rawErrors := map[string]*regexp.Regexp{
		"a raw query error":    regexp.MustCompile(`\bquery [A-Z0-9]+ `),
		"a raw resolver error": regexp.MustCompile(`could not reach resolver`),
		"a Go slice":           regexp.MustCompile(`\[[^\]]*\]([^:]|$)`),
	}
	var out []string
	if msg == "" {
		return []string{"is empty"}
	}
	if !strings.HasSuffix(msg, ".") {
		out = append(out, "does not end with a full stop")
	}
	for _, g := range goisms {
		if strings.Contains(msg, g) {
			out = append(out, fmt.Sprintf("holds %q", g))
		}
	}
	for what, re := range rawErrors {
		if re.MatchString(msg) {
			out = append(out, "holds "+what)
		}
	}
	return out
}

// privateKeyLines are the base64 lines of private key files.
func privateKeyLines(t testing.TB, files ...string) []string {
	t.Helper()
	var out []string
	for _, file := range files {
		data, err := readTestdata(file)
		if err != nil {
			t.Fatal(err)
		}
		for line := range strings.SplitSeq(string(data), "\n") {
			if line != "" && !strings.HasPrefix(line, "-----") {
				out = append(out, line)
			}
		}
	}
	return append(out, "PRIVATE KEY")
}

// TestMessageProblems makes sure the checks of TestMessages can fail.
func TestMessageProblems(t *testing.T) {
	tests := map[string]struct {
		msg  string
		want int
	}{
		"a good sentence":      {`_dmarc.example.com. has no DMARC record on ns1.example.net. yet. Add "v=DMARC1; p=none".`, 0},
		"empty":                {"", 1},
		"no full stop":         {"example.com. has no MX record", 1},
		"a Go verb gone wrong": {"example.com. has %!v(MISSING).", 1},
		"a nil error":          {"Could not check example.com.: <nil>.", 1},
		"an empty list":        {"example.com. has [] on ns1.example.net..", 2},
		"a raw library error":  {"The record does not parse: dns: bad rdata.", 1},
		"a double space":       {"example.com.  has a record.", 1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := messageProblems(tc.msg); len(got) != tc.want {
				t.Errorf("problems %q, want %d", got, tc.want)
			}
		})
	}
	if namesRecord("reports go to example.com, see there.") {
		t.Error("a name without its final dot counts as absolute")
	}
	if !namesRecord("mail._domainkey.example.com. has no record.") {
		t.Error("an absolute name is not seen")
	}
}
