package spf

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/miekg/dns"
)

// evaluator is one run of CheckHost.
//
// It walks the tree once, in the order a receiver would. A term is "live"
// while no earlier term of its record has decided and its record is itself
// live; live terms decide the result exactly as RFC 7208 says. After the
// decision the walk goes on "in the shadow" to the end of each record (up to
// "all"), following includes and redirect, so that the counts and the tree
// describe everything a receiver may have to look up, until the counts are
// well past the limits (maxCountedLookups, maxCountedVoids): then it counts
// the terms of the records it has but follows and asks nothing more. A
// question that has not been answered yet makes the evaluation provisional;
// the walk carries on as if the term did not match, so every question that
// can be asked now is listed at once.
type evaluator struct {
	env    macroEnv
	lookup Lookup
	root   string // the domain evaluated, as questions carry it

	needed []Question
	asked  map[Question]bool

	lookups, voids         int  // over the whole walk
	liveLookups, liveVoids int  // over the live terms only
	cut                    bool // the walk left something out past the limits
}

// record is a record being evaluated: its node, its domain as macros
// expand it (no trailing dot), and the domains being evaluated down to it,
// as questions carry them.
type record struct {
	node   *Node
	domain string
	stack  []string
}

// outcome is what evaluating a record gave.
type outcome struct {
	result  Result // "" while a question is unanswered
	matched string // the deciding term, as written
	problem string // for permerror and temperror
	void    bool   // the record's TXT lookup found nothing
}

// verdict is what one mechanism gave.
type verdict int

const (
	noMatch verdict = iota
	match
	unknown // a question is unanswered
	failure // the outcome carries a permerror or temperror
)

// checkHost evaluates the record of domain (as macros expand it). via is
// the term that led here, stack the domains being evaluated above it, and
// live whether the result counts.
func (e *evaluator) checkHost(domain, via string, stack []string, live bool) (*Node, outcome) {
	domain = strings.TrimSuffix(domain, ".")
	name := queryName(domain)
	node := &Node{Domain: name, Via: via}
	if problem := hostProblem(domain); problem != "" {
		node.Err = name + " is not a valid domain name: " + problem
		return node, outcome{result: ResultNone, problem: node.Err + "."} // RFC 7208 §4.3
	}
	txts, status := e.txt(name)
	var records []string
	for _, txt := range txts {
		if IsSPF(txt) {
			records = append(records, txt)
		}
	}
	switch {
	case status == NotAsked:
		node.Pending = true
		return node, outcome{}
	case status == Failed:
		node.Err = "the TXT lookup of " + name + " failed"
		return node, outcome{result: ResultTempError, problem: "The TXT lookup of " + name + " failed; receivers return temperror and try again later."}
	case status == Void || len(txts) == 0:
		node.Err = name + " has no TXT record"
		return node, outcome{result: ResultNone, problem: name + " has no TXT record, so no SPF record.", void: true}
	case len(records) == 0:
		node.Err = name + " has TXT records but no SPF record"
		return node, outcome{result: ResultNone, problem: name + " has TXT records but none starts with \"v=spf1\"."}
	case len(records) > 1:
		node.Err = fmt.Sprintf("%s has %d SPF records", name, len(records))
		return node, outcome{result: ResultPermError, problem: fmt.Sprintf("%s has %d SPF records; receivers return permerror (RFC 7208 §4.5). Merge them into one.", name, len(records))}
	}
	node.Record = records[0]
	rec, err := Parse(records[0])
	if err != nil {
		node.Err = fmt.Sprintf("the SPF record of %s does not parse: %v", name, err)
		return node, outcome{result: ResultPermError, problem: fmt.Sprintf("The SPF record of %s does not parse: %v.", name, err)}
	}
	r := record{node: node, domain: domain, stack: append(stack[:len(stack):len(stack)], name)}
	return node, e.terms(rec, r, live)
}

