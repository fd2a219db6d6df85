package steps

import (
	"fmt"
	"slices"
	"testing"

	"github.com/miekg/dns"
)

// publishCNAME publishes the record at name as a CNAME to target instead, and
// lines in the target's zone.
func publishCNAME(name, target string, lines ...string) func(*world) {
	return func(w *world) {
		w.remove(name, dns.TypeTXT)
		for _, s := range w.servers {
			w.add(s, append([]string{name + " CNAME " + target}, lines...)...)
		}
	}
}

// alternating is a chain of n CNAMEs from mail._domainkey.example.com.,
// back and forth between example.org. and example.net.
func alternating(n int) func(*world) {
	return func(w *world) {
		w.remove("mail._domainkey", dns.TypeTXT)
		zone := func(i int) string { return []string{"example.org.", "example.net."}[i%2] }
		lines := []string{fmt.Sprintf("mail._domainkey CNAME c1.%s", zone(1))}
		for i := 1; i < n; i++ {
			lines = append(lines, fmt.Sprintf("c%d.%s CNAME c%d.%s", i, zone(i), i+1, zone(i+1)))
		}
		for _, s := range w.servers {
			w.add(s, lines...)
		}
	}
}

func TestDKIMBehindCNAME(t *testing.T) {
	rsa := keyValue(t, "rsa2048.pem")
	const name, target = "mail._domainkey", "mail.dkim.example.org."
	runStepCases(t, IDDKIM, dkimConfig, map[string]stepCase{
		"the key in the provider's zone": {
			world:  publishCNAME(name, target, txtLine(target, rsa)),
			status: StatusPass,
			not:    []string{CodeDKIMMissing, CodeCNAMEDangling, CodeCNAMELoop, CodeCNAMETooDeep, CodeLookupError, CodePartialPropagation},
		},
		"the key behind two CNAMEs": {
			world:  publishCNAME(name, target, target+" CNAME key.example.net.", txtLine("key.example.net.", rsa)),
			status: StatusPass,
			not:    []string{CodeDKIMMissing, CodeCNAMEDangling, CodeLookupError},
		},
		"another key behind the CNAME": {
			world:  publishCNAME(name, target, txtLine(target, keyValue(t, "ed25519.pem"))),
			status: StatusFail,
			want:   []string{CodeDKIMKeyMismatch},
			says:   []string{target},
		},
		"the target has no key yet": {
			world:  publishCNAME(name, target, target+" A 192.0.2.1"),
			status: StatusPending,
			want:   []string{CodeDKIMMissing},
			not:    []string{CodeCNAMEDangling},
			says:   []string{"mail._domainkey.example.com. is published as a CNAME to mail.dkim.example.org.", "The key is managed there"},
		},
		"a CNAME to a name that does not exist": {
			world:  publishCNAME(name, target),
			status: StatusFail,
			want:   []string{CodeCNAMEDangling},
			not:    []string{CodeDKIMMissing},
			says:   []string{"published as a CNAME to mail.dkim.example.org., which does not exist on ns1.example.net. and ns2.example.net. (mail._domainkey.example.com. → mail.dkim.example.org.)"},
		},
		"a CNAME loop": {
			world:  publishCNAME(name, target, target+" CNAME mail._domainkey.example.com."),
			status: StatusFail,
			want:   []string{CodeCNAMELoop},
			says:   []string{"mail._domainkey.example.com. → mail.dkim.example.org. → mail._domainkey.example.com."},
		},
		"eight CNAMEs are followed": {
			world: func(w *world) {
				alternating(8)(w)
				for _, s := range w.servers {
					w.add(s, txtLine("c8.example.org.", rsa))
				}
			},
			status: StatusPass,
			not:    []string{CodeCNAMETooDeep, CodeDKIMMissing},
		},
		"nine CNAMEs are too many": {
			world:  alternating(9),
			status: StatusFail,
			want:   []string{CodeCNAMETooDeep},
			not:    []string{CodeDKIMMissing},
			says:   []string{"more than 8 CNAMEs", "c9.example.net."},
		},
		"the CNAME on one server only": {
			world: func(w *world) {
				publishCNAME(name, target, txtLine(target, rsa))(w)
				w.remove(name, dns.TypeCNAME, "ns2.example.net.")
			},
			status: StatusPending,
			want:   []string{CodePartialPropagation},
			not:    []string{CodeDKIMMissing},
			says:   []string{"mail._domainkey.example.com. CNAME mail.dkim.example.org. is on ns1.example.net. but not yet on ns2.example.net."},
		},
	})
}

