package steps

import (
	"cmp"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/spf"
	"github.com/mailwizard/mailwizard/internal/verify"
)

// IDSPF is the id of the spf step: a public contract (JSON output,
// --skip, scripts).
const IDSPF = "spf"

// spfStep is the SPF records of the domain and of the mail host's name.
func spfStep() definition {
	return definition{
		id: IDSPF, title: "SPF record", where: AtDNSProvider,
		records: spfRecords, questions: spfQuestions, judge: judgeSPF,
		// RFC 7208 §4.5: SPF records are the TXT records that start "v=spf1".
		owns: []Ownership{{Type: "TXT", tag: "v=spf1", separators: " ", What: "SPF record",
			Note: "only the TXT record starting v=spf1 is mailwizard's; other TXT records here stay"}},
		codes: []FindingCode{
			{Code: CodeSPFMissing, Severity: SeverityError, Effect: StatusPending,
				Meaning: "no SPF record"},
			{Code: CodeSPFMultiple, Severity: SeverityError, Effect: StatusFail,
				Meaning: "more than one SPF record"},
			{Code: CodeSPFSyntax, Severity: SeverityError, Effect: StatusFail,
				Meaning: "the SPF record does not parse"},
			{Code: CodeSPFIPNotAuthorized, Severity: SeverityError, Effect: StatusFail,
				Meaning: "a server address does not pass"},
			{Code: CodeSPFTooManyLookups, Severity: SeverityError, Effect: StatusFail,
				Meaning: "more than 10 DNS-querying terms"},
			{Code: CodeSPFTooManyLookups, Severity: SeverityWarning, Effect: StatusWarn, variant: spfNearLimit,
				Meaning: "8 to 10 DNS-querying terms: one more include breaks the record"},
			{Code: CodeSPFVoidLookups, Severity: SeverityError, Effect: StatusFail,
				Meaning: "more than 2 lookups that find nothing"},
			{Code: CodeSPFPlusAll, Severity: SeverityError, Effect: StatusFail,
				Meaning: "`+all` lets anyone send"},
			{Code: CodeSPFSoftAll, Severity: SeverityInfo, Effect: StatusPass,
				Meaning: "`~all`"},
			{Code: CodeSPFNeutralAll, Severity: SeverityWarning, Effect: StatusWarn,
				Meaning: "`?all`"},
			{Code: CodeSPFHELOMissing, Severity: SeverityWarning, Effect: StatusWarn,
				Meaning: "no SPF record for the HELO name"},
			{Code: CodeSPFPTR, Severity: SeverityWarning, Effect: StatusWarn,
				Meaning: "the record authorizes a server only through `ptr`, which is slow and which receivers may skip"},
		},
	}
}

// Finding codes of the spf step.
const (
	CodeSPFMissing         = "spf-missing"
	CodeSPFMultiple        = "spf-multiple"
	CodeSPFSyntax          = "spf-syntax"
	CodeSPFIPNotAuthorized = "spf-ip-not-authorized"
	CodeSPFTooManyLookups  = "spf-too-many-lookups"
	CodeSPFVoidLookups     = "spf-void-lookups"
	CodeSPFPlusAll         = "spf-plus-all"
	CodeSPFSoftAll         = "spf-soft-all"
	CodeSPFNeutralAll      = "spf-neutral-all"
	CodeSPFHELOMissing     = "spf-helo-missing"
	CodeSPFPTR             = "spf-ptr"
)

// spfNearLimit is the variant of spf-too-many-lookups for a record within
// the limit that one more include breaks: a warning, not an error.
const spfNearLimit = "near-limit"

const (
	spfMaxLookups     = 10 // RFC 7208 §4.6.4
	spfWarnLookups    = 8  // warn before the limit: one more include breaks it
	spfMaxVoidLookups = 2  // RFC 7208 §4.6.4
	spfHELOValue      = "v=spf1 a -all"
)

