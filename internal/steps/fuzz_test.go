package steps

import (
	"strings"
	"testing"
	"unicode/utf8"
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
