package spf

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// includes returns n distinct include: terms and the records they point
// at, each with no lookups of its own.
func includes(n int, txt map[string][]string) string {
	var terms []string
	for i := range n {
		name := fmt.Sprintf("s%d.example.net", i)
		terms = append(terms, "include:"+name)
		txt[name] = []string{"v=spf1 ip4:203.0.113.99 -all"}
	}
	return strings.Join(terms, " ")
}

func TestEvaluate(t *testing.T) {
	const (
		ip     = "192.0.2.10"
		other  = "198.51.100.1"
		ip6    = "2001:db8::25"
		domain = "example.com."
	)
	manyIncludes := func(n int, before, after string) map[string][]string {
		txt := map[string][]string{}
		txt["example.com"] = []string{"v=spf1 " + before + includes(n, txt) + after}
		return txt
	}
	tests := map[string]struct {
		ip       string
		domain   string // example.com. when empty
		dns      fakeDNS
		result   Result
		matched  string
		lookups  int
		voids    int
		problem  string // a substring of Problem
		children int    // of the tree's root
	}{
		"pass on ip4": {
			ip: ip, dns: fakeDNS{txt: map[string][]string{"example.com": {"v=spf1 ip4:192.0.2.0/24 -all"}}},
			result: ResultPass, matched: "ip4:192.0.2.0/24",
		},
		"fail on -all": {
			ip: other, dns: fakeDNS{txt: map[string][]string{"example.com": {"v=spf1 ip4:192.0.2.0/24 -all"}}},
			result: ResultFail, matched: "-all",
		},
		"softfail on ~all": {
			ip: other, dns: fakeDNS{txt: map[string][]string{"example.com": {"v=spf1 ip4:192.0.2.0/24 ~all"}}},
			result: ResultSoftFail, matched: "~all",
		},
		"neutral on ?all": {
			ip: other, dns: fakeDNS{txt: map[string][]string{"example.com": {"v=spf1 ip4:192.0.2.0/24 ?all"}}},
			result: ResultNeutral, matched: "?all",
		},
		"neutral by default": {
			ip: other, dns: fakeDNS{txt: map[string][]string{"example.com": {"v=spf1 ip4:192.0.2.0/24"}}},
			result: ResultNeutral,
		},
		"pass on +all": {
			ip: other, dns: fakeDNS{txt: map[string][]string{"example.com": {"v=spf1 +all"}}},
			result: ResultPass, matched: "+all",
		},
		"fail on a qualified match": {
			ip: ip, dns: fakeDNS{txt: map[string][]string{"example.com": {"v=spf1 -ip4:192.0.2.10 +all"}}},
			result: ResultFail, matched: "-ip4:192.0.2.10",
		},
		"none without TXT": {
			ip: ip, dns: fakeDNS{},
			result: ResultNone, problem: "example.com. has no TXT record",
		},
		"none without an SPF record among TXT": {
			ip: ip, dns: fakeDNS{txt: map[string][]string{"example.com": {"google-site-verification=x", "v=spf10 -all"}}},
			result: ResultNone, problem: `none starts with "v=spf1"`,
		},
		"none for a malformed domain": {
			ip: ip, domain: "localhost", dns: fakeDNS{txt: map[string][]string{"localhost": {"v=spf1 +all"}}},
			result: ResultNone, problem: "localhost. is not a valid domain name",
		},
		"permerror on two records": {
			ip: ip, dns: fakeDNS{txt: map[string][]string{"example.com": {"v=spf1 -all", "v=spf1 ip4:192.0.2.10 -all"}}},
			result: ResultPermError, problem: "example.com. has 2 SPF records",
		},
		"one record among other TXT": {
			ip: ip, dns: fakeDNS{txt: map[string][]string{"example.com": {"google-site-verification=x", "v=spf1 ip4:192.0.2.10 -all"}}},
			result: ResultPass, matched: "ip4:192.0.2.10",
		},
		"permerror on syntax": {
			ip: ip, dns: fakeDNS{txt: map[string][]string{"example.com": {"v=spf1 ip4:192.0.2.300 -all"}}},
			result: ResultPermError, problem: `does not parse: "ip4:192.0.2.300" at character 8: not an IPv4 address`,
		},
		"syntax error after the match still fails": {
			ip: ip, dns: fakeDNS{txt: map[string][]string{"example.com": {"v=spf1 ip4:192.0.2.10 foo -all"}}},
			result: ResultPermError, problem: "unknown mechanism",
		},
		"temperror when the TXT lookup fails": {
			ip: ip, dns: fakeDNS{fail: map[string]bool{"example.com": true}},
			result: ResultTempError, problem: "The TXT lookup of example.com. failed",
		},
		"a matches the domain's address": {
			ip: ip, dns: fakeDNS{
				txt: map[string][]string{"example.com": {"v=spf1 a -all"}},
				ip:  map[string][]string{"example.com": {"192.0.2.10"}},
			},
			result: ResultPass, matched: "a", lookups: 1,
		},
		"a with another name": {
			ip: ip, dns: fakeDNS{
				txt: map[string][]string{"example.com": {"v=spf1 a:mail.example.com -all"}},
				ip:  map[string][]string{"mail.example.com": {"198.51.100.7", "192.0.2.10"}},
			},
			result: ResultPass, matched: "a:mail.example.com", lookups: 1,
		},
		"a misses another address": {
			ip: ip, dns: fakeDNS{
				txt: map[string][]string{"example.com": {"v=spf1 a -all"}},
				ip:  map[string][]string{"example.com": {"192.0.2.11"}},
			},
			result: ResultFail, matched: "-all", lookups: 1,
		},
		"a with a cidr length": {
			ip: ip, dns: fakeDNS{
				txt: map[string][]string{"example.com": {"v=spf1 a/24 -all"}},
				ip:  map[string][]string{"example.com": {"192.0.2.200"}},
			},
			result: ResultPass, matched: "a/24", lookups: 1,
		},
		"a with an IPv6 cidr length": {
			ip: ip6, dns: fakeDNS{
				txt: map[string][]string{"example.com": {"v=spf1 a/32//64 -all"}},
				ip:  map[string][]string{"example.com": {"2001:db8::1", "192.0.2.10"}},
			},
			result: ResultPass, matched: "a/32//64", lookups: 1,
		},
		"a looks at AAAA only for IPv6": {
			ip: ip6, dns: fakeDNS{
				txt: map[string][]string{"example.com": {"v=spf1 a -all"}},
				ip:  map[string][]string{"example.com": {"192.0.2.10"}},
			},
			result: ResultFail, matched: "-all", lookups: 1, voids: 1,
		},
		"a temperror": {
			ip: ip, dns: fakeDNS{
				txt:  map[string][]string{"example.com": {"v=spf1 a:mail.example.com -all"}},
				fail: map[string]bool{"mail.example.com": true},
			},
			result: ResultTempError, matched: "a:mail.example.com", lookups: 1, problem: "The A lookup of mail.example.com. for a:mail.example.com failed",
		},
		"mx matches an exchange": {
			ip: ip, dns: fakeDNS{
				txt: map[string][]string{"example.com": {"v=spf1 mx -all"}},
				mx:  map[string][]string{"example.com": {"mx1.example.com.", "mail.example.com."}},
				ip:  map[string][]string{"mail.example.com": {"192.0.2.10"}},
			},
			result: ResultPass, matched: "mx", lookups: 1,
		},
		"mx with a null MX": {
			ip: ip, dns: fakeDNS{
				txt: map[string][]string{"example.com": {"v=spf1 mx -all"}},
				mx:  map[string][]string{"example.com": {"."}},
			},
			result: ResultFail, matched: "-all", lookups: 1,
		},
		"mx with ten exchanges": {
			ip: ip, dns: fakeDNS{
				txt: map[string][]string{"example.com": {"v=spf1 mx -all"}},
				mx:  map[string][]string{"example.com": strings.Fields("a. b. c. d. e. f. g. h. i. mail.example.com.")},
				ip:  map[string][]string{"mail.example.com": {"192.0.2.10"}},
			},
			result: ResultPass, matched: "mx", lookups: 1,
		},
		"mx with eleven exchanges": {
			ip: ip, dns: fakeDNS{
				txt: map[string][]string{"example.com": {"v=spf1 mx -all"}},
				mx:  map[string][]string{"example.com": strings.Fields("a. b. c. d. e. f. g. h. i. j. mail.example.com.")},
				ip:  map[string][]string{"mail.example.com": {"192.0.2.10"}},
			},
			result: ResultPermError, matched: "mx", lookups: 1, problem: "example.com. has 11 MX records, and mx looks at 10 at most",
		},
		"mx exchange lookup fails": {
			ip: ip, dns: fakeDNS{
				txt:  map[string][]string{"example.com": {"v=spf1 mx -all"}},
				mx:   map[string][]string{"example.com": {"mail.example.com."}},
				fail: map[string]bool{"mail.example.com": true},
			},
			result: ResultTempError, matched: "mx", lookups: 1, problem: "The A lookup of mail.example.com., an exchange of example.com., failed",
		},
		"mx match wins over a failed exchange": {
			ip: ip, dns: fakeDNS{
				txt:  map[string][]string{"example.com": {"v=spf1 mx -all"}},
				mx:   map[string][]string{"example.com": {"broken.example.com.", "mail.example.com."}},
				ip:   map[string][]string{"mail.example.com": {"192.0.2.10"}},
				fail: map[string]bool{"broken.example.com": true},
			},
			result: ResultPass, matched: "mx", lookups: 1,
		},
		"exists with a macro": {
			ip: ip, dns: fakeDNS{
				txt: map[string][]string{"example.com": {"v=spf1 exists:%{ir}.allow.%{d} -all"}},
				ip:  map[string][]string{"10.2.0.192.allow.example.com": {"127.0.0.2"}},
			},
			result: ResultPass, matched: "exists:%{ir}.allow.%{d}", lookups: 1,
		},
		"exists asks A even for IPv6": {
			ip: ip6, dns: fakeDNS{
				txt: map[string][]string{"example.com": {"v=spf1 exists:allow.example.com -all"}},
				ip:  map[string][]string{"allow.example.com": {"127.0.0.2"}},
			},
			result: ResultPass, matched: "exists:allow.example.com", lookups: 1,
		},
		"exists misses": {
			ip: ip, dns: fakeDNS{txt: map[string][]string{"example.com": {"v=spf1 exists:%{i}.allow.%{d} -all"}}},
			result: ResultFail, matched: "-all", lookups: 1, voids: 1,
		},
		"ptr counts but never matches": {
			ip: ip, dns: fakeDNS{txt: map[string][]string{"example.com": {"v=spf1 ptr -all"}}},
			result: ResultFail, matched: "-all", lookups: 1,
		},
		"IPv4-mapped address is IPv4": {
			ip: "::ffff:192.0.2.10", dns: fakeDNS{txt: map[string][]string{"example.com": {"v=spf1 ip4:192.0.2.10 -all"}}},
			result: ResultPass, matched: "ip4:192.0.2.10",
		},
		"ip6 never matches IPv4": {
			ip: ip, dns: fakeDNS{txt: map[string][]string{"example.com": {"v=spf1 ip6:::/0 -all"}}},
			result: ResultFail, matched: "-all",
		},
		"ip6 matches": {
			ip: ip6, dns: fakeDNS{txt: map[string][]string{"example.com": {"v=spf1 ip4:0.0.0.0/0 ip6:2001:db8::/32 -all"}}},
			result: ResultPass, matched: "ip6:2001:db8::/32",
		},
		"include passes": {
			ip: ip, dns: fakeDNS{txt: map[string][]string{
				"example.com":       {"v=spf1 include:_spf.provider.net -all"},
				"_spf.provider.net": {"v=spf1 ip4:192.0.2.0/24 -all"},
			}},
			result: ResultPass, matched: "include:_spf.provider.net", lookups: 1, children: 1,
		},
		"include fail does not match": {
			ip: ip, dns: fakeDNS{txt: map[string][]string{
				"example.com":       {"v=spf1 include:_spf.provider.net ~all"},
				"_spf.provider.net": {"v=spf1 ip4:203.0.113.0/24 -all"},
			}},
			result: ResultSoftFail, matched: "~all", lookups: 1, children: 1,
		},
		"include neutral does not match": {
			ip: ip, dns: fakeDNS{txt: map[string][]string{
				"example.com":       {"v=spf1 include:_spf.provider.net ~all"},
				"_spf.provider.net": {"v=spf1 ?all"},
			}},
			result: ResultSoftFail, matched: "~all", lookups: 1, children: 1,
		},
		"include of a name without SPF": {
			ip: ip, dns: fakeDNS{txt: map[string][]string{"example.com": {"v=spf1 include:_spf.provider.net -all"}}},
			result: ResultPermError, matched: "include:_spf.provider.net", lookups: 1, voids: 1, children: 1,
			problem: "include:_spf.provider.net in the SPF record of example.com. points at _spf.provider.net., which has no SPF record",
		},
		"include temperror": {
			ip: ip, dns: fakeDNS{
				txt:  map[string][]string{"example.com": {"v=spf1 include:_spf.provider.net -all"}},
				fail: map[string]bool{"_spf.provider.net": true},
			},
			result: ResultTempError, matched: "include:_spf.provider.net", lookups: 1, children: 1, problem: "The TXT lookup of _spf.provider.net. failed",
		},
		"include permerror": {
			ip: ip, dns: fakeDNS{txt: map[string][]string{
				"example.com":       {"v=spf1 include:_spf.provider.net -all"},
				"_spf.provider.net": {"v=spf1 ip4:300.0.0.1 -all"},
			}},
			result: ResultPermError, matched: "include:_spf.provider.net", lookups: 1, children: 1, problem: "The SPF record of _spf.provider.net. does not parse",
		},
		"include with a macro": {
			ip: ip, dns: fakeDNS{txt: map[string][]string{
				"example.com":              {"v=spf1 include:_spf.%{d} -all"},
				"_spf.example.com":         {"v=spf1 include:%{d2}.provider.net -all"},
				"example.com.provider.net": {"v=spf1 ip4:192.0.2.10 -all"},
			}},
			result: ResultPass, matched: "include:_spf.%{d}", lookups: 2, children: 1,
		},
		"redirect": {
			ip: ip, dns: fakeDNS{txt: map[string][]string{
				"example.com":      {"v=spf1 redirect=_spf.example.com"},
				"_spf.example.com": {"v=spf1 ip4:192.0.2.10 -all"},
			}},
			result: ResultPass, matched: "ip4:192.0.2.10", lookups: 1, children: 1,
		},
		"redirect result is final": {
			ip: other, dns: fakeDNS{txt: map[string][]string{
				"example.com":      {"v=spf1 redirect=_spf.example.com"},
				"_spf.example.com": {"v=spf1 ip4:192.0.2.10 ~all"},
			}},
			result: ResultSoftFail, matched: "~all", lookups: 1, children: 1,
		},
		"redirect after a match is not followed for the result": {
			ip: ip, dns: fakeDNS{txt: map[string][]string{
				"example.com":      {"v=spf1 ip4:192.0.2.10 redirect=_spf.example.com"},
				"_spf.example.com": {"v=spf1 -all"},
			}},
			result: ResultPass, matched: "ip4:192.0.2.10", lookups: 1, children: 1,
		},
		"redirect is ignored with all": {
			ip: other, dns: fakeDNS{txt: map[string][]string{
				"example.com":      {"v=spf1 redirect=_spf.example.com -all"},
				"_spf.example.com": {"v=spf1 +all"},
			}},
			result: ResultFail, matched: "-all",
		},
		"redirect to a name without SPF": {
			ip: ip, dns: fakeDNS{txt: map[string][]string{"example.com": {"v=spf1 redirect=_spf.example.com"}}},
			result: ResultPermError, matched: "redirect=_spf.example.com", lookups: 1, voids: 1, children: 1,
			problem: "points at _spf.example.com., which has no SPF record",
		},
		"unknown modifier and exp are ignored": {
			ip: ip, dns: fakeDNS{txt: map[string][]string{"example.com": {"v=spf1 exp=why.%{d} foo=bar ip4:192.0.2.10 -all"}}},
			result: ResultPass, matched: "ip4:192.0.2.10",
		},
		"terms after all are not counted": {
			ip: ip, dns: fakeDNS{txt: map[string][]string{"example.com": {"v=spf1 -all include:_spf.provider.net a mx"}}},
			result: ResultFail, matched: "-all",
		},
		"include loop": {
			ip: other, dns: fakeDNS{txt: map[string][]string{
				"example.com":   {"v=spf1 include:b.example.com -all"},
				"b.example.com": {"v=spf1 include:example.com -all"},
			}},
			result: ResultPermError, matched: "include:b.example.com", lookups: 2, children: 1,
			problem: "include:example.com in the SPF record of b.example.com. leads back to example.com., a loop",
		},
		"include of itself": {
			ip: other, dns: fakeDNS{txt: map[string][]string{"example.com": {"v=spf1 include:EXAMPLE.com. -all"}}},
			result: ResultPermError, matched: "include:EXAMPLE.com.", lookups: 1, children: 1, problem: "a loop",
		},
		"redirect loop": {
			ip: other, dns: fakeDNS{txt: map[string][]string{
				"example.com":   {"v=spf1 redirect=b.example.com"},
				"b.example.com": {"v=spf1 redirect=example.com"},
			}},
			result: ResultPermError, matched: "redirect=example.com", lookups: 2, children: 1, problem: "a loop",
		},
		"loop after the match still counts": {
			ip: ip, dns: fakeDNS{txt: map[string][]string{
				"example.com":   {"v=spf1 ip4:192.0.2.10 include:b.example.com -all"},
				"b.example.com": {"v=spf1 include:example.com -all"},
			}},
			result: ResultPass, matched: "ip4:192.0.2.10", lookups: 2, children: 1,
		},
		"eight lookups": {
			ip: other, dns: fakeDNS{txt: manyIncludes(8, "", " -all")},
			result: ResultFail, matched: "-all", lookups: 8, children: 8,
		},
		"ten lookups is the limit": {
			ip: other, dns: fakeDNS{txt: manyIncludes(10, "", " -all")},
			result: ResultFail, matched: "-all", lookups: 10, children: 10,
		},
		"eleven lookups is a permerror": {
			ip: other, dns: fakeDNS{txt: manyIncludes(11, "", " -all")},
			result: ResultPermError, matched: "include:s10.example.net", lookups: 11, children: 11,
			problem: "Checking the SPF record of example.com. takes more than 10 DNS lookups (the next one is include:s10.example.net in the record of example.com.)",
		},
		"every lookup is counted past the limit": {
			ip: other, dns: fakeDNS{txt: manyIncludes(14, "", " -all")},
			result: ResultPermError, matched: "include:s10.example.net", lookups: 14, children: 14, problem: "takes more than 10 DNS lookups",
		},
		"a match before the limit passes, and the count is the whole tree": {
			ip: ip, dns: fakeDNS{txt: manyIncludes(12, "ip4:192.0.2.10 ", " -all")},
			result: ResultPass, matched: "ip4:192.0.2.10", lookups: 12, children: 12,
		},
		"two void lookups are allowed": {
			ip: other, dns: fakeDNS{txt: map[string][]string{"example.com": {"v=spf1 a:nx1.example.com mx:nx2.example.com -all"}}},
			result: ResultFail, matched: "-all", lookups: 2, voids: 2,
		},
		"a third void lookup is a permerror": {
			ip: other, dns: fakeDNS{txt: map[string][]string{"example.com": {"v=spf1 a:nx1.example.com mx:nx2.example.com exists:nx3.example.com -all"}}},
			result: ResultPermError, matched: "exists:nx3.example.com", lookups: 3, voids: 3,
			problem: "meets more than 2 names that do not exist or have no records (the last is exists:nx3.example.com in the record of example.com.)",
		},
		"void lookups after the match are counted only": {
			ip: ip, dns: fakeDNS{txt: map[string][]string{"example.com": {"v=spf1 ip4:192.0.2.10 a:nx1.example.com a:nx2.example.com a:nx3.example.com -all"}}},
			result: ResultPass, matched: "ip4:192.0.2.10", lookups: 3, voids: 3,
		},
		"a macro expanding to a single label is asked": {
			ip: ip, dns: fakeDNS{txt: map[string][]string{"example.com": {"v=spf1 a:%{d1} -all"}}},
			result: ResultFail, matched: "-all", lookups: 1, voids: 1,
		},
		"a macro expanding to an odd name is asked": {
			ip: ip, dns: fakeDNS{
				txt: map[string][]string{"example.com": {"v=spf1 a:%{l}!x.example.com -all"}},
				ip:  map[string][]string{`postmaster!x.example.com`: {"192.0.2.10"}},
			},
			result: ResultPass, matched: "a:%{l}!x.example.com", lookups: 1,
		},
		"a macro expanding to a name with spaces asks it escaped": {
			ip: ip, dns: fakeDNS{
				txt: map[string][]string{"example.com": {"v=spf1 exists:%{l}%_x%%.example.com -all"}},
				ip:  map[string][]string{`postmaster\ x%.example.com`: {"127.0.0.2"}},
			},
			result: ResultPass, matched: "exists:%{l}%_x%%.example.com", lookups: 1,
		},
		"a macro expanding to an empty label matches nothing": {
			ip: ip, dns: fakeDNS{txt: map[string][]string{"example.com": {"v=spf1 a:%{l}..example.com -all"}}},
			result: ResultFail, matched: "-all", lookups: 1,
		},
		"an include whose name expands to an empty label is a permerror": {
			ip: ip, dns: fakeDNS{txt: map[string][]string{"example.com": {"v=spf1 include:%{l}..example.com -all"}}},
			result: ResultPermError, matched: "include:%{l}..example.com", lookups: 1, children: 1,
			problem: "include:%{l}..example.com in the SPF record of example.com. points at postmaster..example.com., which is not a valid domain name (the name has an empty label)",
		},
		"a domain-spec with visible characters": {
			ip: ip, dns: fakeDNS{
				txt: map[string][]string{"example.com": {"v=spf1 a:foo:bar/baz.example.com -all"}},
				ip:  map[string][]string{"foo:bar/baz.example.com": {"192.0.2.10"}},
			},
			result: ResultPass, matched: "a:foo:bar/baz.example.com", lookups: 1,
		},
		"a bad exp= is ignored": {
			ip: other, dns: fakeDNS{txt: map[string][]string{"example.com": {"v=spf1 ip4:192.0.2.10 -all exp=why..example.com"}}},
			result: ResultFail, matched: "-all",
		},
		"ptr matches a validated name": {
			ip: ip, dns: fakeDNS{
				txt: map[string][]string{"example.com": {"v=spf1 ptr -all"}},
				ptr: map[string][]string{"10.2.0.192.in-addr.arpa": {"Mail.Example.COM."}},
				ip:  map[string][]string{"mail.example.com": {"192.0.2.10"}},
			},
			result: ResultPass, matched: "ptr", lookups: 1,
		},
		"ptr matches an IPv6 address": {
			ip: ip6, dns: fakeDNS{
				txt: map[string][]string{"example.com": {"v=spf1 ptr:example.com -all"}},
				ptr: map[string][]string{"5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa": {"mail.example.com"}},
				ip:  map[string][]string{"mail.example.com": {"2001:db8::25"}},
			},
			result: ResultPass, matched: "ptr:example.com", lookups: 1,
		},
		"ptr does not match a name that does not lead back": {
			ip: ip, dns: fakeDNS{
				txt: map[string][]string{"example.com": {"v=spf1 ptr -all"}},
				ptr: map[string][]string{"10.2.0.192.in-addr.arpa": {"mail.example.com."}},
				ip:  map[string][]string{"mail.example.com": {"192.0.2.11"}},
			},
			result: ResultFail, matched: "-all", lookups: 1,
		},
		"ptr does not match a name outside the domain": {
			ip: ip, dns: fakeDNS{
				txt: map[string][]string{"example.com": {"v=spf1 ptr -all"}},
				ptr: map[string][]string{"10.2.0.192.in-addr.arpa": {"mail.notexample.com."}},
				ip:  map[string][]string{"mail.notexample.com": {"192.0.2.10"}},
			},
			result: ResultFail, matched: "-all", lookups: 1,
		},
		"ptr without reverse DNS is no match and no void lookup": {
			ip: ip, dns: fakeDNS{txt: map[string][]string{"example.com": {"v=spf1 ptr -all"}}},
			result: ResultFail, matched: "-all", lookups: 1,
		},
		"ptr with a failed reverse lookup is no match": {
			ip: ip, dns: fakeDNS{
				txt:  map[string][]string{"example.com": {"v=spf1 ptr -all"}},
				fail: map[string]bool{"10.2.0.192.in-addr.arpa": true},
			},
			result: ResultFail, matched: "-all", lookups: 1,
		},
		"ptr looks at ten names only": {
			ip: ip, dns: fakeDNS{
				txt: map[string][]string{"example.com": {"v=spf1 ptr -all"}},
				ptr: map[string][]string{"10.2.0.192.in-addr.arpa": strings.Fields("a.example.com b.example.com c.example.com d.example.com e.example.com f.example.com g.example.com h.example.com i.example.com j.example.com mail.example.com")},
				ip:  map[string][]string{"mail.example.com": {"192.0.2.10"}},
			},
			result: ResultFail, matched: "-all", lookups: 1,
		},
		"%{p} is the validated name in the domain": {
			ip: ip, dns: fakeDNS{
				txt: map[string][]string{"example.com": {"v=spf1 exists:%{p}.allow.example.net -all"}},
				ptr: map[string][]string{"10.2.0.192.in-addr.arpa": {"other.example.org.", "mail.example.com.", "mail.elsewhere.example."}},
				ip: map[string][]string{
					"other.example.org": {"192.0.2.10"}, "mail.example.com": {"192.0.2.10"}, "mail.elsewhere.example": {"192.0.2.10"},
					"mail.example.com.allow.example.net": {"127.0.0.2"},
				},
			},
			result: ResultPass, matched: "exists:%{p}.allow.example.net", lookups: 1,
		},
		"%{p} is unknown without a validated name": {
			ip: ip, dns: fakeDNS{
				txt: map[string][]string{"example.com": {"v=spf1 exists:%{p}.allow.example.net -all"}},
				ptr: map[string][]string{"10.2.0.192.in-addr.arpa": {"mail.example.com."}},
				ip:  map[string][]string{"unknown.allow.example.net": {"127.0.0.2"}},
			},
			result: ResultPass, matched: "exists:%{p}.allow.example.net", lookups: 1,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			d := tt.domain
			if d == "" {
				d = domain
			}
			ev := Evaluate(netip.MustParseAddr(tt.ip), d, &tt.dns)
			if len(ev.Needed) != 0 {
				t.Fatalf("Needed = %v with every answer known", ev.Needed)
			}
			if ev.Result != tt.result || ev.Matched != tt.matched {
				t.Errorf("got %s on %q, want %s on %q (problem: %s)", ev.Result, ev.Matched, tt.result, tt.matched, ev.Problem)
			}
			if ev.Lookups != tt.lookups || ev.VoidLookups != tt.voids {
				t.Errorf("got %d lookups and %d void, want %d and %d", ev.Lookups, ev.VoidLookups, tt.lookups, tt.voids)
			}
			if ev.Tree.Total() != ev.Lookups {
				t.Errorf("tree counts %d lookups, evaluation %d", ev.Tree.Total(), ev.Lookups)
			}
			if ev.AtLeast {
				t.Errorf("the counts of a tree within the margin are lower bounds only")
			}
			if !strings.Contains(ev.Problem, tt.problem) {
				t.Errorf("Problem = %q, want it to contain %q", ev.Problem, tt.problem)
			}
			if tt.problem == "" && ev.Problem != "" {
				t.Errorf("Problem = %q, want none", ev.Problem)
			}
			if got := len(ev.Tree.Children); got != tt.children {
				t.Errorf("root has %d children, want %d", got, tt.children)
			}
		})
	}
}