// spfValue is the SPF record to publish at the domain: one merged record
// (RFC 7208 §3.2 allows only one), the server found through the MX, extra
// senders by address and by include:, and -all.
func spfValue(cfg Config) string {
	terms := []string{"v=spf1", "mx"}
	for _, p := range cfg.SPFIPs {
		terms = append(terms, spfIPTerm(p))
	}
	for _, inc := range cfg.SPFIncludes {
		terms = append(terms, "include:"+strings.TrimSuffix(inc, "."))
	}
	return strings.Join(append(terms, "-all"), " ")
}

// spfWant is the record to publish at the domain, or with helo at the
// mail host's name.
func spfWant(cfg Config, helo bool) string {
	if helo {
		return spfHELOValue
	}
	return spfValue(cfg)
}

// spfIPTerm renders a prefix as ip4: or ip6:, without the length for a
// single address.
func spfIPTerm(p netip.Prefix) string {
	mech := "ip4:"
	if p.Addr().Is6() {
		mech = "ip6:"
	}
	if p.IsSingleIP() {
		return mech + p.Addr().String()
	}
	return mech + p.String()
}

func spfRecords(cfg Config) []Record {
	if cfg.Domain == "" {
		return nil
	}
	out := []Record{{Name: cfg.Domain, Type: "TXT", TTL: cfg.TTL, Value: spfValue(cfg)}}
	if cfg.Host != "" && cfg.Host != cfg.Domain {
		// RFC 7208 §2.3: receivers check the HELO name too.
		out = append(out, Record{Name: cfg.Host, Type: "TXT", TTL: cfg.TTL, Value: spfHELOValue})
	}
	return out
}

// spfIdentities are the names whose SPF record is checked: the domain and,
// when it differs, the mail host (the HELO identity).
func spfIdentities(cfg Config) []string {
	ids := []string{cfg.Domain}
	if cfg.Host != "" && cfg.Host != cfg.Domain {
		ids = append(ids, cfg.Host)
	}
	return ids
}

// spfQuestions asks for the SPF records and for everything their
// evaluation needs: includes, MX hosts and their addresses, the reverse
// names ptr and %{p} look at.
func spfQuestions(cfg Config, known verify.Answers) []verify.Question {
	var qs []verify.Question
	for i, id := range spfIdentities(cfg) {
		q := spfQuestion(id, dns.TypeTXT)
		qs = append(qs, q)
		qs = append(qs, doubledQuestions(cfg, known, q)...)
		qs = append(qs, wildcardQuestions(cfg, known, q)...)
		// Each record a server publishes is evaluated, so that what it
		// needs is asked even when the servers disagree; so is the record
		// proposed instead of one that uses ptr, to check that it covers
		// the server.
		lookups := []spfLookup{{known: known}}
		r, _ := peek(known, q)
		for _, value := range distinctSPF(r) {
			lookups = append(lookups, spfLookup{known: known, override: map[string][]string{q.Name: {value}}})
			if rec, err := spf.Parse(value); err == nil && hasPTR(rec) {
				lookups = append(lookups, spfLookup{known: known, override: map[string][]string{q.Name: {spfFix(spfWant(cfg, i > 0), value)}}})
			}
		}
		for _, l := range lookups {
			for _, ip := range spfEvalAddrs(cfg) {
				for _, n := range spf.Evaluate(ip, id, l).Needed {
					qs = append(qs, spfQuestion(n.Name, n.Type))
				}
			}
		}
	}
	return qs
}

// spfQuestion is the question the step asks for one the SPF evaluator
// needs. Every TXT question of the SPF walk (the records of the domain and
// of the mail host, includes, redirects) is built by spfTXT.
func spfQuestion(name string, qtype uint16) verify.Question {
	if qtype == dns.TypeTXT {
		return spfTXT(name)
	}
	return verify.Q(name, qtype)
}

// spfTXT is the TXT question of an SPF record, the one place that decides
// how such questions are put: making the engine follow the CNAME chain of
// an include or redirect target published as an alias is a change of this
// function alone. The lookup reads the records at the end of the chain.
func spfTXT(name string) verify.Question {
	return verify.Q(name, dns.TypeTXT)
}

