package spf

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

var seeds = []string{
	"v=spf1",
	"v=spf1 mx -all",
	"v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a/24//64 mx:example.org ~all",
	"v=spf1 include:_spf.google.com include:%{d2}.x.example.net ?all",
	"v=spf1 exists:%{ir}.%{v}._spf.%{d2} redirect=_spf.%{d} exp=why.%{d}",
	"v=spf1 include:new.example.com include:fail.example.com include:nx.example.com -all",
	"v=spf1 a:%{l1r-}.%{o} ptr:example.com foo=%{c} -all",
	"v=spf1 include:a.%{d} include:b.%{d} redirect=c.%{d}",
	"v=spf1 ip4:192.0.2.300",
	"v=spf1 a:192.0.2.1 -all",
	"v=spf1 %{",
	"V=SPF1 IP4:0.0.0.0/0 -ALL",
	"v=spf1 ptr ptr:example.com exists:%{p}.%{l}.x.%{d} -all",
	"v=spf1 a:foo:bar/baz.example.com mx:~a!b*c.example.com/24 exp=why..example.com -all",
	"v=spf1 a:%{l}%_%%.%{h} exists:%{l-}..%{d} include:%{l}..example.com -all",
	"v=spf1 include:a.%{d} include:b.%{d} include:c.%{d} include:d.%{d} a mx -all",
}

func FuzzParse(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, txt string) {
		rec, err := Parse(txt)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %T %v is not a *SyntaxError", txt, err, err)
			}
			if se.Pos < 0 || se.Pos+len(se.Term) > len(txt) || txt[se.Pos:se.Pos+len(se.Term)] != se.Term {
				t.Fatalf("Parse(%q): error names %q at %d, which is not in the record", txt, se.Term, se.Pos)
			}
			return
		}
		if !IsSPF(txt) {
			t.Fatalf("Parse accepted %q, which IsSPF refuses", txt)
		}
		var canonical []string
		for _, term := range rec.Terms {
			if txt[term.Pos:term.Pos+len(term.Text)] != term.Text || strings.ContainsRune(term.Text, ' ') {
				t.Fatalf("term %q at %d is not in %q", term.Text, term.Pos, txt)
			}
			canonical = append(canonical, term.String())
		}
		again, err := Parse("v=spf1 " + strings.Join(canonical, " "))
		if err != nil {
			t.Fatalf("canonical form of %q does not parse: %v", txt, err)
		}
		for i, term := range again.Terms {
			want := rec.Terms[i]
			term.Pos, term.Text, want.Pos, want.Text = 0, "", 0, ""
			if term != want {
				t.Fatalf("term %d of %q reads back as %#v, want %#v", i, txt, term, want)
			}
		}
	})
}

// fuzzDNS is the fixed fake of FuzzEvaluate: names tell what happens to
// them, and every other name publishes the record under test, so that
// includes grow trees and close loops.
type fuzzDNS string

func (r fuzzDNS) status(name string) LookupStatus {
	switch {
	case strings.HasPrefix(name, "new"):
		return NotAsked
	case strings.HasPrefix(name, "fail"):
		return Failed
	case strings.HasPrefix(name, "nx"):
		return Void
	}
	return Found
}

func (r fuzzDNS) TXT(name string) ([]string, LookupStatus) {
	if s := r.status(name); s != Found {
		return nil, s
	}
	return []string{string(r), "unrelated text"}, Found
}

func (r fuzzDNS) IP(name string, v6 bool) ([]netip.Addr, LookupStatus) {
	if s := r.status(name); s != Found {
		return nil, s
	}
	if v6 {
		return []netip.Addr{netip.MustParseAddr("2001:db8::25")}, Found
	}
	return []netip.Addr{netip.MustParseAddr("192.0.2.10"), netip.MustParseAddr("2001:db8::1")}, Found
}

func (r fuzzDNS) MX(name string) ([]string, LookupStatus) {
	if s := r.status(name); s != Found {
		return nil, s
	}
	return []string{"mail." + name, ".", "new.example.com"}, Found
}

func (r fuzzDNS) PTR(name string) ([]string, LookupStatus) {
	if s := r.status(name); s != Found {
		return nil, s
	}
	return []string{"mail.example.com.", "new.example.com", "fail.example.com", "a\\ b.example.com"}, Found
}

func FuzzEvaluate(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	results := map[Result]bool{ResultNone: true, ResultNeutral: true, ResultPass: true, ResultFail: true, ResultSoftFail: true, ResultTempError: true, ResultPermError: true}
	f.Fuzz(func(t *testing.T, txt string) {
		for _, ip := range []string{"192.0.2.10", "2001:db8::25"} {
			ev := Evaluate(netip.MustParseAddr(ip), "example.com", fuzzDNS(txt))
			if !results[ev.Result] {
				t.Fatalf("result %q for %q", ev.Result, txt)
			}
			if ev.Tree == nil || ev.Tree.Total() != ev.Lookups || ev.VoidLookups < 0 {
				t.Fatalf("tree counts %d, evaluation %d lookups, %d void", ev.Tree.Total(), ev.Lookups, ev.VoidLookups)
			}
			if (ev.Result == ResultPermError || ev.Result == ResultTempError) && ev.Problem == "" && len(ev.Needed) == 0 {
				t.Fatalf("%s for %q without a problem", ev.Result, txt)
			}
			seen := map[Question]bool{}
			for _, q := range ev.Needed {
				if seen[q] || !strings.HasSuffix(q.Name, ".") || q.Name != strings.ToLower(q.Name) {
					t.Fatalf("needed question %v repeated or not absolute lower-case", q)
				}
				if _, ok := dns.IsDomainName(q.Name); !ok {
					t.Fatalf("needed question %v cannot be sent", q)
				}
				seen[q] = true
			}
			// Live: 10 terms, each an mx of 10 exchanges at most, and
			// the reverse name with 10 names; past the decision, about
			// maxCountedLookups terms of one question each.
			if len(ev.Needed) > 200 {
				t.Fatalf("%d questions needed at once", len(ev.Needed))
			}
			if !ev.AtLeast && ev.Tree.UnfollowedRecords() > 0 {
				t.Fatalf("records were left unfollowed, yet the counts are exact")
			}
			if _, err := Parse(txt); err != nil && IsSPF(txt) && ev.Result != ResultPermError {
				t.Fatalf("record %q does not parse but evaluates to %s", txt, ev.Result)
			}
		}
	})
}