// TestCheckHost checks the identities macros see.
func TestCheckHost(t *testing.T) {
	f := &fakeDNS{
		txt: map[string][]string{"example.com": {"v=spf1 exists:%{l}.%{o}.%{h}.x.example.net -all"}},
		ip: map[string][]string{
			"a.b.example.com.mail.example.org.x.example.net":           {"127.0.0.2"},
			"postmaster.example.com.mail.example.org.x.example.net":    {"127.0.0.2"},
			"postmaster.example.com.example.com.x.example.net":         {"127.0.0.2"},
			"first.last.example.com.mail.example.org.x.example.net":    {"127.0.0.2"},
			"postmaster.sender.example.mail.example.org.x.example.net": {"127.0.0.2"},
		},
	}
	tests := map[string]struct {
		sender, helo string
		result       Result
	}{
		"a dotted local part":                          {"first.last@example.com", "mail.example.org", ResultPass},
		"empty parts of a local part are kept":         {"a..b@example.com", "mail.example.org", ResultFail},
		"a sender without a local part is postmaster":  {"@example.com", "mail.example.org", ResultPass},
		"an empty sender is postmaster at the domain":  {"", "example.com", ResultPass},
		"the sender's domain may differ from <domain>": {"sender.example", "mail.example.org", ResultPass},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			ev := CheckHost(netip.MustParseAddr("192.0.2.10"), "example.com", tt.sender, tt.helo, f)
			if ev.Result != tt.result || len(ev.Needed) != 0 {
				t.Errorf("got %s (needed %v), want %s", ev.Result, ev.Needed, tt.result)
			}
		})
	}
}

