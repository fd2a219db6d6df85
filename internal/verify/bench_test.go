package verify_test

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
	"github.com/mailwizard/mailwizard/internal/verify/verifytest"
)

// latency is the delay every server of the benchmark adds to every reply.
const latency = 50 * time.Millisecond

// standardProfile returns the planners of a standard check of
// example.com.: host A+AAAA, MX (and its target's addresses), PTR of one
// IPv4 address (and the PTR's forward name), SPF at the domain and the host,
// DKIM, DMARC, six RFC 6186/8314 SRV, _autodiscover._tcp SRV, the
// autodiscover and autoconfig names, and one DNSBL.
func standardProfile() []verify.Planner {
	const domain, host = "example.com.", "mail.example.com."
	ip := netip.MustParseAddr("192.0.2.25")
	reverse, _ := dns.ReverseAddr(ip.String())
	fixed := func(qs ...verify.Question) verify.Planner {
		return func(verify.Answers) []verify.Question { return qs }
	}
	// targets asks qtype of every name the answers to q point at.
	targets := func(q verify.Question, qtypes ...uint16) verify.Planner {
		return func(known verify.Answers) []verify.Question {
			qs := []verify.Question{q}
			ans, ok := known.Get(q)
			if !ok {
				return qs
			}
			for _, o := range ans.Servers {
				for _, rr := range o.Answer {
					var name string
					switch rr := rr.(type) {
					case *dns.MX:
						name = rr.Mx
					case *dns.PTR:
						name = rr.Ptr
					default:
						continue
					}
					for _, t := range qtypes {
						qs = append(qs, verify.Q(name, t))
					}
				}
			}
			return qs
		}
	}
	blA, blTXT := verify.BlocklistQuestions(ip, "dnsbl.example.org.")
	var srv []verify.Question
	for _, s := range []string{"_submissions", "_submission", "_imaps", "_imap", "_pop3s", "_pop3", "_autodiscover"} {
		srv = append(srv, verify.Q(s+"._tcp."+domain, dns.TypeSRV))
	}
	return []verify.Planner{
		fixed(verify.Q(host, dns.TypeA), verify.Q(host, dns.TypeAAAA)),
		targets(verify.Q(domain, dns.TypeMX), dns.TypeA, dns.TypeAAAA),
		targets(verify.Q(reverse, dns.TypePTR), dns.TypeA),
		fixed(verify.Q(domain, dns.TypeTXT), verify.Q(host, dns.TypeTXT)),
		fixed(verify.Q("sel._domainkey."+domain, dns.TypeTXT)),
		fixed(verify.Q("_dmarc."+domain, dns.TypeTXT)),
		fixed(append(srv, verify.Q("autodiscover."+domain, dns.TypeCNAME), verify.Q("autoconfig."+domain, dns.TypeCNAME))...),
		fixed(blA, blTXT),
	}
}

// benchLab is the benchmark's world: two authoritative servers and a
// resolver, every reply delayed by latency.
func benchLab(b *testing.B, cfg verifytest.LabConfig) *verify.Engine {
	cfg.Zones = append([]string{mailZone(), dnsblZone()}, reverseZones()...)
	lab := verifytest.StartLab(b, cfg)
	lab.SetFault(verifytest.Fault{Delay: latency})
	lab.Resolver.SetFault(verifytest.Fault{Delay: latency})
	return engine(b, lab.Options())
}

// BenchmarkRound runs one full check round of the standard profile and
// reports the wall time in round trips (wall time / injected latency) and
// the queries sent; it fails if a round sends a (server, name, type) twice.
// cold: a new round, discovery included, the resolver giving glue;
// cold-no-glue: the resolver gives none, so the nameservers' addresses are
// asked too; cold-ipv6: each nameserver has an IPv6 address too, so each
// is asked twice; warm: a round started with Next, which keeps the
// discovered zones.
//
//	go test -run '^$' -bench BenchmarkRound -benchtime 20x ./internal/verify/
func BenchmarkRound(b *testing.B) {
	cases := map[string]struct {
		cfg  verifytest.LabConfig
		warm bool
	}{
		"cold":         {verifytest.LabConfig{}, false},
		"cold-no-glue": {verifytest.LabConfig{MinimalResponses: true}, false},
		"cold-ipv6":    {verifytest.LabConfig{IPv6: true}, false},
		"warm":         {verifytest.LabConfig{}, true},
	}
	for name, bc := range cases {
		b.Run(name, func(b *testing.B) {
			e := benchLab(b, bc.cfg)
			planners := standardProfile()
			ctx := context.Background()
			prev := e.Round()
			if bc.warm {
				prev.Run(ctx, planners...)
			}
			var queries, duplicates int
			var wall time.Duration
			for b.Loop() {
				r := e.Round()
				if bc.warm {
					r = prev.Next()
				}
				start := time.Now()
				known := r.Run(ctx, planners...)
				wall += time.Since(start)
				st := r.Stats()
				queries += st.Queries
				duplicates += st.Duplicates
				if st.Duplicates != 0 {
					b.Fatalf("stats %+v: a (server, name, type) was sent twice", st)
				}
				if err := firstError(known); err != nil {
					b.Fatal(err)
				}
			}
			n := float64(b.N)
			b.ReportMetric(float64(wall)/n/float64(latency), "round-trips")
			b.ReportMetric(float64(queries)/n, "queries")
			b.ReportMetric(float64(duplicates)/n, "duplicates")
		})
	}
}

// firstError returns the first failure in the answers, if any.
func firstError(known verify.Answers) error {
	for _, a := range known {
		if a.Err != nil {
			return a.Err
		}
		for _, o := range a.Servers {
			if o.Err != nil {
				return o.Err
			}
		}
	}
	return nil
}