// terms evaluates the mechanisms of rec in order, then its redirect.
func (e *evaluator) terms(rec *Record, r record, live bool) outcome {
	var out outcome
	decide := func(o outcome) {
		out, live = o, false
	}
	for _, t := range rec.Terms {
		if !t.Mechanism() {
			continue
		}
		termLive := live
		if t.lookups() && e.count(r.node, termLive) {
			decide(e.tooMany(t, r.node.Domain))
			termLive = false
		}
		if t.Name == "all" {
			if termLive {
				decide(outcome{result: t.Qualifier.result(), matched: t.Text})
			}
			break // receivers never look further (RFC 7208 §5.1)
		}
		v, o := e.mechanism(t, r, termLive)
		if !termLive {
			continue
		}
		switch v {
		case match:
			decide(outcome{result: t.Qualifier.result(), matched: t.Text})
		case failure:
			o.matched = t.Text
			decide(o)
		}
	}
	redirect, ok := rec.modifier("redirect")
	if ok && !rec.hasAll() {
		termLive := live
		if e.count(r.node, termLive) {
			decide(e.tooMany(redirect, r.node.Domain))
			termLive = false
		}
		o := e.redirect(redirect, r, termLive)
		if termLive {
			return o
		}
		return out
	}
	if live {
		return outcome{result: ResultNeutral} // RFC 7208 §4.7
	}
	return out
}

// redirect follows a redirect= modifier (RFC 7208 §6.1).
func (e *evaluator) redirect(t Term, r record, live bool) outcome {
	target, v, o := e.target(t, r, live)
	if v != match {
		return o
	}
	return e.follow(t, r, target, live)
}

// follow evaluates the record an include or a redirect points at, where
// "none" is the permerror receivers give (RFC 7208 §5.2, §6.1).
func (e *evaluator) follow(t Term, r record, target string, live bool) outcome {
	child, o := e.checkHost(target, t.Text, r.stack, live)
	r.node.Children = append(r.node.Children, child)
	if o.void && e.void(live) {
		return e.tooManyVoid(t, r.node.Domain)
	}
	if o.result != ResultNone {
		return o
	}
	if problem := hostProblem(target); problem != "" {
		return outcome{result: ResultPermError, matched: t.Text, problem: fmt.Sprintf("%s in the SPF record of %s points at %s, which is not a valid domain name (%s); receivers return permerror.", t.Text, r.node.Domain, child.Domain, problem)}
	}
	return outcome{result: ResultPermError, matched: t.Text, problem: fmt.Sprintf("%s in the SPF record of %s points at %s, which has no SPF record; receivers return permerror.", t.Text, r.node.Domain, child.Domain)}
}

// mechanism evaluates one mechanism other than all. In the shadow it still
// looks up what counts towards the limits (not ptr, not the addresses of
// MX targets), until the counts are well past them.
func (e *evaluator) mechanism(t Term, r record, live bool) (verdict, outcome) {
	switch t.Name {
	case "ip4", "ip6":
		if e.env.ip.IsValid() && t.Prefix.Contains(e.env.ip) {
			return match, outcome{}
		}
		return noMatch, outcome{}
	case "include":
		return e.include(t, r, live)
	case "ptr":
		if !live {
			return noMatch, outcome{} // ptr never counts as void
		}
	}
	if !live && e.over() {
		return noMatch, outcome{}
	}
	name, v, o := e.name(t, r)
	if v != match {
		return v, o
	}
	if dnsProblem(name) != "" {
		// A name DNS cannot carry exists nowhere: no query, no match.
		// RFC 7208 leaves the case open; the openspf suites prefer this
		// to a permerror.
		return noMatch, outcome{}
	}
	switch t.Name {
	case "a":
		return e.address(t, queryName(name), r.node, live)
	case "mx":
		return e.mx(t, queryName(name), r.node, live)
	case "ptr":
		return e.ptr(queryName(name))
	case "exists":
		name := queryName(name)
		addrs, status := e.ip(name, false)
		if v, o := e.status(t, name, "A", r.node, status, len(addrs), live); v != match {
			return v, o
		}
		return match, outcome{}
	}
	return noMatch, outcome{}
}

