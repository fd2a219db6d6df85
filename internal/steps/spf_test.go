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
		"a term behind the match that expands to no name": {
			world:  spfAt("v=spf1 mx a:%{l}!x.example.com -all"),
			status: StatusFail,
			want:   []string{CodeSPFSyntax},
			says:   []string{"has a term that makes receivers return permerror", `a:%{l}!x.example.com in the SPF record of example.com. expands to "postmaster!x.example.com"`},
		},
		"an include tree too large to follow": {
			cfg:    func(c *Config) { c.IPs = c.IPs[:1] },
			world:  spfAt("v=spf1 mx include:a.example.org -all", `*.example.org. TXT "v=spf1 include:a.%{d} include:b.%{d} -all"`),
			status: StatusFail,
			want:   []string{CodeSPFTooManyLookups},
			not:    []string{CodeSPFSyntax},
			says:   []string{"(example.com. 2, include:a.example.org 2, include:a.%{d} 2", "and 94 more records)"},
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