func TestEvaluateTree(t *testing.T) {
	f := &fakeDNS{
		txt: map[string][]string{
			"example.com":            {"v=spf1 mx include:_spf.provider.net include:relay.example.org -all"},
			"_spf.provider.net":      {"v=spf1 include:_a.provider.net include:_b.provider.net ~all"},
			"_a.provider.net":        {"v=spf1 ip4:203.0.113.0/24 a -all"},
			"_b.provider.net":        {"v=spf1 exists:%{i}.x.provider.net -all"},
			"relay.example.org":      {"v=spf1 redirect=_spf.relay.example.org"},
			"_spf.relay.example.org": {"v=spf1 ip4:198.51.100.0/24 -all"},
		},
		mx: map[string][]string{"example.com": {"mail.example.com."}},
		ip: map[string][]string{"mail.example.com": {"192.0.2.10"}, "_a.provider.net": {"203.0.113.1"}},
	}
	ev := Evaluate(netip.MustParseAddr("192.0.2.10"), "Example.COM", f)
	if ev.Result != ResultPass || ev.Matched != "mx" {
		t.Fatalf("got %s on %q, want pass on mx", ev.Result, ev.Matched)
	}
	var lines []string
	var walk func(n *Node, depth int)
	walk = func(n *Node, depth int) {
		lines = append(lines, fmt.Sprintf("%s%s %s lookups=%d total=%d err=%q", strings.Repeat("  ", depth), n.Via, n.Domain, n.Lookups, n.Total(), n.Err))
		for _, c := range n.Children {
			walk(c, depth+1)
		}
	}
	walk(ev.Tree, 0)
	want := []string{
		` example.com. lookups=3 total=8 err=""`,
		`  include:_spf.provider.net _spf.provider.net. lookups=2 total=4 err=""`,
		`    include:_a.provider.net _a.provider.net. lookups=1 total=1 err=""`,
		`    include:_b.provider.net _b.provider.net. lookups=1 total=1 err=""`,
		`  include:relay.example.org relay.example.org. lookups=1 total=1 err=""`,
		`    redirect=_spf.relay.example.org _spf.relay.example.org. lookups=0 total=0 err=""`,
	}
	if !slices.Equal(lines, want) {
		t.Errorf("tree:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if ev.Lookups != 8 || ev.VoidLookups != 1 {
		t.Errorf("got %d lookups and %d void, want 8 and 1 (the exists)", ev.Lookups, ev.VoidLookups)
	}
	if ev.Tree.Children[0].Record != "v=spf1 include:_a.provider.net include:_b.provider.net ~all" {
		t.Errorf("include node record = %q", ev.Tree.Children[0].Record)
	}
}

// TestEvaluateNeeded checks that each round asks every question that can
// be asked, so that a chain of includes takes one round per level.
func TestEvaluateNeeded(t *testing.T) {
	q := func(name string, qtype uint16) Question { return Question{Name: name, Type: qtype} }
	tests := map[string]struct {
		ip     string
		dns    fakeDNS
		rounds [][]Question
		result Result
	}{
		"a plain record takes one round": {
			ip:     "192.0.2.10",
			dns:    fakeDNS{txt: map[string][]string{"example.com": {"v=spf1 ip4:192.0.2.10 -all"}}},
			rounds: [][]Question{{q("example.com.", dns.TypeTXT)}},
			result: ResultPass,
		},
		"independent questions come together": {
			ip: "192.0.2.10",
			dns: fakeDNS{
				txt: map[string][]string{
					"example.com":   {"v=spf1 include:a.example.net include:b.example.net mx a:h.example.com exists:%{i}.e.example.com -all"},
					"a.example.net": {"v=spf1 -all"},
					"b.example.net": {"v=spf1 -all"},
				},
				mx: map[string][]string{"example.com": {"mail.example.com."}},
				ip: map[string][]string{"mail.example.com": {"192.0.2.10"}},
			},
			rounds: [][]Question{
				{q("example.com.", dns.TypeTXT)},
				{q("a.example.net.", dns.TypeTXT), q("b.example.net.", dns.TypeTXT), q("example.com.", dns.TypeMX), q("h.example.com.", dns.TypeA), q("192.0.2.10.e.example.com.", dns.TypeA)},
				{q("mail.example.com.", dns.TypeA)},
			},
			result: ResultPass,
		},
		"a chain takes one round per level": {
			ip: "2001:db8::25",
			dns: fakeDNS{
				txt: map[string][]string{
					"example.com":   {"v=spf1 include:a.example.net -all"},
					"a.example.net": {"v=spf1 include:b.example.net -all"},
					"b.example.net": {"v=spf1 redirect=c.example.net"},
					"c.example.net": {"v=spf1 a:mail.example.com -all"},
				},
				ip: map[string][]string{"mail.example.com": {"2001:db8::25"}},
			},
			rounds: [][]Question{
				{q("example.com.", dns.TypeTXT)},
				{q("a.example.net.", dns.TypeTXT)},
				{q("b.example.net.", dns.TypeTXT)},
				{q("c.example.net.", dns.TypeTXT)},
				{q("mail.example.com.", dns.TypeAAAA)},
			},
			result: ResultPass,
		},
		"questions after the match are still asked for the counts": {
			ip: "192.0.2.10",
			dns: fakeDNS{txt: map[string][]string{
				"example.com":   {"v=spf1 ip4:192.0.2.10 include:a.example.net -all"},
				"a.example.net": {"v=spf1 a -all"},
			}},
			rounds: [][]Question{
				{q("example.com.", dns.TypeTXT)},
				{q("a.example.net.", dns.TypeTXT)},
				{q("a.example.net.", dns.TypeA)},
			},
			result: ResultPass,
		},
		"ptr asks the reverse name, then the names that can match": {
			ip: "192.0.2.10",
			dns: fakeDNS{
				txt: map[string][]string{"example.com": {"v=spf1 ptr -all"}},
				ptr: map[string][]string{"10.2.0.192.in-addr.arpa": {"mail.example.com.", "mail.example.org."}},
				ip:  map[string][]string{"mail.example.com": {"192.0.2.10"}, "mail.example.org": {"192.0.2.10"}},
			},
			rounds: [][]Question{
				{q("example.com.", dns.TypeTXT)},
				{q("10.2.0.192.in-addr.arpa.", dns.TypePTR)},
				{q("mail.example.com.", dns.TypeA)},
			},
			result: ResultPass,
		},
		"%{p} asks the reverse name and every name it gives": {
			ip: "2001:db8::25",
			dns: fakeDNS{
				txt: map[string][]string{"example.com": {"v=spf1 exists:%{p}.x.example.net -all"}},
				ptr: map[string][]string{"5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa": {"mail.example.org.", "mail.example.com."}},
				ip: map[string][]string{
					"mail.example.com": {"2001:db8::25"}, "mail.example.org": {"2001:db8::25"},
					"mail.example.com.x.example.net": {"127.0.0.2"},
				},
			},
			rounds: [][]Question{
				{q("example.com.", dns.TypeTXT)},
				{q("5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", dns.TypePTR)},
				{q("mail.example.org.", dns.TypeAAAA), q("mail.example.com.", dns.TypeAAAA)},
				{q("mail.example.com.x.example.net.", dns.TypeA)},
			},
			result: ResultPass,
		},
		"a name with a space is asked escaped": {
			ip:  "192.0.2.10",
			dns: fakeDNS{txt: map[string][]string{"example.com": {"v=spf1 a:%{l}%_x.example.com -all"}}},
			rounds: [][]Question{
				{q("example.com.", dns.TypeTXT)},
				{q(`postmaster\ x.example.com.`, dns.TypeA)},
			},
			result: ResultFail,
		},
		"exchanges after the match are not looked up": {
			ip: "192.0.2.10",
			dns: fakeDNS{
				txt: map[string][]string{"example.com": {"v=spf1 ip4:192.0.2.10 mx -all"}},
				mx:  map[string][]string{"example.com": {"mail.example.com."}},
			},
			rounds: [][]Question{
				{q("example.com.", dns.TypeTXT)},
				{q("example.com.", dns.TypeMX)},
			},
			result: ResultPass,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			ip := netip.MustParseAddr(tt.ip)
			ev, rounds := evaluateAll(t, ip, "example.com", &tt.dns)
			if len(rounds) != len(tt.rounds) {
				t.Fatalf("took %d rounds %v, want %d %v", len(rounds), rounds, len(tt.rounds), tt.rounds)
			}
			for i := range rounds {
				if !slices.Equal(rounds[i], tt.rounds[i]) {
					t.Errorf("round %d asked %v, want %v", i+1, rounds[i], tt.rounds[i])
				}
			}
			if ev.Result != tt.result {
				t.Errorf("settled on %s, want %s", ev.Result, tt.result)
			}
			tt.dns.known = nil
			if full := Evaluate(ip, "example.com", &tt.dns); full.Result != ev.Result || full.Lookups != ev.Lookups || full.VoidLookups != ev.VoidLookups {
				t.Errorf("round by round gave %s %d/%d, all at once %s %d/%d", ev.Result, ev.Lookups, ev.VoidLookups, full.Result, full.Lookups, full.VoidLookups)
			}
		})
	}
}