// distinctSPF lists the distinct SPF records the servers of a reply hold.
func distinctSPF(r reply) []string {
	var out []string
	for _, o := range r.ok {
		for _, t := range spfTexts(o, r.q.Name) {
			if t.damaged == nil && !slices.Contains(out, t.value) {
				out = append(out, t.value)
			}
		}
	}
	return out
}

// spfLookup answers the SPF evaluator from a round's answers, taking the
// first server that gave a usable reply; override replaces the TXT records
// of one name (to evaluate what one group of servers published).
type spfLookup struct {
	known    verify.Answers
	override map[string][]string
}

// reply is the first usable reply for name and qtype, at the end of its
// CNAME chain (receivers follow it, RFC 7208 §4.4), and the name the
// records there are owned by.
func (l spfLookup) reply(name string, qtype uint16) (verify.Observation, string, spf.LookupStatus) {
	q := spfQuestion(name, qtype)
	if _, ok := l.known.Get(q); !ok {
		return verify.Observation{}, "", spf.NotAsked
	}
	// A chain that breaks ends without records: a void lookup.
	r, _ := peekFollow(l.known, q)
	if len(r.ok) == 0 {
		return verify.Observation{}, "", spf.Failed
	}
	return r.ok[0], r.q.Name, spf.Found
}

// TXT returns the joined TXT records of name, or of the name at the end
// of a CNAME chain when the answer holds the chain (a CNAME within the
// zone, or a chain the engine followed).
func (l spfLookup) TXT(name string) ([]string, spf.LookupStatus) {
	if txts, ok := l.override[verify.CanonicalName(name)]; ok {
		return txts, spf.Found
	}
	o, owner, status := l.reply(name, dns.TypeTXT)
	if status != spf.Found {
		return nil, status
	}
	var out []string
	for _, rr := range typed[*dns.TXT](o.Records(owner, dns.TypeTXT)) {
		out = append(out, JoinTXT(rr.Txt))
	}
	return found(out)
}

// chainEnd follows the CNAMEs of an answer from name and returns the name
// at the end of the chain, name itself when it is no alias; a loop ends
// where it closes.
func chainEnd(o verify.Observation, name string) string {
	seen := map[string]bool{name: true}
	for {
		target, ok := o.CNAME(name)
		if !ok || seen[target] {
			return name
		}
		seen[target] = true
		name = target
	}
}

// IP returns the addresses of name, behind a CNAME too.
func (l spfLookup) IP(name string, v6 bool) ([]netip.Addr, spf.LookupStatus) {
	qtype := dns.TypeA
	if v6 {
		qtype = dns.TypeAAAA
	}
	o, _, status := l.reply(name, qtype)
	if status != spf.Found {
		return nil, status
	}
	return found(addresses(o, qtype))
}

// MX returns the MX targets of name.
func (l spfLookup) MX(name string) ([]string, spf.LookupStatus) {
	o, owner, status := l.reply(name, dns.TypeMX)
	if status != spf.Found {
		return nil, status
	}
	var out []string
	for _, rr := range typed[*dns.MX](o.Records(owner, dns.TypeMX)) {
		out = append(out, verify.CanonicalName(rr.Mx))
	}
	return found(out)
}

// PTR returns the names the PTR records of a reverse name point at.
func (l spfLookup) PTR(name string) ([]string, spf.LookupStatus) {
	o, owner, status := l.reply(name, dns.TypePTR)
	if status != spf.Found {
		return nil, status
	}
	var out []string
	for _, rr := range typed[*dns.PTR](o.Records(owner, dns.TypePTR)) {
		out = append(out, verify.CanonicalName(rr.Ptr))
	}
	return found(out)
}

// found is what a reply gave the evaluator: its records, or a void lookup
// when it holds none (RFC 7208 §4.6.4).
func found[T any](records []T) ([]T, spf.LookupStatus) {
	if len(records) == 0 {
		return nil, spf.Void
	}
	return records, spf.Found
}

