package ui

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/dkimkey"
	"github.com/mailwizard/mailwizard/internal/steps"
	"github.com/mailwizard/mailwizard/internal/verify"
	"github.com/mailwizard/mailwizard/internal/verify/verifytest"
)

// testNow is the fixed clock of every test.
var testNow = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// Names of the fake world.
const (
	ns1      = "ns1.example.net."
	ns2      = "ns2.example.net."
	resolver = "198.51.100.53:53"
)

// testConfig is the mail server of the tests: example.com at
// mail.example.com, a 2048-bit DKIM key (the public half only, from
// testdata), DNS at Cloudflare.
func testConfig(t testing.TB) steps.Config {
	t.Helper()
	data, err := os.ReadFile("testdata/dkim.pub.pem")
	if err != nil {
		t.Fatal(err)
	}
	pub, err := dkimkey.ParsePublic(data)
	if err != nil {
		t.Fatal(err)
	}
	cfg := steps.Config{
		Domain: "example.com.", Host: "mail.example.com.",
		IPs:          []netip.Addr{netip.MustParseAddr("192.0.2.25"), netip.MustParseAddr("2001:db8::25")},
		DKIMSelector: "mail", DKIMPublicKey: pub, Provider: "cloudflare",
		MTASTSID: "20260301T120000Z", // as a saved profile has it
	}
	if err := cfg.Normalize(nil); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// fakeWorld is two authoritative servers and a resolver in memory. Its
// check answers the steps' own planners from what is published and judges
// with the steps' own judges, so the screens show real findings.
type fakeWorld struct {
	mu        sync.Mutex
	published map[string][]dns.RR // by server
	cached    map[string]bool     // names the resolver caches as absent
	down      map[string]bool     // servers that time out
	// resolverMode answers every nameserver question from the resolver,
	// as a round does on a network that blocks DNS to outside servers.
	resolverMode bool
	rounds       int
	// probes answer the server step's probes as a healthy mail server.
	probes verifytest.FakeProbes
}

func newFakeWorld() *fakeWorld {
	w := &fakeWorld{published: map[string][]dns.RR{}, cached: map[string]bool{}, down: map[string]bool{}}
	w.probes.Now = testNow
	return w
}

// publish puts zone-file lines on the given servers.
func (w *fakeWorld) publish(t testing.TB, servers []string, lines ...string) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, l := range lines {
		rr, err := dns.NewRR(l)
		if err != nil {
			t.Fatalf("bad test record %q: %v", l, err)
		}
		for _, s := range servers {
			w.published[s] = append(w.published[s], rr)
		}
	}
}

// publishRecords publishes records as the steps want them.
func (w *fakeWorld) publishRecords(t testing.TB, servers []string, recs []steps.Record) {
	t.Helper()
	for _, r := range recs {
		w.publish(t, servers, r.ZoneLines()...)
	}
}

// check is a backend.check.
func (w *fakeWorld) check(ctx context.Context, cfg steps.Config, ids []string) ([]steps.Result, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.rounds++
	chosen := make([]steps.Step, 0, len(ids))
	for _, id := range ids {
		st, ok := steps.ByID(id)
		if !ok {
			return nil, errors.New("no step " + id)
		}
		chosen = append(chosen, st)
	}
	w.probes.Autoconfig = []byte(steps.AutoconfigXML(cfg))
	known := verify.Answers{}
	for grew := true; grew; {
		grew = false
		for _, st := range chosen {
			for _, q := range st.Questions(cfg, known) {
				if _, ok := known[q]; !ok {
					known[q] = w.answer(q)
					grew = true
				}
			}
		}
	}
	out := make([]steps.Result, 0, len(chosen))
	for _, st := range chosen {
		out = append(out, st.Judge(cfg, known))
	}
	return out, ctx.Err()
}

// answer is what the world says to q.
func (w *fakeWorld) answer(q verify.Question) verify.Answer {
	if q.Via == verify.Direct {
		return w.probes.Answer(q)
	}
	if q.Via == verify.Recursive {
		return verify.Answer{Question: q, Servers: []verify.Observation{w.observe(resolver, q, nil, true)}}
	}
	if w.resolverMode {
		return verify.Answer{Question: q, Zone: zoneOf(q.Name), FromResolver: true,
			Servers: []verify.Observation{w.observe(resolver, q, w.published[ns1], true)}}
	}
	ans := verify.Answer{Question: q, Zone: zoneOf(q.Name)}
	for _, s := range []string{ns1, ns2} {
		ans.Servers = append(ans.Servers, w.observe(s, q, w.published[s], false))
	}
	seen := w.published[ns1] // the resolver asked the first server
	if w.cached[q.Name] {
		seen = nil
	}
	ans.Resolvers = []verify.Observation{w.observe(resolver, q, seen, true)}
	return ans
}

func zoneOf(name string) string {
	if strings.HasSuffix(name, ".arpa.") {
		return "arpa."
	}
	return "example.com."
}

