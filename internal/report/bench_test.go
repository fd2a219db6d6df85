package report

import (
	"io"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/steps"
	"github.com/mailwizard/mailwizard/internal/verify"
)

// benchResults is a round the size of a real one: eight steps, four
// questions each, two nameservers and a resolver.
func benchResults(b *testing.B) []steps.Result {
	rr, err := dns.NewRR(`_dmarc.example.com. 3600 IN TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com"`)
	if err != nil {
		b.Fatal(err)
	}
	obs := func(server string) verify.Observation {
		return verify.Observation{Server: server, Address: "192.0.2.53:53", Rcode: dns.RcodeSuccess, Answer: []dns.RR{rr}, RTT: 3 * time.Millisecond}
	}
	var results []steps.Result
	for _, s := range steps.All() {
		res := steps.Result{Step: s.ID, Status: steps.StatusPass, Expected: []steps.Record{{Name: "_dmarc.example.com.", Type: "TXT", TTL: 3600, Value: "v=DMARC1"}}}
		for range 4 {
			res.Observed = append(res.Observed, verify.Answer{
				Question:  verify.Q("_dmarc.example.com.", dns.TypeTXT),
				Servers:   []verify.Observation{obs("ns1.example.net."), obs("ns2.example.net.")},
				Resolvers: []verify.Observation{obs("127.0.0.53:53")},
			})
		}
		results = append(results, res)
	}
	return results
}

func BenchmarkBuildAndWriteJSON(b *testing.B) {
	results := benchResults(b)
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteJSONLine(io.Discard, Build("example.com.", results, now)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuild(b *testing.B) {
	results := benchResults(b)
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		Build("example.com.", results, now)
	}
}

func BenchmarkChanges(b *testing.B) {
	r := Build("example.com.", benchResults(b), time.Now())
	b.ReportAllocs()
	for b.Loop() {
		Changes(r, r)
	}
}
