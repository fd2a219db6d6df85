package steps

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/miekg/dns"
)

// FuzzParseDMARC feeds strangers' DMARC records to the parser: it must
// never panic, and what it accepts must hold a known policy and report
// addresses.
func FuzzParseDMARC(f *testing.F) {
	for _, seed := range []string{
		"v=DMARC1; p=none; rua=mailto:dmarc@example.com",
		"v=DMARC1;p=reject;sp=quarantine;adkim=s;aspf=r;pct=50;fo=0:1:d:s;rf=afrf;ri=86400;ruf=mailto:a@b.example!10m",
		"V = DMARC1 ; P = Reject",
		"v=DMARC1; p=none; rua=mailto:,",
		"v=DMARC1; p=none; p=none",
		"v=DMARC1; =; ;;",
		"p=none",
		"",
		";",
		"v=DMARC1; pct=99999999999999999999",
		" v=DMARC1; p=reject",
		"v=DMARC1 p=none",
		"v=DMARC1; rua=mailto:a@example.com!10x, https://r.example/%41",
		"v=DMARC1; p=none; rf=afrf : iodef; ri=0; fo=0:1",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, txt string) {
		rec, err := parseDMARC(txt)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without words")
			}
			return
		}
		switch rec.Policy {
		case DMARCNone, DMARCQuarantine, DMARCReject:
		default:
			t.Fatalf("accepted policy %q", rec.Policy)
		}
		for _, addr := range rec.rua {
			if !strings.Contains(addr, "@") {
				t.Fatalf("accepted report address %q", addr)
			}
		}
		if !isDMARC(txt) {
			t.Fatalf("parsed %q, which isDMARC does not recognise", txt)
		}
	})
}

