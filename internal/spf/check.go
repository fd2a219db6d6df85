package spf

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/miekg/dns"
)

// maxRecords bounds the records walked beyond those a receiver evaluates
// for the IP, so that include trees built to explode still end.
const maxRecords = 100

// evaluator is one run of Evaluate.
//
// It walks the tree once, in the order a receiver would. A term is "live"
// while no earlier term of its record has decided and its record is itself
// live; live terms decide the result exactly as RFC 7208 says. After the
// decision the walk goes on "in the shadow" to the end of each record (up to
// "all"), following includes and redirect, so that the counts and the tree
// describe everything a receiver may have to look up. A question that has
// not been answered yet makes the evaluation provisional; the walk carries
// on as if the term did not match, so every question that can be asked now
// is listed at once.
type evaluator struct {
	env    macroEnv
	lookup Lookup
	root   string // the domain evaluated, absolute

	needed []Question
	asked  map[Question]bool

	lookups, voids         int // over the whole walk
	liveLookups, liveVoids int // over the live terms only
	records                int // records walked
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

// checkHost evaluates the record of domain (absolute). via is the term
// that led here, stack the domains being evaluated above it, and live
// whether the result counts.
func (e *evaluator) checkHost(domain, via string, stack []string, live bool) (*Node, outcome) {
	node := &Node{Domain: domain, Via: via}
	if problem := nameProblem(domain); problem != "" {
		node.Err = domain + " is not a valid domain name: " + problem
		return node, outcome{result: ResultNone, problem: node.Err + "."}
	}
	txts, status := e.txt(domain)
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
		node.Err = "the TXT lookup of " + domain + " failed"
		return node, outcome{result: ResultTempError, problem: "The TXT lookup of " + domain + " failed; receivers return temperror and try again later."}
	case status == Void || len(txts) == 0:
		node.Err = domain + " has no TXT record"
		return node, outcome{result: ResultNone, problem: domain + " has no TXT record, so no SPF record.", void: true}
	case len(records) == 0:
		node.Err = domain + " has TXT records but no SPF record"
		return node, outcome{result: ResultNone, problem: domain + " has TXT records but none starts with \"v=spf1\"."}
	case len(records) > 1:
		node.Err = fmt.Sprintf("%s has %d SPF records", domain, len(records))
		return node, outcome{result: ResultPermError, problem: fmt.Sprintf("%s has %d SPF records; receivers return permerror (RFC 7208 §4.5). Merge them into one.", domain, len(records))}
	}
	node.Record = records[0]
	rec, err := Parse(records[0])
	if err != nil {
		node.Err = fmt.Sprintf("the SPF record of %s does not parse: %v", domain, err)
		return node, outcome{result: ResultPermError, problem: fmt.Sprintf("The SPF record of %s does not parse: %v.", domain, err)}
	}
	e.records++
	stack = append(stack[:len(stack):len(stack)], domain)
	return node, e.terms(rec, node, stack, live)
}

