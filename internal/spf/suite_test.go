package spf

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/miekg/dns"
	"go.yaml.in/yaml/v3"
)

// The openspf.org test suites for RFC 7208 and RFC 4408, as pyspf ships
// them, are in testdata with their licences. Each scenario's zone data is
// served through a Lookup, the way the package takes answers, with the
// conventions of the suites' reference driver: an "SPF" record stands for
// a TXT record too unless the name has TXT records of its own, "TXT: NONE"
// means no TXT record, "TIMEOUT" makes every question of the name that no
// record before it answers fail, and a name absent from the data does not
// exist (one starting with "error." fails).
//
// Only results are compared: the text of exp= explanations is left out,
// since the evaluator never fetches explanations (a wizard has no
// rejected message to explain), so the "explanation" field of a case is
// not checked.

// suiteFiles are the suites run, each from testdata.
var suiteFiles = []string{"rfc7208-tests.yml", "rfc4408-tests.yml"}

// suiteDifferences are the cases, by file and name, where the evaluator
// deliberately gives another result than the suite asks for.
var suiteDifferences = map[string]struct {
	result Result
	reason string
}{}

// suiteScenario is one YAML document of a suite.
type suiteScenario struct {
	Description string                 `yaml:"description"`
	Tests       map[string]suiteCase   `yaml:"tests"`
	ZoneData    map[string][]yaml.Node `yaml:"zonedata"`
}

// suiteCase is one test of a scenario.
type suiteCase struct {
	Spec     suiteWords   `yaml:"spec"`
	HELO     string       `yaml:"helo"`
	Host     string       `yaml:"host"`
	MailFrom string       `yaml:"mailfrom"`
	Result   suiteResults `yaml:"result"`
}

// suiteWords is a scalar or a list of scalars in the YAML.
type suiteWords []string

func (w *suiteWords) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*w = suiteWords{n.Value}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			*w = append(*w, c.Value)
		}
	default:
		return fmt.Errorf("line %d: neither a word nor a list", n.Line)
	}
	return nil
}

// suiteResults are the results a case accepts, the preferred one first.
type suiteResults []Result

func (r *suiteResults) UnmarshalYAML(n *yaml.Node) error {
	var w suiteWords
	if err := w.UnmarshalYAML(n); err != nil {
		return err
	}
	for _, s := range w {
		*r = append(*r, Result(s))
	}
	return nil
}

// suiteRR is one entry of a name's zone data.
type suiteRR struct {
	typ     string   // "TXT", "A", "MX", …; "" for TIMEOUT
	strs    []string // TXT strings, one address or name, or MX [preference, exchange]
	timeout bool
}

// suiteDNS serves a scenario's zone data. Names are keys as the data
// writes them: lower-case, no trailing dot, any octets.
type suiteDNS struct {
	t    *testing.T
	zone map[string][]suiteRR
	// known, when non-nil, lists the only questions answered so far.
	known map[Question]bool
}

// loadSuite reads the scenarios of a suite file.
func loadSuite(t *testing.T, file string) []suiteScenario {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []suiteScenario
	dec := yaml.NewDecoder(f)
	for {
		var s suiteScenario
		if err := dec.Decode(&s); errors.Is(err, io.EOF) {
			return out
		} else if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		out = append(out, s)
	}
}

