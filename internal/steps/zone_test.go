package steps

import (
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// withNS publishes the zone's own NS records and the parent's delegation.
func withNS(own []string, delegated ...string) func(*world) {
	return func(w *world) {
		for _, s := range w.servers {
			for _, ns := range own {
				w.add(s, "@ NS "+ns)
			}
		}
		w.delegation = delegated
	}
}

func TestDelegationMismatch(t *testing.T) {
	both := []string{"ns1.example.net.", "ns2.example.net."}
	for _, id := range []string{IDHost, IDMX, IDSPF, IDDKIM, IDDMARC, IDAutoconfig} {
		t.Run(id, func(t *testing.T) {
			runStepCases(t, id, dkimConfig, map[string]stepCase{
				"the delegation names the zone's servers": {
					world:  withNS(both, "ns2.example.net.", "ns1.example.net."),
					status: StatusPass,
					not:    []string{CodeNSDelegationMismatch},
				},
				"the delegation names other servers": {
					world:  withNS(both, "ns1.example.net.", "ns3.old-provider.example."),
					status: StatusWarn,
					want:   []string{CodeNSDelegationMismatch},
					says: []string{
						"The delegation of example.com. in the parent zone com. names ns1.example.net. and ns3.old-provider.example. (asked at a.gtld.example.)",
						"the zone's own NS records name ns1.example.net. and ns2.example.net. on ns1.example.net. and ns2.example.net.",
						"mailwizard asked ns1.example.net. and ns2.example.net.",
					},
				},
				"the parent could not be asked": {
					world:  withNS(both),
					status: StatusPass,
					not:    []string{CodeNSDelegationMismatch},
				},
			})
		})
	}
	// PTR is set at the hosting provider: the domain's delegation is not
	// its business.
	runStepCases(t, IDPTR, dkimConfig, map[string]stepCase{
		"the delegation names other servers": {
			world:  withNS(both, "ns3.old-provider.example."),
			status: StatusPass,
			not:    []string{CodeNSDelegationMismatch},
		},
	})
}

func TestProviderMismatch(t *testing.T) {
	cloudflare := func(w *world) {
		w.serveAs("dana.ns.cloudflare.com.", "lars.ns.cloudflare.com.")
		withNS([]string{"dana.ns.cloudflare.com.", "lars.ns.cloudflare.com."})(w)
	}
	runStepCases(t, IDDMARC, testConfig, map[string]stepCase{
		"records added at another provider": {
			cfg: func(c *Config) { c.Provider = "godaddy" },
			world: func(w *world) {
				cloudflare(w)
				w.remove("_dmarc", dns.TypeTXT)
			},
			status: StatusPending,
			want:   []string{CodeDMARCMissing},
			says:   []string{"Your zone is served by Cloudflare's nameservers (dana.ns.cloudflare.com. and lars.ns.cloudflare.com.); records added at GoDaddy are not seen."},
		},
		"servers no provider is known for": {
			cfg: func(c *Config) { c.Provider = "godaddy" },
			world: func(w *world) {
				withNS([]string{"ns1.example.net.", "ns2.example.net."})(w)
				w.remove("_dmarc", dns.TypeTXT)
			},
			status: StatusPending,
			want:   []string{CodeDMARCMissing},
			says:   []string{"Your zone is served by ns1.example.net. and ns2.example.net., which are not GoDaddy's nameservers; records added at GoDaddy are not seen."},
		},
		"the delegation tells, not the servers asked": {
			cfg: func(c *Config) { c.Provider = "godaddy" },
			world: func(w *world) {
				withNS([]string{"ns1.example.net.", "ns2.example.net."}, "ns1.domaincontrol.com.", "ns2.domaincontrol.com.")(w)
				w.remove("_dmarc", dns.TypeTXT)
			},
			status: StatusPending,
			want:   []string{CodeDMARCMissing, CodeNSDelegationMismatch},
		},
		"the provider that serves the zone": {
			cfg: func(c *Config) { c.Provider = "cloudflare" },
			world: func(w *world) {
				cloudflare(w)
				w.remove("_dmarc", dns.TypeTXT)
			},
			status: StatusPending,
			want:   []string{CodeDMARCMissing},
		},
	})
	// The must-not case of the message.
	cfg := testConfig(t)
	cfg.Provider = "cloudflare"
	w := newWorld(t)
	cloudflare(w)
	res := w.judge(cfg, IDDMARC)
	for _, f := range res.Findings {
		if strings.Contains(f.Message, "are not seen") {
			t.Errorf("%s says the provider does not serve the zone: %s", f.Code, f.Message)
		}
	}
}

func TestProviderMismatchWords(t *testing.T) {
	tests := map[string]struct {
		provider string
		ns       []string
		want     string
	}{
		"another provider's servers": {"godaddy", []string{"b.ns.cloudflare.com.", "a.ns.cloudflare.com."},
			"Your zone is served by Cloudflare's nameservers (a.ns.cloudflare.com. and b.ns.cloudflare.com.); records added at GoDaddy are not seen."},
		"the provider's own":    {"cloudflare", []string{"a.ns.cloudflare.com."}, ""},
		"other, or a zone file": {"other", []string{"a.ns.cloudflare.com."}, ""},
		"no provider chosen":    {"", []string{"a.ns.cloudflare.com."}, ""},
		"no names":              {"godaddy", nil, ""},
		"unknown servers":       {"godaddy", []string{"ns1.example.net."}, "Your zone is served by ns1.example.net., which is not GoDaddy's nameservers; records added at GoDaddy are not seen."},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := ProviderMismatch(tc.provider, tc.ns); got != tc.want {
				t.Errorf("ProviderMismatch = %q\nwant %q", got, tc.want)
			}
		})
	}
}
