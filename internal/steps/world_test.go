package steps

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
)

// resolverName is the world's recursive resolver.
const resolverName = "127.0.0.53"

// world is a set of authoritative servers answering from zone lines, and a
// recursive resolver, all in memory: it builds the verify.Answers a round
// would, so that steps are judged without a network.
type world struct {
	t       testing.TB
	zones   []string
	servers []string
	data    map[string][]dns.RR
	down    map[string]error
	// garbled servers (or resolverName) answer every question with the
	// same records, whatever was asked: a stranger's broken server.
	garbled map[string][]dns.RR
	// noZone, when set, is the error of every authoritative question: the
	// zone could not be found.
	noZone error
	// resolver answers Recursive questions (blocklists).
	resolver []dns.RR
	// omitted are nameservers of every zone that were not asked.
	omitted []string
	// budget, when positive, is a query budget spent before the
	// authoritative questions were asked.
	budget int
	// delegation are the nameservers the parent zone's server,
	// a.gtld.example., delegates every zone to; nil: no parent answers.
	delegation []string
	// probing answers Direct questions (probes), see probeworld_test.go.
	probing
	// signing signs the zones, see signworld_test.go.
	signing
}

// newWorld returns two servers, ns1 and ns2, serving the same lines. Zone
// lines are absolute or relative to example.com.
func newWorld(t testing.TB, lines ...string) *world {
	t.Helper()
	w := &world{
		t:       t,
		zones:   []string{"example.com.", "in-addr.arpa.", "ip6.arpa.", "example.net.", "example.org."},
		servers: []string{"ns1.example.net.", "ns2.example.net."},
		data:    make(map[string][]dns.RR),
		down:    make(map[string]error),
		garbled: make(map[string][]dns.RR),
	}
	for _, s := range w.servers {
		w.add(s, lines...)
	}
	return w
}

// rrs parses zone lines with $ORIGIN example.com.
func rrs(t testing.TB, lines ...string) []dns.RR {
	t.Helper()
	var out []dns.RR
	for _, line := range lines {
		zp := dns.NewZoneParser(strings.NewReader(line+"\n"), "example.com.", "")
		zp.SetDefaultTTL(3600)
		for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
			out = append(out, rr)
		}
		if err := zp.Err(); err != nil {
			t.Fatalf("zone line %q: %v", line, err)
		}
	}
	return out
}

// add publishes lines on one server.
func (w *world) add(server string, lines ...string) *world {
	w.t.Helper()
	w.data[server] = append(w.data[server], rrs(w.t, lines...)...)
	return w
}

// remove drops every record of type qtype at name on the given servers
// (all when none are named).
func (w *world) remove(name string, qtype uint16, on ...string) *world {
	if len(on) == 0 {
		on = w.servers
	}
	name = dns.CanonicalName(fqdnIn(name))
	for _, s := range on {
		w.data[s] = slices.DeleteFunc(w.data[s], func(rr dns.RR) bool {
			return dns.CanonicalName(rr.Header().Name) == name && (qtype == dns.TypeANY || rr.Header().Rrtype == qtype)
		})
	}
	return w
}

// replace removes the records of the first line's name and type, then adds
// the lines, on every server.
func (w *world) replace(lines ...string) *world {
	w.t.Helper()
	first := rrs(w.t, lines[0])[0]
	w.remove(first.Header().Name, first.Header().Rrtype)
	for _, s := range w.servers {
		w.add(s, lines...)
	}
	return w
}

func fqdnIn(name string) string {
	if strings.HasSuffix(name, ".") {
		return name
	}
	return name + ".example.com."
}

// publish puts every record of the steps on every server.
func (w *world) publish(recs []Record) *world {
	w.t.Helper()
	for _, r := range recs {
		rr, err := r.RR()
		if err != nil {
			w.t.Fatal(err)
		}
		for _, s := range w.servers {
			w.data[s] = append(w.data[s], rr)
		}
	}
	return w
}