// terms evaluates the mechanisms of rec in order, then its redirect.
func (e *evaluator) terms(rec *Record, node *Node, stack []string, live bool) outcome {
	var out outcome
	decide := func(o outcome) {
		out, live = o, false
	}
	for _, t := range rec.Terms {
		if !t.Mechanism() {
			continue
		}
		termLive := live
		if t.lookups() && e.count(node, termLive) {
			decide(e.tooMany(t, node.Domain))
			termLive = false
		}
		if t.Name == "all" {
			if termLive {
				decide(outcome{result: t.Qualifier.result(), matched: t.Text})
			}
			break // receivers never look further (RFC 7208 §5.1)
		}
		v, o := e.mechanism(t, node, stack, termLive)
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
		if e.count(node, termLive) {
			decide(e.tooMany(redirect, node.Domain))
			termLive = false
		}
		o := e.redirect(redirect, node, stack, termLive)
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
func (e *evaluator) redirect(t Term, node *Node, stack []string, live bool) outcome {
	target, o, ok := e.target(t, node, stack, live)
	if !ok {
		return o
	}
	child, o := e.checkHost(target, t.Text, stack, live)
	node.Children = append(node.Children, child)
	if o.void && e.void(live) {
		return e.tooManyVoid(t, node.Domain)
	}
	if o.result == ResultNone {
		return outcome{result: ResultPermError, matched: t.Text, problem: fmt.Sprintf("%s in the SPF record of %s points at %s, which has no SPF record; receivers return permerror.", t.Text, node.Domain, target)}
	}
	return o
}

// mechanism evaluates one mechanism other than all. In the shadow it still
// looks up what counts towards the limits, but not the addresses of MX
// targets.
func (e *evaluator) mechanism(t Term, node *Node, stack []string, live bool) (verdict, outcome) {
	switch t.Name {
	case "ip4", "ip6":
		if e.env.ip.IsValid() && t.Prefix.Contains(e.env.ip) {
			return match, outcome{}
		}
		return noMatch, outcome{}
	case "ptr":
		return noMatch, outcome{}
	case "include":
		return e.include(t, node, stack, live)
	}
	name, o, ok := e.name(t, node)
	if !ok {
		return failure, o
	}
	switch t.Name {
	case "a":
		return e.address(t, name, node, live)
	case "mx":
		return e.mx(t, name, node, live)
	case "exists":
		addrs, status := e.ip(name, false)
		if v, o := e.status(t, name, "A", node, status, len(addrs), live); v != match {
			return v, o
		}
		return match, outcome{}
	}
	return noMatch, outcome{}
}

// include evaluates include: per the table of RFC 7208 §5.2.
func (e *evaluator) include(t Term, node *Node, stack []string, live bool) (verdict, outcome) {
	target, o, ok := e.target(t, node, stack, live)
	if !ok {
		return failure, o
	}
	child, o := e.checkHost(target, t.Text, stack, live)
	node.Children = append(node.Children, child)
	if o.void && e.void(live) {
		return failure, e.tooManyVoid(t, node.Domain)
	}
	switch o.result {
	case "":
		return unknown, outcome{}
	case ResultPass:
		return match, outcome{}
	case ResultFail, ResultSoftFail, ResultNeutral:
		return noMatch, outcome{}
	case ResultNone:
		return failure, outcome{result: ResultPermError, problem: fmt.Sprintf("%s in the SPF record of %s points at %s, which has no SPF record; receivers return permerror.", t.Text, node.Domain, target)}
	}
	return failure, o
}

// target expands the domain of include or redirect and refuses loops and,
// in the shadow, trees grown too large. ok is false when the target is not
// to be evaluated; o then says why, for a live term.
func (e *evaluator) target(t Term, node *Node, stack []string, live bool) (string, outcome, bool) {
	target, o, ok := e.name(t, node)
	if !ok {
		return "", o, false
	}
	for _, d := range stack {
		if d == target {
			child := &Node{Domain: target, Via: t.Text, Err: fmt.Sprintf("%s in the SPF record of %s leads back to %s, a loop", t.Text, node.Domain, target)}
			node.Children = append(node.Children, child)
			return "", outcome{result: ResultPermError, matched: t.Text, problem: fmt.Sprintf("%s in the SPF record of %s leads back to %s, a loop; receivers return permerror.", t.Text, node.Domain, target)}, false
		}
	}
	if !live && e.records >= maxRecords {
		child := &Node{Domain: target, Via: t.Text, Unfollowed: true}
		node.Children = append(node.Children, child)
		return "", outcome{}, false
	}
	return target, outcome{}, true
}

// name expands the term's domain-spec for the record of node (the record's
// own domain when the term has none) into an absolute name.
func (e *evaluator) name(t Term, node *Node) (string, outcome, bool) {
	if t.Value == "" {
		return node.Domain, outcome{}, true
	}
	spec, err := parseDomainSpec(t.Value)
	if err != nil { // Parse has checked it; only a hand-made Term gets here
		return "", outcome{result: ResultPermError, matched: t.Text, problem: fmt.Sprintf("%s in the SPF record of %s: %s.", t.Text, node.Domain, err.problem)}, false
	}
	name := shorten(spec.expand(e.env, bare(node.Domain)))
	if problem := nameProblem(name); problem != "" {
		if node.Err == "" {
			node.Err = fmt.Sprintf("%s in the SPF record of %s expands to %q, which is not a domain name (%s)", t.Text, node.Domain, name, problem)
		}
		return "", outcome{result: ResultPermError, matched: t.Text, problem: fmt.Sprintf("%s in the SPF record of %s expands to %q, which is not a domain name (%s); receivers return permerror.", t.Text, node.Domain, name, problem)}, false
	}
	return absolute(name), outcome{}, true
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