// TestAliasesOfResult: a step that judged a record behind a CNAME says
// where it is managed; one published as a TXT record says nothing.
func TestAliasesOfResult(t *testing.T) {
	cfg := dkimConfig(t)
	rsa := keyValue(t, "rsa2048.pem")
	w := newWorld(t)
	for _, s := range All() {
		w.publish(s.Records(cfg))
	}
	if got := w.judge(cfg, IDDKIM).Aliases; len(got) != 0 {
		t.Errorf("aliases %v of a TXT record, want none", got)
	}
	publishCNAME("mail._domainkey", "sel.example.org.", "sel.example.org. CNAME key.example.net.", txtLine("key.example.net.", rsa))(w)
	res := w.judge(cfg, IDDKIM)
	want := Alias{Name: "mail._domainkey.example.com.", Target: "sel.example.org.", Chain: []string{"mail._domainkey.example.com.", "sel.example.org.", "key.example.net."}}
	if len(res.Aliases) != 1 || res.Aliases[0].Name != want.Name || res.Aliases[0].Target != want.Target || !slices.Equal(res.Aliases[0].Chain, want.Chain) {
		t.Errorf("aliases %+v, want [%+v]", res.Aliases, want)
	}
	var links int
	for _, a := range res.Observed {
		links += len(a.Chain)
	}
	if links != 2 {
		t.Errorf("%d links of the chain observed, want 2", links)
	}
}

func TestDMARCBehindCNAME(t *testing.T) {
	const target = "example.com.dmarc.example.org."
	runStepCases(t, IDDMARC, testConfig, map[string]stepCase{
		"the record at a report service": {
			world:  publishCNAME("_dmarc", target, target+` TXT "v=DMARC1; p=reject; rua=mailto:dmarc-reports@example.com"`),
			status: StatusPass,
			not:    []string{CodeDMARCMissing, CodeCNAMEDangling, CodeDoubledDomain},
		},
		"the report service has not published it": {
			world:  publishCNAME("_dmarc", target, target+` A 192.0.2.1`),
			status: StatusPending,
			want:   []string{CodeDMARCMissing},
			says:   []string{"_dmarc.example.com. is published as a CNAME to example.com.dmarc.example.org."},
		},
		"a CNAME to a name that does not exist": {
			world:  publishCNAME("_dmarc", target),
			status: StatusFail,
			want:   []string{CodeCNAMEDangling},
			not:    []string{CodeDMARCMissing},
		},
	})
}

func TestSPFIncludeBehindCNAME(t *testing.T) {
	spfAt := func(lines ...string) func(*world) {
		return func(w *world) {
			w.remove("example.com.", dns.TypeTXT)
			for _, s := range w.servers {
				w.add(s, lines...)
			}
		}
	}
	runStepCases(t, IDSPF, testConfig, map[string]stepCase{
		"an include target that is a CNAME": {
			world: spfAt(`@ TXT "v=spf1 include:_spf.example.org -all"`,
				"_spf.example.org. CNAME spf.example.net.",
				`spf.example.net. TXT "v=spf1 ip4:192.0.2.10 ip6:2001:db8::10 -all"`),
			status: StatusPass,
			not:    []string{CodeSPFSyntax, CodeSPFIPNotAuthorized, CodeLookupError},
		},
	})
}
