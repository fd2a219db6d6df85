package steps

import (
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
)

// TestDoubledNamesWaitForTheGate: the names with the zone appended twice
// are asked only when the zone's own name, doubled, exists. A domain
// without any (nearly every one) costs the gate alone, not a question per
// record; a record at a doubled name still opens the gate, and is found
// (the doubled-domain cases of each step).
func TestDoubledNamesWaitForTheGate(t *testing.T) {
	cfg := testConfig(t)
	gate := verify.Q("example.com.example.com.", dns.TypeTXT)
	asked := func(w *world) []verify.Question {
		var doubled []verify.Question
		for q := range w.run(Planners(cfg)...) {
			if strings.HasSuffix(q.Name, "example.com.example.com.") {
				doubled = append(doubled, q)
			}
		}
		return doubled
	}
	clean := newWorld(t)
	for _, s := range All() {
		clean.publish(s.Records(cfg))
	}
	if got := asked(clean); !slices.Equal(got, []verify.Question{gate}) {
		t.Errorf("a domain without doubled names: asked %v, want the gate %s alone", got, gate)
	}

	typo := newWorld(t)
	for _, s := range All() {
		typo.publish(s.Records(cfg))
	}
	typo.remove("_dmarc", dns.TypeTXT)
	typo.replace(`_dmarc.example.com.example.com. TXT "v=DMARC1; p=none"`)
	got := asked(typo)
	for _, want := range []verify.Question{gate, verify.Q("_dmarc.example.com.example.com.", dns.TypeTXT), verify.Q("_mta-sts.example.com.example.com.", dns.TypeTXT)} {
		if !slices.Contains(got, want) {
			t.Errorf("a doubled DMARC record: %s not asked; asked %v", want, got)
		}
	}
}