// include evaluates include: per the table of RFC 7208 §5.2.
func (e *evaluator) include(t Term, r record, live bool) (verdict, outcome) {
	target, v, o := e.target(t, r, live)
	if v != match {
		return v, o
	}
	switch o := e.follow(t, r, target, live); o.result {
	case "":
		return unknown, outcome{}
	case ResultPass:
		return match, outcome{}
	case ResultFail, ResultSoftFail, ResultNeutral:
		return noMatch, outcome{}
	default:
		return failure, o
	}
}

// target expands the domain of include or redirect and refuses loops and,
// in the shadow, records past the counting margin. The verdict is match
// when the target is to be evaluated; otherwise unknown while a macro
// waits for an answer, failure with the outcome of a live permerror, or
// noMatch for a record left unfollowed.
func (e *evaluator) target(t Term, r record, live bool) (string, verdict, outcome) {
	target, v, o := e.name(t, r)
	if v != match {
		return "", v, o
	}
	name := queryName(target)
	if slices.Contains(r.stack, name) {
		child := &Node{Domain: name, Via: t.Text, Err: fmt.Sprintf("%s in the SPF record of %s leads back to %s, a loop", t.Text, r.node.Domain, name)}
		r.node.Children = append(r.node.Children, child)
		return "", failure, outcome{result: ResultPermError, matched: t.Text, problem: fmt.Sprintf("%s in the SPF record of %s leads back to %s, a loop; receivers return permerror.", t.Text, r.node.Domain, name)}
	}
	if !live && e.over() {
		r.node.Children = append(r.node.Children, &Node{Domain: name, Via: t.Text, Unfollowed: true})
		return "", noMatch, outcome{}
	}
	return target, match, outcome{}
}

// name expands the term's domain-spec for record r (the record's own
// domain when the term has none) into a name as macros expand it, shortened
// to 253 octets. The verdict is match when the name is known, unknown
// while %{p} waits for answers, and failure for a spec that does not parse.
func (e *evaluator) name(t Term, r record) (string, verdict, outcome) {
	if t.Value == "" {
		return r.domain, match, outcome{}
	}
	spec, err := parseDomainSpec(t.Value, true)
	if err != nil { // Parse has checked it; only a hand-made Term gets here
		return "", failure, outcome{result: ResultPermError, matched: t.Text, problem: fmt.Sprintf("%s in the SPF record of %s: %s.", t.Text, r.node.Domain, err.problem)}
	}
	name, ok := spec.expand(e.env, r.domain)
	if !ok {
		return "", unknown, outcome{}
	}
	return shorten(name), match, outcome{}
}

// address evaluates a: the addresses of name in the IP's family, against
// the term's CIDR length (RFC 7208 §5.3).
func (e *evaluator) address(t Term, name string, node *Node, live bool) (verdict, outcome) {
	v6 := e.env.ip.Is6()
	addrs, status := e.ip(name, v6)
	if v, o := e.status(t, name, addrType(v6), node, status, len(addrs), live); v != match {
		return v, o
	}
	if t.matches(e.env.ip, addrs) {
		return match, outcome{}
	}
	return noMatch, outcome{}
}

// mx evaluates mx: the addresses of at most ten exchanges (RFC 7208 §5.4).
func (e *evaluator) mx(t Term, name string, node *Node, live bool) (verdict, outcome) {
	hosts, status := e.mxHosts(name)
	if v, o := e.status(t, name, "MX", node, status, len(hosts), live); v != match {
		return v, o
	}
	if len(hosts) > maxMXNames {
		problem := fmt.Sprintf("%s has %d MX records, and mx looks at %d at most", name, len(hosts), maxMXNames)
		if node.Err == "" {
			node.Err = problem
		}
		return failure, outcome{result: ResultPermError, problem: fmt.Sprintf("%s in the SPF record of %s: %s; receivers return permerror (RFC 7208 §4.6.4).", t.Text, node.Domain, problem)}
	}
	if !live {
		return noMatch, outcome{}
	}
	v6 := e.env.ip.Is6()
	verdict, o := noMatch, outcome{}
	for _, host := range hosts {
		if host == "." {
			continue // a null MX (RFC 7505) has no address
		}
		addrs, status := e.ip(host, v6)
		switch {
		case status == Found && t.matches(e.env.ip, addrs):
			return match, outcome{}
		case status == Failed && verdict != failure:
			verdict, o = failure, outcome{result: ResultTempError, problem: fmt.Sprintf("The %s lookup of %s, an exchange of %s, failed; receivers return temperror and try again later.", addrType(v6), host, name)}
		case status == NotAsked && verdict == noMatch:
			verdict = unknown
		}
	}
	return verdict, o
}