// observe answers q from rrs as server would.
func (w *fakeWorld) observe(server string, q verify.Question, rrs []dns.RR, recursive bool) verify.Observation {
	o := verify.Observation{Server: server, Address: "192.0.2.53:53", Authoritative: !recursive, RTT: time.Millisecond}
	if w.down[server] {
		o.Rcode = -1
		o.Err = errors.New("query " + q.String() + " at " + server + ": i/o timeout")
		return o
	}
	exists := false
	for _, rr := range rrs {
		h := rr.Header()
		if !strings.EqualFold(h.Name, q.Name) {
			continue
		}
		exists = true
		if h.Rrtype == q.Type || h.Rrtype == dns.TypeCNAME {
			o.Answer = append(o.Answer, rr)
		}
	}
	switch {
	case !exists:
		o.Rcode = dns.RcodeNameError
		o.NegativeTTL = 5 * time.Minute
	case len(o.Answer) == 0:
		o.NegativeTTL = 5 * time.Minute
	}
	return o
}

// testBackend is a backend on a fake world, with no files and no network.
func testBackend(w *fakeWorld) backend {
	return backend{
		check:       w.check,
		lookupAddrs: func(context.Context, string) ([]netip.Addr, error) { return nil, nil },
		lookupNS: func(context.Context, string) ([]string, error) {
			return []string{"ada.ns.cloudflare.com.", "bob.ns.cloudflare.com."}, nil
		},
		readFile: func(name string) ([]byte, error) { return nil, os.ErrNotExist },
		exists:   func(string) bool { return false },
		makeKey:  func(string) error { return nil },
		now:      func() time.Time { return testNow },
		tick:     func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil },
	}
}

// stepIndex is the position of a step in the walk.
func stepIndex(t testing.TB, id string) int {
	t.Helper()
	for i, st := range steps.All() {
		if st.ID == id {
			return i
		}
	}
	t.Fatalf("no step %q", id)
	return -1
}

// recordsOf returns what a step wants published for cfg.
func recordsOf(t testing.TB, cfg steps.Config, id string) []steps.Record {
	t.Helper()
	st, ok := steps.ByID(id)
	if !ok {
		t.Fatalf("no step %q", id)
	}
	return st.Records(cfg)
}

// fakeDemo is the demo's world on a fake world: a zone that takes a
// change on both servers at once, a hosting provider and a mail server
// that only record what they were asked.
type fakeDemo struct {
	w   *fakeWorld
	cfg steps.Config

	mu    sync.Mutex
	calls []string
}

func newFakeDemo(w *fakeWorld, cfg steps.Config) *fakeDemo { return &fakeDemo{w: w, cfg: cfg} }

func (d *fakeDemo) called(call string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls = append(d.calls, call)
}

// Calls lists what was asked, in order.
func (d *fakeDemo) Calls() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.calls...)
}

func (d *fakeDemo) Records(ctx context.Context, zone string) ([]steps.Record, error) {
	d.called("records " + zone)
	d.w.mu.Lock()
	defer d.w.mu.Unlock()
	var out []steps.Record
	for _, rr := range d.w.published[ns1] {
		h := rr.Header()
		value := strings.TrimPrefix(rr.String(), h.String())
		if t, ok := rr.(*dns.TXT); ok {
			value = strings.Join(t.Txt, "")
		}
		out = append(out, steps.Record{Name: h.Name, Type: dns.TypeToString[h.Rrtype], TTL: h.Ttl, Value: value})
	}
	return out, nil
}

func (d *fakeDemo) Append(ctx context.Context, zone string, recs []steps.Record) error {
	d.called(fmt.Sprintf("append %d", len(recs)))
	for _, r := range recs {
		for _, l := range r.ZoneLines() {
			rr, err := dns.NewRR(l)
			if err != nil {
				return err
			}
			d.w.mu.Lock()
			for _, s := range []string{ns1, ns2} {
				d.w.published[s] = append(d.w.published[s], rr)
			}
			d.w.mu.Unlock()
		}
	}
	return nil
}

func (d *fakeDemo) Delete(ctx context.Context, zone string, recs []steps.Record) error {
	d.called(fmt.Sprintf("delete %d", len(recs)))
	d.w.mu.Lock()
	defer d.w.mu.Unlock()
	for _, r := range recs {
		for _, s := range []string{ns1, ns2} {
			d.w.published[s] = slices.DeleteFunc(d.w.published[s], func(rr dns.RR) bool {
				return strings.EqualFold(rr.Header().Name, r.Name) && dns.TypeToString[rr.Header().Rrtype] == r.Type
			})
		}
	}
	return nil
}

func (d *fakeDemo) PublishElsewhere(id string) (string, error) {
	d.called("elsewhere " + id)
	st, _ := steps.ByID(id)
	for _, r := range st.Records(d.cfg) {
		for _, l := range r.ZoneLines() {
			rr, err := dns.NewRR(l)
			if err != nil {
				return "", err
			}
			d.w.mu.Lock()
			for _, s := range []string{ns1, ns2} {
				d.w.published[s] = append(d.w.published[s], rr)
			}
			d.w.mu.Unlock()
		}
	}
	return "Published the " + id + " records at the demo's hosting provider.", nil
}

func (d *fakeDemo) PublishMistake(id string) (string, error) {
	d.called("mistake " + id)
	return "Published a typical mistake for " + id + ".", nil
}

func (d *fakeDemo) Strays(string) []steps.Record { return nil }

// demoBackend is testBackend publishing into a fake demo.
func demoBackend(t testing.TB, w *fakeWorld) (backend, *fakeDemo) {
	d := newFakeDemo(w, testConfig(t))
	be := testBackend(w)
	be.publishing = publishingFor(Options{Demo: d})
	return be, d
}