// spfText is an SPF record as published, and the damage a form did to it.
type spfText struct {
	value   string
	damaged *damage
}

// spfTexts returns the SPF records at name in a reply, or at the end of
// its CNAME chain, mangled ones included (a value split word by word no
// longer starts with "v=spf1 ").
func spfTexts(o verify.Observation, name string) []spfText {
	var out []spfText
	for _, rr := range typed[*dns.TXT](o.Records(chainEnd(o, name), dns.TypeTXT)) {
		raw := rawStrings(rr.Txt)
		joined := strings.Join(raw, "")
		if spf.IsSPF(joined) {
			out = append(out, spfText{value: joined})
		} else if d, ok := inspectTXT(raw); ok && spf.IsSPF(d.meant) {
			out = append(out, spfText{value: joined, damaged: &d})
		}
	}
	slices.SortFunc(out, func(a, b spfText) int { return strings.Compare(a.value, b.value) })
	return out
}

func judgeSPF(cfg Config, known verify.Answers, v *verdict) {
	for i, id := range spfIdentities(cfg) {
		q := spfTXT(id)
		if r, ok := v.ask(known, q); ok {
			checkSPF(v, cfg, known, r, i > 0)
		}
		v.checkDoubled(cfg, known, q, "The SPF record")
		v.checkWildcard(cfg, known, q, "The SPF record "+q.Name)
	}
}

// checkSPF judges the SPF record of the domain, or with helo of the mail
// host's name.
func checkSPF(v *verdict, cfg Config, known verify.Answers, r reply, helo bool) {
	want := spfWant(cfg, helo)
	texts := func(o verify.Observation) []spfText { return spfTexts(o, r.q.Name) }
	with, without := split(r.ok, func(o verify.Observation) bool { return len(texts(o)) > 0 })
	switch {
	case len(with) == 0 && helo:
		v.add(CodeSPFHELOMissing,
			"%s has no SPF record on %s. Receivers also check the name your server greets them with; add %s TXT %q.",
			r.q.Name, servers(without), r.q.Name, want)
		return
	case len(with) == 0:
		v.add(CodeSPFMissing,
			"%s has no SPF record on %s yet, so receivers cannot tell your server's mail from forgeries. Add a TXT record at %s: %q.",
			r.q.Name, servers(without), r.q.Name, want)
		return
	case len(without) > 0:
		v.partial("The SPF record of "+r.q.Name, with, without)
	}
	for _, g := range groupBy(with, func(o verify.Observation) string {
		var vals []string
		for _, t := range texts(o) {
			vals = append(vals, t.value)
		}
		return strings.Join(vals, "\n")
	}) {
		ts := texts(g.obs[0])
		switch {
		case len(ts) > 1:
			var vals []string
			for _, t := range ts {
				vals = append(vals, t.value)
			}
			merged := mergedSPF(want, ts)
			v.add(CodeSPFMultiple,
				"%s has %s SPF records on %s (%s); with more than one, receivers treat its SPF as broken (RFC 7208 §4.5). Merge them into one: %q.",
				r.q.Name, numberWord(len(ts)), g.names, quoteAll(vals), merged)
			v.propose(Record{Name: r.q.Name, Type: "TXT", TTL: cfg.TTL, Value: merged})
		case ts[0].damaged != nil:
			v.add(CodeSPFSyntax,
				"The SPF record of %s on %s %s, so receivers cannot read it. Enter the value as one piece, without quotes: %q.",
				r.q.Name, g.names, ts[0].damaged.what, ts[0].damaged.meant)
		default:
			judgeSPFRecord(v, cfg, known, r.q.Name, g, ts[0].value, want)
		}
	}
}

