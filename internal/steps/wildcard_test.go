package steps

import (
	"testing"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
)

// unpublish removes the records at name and adds lines on every server.
func unpublish(name string, qtype uint16, lines ...string) func(*world) {
	return func(w *world) {
		w.remove(name, qtype)
		for _, s := range w.servers {
			w.add(s, lines...)
		}
	}
}

func TestWildcardOnlyDKIM(t *testing.T) {
	rsa := keyValue(t, "rsa2048.pem")
	runStepCases(t, IDDKIM, dkimConfig, map[string]stepCase{
		"every selector answered by a CNAME wildcard": {
			world:  unpublish("mail._domainkey", dns.TypeTXT, "*._domainkey CNAME key.example.org.", txtLine("key.example.org.", rsa)),
			status: StatusWarn,
			want:   []string{CodeWildcardOnly},
			not:    []string{CodeDKIMMissing, CodeDoubledDomain},
			says:   []string{"The DKIM key record mail._domainkey.example.com. is not published itself: the wildcard record *._domainkey.example.com. answers for it", "CNAME key.example.org.", "Publish the record at mail._domainkey.example.com. itself"},
		},
		"a wildcard with another key": {
			world:  unpublish("mail._domainkey", dns.TypeTXT, txtLine("*._domainkey", keyValue(t, "ed25519.pem"))),
			status: StatusFail,
			want:   []string{CodeWildcardOnly, CodeDKIMKeyMismatch},
		},
		"the record published beside a wildcard": {
			world:  unpublish("nothing", dns.TypeTXT, "*._domainkey CNAME key.example.org.", txtLine("key.example.org.", rsa)),
			status: StatusPass,
			not:    []string{CodeWildcardOnly},
		},
	})
}

func TestWildcardOnlyDMARC(t *testing.T) {
	const value = `"v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com"`
	runStepCases(t, IDDMARC, testConfig, map[string]stepCase{
		"only the zone's wildcard": {
			world:  unpublish("_dmarc", dns.TypeTXT, "* TXT "+value),
			status: StatusWarn,
			want:   []string{CodeWildcardOnly},
			not:    []string{CodeDMARCMissing, CodeDoubledDomain},
			says:   []string{"the wildcard record *.example.com. answers for it"},
		},
		"a wildcard whose record is wrong": {
			world:  unpublish("_dmarc", dns.TypeTXT, `* TXT "v=DMARC1; p=nnoe"`),
			status: StatusFail,
			want:   []string{CodeWildcardOnly, CodeDMARCSyntax},
			not:    []string{CodeDoubledDomain},
		},
		"the record and a wildcard with other data": {
			world:  unpublish("nothing", dns.TypeTXT, `* TXT "v=spf1 -all"`),
			status: StatusPass,
			not:    []string{CodeWildcardOnly, CodeDoubledDomain},
		},
	})
}

func TestWildcardOnlyHost(t *testing.T) {
	runStepCases(t, IDHost, testConfig, map[string]stepCase{
		"the host answered by a wildcard": {
			world: func(w *world) {
				w.remove("mail", dns.TypeANY)
				for _, s := range w.servers {
					w.add(s, "* A 192.0.2.10", "* AAAA 2001:db8::10")
				}
			},
			status: StatusWarn,
			want:   []string{CodeWildcardOnly},
			not:    []string{CodeHostMissing, CodeDoubledDomain},
			says:   []string{"The A record of the mail host mail.example.com. is not published itself: the wildcard record *.example.com. answers for it", "A 192.0.2.10"},
		},
		"a CNAME wildcard in the zone is no doubled record": {
			world:  unpublish("nothing", dns.TypeA, "* CNAME elsewhere.example.org."),
			status: StatusPass,
			not:    []string{CodeWildcardOnly, CodeDoubledDomain},
		},
	})
}

func TestWildcardNames(t *testing.T) {
	got := wildcardNames("example.com.", "_domainkey.example.com.")
	if len(got) != 2 || got[0] != "*._domainkey.example.com." || got[1] != "*.example.com." {
		t.Errorf("wildcardNames = %v", got)
	}
	if got := wildcardNames("example.com.", "example.org."); len(got) != 0 {
		t.Errorf("wildcardNames outside the domain = %v", got)
	}
}

// TestAddressProbesWaitForTheName: the wildcard probes for A and AAAA are
// asked only when the TXT probe's name under the same parent exists; in a
// zone without a wildcard there, that one probe stands for all types.
func TestAddressProbesWaitForTheName(t *testing.T) {
	cfg := testConfig(t)
	probes := func(w *world) map[uint16]bool {
		types := map[uint16]bool{}
		for q := range w.run(Planners(cfg)...) {
			if q.Via == verify.Wildcard && q.Name == "example.com." {
				types[q.Type] = true
			}
		}
		return types
	}
	clean := newWorld(t)
	for _, s := range All() {
		clean.publish(s.Records(cfg))
	}
	if got := probes(clean); !got[dns.TypeTXT] || got[dns.TypeA] || got[dns.TypeAAAA] {
		t.Errorf("a zone without a wildcard: probes under example.com. of types %v, want TXT alone", got)
	}
	wild := newWorld(t)
	for _, s := range All() {
		wild.publish(s.Records(cfg))
	}
	for _, s := range wild.servers {
		wild.add(s, "* A 192.0.2.99")
	}
	if got := probes(wild); !got[dns.TypeTXT] || !got[dns.TypeA] || !got[dns.TypeAAAA] {
		t.Errorf("a zone with a wildcard: probes under example.com. of types %v, want TXT, A and AAAA", got)
	}
}