// TestEvaluateBounded walks a tree built to explode, 120 includes of 30
// includes each, round by round: the walk must stop asking once the counts
// are well past the limits, and still say the record is over them.
func TestEvaluateBounded(t *testing.T) {
	f := explodingTree(120, 30, "v=spf1 a -all")
	for _, ip := range []string{"192.0.2.10", "2001:db8::25"} {
		t.Run(ip, func(t *testing.T) {
			ev, rounds := evaluateAll(t, netip.MustParseAddr(ip), "example.com", f)
			asked := 0
			for _, r := range rounds {
				asked += len(r)
			}
			t.Logf("%d questions in %d rounds; %d lookups, %d void", asked, len(rounds), ev.Lookups, ev.VoidLookups)
			if ev.Result != ResultPermError || !ev.AtLeast || ev.Lookups <= maxCountedLookups {
				t.Errorf("got %s with at least %v %d lookups, want permerror and more than %d counted", ev.Result, ev.AtLeast, ev.Lookups, maxCountedLookups)
			}
			if asked > 4*maxCountedLookups {
				t.Errorf("asked %d questions, want at most %d", asked, 4*maxCountedLookups)
			}
		})
	}
}

func TestEvaluateProvisional(t *testing.T) {
	f := &fakeDNS{
		txt:   map[string][]string{"example.com": {"v=spf1 include:a.example.net -all"}},
		known: map[Question]bool{{Name: "example.com.", Type: dns.TypeTXT}: true},
	}
	ev := Evaluate(netip.MustParseAddr("192.0.2.10"), "example.com.", f)
	if len(ev.Needed) != 1 || ev.Needed[0] != (Question{Name: "a.example.net.", Type: dns.TypeTXT}) {
		t.Errorf("Needed = %v, want the include's TXT", ev.Needed)
	}
	if !ev.Tree.Children[0].Pending {
		t.Errorf("the include's node is not pending: %+v", ev.Tree.Children[0])
	}
	f.known = nil
	if ev := Evaluate(netip.MustParseAddr("192.0.2.10"), "example.com.", f); ev.Tree.Children[0].Pending || len(ev.Needed) != 0 {
		t.Errorf("with every answer known, the include is still pending or questions are needed: %+v", ev)
	}
}