// zoneOf is the longest known zone that holds name.
func (w *world) zoneOf(name string) string {
	best := ""
	for _, z := range w.zones {
		if inZone(name, z) && len(z) > len(best) {
			best = z
		}
	}
	return best
}

// lookup answers one question from a set of records, the way an
// authoritative server for zone does: records of the type, or a CNAME
// followed within the zone, or a wildcard, NODATA, or NXDOMAIN.
func lookup(data []dns.RR, zone, name string, qtype uint16) (int, []dns.RR) {
	var answer []dns.RR
	for hops := 0; hops < 8; hops++ {
		if !inZone(name, zone) {
			return dns.RcodeSuccess, answer // the asker follows the CNAME
		}
		at := owned(data, name)
		if len(at) == 0 {
			at = wildcard(data, name)
		}
		var cname *dns.CNAME
		for _, rr := range at {
			if rr.Header().Rrtype == qtype {
				answer = append(answer, rr)
			}
			if c, ok := rr.(*dns.CNAME); ok {
				cname = c
			}
		}
		switch {
		case len(answer) > 0 && (cname == nil || qtype == dns.TypeCNAME):
			return dns.RcodeSuccess, answer
		case cname != nil && qtype != dns.TypeCNAME:
			answer = append(answer, cname)
			name = dns.CanonicalName(cname.Target)
			continue
		case len(at) > 0 || len(answer) > 0 || exists(data, name):
			return dns.RcodeSuccess, answer
		}
		return dns.RcodeNameError, answer
	}
	return dns.RcodeSuccess, answer
}

// owned returns the records at name.
func owned(data []dns.RR, name string) []dns.RR {
	var out []dns.RR
	for _, rr := range data {
		if strings.EqualFold(rr.Header().Name, name) {
			out = append(out, rr)
		}
	}
	return out
}

// exists reports whether name has records or names below it.
func exists(data []dns.RR, name string) bool {
	return slices.ContainsFunc(data, func(rr dns.RR) bool { return inZone(rr.Header().Name, name) })
}

// wildcard synthesises records from "*.<closest encloser>" (RFC 4592).
func wildcard(data []dns.RR, name string) []dns.RR {
	labels := dns.SplitDomainName(name)
	for i := 1; i < len(labels); i++ {
		parent := dns.Fqdn(strings.Join(labels[i:], "."))
		var out []dns.RR
		for _, rr := range owned(data, "*."+parent) {
			c := dns.Copy(rr)
			c.Header().Name = name
			out = append(out, c)
		}
		if len(out) > 0 || exists(data, parent) {
			return out
		}
	}
	return nil
}

// answer is what every server says to q.
func (w *world) answer(q verify.Question) verify.Answer {
	if q.Via == verify.Direct {
		return w.probe(q)
	}
	if q.Via == verify.Recursive {
		addr := resolverName + ":53"
		o := verify.Observation{Server: addr, Address: addr}
		ans := verify.Answer{Question: q, Servers: []verify.Observation{o}}
		if err := w.down[resolverName]; err != nil {
			// As the engine says it: the resolver gave no reply at all.
			o.Rcode, o.Err = -1, &verify.QueryError{Question: q, Server: addr, Address: addr, Err: err}
			ans.Servers[0], ans.Err = o, &verify.ResolverError{Address: addr, Err: o.Err}
			return ans
		}
		ans.Servers[0].Rcode, ans.Servers[0].Answer = w.lookup(resolverName, w.resolver, ".", q)
		return ans
	}
	if q.Via == verify.Parent && q.Type == dns.TypeDS {
		return w.parentDS(q)
	}
	if q.Via == verify.Parent {
		return w.parent(q)
	}
	if q.Via == verify.Wildcard {
		// The engine asks a random name under q's name.
		ans := w.answerAt(verify.Q(probeLabel+"."+q.Name, q.Type))
		ans.Question = q
		return ans
	}
	ans := w.answerAt(q)
	if ans.Err == nil && q.Type != dns.TypeCNAME {
		w.follow(&ans)
	}
	w.opinion(&ans)
	return ans
}

