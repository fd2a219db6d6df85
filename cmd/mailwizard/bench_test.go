package main

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/mailwizard/mailwizard/internal/verify"
	"github.com/mailwizard/mailwizard/internal/verify/verifytest"
)

// benchLatency is what every server of the benchmark adds to every reply,
// the resolver's included.
const benchLatency = 50 * time.Millisecond

// BenchmarkCheckCLI measures `mailwizard check --json` of a complete,
// correct domain the way the binary runs it: the same entry point (run),
// flags, key file, pre-check, planners and judges, against in-process
// servers that answer every query 50 ms after it reached their socket (the
// kernel's stamp: a network's latency does not wait for the server's
// goroutine to be scheduled, see dnsworld's arrivals). It reports the wall
// time in round trips (wall time / 50 ms), the queries the servers
// received and, among them, the duplicates: a (server, name, type) asked
// twice. waves counts the round trips from the queries' arrival times
// alone: a query that arrives more than half a round trip after the first
// of its wave waited for a reply, and opens the next wave. The wall time
// includes the CPU time of the check and of the in-process servers, which
// share the machine's cores (on an idle 2-core machine, the last of a warm
// round's 81 queries leaves about 1.7 ms after the first, and judging and
// the report take about 0.7 ms after the last reply); waves does not.
//
// cold: a whole `check --json --no-probe` (discovery included); warm: the
// next round of --watch and of the wizard (verify.Round.Next after a first
// round); subzone-cold and subzone-warm: the same with
// _domainkey.example.com. delegated to a server of its own, found from the
// referral of the domain's servers; probes-cold and probes-warm: without
// --no-probe, so that the server step also connects to the mail server (an
// in-process one, which adds no latency of its own: only its CPU time and
// its place in the order of the round show).
//
//	go test -run '^$' -bench BenchmarkCheckCLI -benchtime 20x ./cmd/mailwizard/
func BenchmarkCheckCLI(b *testing.B) {
	for _, bc := range []struct {
		name                    string
		warm, delegated, probes bool
	}{
		{"cold", false, false, false},
		{"warm", true, false, false},
		{"subzone-cold", false, true, false},
		{"subzone-warm", true, true, false},
		{"probes-cold", false, false, true},
		{"probes-warm", true, false, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			w := newCheckWorld(b)
			args := append([]string{"check", "--json"}, w.args...)
			if !bc.probes {
				args = append(args, "--no-probe")
				w.cfg.NoProbe = true
			}
			servers := append([]*verifytest.Server{w.lab.Resolver}, w.lab.Servers...)
			if bc.delegated {
				child := moveDKIM(b, w)
				servers = append(servers, child)
			}
			for _, s := range servers {
				s.SetFault(verifytest.Fault{Delay: benchLatency})
			}
			ctx := context.Background()
			var wall time.Duration
			var queries, duplicates, waves int
			for b.Loop() {
				var round func() error
				if bc.warm {
					c, prev := warmChecker(b, w)
					round = func() error {
						r := c.check(ctx, prev.Next())
						if r.Status != "pass" && r.Status != "warn" {
							return fmt.Errorf("status %s", r.Status)
						}
						return nil
					}
				} else {
					round = func() error {
						e := w.e
						e.stdout, e.stderr = io.Discard, io.Discard
						if code := run(ctx, args, e); code != 0 {
							return fmt.Errorf("exit %d", code)
						}
						return nil
					}
				}
				for _, s := range servers {
					s.ResetQueries()
				}
				// cold: the binary checks one domain in a fresh process,
				// whose heap a check (2 to 3 MB) does not take to the
				// collector's first goal; here many checks share one
				// process, so its collector runs now rather than in the
				// middle of the next. warm: --watch and the wizard collect
				// between rounds (collectBetweenRounds) too.
				runtime.GC()
				start := time.Now()
				if err := round(); err != nil {
					b.Fatal(err)
				}
				wall += time.Since(start)
				q, d := received(servers)
				queries += q
				duplicates += d
				waves += countWaves(servers)
			}
			n := float64(b.N)
			b.ReportMetric(float64(wall)/n/float64(benchLatency), "round-trips")
			b.ReportMetric(float64(queries)/n, "queries")
			b.ReportMetric(float64(duplicates)/n, "duplicates")
			b.ReportMetric(float64(waves)/n, "waves")
			if duplicates > 0 {
				b.Errorf("%d duplicate queries", duplicates)
			}
		})
	}
}

// warmChecker is the checker the check command builds for w, and a first
// round already run, as --watch has before its next round.
func warmChecker(b testing.TB, w checkWorld) (checker, *verify.Round) {
	b.Helper()
	c, err := newChecker(w.lab.Resolver.Addr(), w.cfg, w.e)
	if err != nil {
		b.Fatal(err)
	}
	r, round, err := c.first(context.Background())
	if err != nil || (r.Status != "pass" && r.Status != "warn") {
		b.Fatalf("first round: %s, %v", r.Status, err)
	}
	return c, round
}

// moveDKIM delegates _domainkey.example.com. to a server of its own that
// serves the DKIM record, and removes it from the domain's servers.
func moveDKIM(b testing.TB, w checkWorld) *verifytest.Server {
	b.Helper()
	name := "mail._domainkey.example.com."
	recs := w.lab.Servers[0].Zones().Records(name, 16)
	var lines []string
	for _, rr := range recs {
		lines = append(lines, rr.String())
	}
	w.lab.RemoveRRset(name, 16)
	child, err := w.lab.ServeChild(verifytest.Zone("_domainkey.example.com.", lines...), netip.MustParseAddr("192.0.2.60"))
	if err != nil {
		b.Fatal(err)
	}
	return child
}

// received counts the queries the servers received and, among them, the
// (name, type, recursion desired) a server got more than once over UDP
// (every server of the benchmark has one address, and no query is
// retried: nothing times out).
func received(servers []*verifytest.Server) (queries, duplicates int) {
	for _, s := range servers {
		seen := make(map[string]bool)
		for _, q := range s.Queries() {
			queries++
			if q.Transport != "udp" {
				continue
			}
			key := fmt.Sprint(q.Name, q.Type, q.RD, q.DO, q.CD)
			if seen[key] {
				duplicates++
			}
			seen[key] = true
		}
	}
	return queries, duplicates
}

// countWaves counts the waves of queries the servers received: a query
// more than half a round trip after the first of the current wave opens a
// new one.
func countWaves(servers []*verifytest.Server) int {
	var at []time.Time
	for _, s := range servers {
		for _, q := range s.Queries() {
			at = append(at, q.At)
		}
	}
	slices.SortFunc(at, time.Time.Compare)
	waves := 0
	var first time.Time
	for _, t := range at {
		if waves == 0 || t.Sub(first) > benchLatency/2 {
			waves++
			first = t
		}
	}
	return waves
}
