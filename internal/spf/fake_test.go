package spf

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// fakeDNS is a map-backed Lookup. Names are written without the trailing
// dot; a name missing from a map is a void lookup.
type fakeDNS struct {
	txt  map[string][]string
	ip   map[string][]string // A and AAAA together
	mx   map[string][]string
	ptr  map[string][]string // by reverse name
	fail map[string]bool     // every lookup of these names fails
	// known, when non-nil, lists the only questions answered so far;
	// the others are NotAsked.
	known map[Question]bool
}

func (f *fakeDNS) status(name string, qtype uint16) (string, LookupStatus, bool) {
	if f.known != nil && !f.known[Question{Name: name, Type: qtype}] {
		return "", NotAsked, false
	}
	if !strings.HasSuffix(name, ".") || name != strings.ToLower(name) {
		return "", Failed, false // the evaluator must ask absolute, lower-case names
	}
	key := strings.TrimSuffix(name, ".")
	if f.fail[key] {
		return "", Failed, false
	}
	return key, Found, true
}

func (f *fakeDNS) TXT(name string) ([]string, LookupStatus) {
	key, status, ok := f.status(name, dns.TypeTXT)
	if !ok {
		return nil, status
	}
	v, ok := f.txt[key]
	if !ok {
		return nil, Void
	}
	return v, Found
}

func (f *fakeDNS) IP(name string, v6 bool) ([]netip.Addr, LookupStatus) {
	qtype := dns.TypeA
	if v6 {
		qtype = dns.TypeAAAA
	}
	key, status, ok := f.status(name, qtype)
	if !ok {
		return nil, status
	}
	var out []netip.Addr
	for _, s := range f.ip[key] {
		a := netip.MustParseAddr(s)
		if a.Is6() == v6 {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil, Void
	}
	return out, Found
}

func (f *fakeDNS) MX(name string) ([]string, LookupStatus) {
	key, status, ok := f.status(name, dns.TypeMX)
	if !ok {
		return nil, status
	}
	v, ok := f.mx[key]
	if !ok {
		return nil, Void
	}
	return v, Found
}

func (f *fakeDNS) PTR(name string) ([]string, LookupStatus) {
	key, status, ok := f.status(name, dns.TypePTR)
	if !ok {
		return nil, status
	}
	v, ok := f.ptr[key]
	if !ok {
		return nil, Void
	}
	return v, Found
}

// evaluateAll evaluates like a caller does: ask what is Needed, evaluate
// again, until nothing is needed. It returns the last evaluation and the
// questions of each round.
func evaluateAll(t *testing.T, ip netip.Addr, domain string, f *fakeDNS) (Evaluation, [][]Question) {
	t.Helper()
	f.known = map[Question]bool{}
	var rounds [][]Question
	for range 50 {
		ev := Evaluate(ip, domain, f)
		if len(ev.Needed) == 0 {
			return ev, rounds
		}
		rounds = append(rounds, ev.Needed)
		for _, q := range ev.Needed {
			f.known[q] = true
		}
	}
	t.Fatalf("evaluation of %s for %s never settles", domain, ip)
	return Evaluation{}, nil
}

// explodingTree is a tree built to explode: example.com includes width
// names of example.net, each of which includes fanout names of
// example.org, each publishing leaf.
func explodingTree(width, fanout int, leaf string) *fakeDNS {
	f := &fakeDNS{txt: map[string][]string{}}
	var top []string
	for i := range width {
		top = append(top, fmt.Sprintf("include:i%d.example.net", i))
		var below []string
		for j := range fanout {
			below = append(below, fmt.Sprintf("include:l%d-%d.example.org", i, j))
			f.txt[fmt.Sprintf("l%d-%d.example.org", i, j)] = []string{leaf}
		}
		f.txt[fmt.Sprintf("i%d.example.net", i)] = []string{"v=spf1 " + strings.Join(below, " ") + " -all"}
	}
	f.txt["example.com"] = []string{"v=spf1 " + strings.Join(top, " ") + " -all"}
	return f
}