// parent is the parent zone's referral for q's name, from one server.
func (w *world) parent(q verify.Question) verify.Answer {
	if w.delegation == nil {
		return verify.Answer{Question: q, Err: fmt.Errorf("find the parent zone of %s: SERVFAIL", q.Name)}
	}
	o := verify.Observation{Server: "a.gtld.example.", Address: "192.0.2.250:53", Rcode: dns.RcodeSuccess}
	for _, ns := range w.delegation {
		o.Answer = append(o.Answer, &dns.NS{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeNS, Class: dns.ClassINET, Ttl: 172800}, Ns: ns})
	}
	return verify.Answer{Question: q, Zone: "com.", Servers: []verify.Observation{o}}
}

// serveAs renames the world's servers, keeping what each serves.
func (w *world) serveAs(names ...string) {
	data := make(map[string][]dns.RR)
	for i, n := range names {
		data[n] = w.data[w.servers[i]]
	}
	w.servers, w.data = names, data
}

// probeLabel is the label of the world's wildcard probes.
const probeLabel = "mailwizard-nx-0123456789ab"

// follow asks for the CNAME targets out of the zone, as the engine does.
func (w *world) follow(ans *verify.Answer) {
	names := []string{ans.Question.Name}
	cur := *ans
	for {
		target := ""
		for _, o := range cur.Servers {
			end := cur.Question.Name
			for i := 0; i < 8; i++ {
				t, ok := o.CNAME(end)
				if !ok {
					break
				}
				end = t
			}
			if o.OK() && end != cur.Question.Name && !inZone(end, cur.Zone) {
				target = end
				break
			}
		}
		switch {
		case target == "":
			return
		case slices.Contains(names, target):
			ans.ChainErr = &verify.ChainError{Names: append(names, target), Err: verify.ErrCNAMELoop}
			return
		case len(names) > 8:
			ans.ChainErr = &verify.ChainError{Names: append(names, target), Err: verify.ErrCNAMEChainTooLong}
			return
		}
		names = append(names, target)
		cur = w.answerAt(verify.Q(target, ans.Question.Type))
		ans.Chain = append(ans.Chain, cur)
	}
}

// answerAt is what every authoritative server says to q, without following
// CNAMEs out of the zone.
func (w *world) answerAt(q verify.Question) verify.Answer {
	ans := verify.Answer{Question: q, Zone: w.zoneOf(q.Name), Omitted: w.omitted}
	switch {
	case w.noZone != nil:
		return verify.Answer{Question: q, Err: fmt.Errorf("find the zone of %s: %w", q.Name, w.noZone)}
	case w.budget > 0:
		return verify.Answer{Question: q, Err: &verify.BudgetError{Queries: w.budget}}
	}
	for i, s := range w.servers {
		o := verify.Observation{Server: s, Address: fmt.Sprintf("192.0.2.%d:53", 53+i), Authoritative: true}
		if err := w.down[s]; err != nil {
			o.Rcode, o.Err = -1, &verify.QueryError{Question: q, Server: s, Address: o.Address, Err: err}
		} else {
			o.Rcode, o.Answer = w.lookup(s, w.data[s], ans.Zone, q)
			w.sign(&o, q, ans.Zone)
		}
		ans.Servers = append(ans.Servers, o)
	}
	return ans
}

// lookup is what server says to q from its data, or its garbled answer.
func (w *world) lookup(server string, data []dns.RR, zone string, q verify.Question) (int, []dns.RR) {
	if rrs, ok := w.garbled[server]; ok {
		return dns.RcodeSuccess, rrs
	}
	return lookup(data, zone, q.Name, q.Type)
}

