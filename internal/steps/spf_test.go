package steps

import (
	"fmt"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// includes returns n include: terms and the records they lead to, each
// with no lookups of its own.
func includes(n int) (terms string, lines []string) {
	var ts []string
	for i := range n {
		name := fmt.Sprintf("_spf%d.example.net.", i)
		ts = append(ts, "include:"+strings.TrimSuffix(name, "."))
		lines = append(lines, name+` TXT "v=spf1 ip4:198.51.100.`+fmt.Sprint(i)+` -all"`)
	}
	return strings.Join(ts, " "), lines
}

func TestSPF(t *testing.T) {
	spfAt := func(value string, extra ...string) func(*world) {
		return func(w *world) {
			w.replace(append([]string{`@ TXT "` + value + `"`}, extra...)...)
		}
	}
	with := func(n int, tail string) func(*world) {
		terms, lines := includes(n)
		return spfAt("v=spf1 mx "+terms+" "+tail, lines...)
	}
	runStepCases(t, IDSPF, testConfig, map[string]stepCase{
		"published everywhere": {
			status: StatusPass,
			not: []string{CodeSPFMissing, CodeSPFMultiple, CodeSPFSyntax, CodeSPFIPNotAuthorized, CodeSPFTooManyLookups,
				CodeSPFVoidLookups, CodeSPFPlusAll, CodeSPFSoftAll, CodeSPFNeutralAll, CodeSPFHELOMissing, CodeLookupError},
		},
		"absent everywhere": {
			world:  func(w *world) { w.remove("example.com.", dns.TypeTXT) },
			status: StatusPending,
			want:   []string{CodeSPFMissing},
			says:   []string{"example.com. has no SPF record", `"v=spf1 mx -all"`},
		},
		"another TXT is not SPF": {
			world:  spfAt("google-site-verification=abc"),
			status: StatusPending,
			want:   []string{CodeSPFMissing},
		},
		"only on ns1": {
			world:  func(w *world) { w.remove("example.com.", dns.TypeTXT, "ns2.example.net.") },
			status: StatusPending,
			want:   []string{CodePartialPropagation},
			not:    []string{CodeSPFMissing},
		},
		"two records": {
			world: func(w *world) {
				for _, s := range w.servers {
					w.add(s, `@ TXT "v=spf1 include:_spf.relay.example.net -all"`)
				}
			},
			status: StatusFail,
			want:   []string{CodeSPFMultiple},
			says:   []string{"two SPF records", `Merge them into one: "v=spf1 mx include:_spf.relay.example.net -all"`},
		},
		"bad address": {
			world:  spfAt("v=spf1 mx ip4:300.1.1.1 -all"),
			status: StatusFail,
			want:   []string{CodeSPFSyntax},
			says:   []string{"ip4:300.1.1.1", `Replace it with "v=spf1 mx -all"`},
		},
		"split word by word": {
			world:  func(w *world) { w.replace(`@ TXT "v=spf1" "mx" "-all"`) },
			status: StatusFail,
			want:   []string{CodeSPFSyntax},
			not:    []string{CodeSPFMissing},
			says:   []string{"one per word", `"v=spf1mx-all"`, `"v=spf1 mx -all"`},
		},
		"long record split in two strings": {
			world:  func(w *world) { w.replace(`@ TXT "v=spf1 mx " "-all"`) },
			status: StatusPass,
			not:    []string{CodeSPFSyntax},
		},
		"quotes stored as text": {
			world:  spfAt(`\"v=spf1 mx -all\"`),
			status: StatusFail,
			want:   []string{CodeSPFSyntax},
			says:   []string{"starts with a quote"},
		},
		"server not covered": {
			world:  spfAt("v=spf1 ip4:198.51.100.1 -all"),
			status: StatusFail,
			want:   []string{CodeSPFIPNotAuthorized},
			says:   []string{`gives "fail" for 192.0.2.10`, `"v=spf1 mx ip4:198.51.100.1 -all"`},
		},
		"the record is right but the MX leads elsewhere": {
			world:  func(w *world) { w.replace("@ MX 10 mx.old-provider.example.") },
			status: StatusFail,
			want:   []string{CodeSPFIPNotAuthorized},
			says:   []string{`gives "fail" for 192.0.2.10`, "the mx and host steps"},
		},
		"the record is right but the mail host's address is not": {
			world:  func(w *world) { w.replace("mail A 198.51.100.7") },
			status: StatusFail,
			want:   []string{CodeSPFIPNotAuthorized},
			says:   []string{"The SPF record of example.com.", "the mx and host steps"},
		},
		"server covered by address": {
			world:  spfAt("v=spf1 ip4:192.0.2.10 ip6:2001:db8::10 -all"),
			status: StatusPass,
			not:    []string{CodeSPFIPNotAuthorized},
		},
		"eleven lookups": {
			world:    with(10, "-all"),
			status:   StatusFail,
			want:     []string{CodeSPFTooManyLookups},
			says:     []string{"needs 11 DNS lookups", "example.com. 11"},
			severity: SeverityError,
		},
		"eight lookups": {
			world:    with(7, "-all"),
			status:   StatusWarn,
			want:     []string{CodeSPFTooManyLookups},
			says:     []string{"needs 8 DNS lookups", "one more include"},
			severity: SeverityWarning,
		},
		"ten lookups, the limit itself": {
			world:    with(9, "-all"),
			status:   StatusWarn,
			want:     []string{CodeSPFTooManyLookups},
			says:     []string{"needs 10 DNS lookups"},
			severity: SeverityWarning,
		},
		"seven lookups": {
			world:  with(6, "-all"),
			status: StatusPass,
			not:    []string{CodeSPFTooManyLookups},
		},
		"three void lookups": {
			world:  spfAt("v=spf1 a:gone1.example.com a:gone2.example.com a:gone3.example.com mx -all"),
			status: StatusFail,
			want:   []string{CodeSPFVoidLookups},
			not:    []string{CodeSPFSyntax},
			says:   []string{"3 lookups that find nothing"},
		},
		"two void lookups": {
			world:  spfAt("v=spf1 a:gone1.example.com a:gone2.example.com mx -all"),
			status: StatusPass,
			not:    []string{CodeSPFVoidLookups},
		},
		"include without an SPF record": {
			world:  spfAt("v=spf1 mx include:_spf.gone.example.net -all"),
			status: StatusFail,
			want:   []string{CodeSPFSyntax},
			says:   []string{"refers to include:_spf.gone.example.net, and receivers that follow it return permerror: _spf.gone.example.net. has no TXT record."},
		},
		"a term behind the match that expands to an odd name is asked": {
			world:  spfAt("v=spf1 mx a:%{l}!x.example.com -all"),
			status: StatusPass,
			not:    []string{CodeSPFSyntax, CodeLookupError},
		},
		"a term that expands to an odd name authorizes the server": {
			cfg:    func(c *Config) { c.IPs = c.IPs[:1] },
			world:  spfAt("v=spf1 a:%{l}!x.example.com -all", "postmaster!x A 192.0.2.10"),
			status: StatusPass,
			not:    []string{CodeSPFSyntax, CodeSPFIPNotAuthorized},
		},
		"a domain-spec with visible characters": {
			cfg:    func(c *Config) { c.IPs = c.IPs[:1] },
			world:  spfAt("v=spf1 a:foo:bar/baz.example.com -all", "foo:bar/baz A 192.0.2.10"),
			status: StatusPass,
			not:    []string{CodeSPFSyntax, CodeSPFIPNotAuthorized},
		},
		"a bad exp= is ignored": {
			world:  spfAt("v=spf1 mx -all exp=why..example.com"),
			status: StatusPass,
			not:    []string{CodeSPFSyntax},
		},
		"an include tree too large to follow": {
			cfg:    func(c *Config) { c.IPs = c.IPs[:1] },
			world:  spfAt("v=spf1 mx include:a.example.org -all", `*.example.org. TXT "v=spf1 include:a.%{d} include:b.%{d} -all"`),
			status: StatusFail,
			want:   []string{CodeSPFTooManyLookups},
			not:    []string{CodeSPFSyntax},
			says:   []string{"needs at least", "(example.com. 2, include:a.example.org 2, include:a.%{d} 2", "mailwizard stopped there and did not follow"},
		},
		"include published as a CNAME to a provider's record": {
			world: spfAt("v=spf1 include:_spf.example.com -all", "_spf CNAME spf.provider.example.net.",
				`spf.provider.example.net. TXT "v=spf1 ip4:192.0.2.10 ip6:2001:db8::10 -all"`),
			status: StatusPass,
			not:    []string{CodeSPFSyntax, CodeSPFIPNotAuthorized, CodeSPFMissing},
		},
		"redirect published as a CNAME chain": {
			world: spfAt("v=spf1 redirect=_spf.example.com", "_spf CNAME spf1.example.net.", "spf1.example.net. CNAME spf2.example.net.",
				`spf2.example.net. TXT "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all"`),
			status: StatusPass,
			not:    []string{CodeSPFSyntax, CodeSPFIPNotAuthorized},
		},
		"the server authorized through ptr alone": {
			world:    spfAt("v=spf1 ptr -all"),
			status:   StatusWarn,
			want:     []string{CodeSPFPTR},
			not:      []string{CodeSPFIPNotAuthorized, CodeSPFSyntax},
			says:     []string{`uses "ptr": ptr is slow and receivers may skip it; use ip4/ip6 or a.`, "Today your server's addresses 192.0.2.10 and 2001:db8::10 pass through ptr", `Replace the record with "v=spf1 mx -all".`},
			severity: SeverityWarning,
		},
		"ptr with a domain, and a fix that must name the addresses": {
			world: func(w *world) {
				spfAt("v=spf1 ptr:example.com ~all")(w)
				w.replace("@ MX 10 mx.old-provider.example.")
			},
			status: StatusWarn,
			want:   []string{CodeSPFPTR, CodeSPFSoftAll},
			not:    []string{CodeSPFIPNotAuthorized},
			says:   []string{`uses "ptr:example.com"`, `Replace the record with "v=spf1 mx ip4:192.0.2.10 ip6:2001:db8::10 -all".`},
		},
		"ptr that does not authorize the server": {
			world: func(w *world) {
				spfAt("v=spf1 ptr -all")(w)
				w.remove("10.2.0.192.in-addr.arpa.", dns.TypePTR)
				w.remove("0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", dns.TypePTR)
			},
			status: StatusFail,
			want:   []string{CodeSPFIPNotAuthorized, CodeSPFPTR},
			says:   []string{`gives "fail" for 192.0.2.10 (matched "-all")`, `Make it cover the server: "v=spf1 mx -all".`},
		},
		"ptr in a provider's record is theirs": {
			world:  spfAt("v=spf1 mx include:_spf.relay.example.net -all", `_spf.relay.example.net. TXT "v=spf1 ptr -all"`),
			status: StatusPass,
			not:    []string{CodeSPFPTR},
		},
		"ptr in the mail host's record": {
			world:  func(w *world) { w.replace(`mail TXT "v=spf1 ptr -all"`) },
			status: StatusWarn,
			want:   []string{CodeSPFPTR},
			says:   []string{"The SPF record of mail.example.com.", `Replace the record with "v=spf1 a -all".`},
		},
		"include with an SPF record": {
			world:  spfAt("v=spf1 mx include:_spf.relay.example.net -all", `_spf.relay.example.net. TXT "v=spf1 ip4:198.51.100.0/24 -all"`),
			status: StatusPass,
			not:    []string{CodeSPFSyntax},
		},
		"servers hold different records, each with its own needs": {
			world: func(w *world) {
				w.remove("example.com.", dns.TypeTXT, "ns2.example.net.")
				w.add("ns2.example.net.", `@ TXT "v=spf1 mx include:_spf.relay.example.net -all"`)
				for _, s := range w.servers {
					w.add(s, `_spf.relay.example.net. TXT "v=spf1 ip4:198.51.100.0/24 -all"`)
				}
			},
			status: StatusPass,
			not:    []string{CodeLookupError, CodeSPFSyntax},
		},
		"+all": {
			world:  spfAt("v=spf1 mx +all"),
			status: StatusFail,
			want:   []string{CodeSPFPlusAll},
		},
		"~all": {
			world:  spfAt("v=spf1 mx ~all"),
			status: StatusPass,
			want:   []string{CodeSPFSoftAll},
			not:    []string{CodeSPFPlusAll, CodeSPFNeutralAll},
		},
		"?all": {
			world:  spfAt("v=spf1 mx ?all"),
			status: StatusWarn,
			want:   []string{CodeSPFNeutralAll},
			not:    []string{CodeSPFSoftAll},
		},
		"no all": {
			world:  spfAt("v=spf1 mx"),
			status: StatusWarn,
			want:   []string{CodeSPFNeutralAll},
		},
		"redirect instead of all": {
			world:  spfAt("v=spf1 redirect=_spf.example.com", `_spf TXT "v=spf1 ip4:192.0.2.10 ip6:2001:db8::10 -all"`),
			status: StatusPass,
			not:    []string{CodeSPFNeutralAll},
		},
		"no record for the mail host": {
			world:  func(w *world) { w.remove("mail", dns.TypeTXT) },
			status: StatusWarn,
			want:   []string{CodeSPFHELOMissing},
			says:   []string{"mail.example.com. has no SPF record", `"v=spf1 a -all"`},
		},
		"mail host is the domain": {
			cfg:    func(c *Config) { c.Host = c.Domain },
			status: StatusPass,
			not:    []string{CodeSPFHELOMissing},
		},
		"mail host record covers another address": {
			world:  func(w *world) { w.replace(`mail TXT "v=spf1 ip4:198.51.100.1 -all"`) },
			status: StatusFail,
			want:   []string{CodeSPFIPNotAuthorized},
			says:   []string{"The SPF record of mail.example.com."},
		},
		"record at the doubled name": {
			world: func(w *world) {
				w.remove("example.com.", dns.TypeTXT)
				w.replace(`example.com.example.com. TXT "v=spf1 mx -all"`)
			},
			status: StatusFail,
			want:   []string{CodeDoubledDomain, CodeSPFMissing},
		},
	})
}

// TestSPFProposed: the record the finding proposes is the result's
// proposal for its name, and the answers that give it are found: a merge
// that adds an include, yes; one that adds an a term, no.
func TestSPFProposed(t *testing.T) {
	cfg := testConfig(t)
	w := newWorld(t)
	for _, s := range All() {
		w.publish(s.Records(cfg))
	}
	for _, s := range w.servers {
		w.add(s, `@ TXT "v=spf1 include:_spf.relay.example.net -all"`)
	}
	res := w.judge(cfg, IDSPF)
	want := Record{Name: "example.com.", Type: "TXT", TTL: cfg.TTL, Value: "v=spf1 mx include:_spf.relay.example.net -all"}
	if len(res.Proposed) != 1 || res.Proposed[0] != want {
		t.Fatalf("proposed %+v, want %+v", res.Proposed, want)
	}
	adopted, ok := SPFAnswers(cfg, res.Proposed[0].Value)
	if !ok || spfValue(adopted) != want.Value {
		t.Errorf("SPFAnswers: ok %v, record %q; want %q", ok, spfValue(adopted), want.Value)
	}
	if _, ok := SPFAnswers(cfg, "v=spf1 mx a:relay.example.net -all"); ok {
		t.Error("SPFAnswers took an a: term the answers cannot express")
	}
	if res := judgeSPFWith(t, cfg); len(res.Proposed) != 0 {
		t.Errorf("a correct record has a proposal: %+v", res.Proposed)
	}
}

// judgeSPFWith judges the SPF step in a world where cfg's records are
// published as they are.
func judgeSPFWith(t *testing.T, cfg Config) Result {
	t.Helper()
	w := newWorld(t)
	for _, s := range All() {
		w.publish(s.Records(cfg))
	}
	return w.judge(cfg, IDSPF)
}