// judgeSPFRecord checks one published record: syntax, all, ptr, lookups,
// and a real evaluation for each server address.
func judgeSPFRecord(v *verdict, cfg Config, known verify.Answers, name string, g group, value, want string) {
	rec, err := spf.Parse(value)
	if err != nil || rec == nil {
		v.add(CodeSPFSyntax,
			"The SPF record of %s is %q on %s, and receivers cannot use it: %s. Replace it with %q.",
			name, clip(value), g.names, spfProblem(err), want)
		return
	}
	checkSPFAll(v, name, rec)
	lookup := spfLookup{known: known, override: map[string][]string{verify.CanonicalName(name): {value}}}
	var worst spf.Evaluation
	var viaPTR []netip.Addr
	permerror := false
	unknown := len(cfg.IPs) == 0
	for _, ip := range spfEvalAddrs(cfg) {
		ev := spf.Evaluate(ip, name, lookup)
		if ev.Lookups >= worst.Lookups {
			worst = ev
		}
		permerror = permerror || ev.Result == spf.ResultPermError
		forIP := " for " + ip.String()
		if unknown {
			forIP = ""
		}
		switch {
		case len(ev.Needed) > 0:
			v.add(CodeLookupError,
				"Could not finish the SPF check of %s%s: it still needs %s. mailwizard will ask again.",
				name, forIP, neededList(ev.Needed))
		case ev.Result == spf.ResultTempError:
			v.add(CodeLookupError,
				"Could not finish the SPF check of %s%s: %s. mailwizard will ask again.", name, forIP, ev.Problem)
		case unknown && ev.Result != spf.ResultPermError:
			// No server address to judge: the walk only counts lookups.
		case ev.Result == spf.ResultPass:
			if matchedPTR(rec, ev.Matched) {
				viaPTR = append(viaPTR, ip)
			}
		case ev.Result == spf.ResultPermError:
			if ev.Lookups <= spfMaxLookups && ev.VoidLookups <= spfMaxVoidLookups {
				v.add(CodeSPFSyntax,
					"The SPF record of %s on %s is broken for receivers: %s. Replace it with %q.", name, g.names, ev.Problem, want)
			}
		default:
			v.add(CodeSPFIPNotAuthorized,
				"The SPF record of %s on %s gives %q for %s%s, so receivers may reject mail your server sends. %s",
				name, g.names, string(ev.Result), ip, matched(ev), coverServer(want, value, ip))
			if fix := spfFix(want, value); !sameSPF(fix, value) && !sameSPF(fix, want) {
				v.propose(Record{Name: verify.CanonicalName(name), Type: "TXT", TTL: cfg.TTL, Value: fix})
			}
		}
	}
	checkSPFPTR(v, cfg, known, name, g, rec, want, viaPTR)
	checkSPFLookups(v, name, g, worst)
	if !permerror {
		checkSPFTree(v, name, g, lookup, worst.Tree)
	}
}

// unmatchedAddr is the address a DomainOnly Config's SPF records are
// evaluated for when no server address is known: one from a reserved
// block (RFC 1112 §4, 240.0.0.0/4) that no record authorizes, so that the
// evaluation walks the whole record, as for a sender it does not list,
// and counts every lookup a receiver may make.
var unmatchedAddr = netip.AddrFrom4([4]byte{240, 0, 0, 1})

// spfEvalAddrs are the addresses the SPF records are evaluated for: the
// server's, or unmatchedAddr when none is known.
func spfEvalAddrs(cfg Config) []netip.Addr {
	if len(cfg.IPs) == 0 {
		return []netip.Addr{unmatchedAddr}
	}
	return cfg.IPs
}

// hasPTR reports whether a record uses the ptr mechanism.
func hasPTR(rec *spf.Record) bool {
	return slices.ContainsFunc(rec.Terms, isPTR)
}

func isPTR(t spf.Term) bool { return t.Mechanism() && t.Name == "ptr" }

// matchedPTR reports whether the term that decided, as written, is a ptr
// of rec.
func matchedPTR(rec *spf.Record, matched string) bool {
	return slices.ContainsFunc(rec.Terms, func(t spf.Term) bool { return isPTR(t) && t.Text == matched })
}