// FuzzTXT checks the TXT helpers on any strings: escaping then joining
// gives the raw value back, splitting keeps every string within 255 octets
// and loses nothing, and the mangling detector never panics.
func FuzzTXT(f *testing.F) {
	f.Add("v=spf1", "mx", "-all")
	f.Add(`"v=spf1 mx -all"`, "", "")
	f.Add(`\"v=DMARC1;`, `p=none\"`, `\`)
	f.Add("v=DKIM1; k=rsa; p=MIIB", "IjANBg\x00\xff", "é")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		raw := []string{a, b, c}
		var escaped []string
		for _, s := range raw {
			escaped = append(escaped, escapeTXT(s))
		}
		if got, want := JoinTXT(escaped), a+b+c; got != want {
			t.Fatalf("JoinTXT(escape(%q)) = %q", raw, got)
		}
		// Whatever miekg/dns hands over, unescaping must not panic.
		_ = JoinTXT(raw)
		value := a + b + c
		parts := splitTXT(value)
		if strings.Join(parts, "") != value {
			t.Fatalf("splitTXT lost data of %q", value)
		}
		for _, p := range parts {
			if len(p) > maxString {
				t.Fatalf("a string of %d octets", len(p))
			}
			if utf8.ValidString(value) && !utf8.ValidString(p) {
				t.Fatalf("splitTXT cut a character in %q", value)
			}
		}
		if d, ok := inspectTXT(raw); ok && d.what == "" {
			t.Fatalf("damage without words for %q", raw)
		}
	})
}

// FuzzJudgeTXT publishes any TXT strings where the SPF, DKIM and DMARC
// records belong (and at the mail host) and judges every step: whatever
// strangers publish, judging must not panic and every finding must have
// words.
func FuzzJudgeTXT(f *testing.F) {
	f.Add("v=spf1 mx -all", "v=DKIM1; k=rsa; p=", "v=DMARC1; p=none", "v=spf1 a -all")
	f.Add("v=spf1 include:%{d}.example.net redirect=x", `v=DKIM1; p="`, "v=DMARC1; p=reject; rua=mailto:a@example.net", "v=spf1")
	cfg := dkimConfig(f)
	f.Fuzz(func(t *testing.T, apex, dkim, dmarc, host string) {
		w := newWorld(t)
		for _, s := range w.servers {
			w.data[s] = append(w.data[s], rrs(t, "@ MX 10 mail", "mail A 192.0.2.10")...)
			for name, value := range map[string]string{"@": apex, "mail._domainkey": dkim, "_dmarc": dmarc, "mail": host} {
				w.data[s] = append(w.data[s], rrs(t, txtLine(name, splitTXT(value)...))...)
			}
		}
		for _, r := range JudgeAll(cfg, w.run(Planners(cfg)...)) {
			for _, finding := range r.Findings {
				if finding.Message == "" || finding.Code == "" {
					t.Fatalf("%s: a finding without words: %+v", r.Step, finding)
				}
			}
		}
	})
}

// FuzzJudgeAnswers serves strangers' DNS data to every step. ns1 answers
// from zone lines as an authoritative server does (CNAME loops, wildcards,
// odd types, upper-case names); ns2, and the resolver when garble is set,
// answer every question with the records of a DNS message, whatever was
// asked: records of other owners and types, an MX to ".", SRV on port 0,
// empty and huge TXT. Judging must not panic, and every finding must be a
// code of the contract with its severity, in printable words.
func FuzzJudgeAnswers(f *testing.F) {
	huge := `@ TXT "v=spf1 ` + strings.Repeat(strings.Repeat("a", 250)+`" "`, 40) + `-all"`
	for _, zone := range []string{
		"mail CNAME mail2\nmail2 CNAME mail\n@ MX 10 mail2",
		"@ TXT \"\"\n_dmarc TXT \"\"\nmail._domainkey TXT \"\"\nmail TXT",
		huge,
		"@ MX 0 .\n_submission._tcp SRV 0 0 0 mail\n_imaps._tcp SRV 0 0 0 .\n_autodiscover._tcp SRV 0 0 0 autodiscover",
		"0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. PTR MAIL.EXAMPLE.COM.\nMAIL.EXAMPLE.COM. AAAA ::ffff:192.0.2.10",
		"@ LOC 52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m\n@ TYPE999 \\# 2 abcd\n@ CAA 0 issue \"ca.example\"\n_dmarc DNAME example.net.\n* A 127.0.0.1\n* TXT \"v=spf1 +all\"",
		"@ TXT \"v=spf1 include:a.example.com -all\"\na TXT \"v=spf1 include:b.example.com\"\nb TXT \"v=spf1 include:a.example.com redirect=example.com\"",
		"_dmarc TXT \"v=DMARC1; p=\\027[31mred; rua=mailto:\\255@example.net\"\nmail._domainkey TXT \"v=DKIM1; k=a\\195\\169\\195\\169\\195\\169\\195\\169\\195\\169\\195\\169\\195\\169\\195\\169\\195\\169\\195\\169\\195\\169\\195\\169\\195\\169\\195\\169\\195\\169\\195\\169\\195\\169\\195\\169\\195\\169\\195\\169\\195\\169; p=\"",
	} {
		f.Add(zone, strangerMessage(f,
			"example.com. MX 0 .",
			"example.com. MX 10 192.0.2.10.",
			"_submissions._tcp.example.com. SRV 0 0 0 mail.example.com.",
			"mail._domainkey.example.com. TXT \"\"",
			"zzz.example.org. A 192.0.2.99",
			"mail.example.com. CNAME mail.example.com.",
			"10.2.0.192.zen.example.org. A 127.255.255.254",
			"10.2.0.192.zen.example.org. TXT \"\\255\\027\"",
		), false)
	}
	f.Add("", []byte{0, 1, 2, 3}, true)
	cfg := dkimConfig(f)
	cfg.DNSBL = []string{"zen.example.org."}
	f.Fuzz(func(t *testing.T, zone string, wire []byte, garble bool) {
		lines, message := zoneRecords(zone), messageRecords(wire)
		w := newWorld(t)
		for _, s := range All() {
			w.publish(s.Records(cfg))
		}
		w.data["ns1.example.net."] = append(w.data["ns1.example.net."], lines...)
		w.garbled["ns2.example.net."] = append(message, lines...)
		w.resolver = lines
		if garble {
			w.garbled[resolverName] = message
		}
		for _, r := range JudgeAll(cfg, w.run(Planners(cfg)...)) {
			for _, finding := range r.Findings {
				checkContract(t, r.Step, finding)
				if msg := finding.Message; msg == "" || !utf8.ValidString(msg) || strings.ContainsFunc(msg, unicode.IsControl) {
					t.Errorf("%s: %s message is empty, not UTF-8 or holds control characters: %q", r.Step, finding.Code, msg)
				}
			}
		}
	})
}

// maxStrangerRecords bounds what one fuzz input publishes.
const maxStrangerRecords = 200

// zoneRecords reads zone text relative to example.com., as far as it
// parses.
func zoneRecords(text string) []dns.RR {
	zp := dns.NewZoneParser(strings.NewReader(text), "example.com.", "")
	zp.SetDefaultTTL(3600)
	var out []dns.RR
	for rr, ok := zp.Next(); ok && len(out) < maxStrangerRecords; rr, ok = zp.Next() {
		out = append(out, rr)
	}
	return out
}

// messageRecords are every record of a DNS message, as far as it unpacks.
func messageRecords(wire []byte) []dns.RR {
	m := new(dns.Msg)
	_ = m.Unpack(wire)
	out := append(append(m.Answer, m.Ns...), m.Extra...)
	return out[:min(len(out), maxStrangerRecords)]
}

// strangerMessage packs records into a DNS message.
func strangerMessage(t testing.TB, lines ...string) []byte {
	t.Helper()
	m := new(dns.Msg)
	m.Answer = rrs(t, lines...)
	wire, err := m.Pack()
	if err != nil {
		t.Fatal(err)
	}
	return wire
}