// zone turns a scenario's zone data into records, as the suites' driver
// does.
func (s suiteScenario) zone(t *testing.T) map[string][]suiteRR {
	zone := map[string][]suiteRR{}
	for name, entries := range s.ZoneData {
		var rrs, spf []suiteRR
		hasTXT := false
		for _, e := range entries {
			if e.Kind == yaml.ScalarNode && e.Value == "TIMEOUT" {
				rrs = append(rrs, suiteRR{timeout: true})
				continue
			}
			if e.Kind != yaml.MappingNode || len(e.Content) != 2 {
				t.Fatalf("zone data of %s, line %d: not a record", name, e.Line)
			}
			rr := suiteRR{typ: e.Content[0].Value}
			switch v := e.Content[1]; v.Kind {
			case yaml.ScalarNode:
				rr.strs = []string{v.Value}
			case yaml.SequenceNode:
				rr.strs = []string{} // a TXT record of no strings is a record
				for _, c := range v.Content {
					rr.strs = append(rr.strs, c.Value)
				}
			}
			switch {
			case rr.typ == "TXT":
				hasTXT = true
			case rr.typ == "SPF":
				spf = append(spf, suiteRR{typ: "TXT", strs: rr.strs})
			}
			if !slices.Equal(rr.strs, []string{"NONE"}) {
				rrs = append(rrs, rr)
			}
		}
		if !hasTXT {
			rrs = append(rrs, spf...)
		}
		zone[strings.ToLower(name)] = rrs
	}
	return zone
}

// key turns a question's name into the data's key: its labels as octets,
// read back from the wire form, so that escapes are undone the way a
// server undoes them.
func (d *suiteDNS) key(name string, qtype uint16) (string, bool) {
	if !strings.HasSuffix(name, ".") || name != strings.ToLower(name) {
		d.t.Errorf("question %s %q is not absolute and lower-case", dns.TypeToString[qtype], name)
		return "", false
	}
	buf := make([]byte, 256)
	n, err := dns.PackDomainName(name, buf, 0, nil, false)
	if err != nil {
		d.t.Errorf("question %s %q cannot be sent: %v", dns.TypeToString[qtype], name, err)
		return "", false
	}
	var labels []string
	for i := 0; i < n && buf[i] != 0; i += int(buf[i]) + 1 {
		labels = append(labels, string(buf[i+1:i+1+int(buf[i])]))
	}
	return strings.Join(labels, "."), true
}

// rrs answers a question: the records of type typ at name, behind CNAMEs
// too.
func (d *suiteDNS) rrs(name string, qtype uint16) ([]suiteRR, LookupStatus) {
	if d.known != nil && !d.known[Question{Name: name, Type: qtype}] {
		return nil, NotAsked
	}
	key, ok := d.key(name, qtype)
	if !ok {
		return nil, Failed
	}
	typ := dns.TypeToString[qtype]
	for range 8 {
		entries, ok := d.zone[key]
		if !ok {
			if strings.HasPrefix(key, "error.") {
				return nil, Failed
			}
			return nil, Void
		}
		var out []suiteRR
		cname := ""
		for _, rr := range entries {
			if rr.timeout {
				if len(out) == 0 {
					return nil, Failed
				}
				break
			}
			switch rr.typ {
			case typ:
				out = append(out, rr)
			case "CNAME":
				cname = rr.strs[0]
			}
		}
		switch {
		case len(out) > 0:
			return out, Found
		case cname == "":
			return nil, Void
		}
		key = strings.ToLower(strings.TrimSuffix(cname, "."))
	}
	return nil, Failed // a CNAME loop: SERVFAIL
}

func (d *suiteDNS) TXT(name string) ([]string, LookupStatus) {
	rrs, status := d.rrs(name, dns.TypeTXT)
	var out []string
	for _, rr := range rrs {
		out = append(out, strings.Join(rr.strs, ""))
	}
	return out, status
}

func (d *suiteDNS) IP(name string, v6 bool) ([]netip.Addr, LookupStatus) {
	qtype := dns.TypeA
	if v6 {
		qtype = dns.TypeAAAA
	}
	rrs, status := d.rrs(name, qtype)
	var out []netip.Addr
	for _, rr := range rrs {
		a, err := netip.ParseAddr(rr.strs[0])
		if err != nil {
			d.t.Fatalf("zone data: %s %s %q: %v", name, rr.typ, rr.strs[0], err)
		}
		out = append(out, a)
	}
	return out, status
}

