package demo

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/mailwizard/mailwizard/internal/steps"
)

func TestMistakeFor(t *testing.T) {
	cfg := steps.Config{Domain: "example.com.", Host: "mail.example.com.", TTL: 3600}
	rec := func(name, typ, value string) steps.Record {
		return steps.Record{Name: name, Type: typ, TTL: 3600, Value: value}
	}
	long := "v=DKIM1; k=rsa; p=" + strings.Repeat("A", 382) // 400 characters, like RSA 2048
	tests := map[string]struct {
		id   string
		in   []steps.Record
		want []steps.Record // nil: no mistake fits
		what string         // the sentence must mention this
	}{
		"host: a CNAME to a name that has the addresses": {
			id: steps.IDHost,
			in: []steps.Record{rec("mail.example.com.", "A", "192.0.2.25"), rec("mail.example.com.", "AAAA", "2001:db8::25")},
			want: []steps.Record{rec("server1.example.com.", "A", "192.0.2.25"), rec("server1.example.com.", "AAAA", "2001:db8::25"),
				rec("mail.example.com.", "CNAME", "server1.example.com.")},
			what: "mail.example.com. is a CNAME to server1.example.com.",
		},
		"host: no address record of the host": {id: steps.IDHost, in: []steps.Record{rec("www.example.com.", "A", "192.0.2.80")}},
		"mx: the domain appended to the host": {
			id:   steps.IDMX,
			in:   []steps.Record{rec("example.com.", "MX", "10 mail.example.com.")},
			want: []steps.Record{rec("example.com.example.com.", "MX", "10 mail.example.com.")},
			what: "sits at example.com.example.com.",
		},
		"mx: no MX on the domain": {id: steps.IDMX, in: []steps.Record{rec("sub.example.com.", "MX", "10 mail.example.com.")}},
		"ptr: the generic name for the IPv4 address only": {
			id: steps.IDPTR,
			in: []steps.Record{rec("25.2.0.192.in-addr.arpa.", "PTR", "mail.example.com."),
				rec("5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", "PTR", "mail.example.com.")},
			want: []steps.Record{rec("25.2.0.192.in-addr.arpa.", "PTR", "static.25.2.0.192.clients.your-server.de."),
				rec("5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", "PTR", "mail.example.com.")},
			what: "PTR) of 192.0.2.25 is still the hosting provider's generic name static.25.2.0.192.clients.your-server.de.",
		},
		"ptr: an IPv6-only server": {
			id: steps.IDPTR,
			in: []steps.Record{rec("5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", "PTR", "mail.example.com.")},
		},
		"spf: a second record on the domain": {
			id: steps.IDSPF,
			in: []steps.Record{rec("example.com.", "TXT", "v=spf1 mx -all"), rec("mail.example.com.", "TXT", "v=spf1 a -all")},
			want: []steps.Record{rec("example.com.", "TXT", "v=spf1 mx -all"), rec("mail.example.com.", "TXT", "v=spf1 a -all"),
				rec("example.com.", "TXT", "v=spf1 include:_spf.newsletter.example ~all")},
			what: "example.com. has a second SPF record",
		},
		"spf: no record on the domain": {id: steps.IDSPF, in: []steps.Record{rec("mail.example.com.", "TXT", "v=spf1 a -all")}},
		"dkim: quotes where a zone file splits a long value": {
			id:   steps.IDDKIM,
			in:   []steps.Record{rec("mail._domainkey.example.com.", "TXT", long)},
			want: []steps.Record{rec("mail._domainkey.example.com.", "TXT", long[:255]+`" "`+long[255:])},
			what: `(" ") at character 256, inside p=`,
		},
		"dkim: quotes halfway through a short key": {
			id:   steps.IDDKIM,
			in:   []steps.Record{rec("mail._domainkey.example.com.", "TXT", "v=DKIM1; k=ed25519; p=ABCDEFGH")},
			want: []steps.Record{rec("mail._domainkey.example.com.", "TXT", `v=DKIM1; k=ed25519; p=ABCD" "EFGH`)},
			what: "at character 27",
		},
		"dkim: no key to break": {id: steps.IDDKIM, in: []steps.Record{rec("mail._domainkey.example.com.", "TXT", "v=DKIM1; k=rsa; p=")}},
		"dmarc: the record on the domain itself": {
			id:   steps.IDDMARC,
			in:   []steps.Record{rec("_dmarc.example.com.", "TXT", "v=DMARC1; p=none")},
			want: []steps.Record{rec("example.com.", "TXT", "v=DMARC1; p=none")},
			what: "sits on example.com. itself instead of at _dmarc.example.com.",
		},
		"dmarc: no record at _dmarc": {id: steps.IDDMARC, in: []steps.Record{rec("_report._dmarc.other.example.", "TXT", "v=DMARC1")}},
		"autoconfig: submissions gets the submission port": {
			id: steps.IDAutoconfig,
			in: []steps.Record{rec("_submission._tcp.example.com.", "SRV", "0 1 587 mail.example.com."),
				rec("_submissions._tcp.example.com.", "SRV", "0 1 465 mail.example.com."),
				rec("_imaps._tcp.example.com.", "SRV", "0 1 993 mail.example.com.")},
			want: []steps.Record{rec("_submission._tcp.example.com.", "SRV", "0 1 587 mail.example.com."),
				rec("_submissions._tcp.example.com.", "SRV", "0 1 587 mail.example.com."),
				rec("_imaps._tcp.example.com.", "SRV", "0 1 993 mail.example.com.")},
			what: "port 587 instead of 465",
		},
		"autoconfig: imaps gets the imap port": {
			id:   steps.IDAutoconfig,
			in:   []steps.Record{rec("_pop3._tcp.example.com.", "SRV", "0 0 0 ."), rec("_imaps._tcp.example.com.", "SRV", "0 1 993 mail.example.com.")},
			want: []steps.Record{rec("_pop3._tcp.example.com.", "SRV", "0 0 0 ."), rec("_imaps._tcp.example.com.", "SRV", "0 1 143 mail.example.com.")},
			what: "port 143 instead of 993",
		},
		"mta-sts: an id with dashes": {
			id:   steps.IDMTASTS,
			in:   []steps.Record{rec("_mta-sts.example.com.", "TXT", "v=STSv1; id=20260301T120000Z"), rec("mta-sts.example.com.", "CNAME", "mail.example.com.")},
			want: []steps.Record{rec("_mta-sts.example.com.", "TXT", "v=STSv1; id=2026-03-01"), rec("mta-sts.example.com.", "CNAME", "mail.example.com.")},
			what: "has the id 2026-03-01, with dashes",
		},
		"mta-sts: no record":        {id: steps.IDMTASTS, in: []steps.Record{rec("mta-sts.example.com.", "CNAME", "mail.example.com.")}},
		"tls-rpt: no mailto:":       {id: steps.IDTLSRPT, in: []steps.Record{rec("_smtp._tls.example.com.", "TXT", "v=TLSRPTv1; rua=mailto:tls@example.com")}, want: []steps.Record{rec("_smtp._tls.example.com.", "TXT", "v=TLSRPTv1; rua=tls@example.com")}, what: "without mailto:"},
		"tls-rpt: an https address": {id: steps.IDTLSRPT, in: []steps.Record{rec("_smtp._tls.example.com.", "TXT", "v=TLSRPTv1; rua=https://r.example.net/")}},
		"dane: the previous key": {
			id:   steps.IDDANE,
			in:   []steps.Record{rec("_25._tcp.mail.example.com.", "TLSA", "3 1 1 "+strings.Repeat("ab", 32)), rec("_25._tcp.mail.example.com.", "TLSA", "2 1 1 "+strings.Repeat("cd", 32))},
			want: []steps.Record{rec("_25._tcp.mail.example.com.", "TLSA", "3 1 1 "+strings.Repeat("0e1d", 16))},
			what: "pins the key of the previous certificate",
		},
		"dane: no 3 1 1 record":                 {id: steps.IDDANE, in: []steps.Record{rec("_25._tcp.mail.example.com.", "TLSA", "2 1 1 "+strings.Repeat("cd", 32))}},
		"autoconfig: only services not offered": {id: steps.IDAutoconfig, in: []steps.Record{rec("_pop3._tcp.example.com.", "SRV", "0 0 0 .")}},
		"autoconfig: a port nobody confuses":    {id: steps.IDAutoconfig, in: []steps.Record{rec("_submission._tcp.example.com.", "SRV", "0 1 2525 mail.example.com.")}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			in := slices.Clone(tt.in)
			m, err := mistakeFor(tt.id, cfg, in)
			if !reflect.DeepEqual(in, tt.in) {
				t.Errorf("mistakeFor changed its input records to %v", in)
			}
			if tt.want == nil {
				if !errors.Is(err, errNoMistake) {
					t.Errorf("mistakeFor = %v, %v, want errNoMistake", m.records, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(m.records, tt.want) {
				t.Errorf("records = %v, want %v", m.records, tt.want)
			}
			if !strings.Contains(m.what, tt.what) {
				t.Errorf("what = %q, want it to mention %q", m.what, tt.what)
			}
		})
	}
}

func TestMistakeForStepsWithoutOne(t *testing.T) {
	cfg := steps.Config{Domain: "example.com.", Host: "mail.example.com."}
	for _, id := range []string{steps.IDBlocklist, "", "no-such-step"} {
		if m, err := mistakeFor(id, cfg, nil); err == nil || errors.Is(err, errNoMistake) {
			t.Errorf("mistakeFor(%q) = %v, %v, want an unknown-step error", id, m, err)
		}
	}
}
