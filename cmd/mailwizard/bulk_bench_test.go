package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mailwizard/mailwizard/internal/verify/dnsworld"
)

// bulkLatency is what every server of the bulk benchmark adds to every
// reply, the resolver's included.
const bulkLatency = 20 * time.Millisecond

// bulkWorld is the world of the bulk benchmark: n mail domains served by
// in-process nameservers that listen on port 53 of their own loopback
// addresses (127.54.P.1 and .2 for provider P), as real nameservers do,
// so that the real mailwizard binary, started as a process, reaches them
// with no address mapping; and a resolver that knows every zone.
//
// The mix is a hosting company's list: 90 % of the domains are on the
// provider's two nameservers (ns1/ns2.hoster.example), with their mail at
// its shared host mx1.hoster.example (whose reverse zone and blocklist it
// serves too) and the include:_spf.hoster.example SPF record, listed in the
// CSV file with the host, its address and the DKIM selector; the rest are
// on four other providers' nameservers, with a mail host of their own,
// listed by name alone (checked without a profile). Some are broken: 3 %
// have no DMARC record, 2 % an SPF include tree over the limit (one tree
// they share), 2 % an MX that is a CNAME, 1 % do not exist at all, 1 % sit
// on a provider whose servers answer SERVFAIL and 0.5 % on one whose
// second server drops every query (timeouts).
type bulkWorld struct {
	resolver string
	file     string
	// healthy are the servers that answer every query (no fault
	// injected): where a question asked twice is a duplicate, not a retry.
	healthy []*dnsworld.Server
	all     []*dnsworld.Server
}

// Providers of the bulk world, by their third address byte.
const (
	hosterNet   = 0
	otherNets   = 4 // 1 to 4
	servfailNet = 5
	dropNet     = 6
)