// TestEvaluateEnds feeds records built to explode: every name has a
// record that includes two longer names.
func TestEvaluateEnds(t *testing.T) {
	tests := map[string]string{
		"doubling includes":  "v=spf1 include:a.%{d} include:b.%{d} -all",
		"doubling redirects": "v=spf1 include:a.%{d} redirect=b.%{d}",
		"self include":       "v=spf1 include:%{d} -all",
	}
	for name, record := range tests {
		t.Run(name, func(t *testing.T) {
			ev := Evaluate(netip.MustParseAddr("192.0.2.10"), "example.com", everywhere(record))
			if ev.Result != ResultPermError {
				t.Errorf("got %s, want permerror", ev.Result)
			}
			nodes := 0
			var walk func(n *Node)
			walk = func(n *Node) {
				nodes++
				for _, c := range n.Children {
					walk(c)
				}
			}
			walk(ev.Tree)
			if nodes > 4*maxCountedLookups {
				t.Errorf("walked %d nodes", nodes)
			}
		})
	}
}

// everywhere is a Lookup where every name publishes the same record.
type everywhere string

func (r everywhere) TXT(string) ([]string, LookupStatus)        { return []string{string(r)}, Found }
func (everywhere) IP(string, bool) ([]netip.Addr, LookupStatus) { return nil, Void }
func (everywhere) MX(string) ([]string, LookupStatus)           { return nil, Void }
func (everywhere) PTR(string) ([]string, LookupStatus)          { return nil, Void }