// checkSPFPTR advises against ptr (RFC 7208 §5.5: "SHOULD NOT be used"):
// receivers may skip it, so a server it authorizes may find its mail
// rejected. The proposed record does without ptr and is checked to cover
// every server address; those it would not cover are added as ip4:/ip6:.
func checkSPFPTR(v *verdict, cfg Config, known verify.Answers, name string, g group, rec *spf.Record, want string, viaPTR []netip.Addr) {
	var terms []string
	for _, t := range rec.Terms {
		if isPTR(t) {
			terms = append(terms, t.Text)
		}
	}
	if len(terms) == 0 {
		return
	}
	fix := spfFix(want, rec.Raw)
	lookup := spfLookup{known: known, override: map[string][]string{verify.CanonicalName(name): {fix}}}
	var uncovered []netip.Addr
	for _, ip := range cfg.IPs {
		if ev := spf.Evaluate(ip, name, lookup); len(ev.Needed) == 0 && ev.Result != spf.ResultPass {
			uncovered = append(uncovered, ip)
		}
	}
	fix = withAddresses(fix, uncovered)
	today := ""
	if len(viaPTR) > 0 {
		today = fmt.Sprintf(" Today your server's %s %s %s through ptr; receivers that skip it judge that mail by the other terms only.",
			plural(len(viaPTR), "address", "addresses"), joinAddrs(viaPTR), plural(len(viaPTR), "passes", "pass"))
	}
	v.add(CodeSPFPTR,
		"The SPF record of %s on %s uses %s: ptr is slow and receivers may skip it; use ip4/ip6 or a.%s Replace the record with %q.",
		name, g.names, quoteAll(terms), today, fix)
	v.propose(Record{Name: verify.CanonicalName(name), Type: "TXT", TTL: cfg.TTL, Value: fix})
}

// sameSPF reports whether two SPF records have the same terms, spacing
// and case aside.
func sameSPF(a, b string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " "))
}

// SPFAnswers returns cfg with the answers that make its SPF record the
// proposed value (extra include:, ip4: and ip6: terms as SPF includes and
// addresses), so that records and publish give that record too; ok is
// false when the value has a term the answers cannot express.
func SPFAnswers(cfg Config, value string) (Config, bool) {
	rec, err := spf.Parse(value)
	if err != nil || rec == nil {
		return cfg, false
	}
	have := strings.Fields(spfValue(cfg.withDefaults()))
	out := cfg
	out.SPFIncludes = slices.Clone(cfg.SPFIncludes)
	out.SPFIPs = slices.Clone(cfg.SPFIPs)
	for _, t := range rec.Terms {
		if slices.ContainsFunc(have, func(h string) bool { return strings.EqualFold(h, t.Text) }) {
			continue
		}
		name, arg, _ := strings.Cut(strings.ToLower(strings.TrimPrefix(t.Text, "+")), ":")
		switch name {
		case "include":
			out.SPFIncludes = append(out.SPFIncludes, verify.CanonicalName(arg))
		case "ip4", "ip6":
			p, err := netip.ParsePrefix(arg)
			if err != nil {
				a, aerr := netip.ParseAddr(arg)
				if aerr != nil {
					return cfg, false
				}
				p = netip.PrefixFrom(a, a.BitLen())
			}
			out.SPFIPs = append(out.SPFIPs, p)
		default:
			return cfg, false
		}
	}
	return out, true
}

// spfFix is the record to propose instead of a published one: ours, plus
// the senders the published record lists, without ptr (receivers may skip
// it).
func spfFix(want, published string) string {
	terms := strings.Fields(mergedSPF(want, []spfText{{value: published}}))
	return strings.Join(slices.DeleteFunc(terms, func(term string) bool {
		if strings.IndexByte("+-~?", term[0]) >= 0 {
			term = term[1:]
		}
		term = strings.ToLower(term)
		return term == "ptr" || strings.HasPrefix(term, "ptr:")
	}), " ")
}

// withAddresses adds ip4:/ip6: terms for ips before the record's last
// term (its all).
func withAddresses(record string, ips []netip.Addr) string {
	if len(ips) == 0 {
		return record
	}
	terms := strings.Fields(record)
	last := terms[len(terms)-1]
	terms = terms[:len(terms)-1]
	for _, ip := range ips {
		terms = append(terms, spfIPTerm(netip.PrefixFrom(ip, ip.BitLen())))
	}
	return strings.Join(append(terms, last), " ")
}