func newBulkWorld(b *testing.B, n int) bulkWorld {
	b.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	dkim := fmt.Sprintf(`mail._domainkey TXT "v=DKIM1; k=rsa; p=%s"`, base64.StdEncoding.EncodeToString(der))

	ns := func(net, i int) string { return fmt.Sprintf("127.54.%d.%d", net, i) }
	providers := map[int]*dnsworld.Zones{}
	zonesOf := func(net int) *dnsworld.Zones {
		if z, ok := providers[net]; ok {
			return z
		}
		z := dnsworld.NewZones()
		providers[net] = z
		return z
	}
	add := func(net int, text string) {
		if err := zonesOf(net).AddZone(text); err != nil {
			b.Fatal(err)
		}
	}
	nsRecords := func(net int) []string {
		name := "hoster.example."
		if net != hosterNet {
			name = fmt.Sprintf("p%d.example.", net)
		}
		return []string{"@ NS ns1." + name, "@ NS ns2." + name}
	}
	// The providers' own zones: their nameservers, the shared mail host,
	// its reverse zone, the SPF includes and a blocklist.
	var spfBig []string
	for i := range 11 {
		spfBig = append(spfBig, fmt.Sprintf("include:_spf%d.hoster.example", i))
	}
	hoster := append(nsRecords(hosterNet),
		"ns1 A "+ns(hosterNet, 1), "ns2 A "+ns(hosterNet, 2),
		"mx1 A 192.0.2.25", `mx1 TXT "v=spf1 a -all"`,
		`_spf TXT "v=spf1 ip4:192.0.2.0/24 include:_spf2.hoster.example -all"`,
		`_spf2 TXT "v=spf1 ip4:198.51.100.0/24 -all"`,
		`_spf-big TXT "v=spf1 `+strings.Join(spfBig, " ")+` -all"`,
	)
	for i := range 11 {
		hoster = append(hoster, fmt.Sprintf(`_spf%d TXT "v=spf1 ip4:203.0.113.%d -all"`, i, i))
	}
	add(hosterNet, dnsworld.Zone("hoster.example.", hoster...))
	add(hosterNet, dnsworld.Zone("2.0.192.in-addr.arpa.", append(nsRecords(hosterNet), "25 PTR mx1.hoster.example.")...))
	add(hosterNet, dnsworld.Zone("bl.hoster.example.", nsRecords(hosterNet)...))
	for net := 1; net <= dropNet; net++ {
		name := fmt.Sprintf("p%d.example.", net)
		add(net, dnsworld.Zone(name, append(nsRecords(net), "ns1 A "+ns(net, 1), "ns2 A "+ns(net, 2))...))
	}

	var csvText strings.Builder
	csvText.WriteString("domain,host,ip,dkim-selector\n")
	for i := range n {
		domain := fmt.Sprintf("d%05d.example.", i)
		net := hosterNet
		switch {
		case i%200 == 7:
			net = dropNet
		case i%100 == 3:
			net = servfailNet
		case i%10 == 9:
			net = 1 + i/10%otherNets
		}
		host := "mx1.hoster.example."
		lines := nsRecords(net)
		if net != hosterNet {
			host = "mail." + domain
			lines = append(lines, "mail A 198.51.100.25")
		}
		spf := `@ TXT "v=spf1 include:_spf.hoster.example -all"`
		if i%50 == 11 {
			spf = `@ TXT "v=spf1 include:_spf-big.hoster.example -all"`
		}
		mx := "@ MX 10 " + host
		if i%50 == 23 {
			mx = "@ MX 10 mx"
			lines = append(lines, "mx CNAME "+host)
		}
		lines = append(lines, mx, spf, dkim,
			"_submission._tcp SRV 0 1 587 "+host, "_submissions._tcp SRV 0 1 465 "+host, "_imaps._tcp SRV 0 1 993 "+host,
			"_autodiscover._tcp SRV 0 1 443 "+host, "autodiscover CNAME "+host, "autoconfig CNAME "+host)
		if i%100 != 5 && i%100 != 55 && i%100 != 95 {
			lines = append(lines, `_dmarc TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@`+strings.TrimSuffix(domain, ".")+`"`)
		}
		if i%100 != 42 { // 1 %: the domain does not exist
			add(net, dnsworld.Zone(domain, lines...))
		}
		if net == hosterNet {
			fmt.Fprintf(&csvText, "%s,%s,192.0.2.25,mail\n", strings.TrimSuffix(domain, "."), strings.TrimSuffix(host, "."))
		} else {
			fmt.Fprintf(&csvText, "%s,,,\n", strings.TrimSuffix(domain, "."))
		}
	}

	w := bulkWorld{file: filepath.Join(b.TempDir(), "domains.csv")}
	if err := os.WriteFile(w.file, []byte(csvText.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	start := func(role dnsworld.Role, zones *dnsworld.Zones, addr string) *dnsworld.Server {
		srv, err := dnsworld.NewServerOn(role, zones, addr)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = srv.Close() })
		srv.SetFault(dnsworld.Fault{Delay: bulkLatency})
		w.all = append(w.all, srv)
		return srv
	}
	resolver := start(dnsworld.Resolver, providers[hosterNet], ns(hosterNet, 10)+":53")
	w.resolver = resolver.Addr()
	w.healthy = append(w.healthy, resolver)
	for net := hosterNet; net <= dropNet; net++ {
		if net != hosterNet {
			resolver.AlsoFrom(providers[net])
		}
		for i := 1; i <= 2; i++ {
			srv := start(dnsworld.Authoritative, providers[net].Clone(), ns(net, i)+":53")
			switch {
			case net == servfailNet:
				srv.SetFault(dnsworld.Fault{Delay: bulkLatency, Rcode: 2})
			case net == dropNet && i == 2:
				srv.SetFault(dnsworld.Fault{Drop: true})
			default:
				w.healthy = append(w.healthy, srv)
			}
		}
	}
	return w
}

// buildBinary builds mailwizard as a user gets it, once per benchmark.
func buildBinary(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "mailwizard")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// lineCounter counts the lines written to it.
type lineCounter struct{ lines int }

func (c *lineCounter) Write(p []byte) (int, error) {
	c.lines += bytes.Count(p, []byte("\n"))
	return len(p), nil
}