// TestEvaluateNodeErrors walks records behind a term that matches, as a
// receiver does for other senders: each broken record's Err is a clause
// that names it, and a record left out because the tree grew too large is
// Unfollowed, not an error.
func TestEvaluateNodeErrors(t *testing.T) {
	mxs := []string{}
	for i := range 11 {
		mxs = append(mxs, fmt.Sprintf("mx%d.example.com.", i))
	}
	tests := map[string]struct {
		record string
		txt    map[string][]string
		mx     map[string][]string
		fail   map[string]bool
		// want are the errors of the nodes, in walk order.
		want       []string
		unfollowed int
	}{
		"no TXT record": {
			record: "include:gone.example.net",
			want:   []string{"gone.example.net. has no TXT record"},
		},
		"TXT records but no SPF record": {
			record: "include:other.example.net",
			txt:    map[string][]string{"other.example.net": {"google-site-verification=x"}},
			want:   []string{"other.example.net. has TXT records but no SPF record"},
		},
		"two SPF records": {
			record: "include:two.example.net",
			txt:    map[string][]string{"two.example.net": {"v=spf1 -all", "v=spf1 a -all"}},
			want:   []string{"two.example.net. has 2 SPF records"},
		},
		"a record that does not parse": {
			record: "include:bad.example.net",
			txt:    map[string][]string{"bad.example.net": {"v=spf1 ip4:300.0.0.1 -all"}},
			want:   []string{`the SPF record of bad.example.net. does not parse: "ip4:300.0.0.1" at character 8: not an IPv4 address`},
		},
		"a failed lookup": {
			record: "include:flaky.example.net",
			fail:   map[string]bool{"flaky.example.net": true},
			want:   []string{"the TXT lookup of flaky.example.net. failed"},
		},
		"a loop": {
			record: "include:loop.example.net",
			txt:    map[string][]string{"loop.example.net": {"v=spf1 include:example.com -all"}},
			want:   []string{"include:example.com in the SPF record of loop.example.net. leads back to example.com., a loop"},
		},
		"an include that expands to no name": {
			record: "include:%{l}..example.com",
			want:   []string{`postmaster..example.com. is not a valid domain name: the name has an empty label`},
		},
		"an a term that expands to no name is no error": {
			record: "a:%{l}..example.com",
		},
		"too many exchanges": {
			record: "mx:many.example.com",
			mx:     map[string][]string{"many.example.com": mxs},
			want:   []string{"many.example.com. has 11 MX records, and mx looks at 10 at most"},
		},
		"a tree too large to follow": {
			record:     "include:a.example.org",
			unfollowed: 1,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			f := &fakeDNS{txt: map[string][]string{"example.com": {"v=spf1 ip4:192.0.2.10 " + tc.record + " -all"}}, mx: tc.mx, fail: tc.fail}
			for k, v := range tc.txt {
				f.txt[k] = v
			}
			ev := Evaluate(netip.MustParseAddr("192.0.2.10"), "example.com", endlessTree{f})
			if ev.Result != ResultPass {
				t.Fatalf("result %s, want pass by ip4", ev.Result)
			}
			var errs []string
			unfollowed := 0
			var walk func(n *Node)
			walk = func(n *Node) {
				if n.Err != "" {
					errs = append(errs, n.Err)
				}
				if n.Unfollowed {
					unfollowed++
				}
				for _, c := range n.Children {
					walk(c)
				}
			}
			walk(ev.Tree)
			if !slices.Equal(errs, tc.want) {
				t.Errorf("errors %q\nwant   %q", errs, tc.want)
			}
			if (unfollowed > 0) != (tc.unfollowed > 0) {
				t.Errorf("%d records unfollowed, want some: %v", unfollowed, tc.unfollowed > 0)
			}
		})
	}
}

// endlessTree answers every name below example.org with a record that
// includes two names one level deeper, so the tree never ends.
type endlessTree struct{ *fakeDNS }

func (e endlessTree) TXT(name string) ([]string, LookupStatus) {
	if !strings.HasSuffix(name, ".example.org.") {
		return e.fakeDNS.TXT(name)
	}
	return []string{"v=spf1 include:a." + strings.TrimSuffix(name, ".") + " include:b." + strings.TrimSuffix(name, ".") + " -all"}, Found
}