// run asks the planners' questions until they ask nothing new, like
// verify.Round.Run.
func (w *world) run(planners ...verify.Planner) verify.Answers {
	known := verify.Answers{}
	// An include chain a stranger publishes is followed one record per
	// batch, until the evaluator stops following past the limits.
	for range 150 {
		fresh := false
		for _, p := range planners {
			for _, q := range p(known) {
				if _, ok := known[q]; !ok {
					known[q] = w.answer(q)
					fresh = true
				}
			}
		}
		if !fresh {
			return known
		}
	}
	w.t.Fatal("planners did not reach a fixed point in 150 rounds")
	return nil
}

// judge runs one step against the world.
func (w *world) judge(cfg Config, id string) Result {
	w.t.Helper()
	s, ok := ByID(id)
	if !ok {
		w.t.Fatalf("no step %q", id)
	}
	w.cfg = cfg
	known := w.run(func(known verify.Answers) []verify.Question { return s.Questions(cfg, known) })
	return s.Judge(cfg, known)
}

// testConfig is a normalised Config for example.com with one IPv4 and one
// IPv6 address and no DKIM key.
func testConfig(t testing.TB) Config {
	t.Helper()
	cfg := Config{
		Domain: "example.com",
		IPs:    []netip.Addr{netip.MustParseAddr("192.0.2.10"), netip.MustParseAddr("2001:db8::10")},
		DNSBL:  []string{},
	}
	if err := cfg.Normalize(nil); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// stepCase is one table case of a step: a change to a correct world (and
// maybe to the Config), and what the step must then say.
type stepCase struct {
	cfg    func(*Config)
	world  func(*world)
	status Status
	want   []string // codes that must be present
	not    []string // codes that must be absent
	says   []string // text the first wanted finding's message must hold
	// severity, when set, is the severity the first wanted finding must
	// have (for codes whose weight depends on the data).
	severity Severity
}

// runStepCases judges step id in a world where the Config's records are
// published on both servers, changed by each case.
func runStepCases(t *testing.T, id string, base func(testing.TB) Config, cases map[string]stepCase) {
	t.Helper()
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := base(t)
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			w := newWorld(t)
			for _, s := range All() {
				w.publish(s.Records(cfg))
			}
			if tc.world != nil {
				tc.world(w)
			}
			res := w.judge(cfg, id)
			got := codes(res)
			t.Logf("%s:\n%s", res.Status, messages(res))
			if res.Status != tc.status {
				t.Errorf("status %s, want %s; findings:\n%s", res.Status, tc.status, messages(res))
			}
			for _, c := range tc.want {
				if !slices.Contains(got, c) {
					t.Errorf("finding %s missing; findings:\n%s", c, messages(res))
				}
				triggered.record(id, c, res)
			}
			for _, c := range tc.not {
				if slices.Contains(got, c) {
					t.Errorf("finding %s present; findings:\n%s", c, messages(res))
				}
			}
			for _, f := range res.Findings {
				checkContract(t, id, f)
				if strings.Contains(f.Message, "..") || f.Message == "" {
					t.Errorf("%s message is empty or has a double dot: %q", f.Code, f.Message)
				}
			}
			if len(tc.want) == 0 {
				return
			}
			f, _ := finding(res, tc.want[0])
			for _, s := range tc.says {
				if !strings.Contains(f.Message, s) {
					t.Errorf("%s message does not say %q:\n%s", f.Code, s, f.Message)
				}
			}
			if tc.severity != "" && f.Severity != tc.severity {
				t.Errorf("%s has severity %s, want %s", f.Code, f.Severity, tc.severity)
			}
		})
	}
}

// messages renders findings for a failure report.
func messages(r Result) string {
	var b strings.Builder
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "  %s (%s): %s\n", f.Code, f.Severity, f.Message)
	}
	return b.String()
}

// codes lists the finding codes of a result.
func codes(r Result) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.Code)
	}
	return out
}

// finding returns the first finding with code.
func finding(r Result, code string) (Finding, bool) {
	for _, f := range r.Findings {
		if f.Code == code {
			return f, true
		}
	}
	return Finding{}, false
}