// ptr evaluates ptr (RFC 7208 §5.5): it matches when a name of the IP's
// PTR records that is target or below it leads back to the IP. Names that
// cannot match are not looked up; a failed lookup is no match.
func (e *evaluator) ptr(target string) (verdict, outcome) {
	names, status := e.ptrNames()
	switch status {
	case NotAsked:
		return unknown, outcome{}
	case Found:
	default:
		return noMatch, outcome{}
	}
	names = slices.DeleteFunc(names, func(n string) bool { return !inDomain(n, target) })
	valid, pending := e.validate(names)
	switch {
	case len(valid) > 0:
		return match, outcome{}
	case pending:
		return unknown, outcome{}
	}
	return noMatch, outcome{}
}

// ptrNames looks up the PTR records of the IP and returns at most ten of
// their names (RFC 7208 §4.6.4), as questions carry them.
func (e *evaluator) ptrNames() ([]string, LookupStatus) {
	if !e.env.ip.IsValid() {
		return nil, Void
	}
	rev, err := dns.ReverseAddr(e.env.ip.String())
	if err != nil {
		return nil, Void
	}
	names, status := e.lookup.PTR(rev)
	e.note(rev, dns.TypePTR, status)
	if status != Found {
		return nil, status
	}
	out := make([]string, 0, min(len(names), maxPTRNames))
	for _, n := range names[:min(len(names), maxPTRNames)] {
		if n = absolute(strings.TrimSpace(n)); n != "." {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return nil, Void
	}
	return out, Found
}

// validate returns the names whose addresses in the IP's family hold the
// IP (RFC 7208 §5.5), and whether some are still unanswered. A failed
// lookup skips the name.
func (e *evaluator) validate(names []string) (valid []string, pending bool) {
	for _, n := range names {
		addrs, status := e.ip(n, e.env.ip.Is6())
		switch {
		case status == NotAsked:
			pending = true
		case status == Found && slices.Contains(addrs, e.env.ip):
			valid = append(valid, n)
		}
	}
	return valid, pending
}

// validatedName is %{p} for the record of domain (RFC 7208 §7.3): domain
// itself if it is a validated name of the IP, else a validated name below
// it, else any, else "unknown". It reports false while answers are
// missing.
func (e *evaluator) validatedName(domain string) (string, bool) {
	names, status := e.ptrNames()
	switch status {
	case NotAsked:
		return "", false
	case Found:
	default:
		return "unknown", true
	}
	valid, pending := e.validate(names)
	switch {
	case pending:
		return "", false
	case len(valid) == 0:
		return "unknown", true
	}
	d := queryName(domain)
	best := valid[0]
	for _, v := range valid {
		if v == d {
			best = v
			break
		}
		if inDomain(v, d) && !inDomain(best, d) {
			best = v
		}
	}
	return plainName(best), true
}

// inDomain reports whether name is domain or below it; both are as
// questions carry them.
func inDomain(name, domain string) bool {
	return name == domain || strings.HasSuffix(name, "."+domain)
}

// status turns a lookup status into a verdict: match means "records were
// found, look at them"; a void lookup counts towards the limit of two.
func (e *evaluator) status(t Term, name, qtype string, node *Node, status LookupStatus, n int, live bool) (verdict, outcome) {
	switch {
	case status == NotAsked:
		return unknown, outcome{}
	case status == Failed:
		return failure, outcome{result: ResultTempError, problem: fmt.Sprintf("The %s lookup of %s for %s failed; receivers return temperror and try again later.", qtype, name, t.Text)}
	case status == Void || n == 0:
		if e.void(live) {
			return failure, e.tooManyVoid(t, node.Domain)
		}
		return noMatch, outcome{}
	}
	return match, outcome{}
}

// matches reports whether ip is in the network of one of addrs, with the
// term's CIDR length for ip's family.
func (t Term) matches(ip netip.Addr, addrs []netip.Addr) bool {
	bits := t.Prefix4
	if ip.Is6() {
		bits = t.Prefix6
	}
	if bits < 0 {
		bits = ip.BitLen()
	}
	for _, a := range addrs {
		if a.Is4() != ip.Is4() {
			continue
		}
		if p, err := a.Prefix(bits); err == nil && p.Contains(ip) {
			return true
		}
	}
	return false
}

// over reports whether the counts are so far past the limits that the walk
// in the shadow follows and asks nothing more; it notes that it left
// something out.
func (e *evaluator) over() bool {
	if e.lookups > maxCountedLookups || e.voids > maxCountedVoids {
		e.cut = true
		return true
	}
	return false
}

// count adds a DNS-querying term of node and reports whether a live one
// goes over the limit.
func (e *evaluator) count(node *Node, live bool) bool {
	e.lookups++
	node.Lookups++
	if !live {
		return false
	}
	e.liveLookups++
	return e.liveLookups > MaxLookups
}

// void adds a lookup that found nothing and reports whether a live one
// goes over the limit.
func (e *evaluator) void(live bool) bool {
	e.voids++
	if !live {
		return false
	}
	e.liveVoids++
	return e.liveVoids > MaxVoidLookups
}

// tooMany is the permerror of the eleventh DNS-querying term.
func (e *evaluator) tooMany(t Term, domain string) outcome {
	return outcome{result: ResultPermError, matched: t.Text, problem: fmt.Sprintf("Checking the SPF record of %s takes more than %d DNS lookups (the next one is %s in the record of %s); receivers stop there and return permerror (RFC 7208 §4.6.4).", e.root, MaxLookups, t.Text, domain)}
}

// tooManyVoid is the permerror of the third lookup that found nothing.
func (e *evaluator) tooManyVoid(t Term, domain string) outcome {
	return outcome{result: ResultPermError, matched: t.Text, problem: fmt.Sprintf("Checking the SPF record of %s meets more than %d names that do not exist or have no records (the last is %s in the record of %s); receivers return permerror (RFC 7208 §4.6.4).", e.root, MaxVoidLookups, t.Text, domain)}
}

// txt, ip and mxHosts read through the Lookup and note unanswered
// questions.
func (e *evaluator) txt(name string) ([]string, LookupStatus) {
	txts, status := e.lookup.TXT(name)
	e.note(name, dns.TypeTXT, status)
	return txts, status
}

func (e *evaluator) ip(name string, v6 bool) ([]netip.Addr, LookupStatus) {
	addrs, status := e.lookup.IP(name, v6)
	qtype := dns.TypeA
	if v6 {
		qtype = dns.TypeAAAA
	}
	e.note(name, qtype, status)
	var same []netip.Addr
	for _, a := range addrs {
		if a.Unmap().Is6() == v6 {
			same = append(same, a.Unmap())
		}
	}
	return same, status
}

func (e *evaluator) mxHosts(name string) ([]string, LookupStatus) {
	hosts, status := e.lookup.MX(name)
	e.note(name, dns.TypeMX, status)
	out := make([]string, 0, len(hosts))
	for _, h := range hosts {
		out = append(out, absolute(strings.TrimSpace(h)))
	}
	return out, status
}

// note lists an unanswered question once.
func (e *evaluator) note(name string, qtype uint16, status LookupStatus) {
	q := Question{Name: name, Type: qtype}
	if status != NotAsked || e.asked[q] {
		return
	}
	e.asked[q] = true
	e.needed = append(e.needed, q)
}

// addrType names the address record type asked for the IP's family.
func addrType(v6 bool) string {
	if v6 {
		return "AAAA"
	}
	return "A"
}