func (d *suiteDNS) MX(name string) ([]string, LookupStatus) {
	rrs, status := d.rrs(name, dns.TypeMX)
	var out []string
	for _, rr := range rrs {
		if len(rr.strs) != 2 {
			d.t.Fatalf("zone data: %s MX %q is not [preference, exchange]", name, rr.strs)
		}
		out = append(out, rr.strs[1]+".") // "" is the root: a null MX
	}
	return out, status
}

func (d *suiteDNS) PTR(name string) ([]string, LookupStatus) {
	rrs, status := d.rrs(name, dns.TypePTR)
	var out []string
	for _, rr := range rrs {
		out = append(out, rr.strs[0])
	}
	return out, status
}

// check runs a case as a receiver does for MAIL FROM: the sender's domain,
// or postmaster at the HELO name when the sender is empty (RFC 7208 §2.4).
func (c suiteCase) check(ip netip.Addr, d *suiteDNS) Evaluation {
	sender := c.MailFrom
	if sender == "" {
		sender = "postmaster@" + c.HELO
	}
	domain := sender[strings.LastIndexByte(sender, '@')+1:]
	return CheckHost(ip, domain, sender, c.HELO, d)
}

func TestSuites(t *testing.T) {
	seen := map[string]bool{}
	for _, file := range suiteFiles {
		passed, total := 0, 0
		t.Run(file, func(t *testing.T) {
			for _, s := range loadSuite(t, file) {
				zone := s.zone(t)
				for name, c := range s.Tests {
					id := file + "/" + name
					seen[id] = true
					total++
					ok := t.Run(name, func(t *testing.T) {
						runSuiteCase(t, id, c, zone)
					})
					if ok {
						passed++
					}
				}
			}
		})
		t.Logf("%s: %d of %d cases pass", file, passed, total)
	}
	var stale []string
	for id := range suiteDifferences {
		if !seen[id] {
			stale = append(stale, id)
		}
	}
	sort.Strings(stale)
	if len(stale) > 0 {
		t.Errorf("differences listed for cases the suites do not have: %v", stale)
	}
}

// runSuiteCase evaluates one case with every answer at hand, then again
// round by round as verify answers, and compares.
func runSuiteCase(t *testing.T, id string, c suiteCase, zone map[string][]suiteRR) {
	ip, err := netip.ParseAddr(c.Host)
	if err != nil {
		t.Fatalf("host %q: %v", c.Host, err)
	}
	ev := c.check(ip, &suiteDNS{t: t, zone: zone})
	if len(ev.Needed) != 0 {
		t.Errorf("Needed = %v with every answer at hand", ev.Needed)
	}
	rounds := &suiteDNS{t: t, zone: zone, known: map[Question]bool{}}
	var last Evaluation
	for i := 0; ; i++ {
		if i == 30 {
			t.Fatalf("round by round, the evaluation never settles")
		}
		last = c.check(ip, rounds)
		if len(last.Needed) == 0 {
			break
		}
		for _, q := range last.Needed {
			rounds.known[q] = true
		}
	}
	if last.Result != ev.Result || last.Lookups != ev.Lookups || last.VoidLookups != ev.VoidLookups {
		t.Errorf("round by round gave %s with %d/%d lookups, all at once %s with %d/%d",
			last.Result, last.Lookups, last.VoidLookups, ev.Result, ev.Lookups, ev.VoidLookups)
	}
	want := c.Result
	if d, ok := suiteDifferences[id]; ok {
		want = suiteResults{d.result}
	}
	if ev.Result != want[0] {
		t.Logf("%s: %s, not the preferred %s", id, ev.Result, want[0])
	}
	if !slices.Contains(want, ev.Result) {
		t.Errorf("spec %s: %s (matched %q, problem %q), want %v", strings.Join(c.Spec, ", "), ev.Result, ev.Matched, ev.Problem, c.Result)
	}
}