// BenchmarkBulkCheck runs `mailwizard check --domains-file` of 100, 1,000
// and 10,000 domains (bulkWorld's mix) the way a user runs it: the real
// binary, built by the benchmark and started as a process, against
// in-process nameservers on loopback port 53 that answer every query after
// 20 ms, the resolver too. It reports the domains checked a second, the
// queries the servers received per domain, the child process's peak RSS
// (its VmHWM, read while it runs: its rusage would count this process's
// own, because the child starts sharing this process's memory until it
// runs the binary), and the duplicates: a (name, type, recursion desired)
// that one of the servers without an injected fault received twice over
// UDP, which must be none (retries after an injected timeout or SERVFAIL
// are not duplicates). csv writes the rows to a file, json the JSON Lines
// reports, each a complete report, the way a script reads them.
//
// The nameservers bind port 53, which takes root; the benchmark skips
// otherwise.
//
//	go test -run '^$' -bench BenchmarkBulkCheck -benchtime 1x -timeout 30m ./cmd/mailwizard/
func BenchmarkBulkCheck(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("the nameservers of the bulk benchmark listen on port 53 of loopback addresses, which takes root")
	}
	bin := buildBinary(b)
	for _, n := range []int{100, 1000, 10000} {
		for _, format := range []string{"csv", "json"} {
			b.Run(fmt.Sprintf("%d/%s", n, format), func(b *testing.B) {
				w := newBulkWorld(b, n)
				var wall time.Duration
				var queries, duplicates, lines int
				var rss int64
				var cpu time.Duration
				for b.Loop() {
					for _, s := range w.all {
						s.ResetQueries()
					}
					cmd := exec.Command(bin, "check", "--domains-file", w.file, "--"+format, "--resolver", w.resolver, "--dnsbl", "bl.hoster.example")
					out := &lineCounter{}
					var stderr bytes.Buffer
					cmd.Stdout, cmd.Stderr = out, &stderr
					start := time.Now()
					if err := cmd.Start(); err != nil {
						b.Fatal(err)
					}
					peak := watchPeakRSS(cmd.Process.Pid)
					err := cmd.Wait()
					wall += time.Since(start)
					if code := cmd.ProcessState.ExitCode(); code != 1 {
						b.Fatalf("exit %d (%v), want 1: some domains are broken\n%s", code, err, tail(stderr.String()))
					}
					lines += out.lines
					ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
					rss = max(rss, peak())
					cpu += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
					q, _ := received(w.all)
					_, d := received(w.healthy)
					queries += q
					duplicates += d
				}
				runs := float64(b.N)
				if want := n; lines/b.N < want {
					b.Errorf("%d lines of output a run, want at least %d", lines/b.N, want)
				}
				b.ReportMetric(float64(n)*runs/wall.Seconds(), "domains/s")
				b.ReportMetric(float64(queries)/runs/float64(n), "queries/domain")
				b.ReportMetric(float64(rss)/1024, "peak-RSS-MB")
				b.ReportMetric(float64(cpu.Milliseconds())/runs/float64(n), "cpu-ms/domain")
				b.ReportMetric(float64(duplicates)/runs, "duplicates")
				if duplicates > 0 {
					b.Errorf("%d duplicate queries", duplicates)
				}
			})
		}
	}
}

// watchPeakRSS reads the peak resident memory of the running process pid
// (VmHWM in /proc/pid/status, in KiB) every 10 ms; the function it
// returns stops reading and gives the highest it read.
func watchPeakRSS(pid int) func() int64 {
	var peak atomic.Int64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		path := fmt.Sprintf("/proc/%d/status", pid)
		for {
			if data, err := os.ReadFile(path); err == nil {
				for line := range strings.SplitSeq(string(data), "\n") {
					if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
						if kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64); err == nil && kb > peak.Load() {
							peak.Store(kb)
						}
					}
				}
			}
			select {
			case <-done:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	return func() int64 {
		close(done)
		<-stopped
		return peak.Load()
	}
}

// tail is the end of a long text, for a failure message.
func tail(s string) string {
	sc := bufio.NewScanner(strings.NewReader(s))
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > 20 {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n")
}