// checkSPFTree reports what is broken in the record and the records its
// include and redirect terms lead to, beyond the terms that matched our
// server: mail the record is meant to cover (a relay, a newsletter service)
// gets permerror there. Records still unanswered, or whose lookup failed,
// are no verdict.
func checkSPFTree(v *verdict, name string, g group, lookup spfLookup, root *spf.Node) {
	var walk func(n *spf.Node, via string, depth int)
	walk = func(n *spf.Node, via string, depth int) {
		if _, status := lookup.TXT(n.Domain); n.Err != "" && !n.Pending && status != spf.Failed && status != spf.NotAsked {
			if via == "" {
				v.add(CodeSPFSyntax,
					"The SPF record of %s on %s has a term that makes receivers return permerror for mail that reaches it: %s. Correct or remove that term.",
					name, g.names, n.Err)
			} else {
				v.add(CodeSPFSyntax,
					"The SPF record of %s on %s refers to %s, and receivers that follow it return permerror: %s. Fix that record, or remove %s.",
					name, g.names, via, n.Err, via)
			}
		}
		for _, c := range n.Children {
			if depth < 10 {
				walk(c, cmp.Or(via, c.Via), depth+1)
			}
		}
	}
	if root != nil {
		walk(root, "", 0)
	}
}

// coverServer is the fix for a record that does not authorize ip: the
// record to publish, or, when that is what is published already, the
// steps its mx or a term relies on.
func coverServer(want, published string, ip netip.Addr) string {
	merged := mergedSPF(want, []spfText{{value: published}})
	if !strings.EqualFold(strings.Join(strings.Fields(merged), " "), strings.Join(strings.Fields(published), " ")) {
		return fmt.Sprintf("Make it cover the server: %q.", spfFix(want, published))
	}
	if want == spfHELOValue {
		return fmt.Sprintf("The record is the one to publish: its a term finds the server through the mail host's address, which does not lead to %s yet. Fix the host step, and this follows.", ip)
	}
	return fmt.Sprintf("The record is the one to publish: its mx term finds the server through the MX record and the mail host's address, which do not lead to %s yet. Fix the mx and host steps, and this follows.", ip)
}

// spfProblem says what is wrong with a record in words.
func spfProblem(err error) string {
	var se *spf.SyntaxError
	switch {
	case errors.As(err, &se) && se.Term != "":
		return fmt.Sprintf("%s (at %q)", se.Problem, se.Term)
	case err != nil:
		return err.Error()
	}
	return "it does not parse"
}

func matched(ev spf.Evaluation) string {
	if ev.Matched == "" {
		return " (no term matched)"
	}
	return fmt.Sprintf(" (matched %q)", ev.Matched)
}

func neededList(qs []spf.Question) string {
	var parts []string
	for _, q := range qs {
		parts = append(parts, dns.TypeToString[q.Type]+" "+q.Name)
	}
	return list(parts)
}

// checkSPFAll gives advice on the record's last word: -all is what
// receivers act on; ~all and ?all ask them to accept forgeries, +all
// authorizes the whole Internet.
func checkSPFAll(v *verdict, name string, rec *spf.Record) {
	var all *spf.Term
	redirect := false
	for i, t := range rec.Terms {
		switch strings.ToLower(t.Name) {
		case "all":
			all = &rec.Terms[i]
		case "redirect":
			redirect = true
		}
	}
	switch {
	case all == nil && redirect:
	case all == nil:
		v.add(CodeSPFNeutralAll,
			"The SPF record of %s does not end with -all, so it says nothing about other senders and receivers accept forgeries. End it with -all.", name)
	case all.Qualifier == spf.Pass:
		v.add(CodeSPFPlusAll,
			"The SPF record of %s ends with +all, which allows every server on the Internet to send mail as your domain. Replace +all with -all.", name)
	case all.Qualifier == spf.SoftFail:
		v.add(CodeSPFSoftAll,
			"The SPF record of %s ends with ~all, which asks receivers to accept forgeries with a mark. Once all your senders are listed, change it to -all.", name)
	case all.Qualifier == spf.Neutral:
		v.add(CodeSPFNeutralAll,
			"The SPF record of %s ends with ?all, which says nothing about other senders, so receivers accept forgeries. Change it to -all.", name)
	}
}

// checkSPFLookups checks the DNS lookups a receiver must make (RFC 7208
// §4.6.4): more than 10 is a permanent error, more than 2 that find
// nothing too. Past the limits the evaluator stops following the tree, so
// a count may be a lower bound.
func checkSPFLookups(v *verdict, name string, g group, ev spf.Evaluation) {
	tree := lookupTree(ev.Tree)
	needs := fmt.Sprintf("%d DNS lookups (%s)", ev.Lookups, tree)
	if ev.AtLeast {
		n := ev.Tree.UnfollowedRecords()
		needs = fmt.Sprintf("at least %d DNS lookups (%s; mailwizard stopped there and did not follow %d more %s)",
			ev.Lookups, tree, n, plural(n, "record", "records"))
	}
	switch {
	case ev.Lookups > spfMaxLookups:
		v.add(CodeSPFTooManyLookups,
			"The SPF record of %s on %s needs %s; receivers stop at %d and treat the record as broken. Remove includes you no longer use, or replace them with ip4:/ip6: terms.",
			name, g.names, needs, spfMaxLookups)
	case ev.Lookups >= spfWarnLookups:
		v.addVariant(CodeSPFTooManyLookups, spfNearLimit,
			"The SPF record of %s on %s needs %s; the limit is %d, so one more include will break it.",
			name, g.names, needs, spfMaxLookups)
	}
	if ev.VoidLookups > spfMaxVoidLookups {
		v.add(CodeSPFVoidLookups,
			"The SPF record of %s on %s has %s lookups that find nothing; receivers stop after %d and treat the record as broken. Remove the terms that name domains without records.",
			name, g.names, atLeast(ev.AtLeast, ev.VoidLookups), spfMaxVoidLookups)
	}
}

// atLeast renders a count that may be a lower bound.
func atLeast(bound bool, n int) string {
	if bound {
		return fmt.Sprintf("at least %d", n)
	}
	return fmt.Sprint(n)
}

// lookupTree explains where lookups come from, record by record:
// "example.com. 3, include:_spf.provider.net 4".
func lookupTree(n *spf.Node) string {
	const most = 6 // records named; the rest are counted
	var parts []string
	more := 0
	var walk func(*spf.Node)
	walk = func(n *spf.Node) {
		if n == nil {
			return
		}
		switch {
		case n.Lookups == 0:
		case len(parts) < most:
			parts = append(parts, fmt.Sprintf("%s %d", cmp.Or(n.Via, n.Domain), n.Lookups))
		default:
			more++
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(n)
	if len(parts) == 0 {
		return "by the record itself"
	}
	if more > 0 {
		return strings.Join(parts, ", ") + fmt.Sprintf(" and %d more %s", more, plural(more, "record", "records"))
	}
	return strings.Join(parts, ", ")
}

// mergedSPF is the record to propose: ours, plus the senders the published
// records list that ours does not, so that merging never drops a sender
// someone relies on.
func mergedSPF(want string, published []spfText) string {
	terms := strings.Fields(want)
	all := terms[len(terms)-1]
	terms = slices.Clone(terms[:len(terms)-1])
	for _, t := range published {
		rec, err := spf.Parse(t.value)
		if err != nil || rec == nil {
			continue
		}
		for _, term := range rec.Terms {
			if !term.Mechanism() || strings.EqualFold(term.Name, "all") || term.Text == "" ||
				slices.ContainsFunc(terms, func(s string) bool { return strings.EqualFold(s, term.Text) }) {
				continue
			}
			terms = append(terms, term.Text)
		}
	}
	return strings.Join(append(terms, all), " ")
}
