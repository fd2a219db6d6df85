package steps

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
)

// note is a finding with its effect on the status.
type note struct {
	finding Finding
	effect  Status
}

// verdict gathers what one step found while judging one round.
type verdict struct {
	// codes are the codes the step declares, and the common ones.
	codes    []FindingCode
	notes    []note
	observed []verify.Answer
	asked    map[verify.Question]bool
	// unreachable are servers that failed while others answered.
	unreachable []verify.Observation
	// tooMany are the zones with more nameservers than the engine asks:
	// the asked and the omitted names, by zone.
	tooMany map[string][2][]string
	// cnames are the records found published as a CNAME.
	cnames []Alias
	// fromResolver is set when an answer came from the resolver.
	fromResolver bool
	// skipped is set when the Config leaves the step nothing to check.
	skipped bool
	// servers, when the judge sets them, are the verdicts of whoever it
	// asked instead of the authoritative servers (the blocklists, the
	// server step's addresses and ports).
	servers []ServerVerdict
	// probes are the per-address rows of a step that probes servers.
	probes []ProbeRow
	// opinions, when the judge sets them, are the second opinion instead
	// of what the resolvers say of the expected records (the dnssec
	// step's AD bits).
	opinions []Opinion
	// expected, when expectedSet, are the records the step wants instead
	// of its records for the Config: what the round taught (the dane
	// step's TLSA records of the certificate served).
	expected    []Record
	expectedSet bool
	// where is who publishes the step's records, for the advice of a
	// message.
	where Where
	// proposed are the records the findings propose (Result.Proposed).
	proposed []Record
}

// propose records a record a finding proposes in place of the expected
// one of its name and type; the first proposal for a name and type wins.
func (v *verdict) propose(r Record) {
	if !slices.ContainsFunc(v.proposed, func(p Record) bool {
		return strings.EqualFold(p.Name, r.Name) && p.Type == r.Type
	}) {
		v.proposed = append(v.proposed, r)
	}
}

// maxListed is how many names a message lists before it says how many more
// there are.
const maxListed = 10

// judging is a verdict over codes, the step's own and the common ones,
// which it reads and never changes; nil for a verdict whose findings
// nobody reads.
func judging(codes []FindingCode) *verdict {
	return &verdict{codes: codes, asked: make(map[verify.Question]bool)}
}

// add records a finding of a declared code, with the severity and effect
// its declaration gives it, once: the same words for another of the
// server's addresses (an SPF permerror for its IPv4 and its IPv6 address)
// say nothing new.
func (v *verdict) add(code, format string, args ...any) {
	v.addVariant(code, "", format, args...)
}

// addVariant records a finding of a code declared more than once, by the
// variant of its declaration. A code the step does not declare is a
// mistake its tests catch; it is reported as an error rather than lost.
func (v *verdict) addVariant(code, variant, format string, args ...any) {
	c, ok := declared(v.codes, code, variant)
	if !ok {
		c = FindingCode{Code: code, Severity: SeverityError, Effect: StatusFail}
	}
	n := note{
		finding: Finding{Code: code, Severity: c.Severity, Message: printable(endSentences(fmt.Sprintf(format, args...)))},
		effect:  c.Effect,
	}
	if !slices.Contains(v.notes, n) {
		v.notes = append(v.notes, n)
	}
}

// endSentences lets the final dot of a name end its sentence too:
// "… on ns2.example.net.. Add" becomes "… on ns2.example.net. Add". Quoted
// values are left alone: their dots are followed by a quote.
func endSentences(msg string) string {
	msg = strings.ReplaceAll(msg, ".. ", ". ")
	if strings.HasSuffix(msg, "..") {
		msg = msg[:len(msg)-1]
	}
	return msg
}

// Printable escapes control characters and bytes that are not UTF-8 in a
// stranger's text (a record, a provider's error message) before a message
// or a terminal shows it, as \x1b or \u0085.
func Printable(s string) string { return printable(s) }

// printable escapes what a stranger's record may carry into a message and
// a terminal must not print (verify.Printable): control characters and
// bytes that are not UTF-8, as \x1b or \u0085.
func printable(msg string) string { return verify.Printable(msg) }

// reply is what the authoritative servers said to one question.
type reply struct {
	q verify.Question
	// ok are the usable replies, in server order.
	ok []verify.Observation
}

// ask looks q up in known. When no server gave a usable reply it records a
// lookup-error and reports false; servers that failed while others
// answered are remembered for ns-unreachable.
func (v *verdict) ask(known verify.Answers, q verify.Question) (reply, bool) {
	ans, found := v.observe(known, q)
	r := reply{q: q}
	v.noteOmitted(ans)
	v.fromResolver = v.fromResolver || ans.FromResolver
	switch {
	case !found:
		v.lookupError(q, "it has not been asked yet")
		return r, false
	case ans.Err != nil:
		v.lookupErrors(q, ans.Err)
		return r, false
	}
	var failed []verify.Observation
	r.ok, failed = split(ans.Servers, verify.Observation.OK)
	if len(r.ok) == 0 {
		errs := make([]error, 0, len(failed))
		for _, o := range failed {
			errs = append(errs, o.Err)
		}
		v.lookupErrors(q, errs...)
		return r, false
	}
	v.unreachable = append(v.unreachable, silent(failed, r.ok)...)
	return r, true
}

// observe looks q up in known and records its answer as observed, once;
// it judges nothing.
func (v *verdict) observe(known verify.Answers, q verify.Question) (verify.Answer, bool) {
	ans, found := known.Get(q)
	if found && !v.asked[q] {
		v.asked[q] = true
		v.observed = append(v.observed, ans)
	}
	return ans, found
}

// silent are the failed observations of servers that gave no usable reply
// on any address: a server that answered on one address (IPv4) while
// another failed (an IPv6 address this machine has no path to) answered,
// and its failing address shows in the observations only.
func silent(failed, ok []verify.Observation) []verify.Observation {
	var out []verify.Observation
	for _, o := range failed {
		if !slices.ContainsFunc(ok, func(k verify.Observation) bool { return k.Server == o.Server }) {
			out = append(out, o)
		}
	}
	return out
}

// peek looks q up without recording anything: for answers that only add
// detail (the doubled names, a wildcard) and whose failure says nothing.
func peek(known verify.Answers, q verify.Question) (reply, bool) {
	r := reply{q: q}
	if ans, found := known.Get(q); found && ans.Err == nil {
		r.ok, _ = split(ans.Servers, verify.Observation.OK)
	}
	return r, len(r.ok) > 0
}

func (v *verdict) lookupError(q verify.Question, why string) {
	v.add(CodeLookupError,
		"Could not check %s: %s. This is a problem reaching the servers, not a verdict on your records; mailwizard will ask again.", q, why)
}

// lookupErrors records why no server gave a usable reply to q: each
// server's failure once, or, when the round's query budget ran out, that.
func (v *verdict) lookupErrors(q verify.Question, errs ...error) {
	var reasons []string
	for _, err := range errs {
		var be *verify.BudgetError
		if errors.As(err, &be) {
			v.add(CodeLookupError,
				"Could not check %s: %s. The zones this check reads (their nameservers, CNAME chains or SPF includes) ask for more queries than mailwizard sends in one check; look for an NS set, a chain or an include tree that has grown out of hand.",
				q, be.Error())
			return
		}
		if why := failure(err); !slices.Contains(reasons, why) {
			reasons = append(reasons, why)
		}
	}
	if len(reasons) == 0 {
		reasons = append(reasons, "no server was found to ask")
	}
	v.lookupError(q, strings.Join(reasons, "; "))
}

// noteOmitted remembers a zone whose nameservers were not all asked.
func (v *verdict) noteOmitted(ans verify.Answer) {
	if len(ans.Omitted) == 0 || ans.Zone == "" {
		return
	}
	if v.tooMany == nil {
		v.tooMany = make(map[string][2][]string)
	}
	var asked []string
	for _, o := range ans.Servers {
		if !slices.Contains(asked, o.Server) {
			asked = append(asked, o.Server)
		}
	}
	v.tooMany[ans.Zone] = [2][]string{asked, ans.Omitted}
}

// addTooMany adds ns-too-many for each zone with more nameservers than
// the engine asks, naming those it left out.
func (v *verdict) addTooMany() {
	zones := make([]string, 0, len(v.tooMany))
	for z := range v.tooMany {
		zones = append(zones, z)
	}
	slices.Sort(zones)
	for _, z := range zones {
		asked, omitted := v.tooMany[z][0], v.tooMany[z][1]
		v.add(CodeNSTooMany,
			"The zone %s names %d nameservers. mailwizard asked the first %d by name and not the other %d: %s. Resolvers also try only a few of them, so a record that some of these servers lack is missing for part of the world. Keep the two to four nameservers your DNS provider gives you, in the zone's NS records and at your registrar.",
			z, len(asked)+len(omitted), len(asked), len(omitted), someOf(omitted))
	}
}

// someOf lists the first names and says how many more there are.
func someOf(names []string) string {
	if len(names) <= maxListed {
		return list(names)
	}
	return fmt.Sprintf("%s and %d more (all are in the JSON report)", strings.Join(names[:maxListed], ", "), len(names)-maxListed)
}

// result turns the verdict into the step's Result.
func (v *verdict) result(id string, expected []Record) Result {
	v.addTooMany()
	v.addUnreachable()
	res := Result{Step: id, Status: StatusPass, Findings: []Finding{}, Expected: expected, Observed: v.observed, Probes: v.probes, Aliases: v.cnames, FromResolver: v.fromResolver, Proposed: v.proposed}
	for _, n := range v.notes {
		res.Findings = append(res.Findings, n.finding)
		if n.effect.rank() > res.Status.rank() {
			res.Status = n.effect
		}
	}
	if v.skipped && len(v.notes) == 0 {
		res.Status = StatusSkipped
	}
	servers, published := serverVerdicts(res)
	if v.servers != nil {
		servers = v.servers
	}
	res.Servers = servers
	res.SecondOpinion = secondOpinion(res, published)
	if v.opinions != nil {
		res.SecondOpinion = v.opinions
	}
	return res
}

// addUnreachable adds one ns-unreachable warning naming every server that
// failed while others answered.
func (v *verdict) addUnreachable() {
	if len(v.unreachable) == 0 {
		return
	}
	var names, reasons []string
	for _, o := range v.unreachable {
		if !slices.Contains(names, o.Server) {
			names = append(names, o.Server)
			reasons = append(reasons, failure(withoutQuery(o.Err)))
		}
	}
	v.add(CodeNSUnreachable,
		"%s gave no usable answer (%s), so this result rests on the other servers only. If it lasts, the zone's NS records may name a server that no longer serves it.",
		list(names), strings.Join(reasons, "; "))
}

// failure words an error of verify for a message. verify's errors name the
// whole question and nest their causes; a message names the record
// already, so each layer keeps its own words but the question goes:
// "query A mail.example.com. at ns1.example.net. (192.0.2.53:53): i/o
// timeout" becomes "ns1.example.net. (192.0.2.53:53): i/o timeout", and
// "could not reach resolver 192.0.2.1:53: query …: i/o timeout" becomes
// "the resolver 192.0.2.1:53 gave no reply: i/o timeout".
func failure(err error) string {
	switch e := err.(type) {
	case nil:
		return "no reply"
	case *verify.ResolverError:
		return "the resolver " + e.Address + " gave no reply: " + failure(withoutQuery(e.Err))
	case *verify.QueryError:
		switch {
		case e.Question.Via == verify.Recursive:
			return fmt.Sprintf("the resolver %s, asked %s: %s", e.Server, e.Question, failure(e.Err))
		case e.Address == "":
			return e.Server + ": " + failure(e.Err)
		}
		return fmt.Sprintf("%s (%s): %s", e.Server, e.Address, failure(e.Err))
	}
	inner := errors.Unwrap(err)
	if inner == nil || !strings.HasSuffix(err.Error(), inner.Error()) {
		return err.Error()
	}
	return strings.TrimSuffix(err.Error(), inner.Error()) + failure(inner)
}

// withoutQuery is the cause of a QueryError, for a message that names the
// server already.
func withoutQuery(err error) error {
	if qe, ok := err.(*verify.QueryError); ok {
		return qe.Err
	}
	return err
}

// group is the set of servers that gave the same answer.
type group struct {
	key   string
	obs   []verify.Observation
	names string // "ns1.example.net. and ns2.example.net."
}

// groupBy sorts observations into groups of equal key, in server order.
// A server name that falls in more than one group (its IPv4 and IPv6
// addresses disagree) is shown with its address.
func groupBy(obs []verify.Observation, key func(verify.Observation) string) []group {
	var groups []group
	index := make(map[string]int)
	where := make(map[string]map[string]bool)
	for _, o := range obs {
		k := key(o)
		i, ok := index[k]
		if !ok {
			i = len(groups)
			index[k] = i
			groups = append(groups, group{key: k})
		}
		groups[i].obs = append(groups[i].obs, o)
		if where[o.Server] == nil {
			where[o.Server] = make(map[string]bool)
		}
		where[o.Server][k] = true
	}
	for i := range groups {
		var names []string
		for _, o := range groups[i].obs {
			name := o.Server
			if len(where[o.Server]) > 1 {
				name = fmt.Sprintf("%s (%s)", o.Server, o.Address)
			}
			if !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
		groups[i].names = list(names)
	}
	return groups
}

// servers names the servers of obs: "ns1.example.net. and ns2.example.net.".
func servers(obs []verify.Observation) string {
	var names []string
	for _, o := range obs {
		if !slices.Contains(names, o.Server) {
			names = append(names, o.Server)
		}
	}
	return list(names)
}

// split divides observations by whether has holds. When it holds for all
// of them or for none (nearly always: the servers agree), one result is obs
// itself, capped so that an append never writes into it, and nothing is
// copied: the judges split every reply many times over.
func split(obs []verify.Observation, has func(verify.Observation) bool) (with, without []verify.Observation) {
	n := 0
	for _, o := range obs {
		if has(o) {
			n++
		}
	}
	switch {
	case len(obs) == 0:
		return nil, nil
	case n == len(obs):
		return obs[:n:n], nil
	case n == 0:
		return nil, obs[:len(obs):len(obs)]
	}
	with = make([]verify.Observation, 0, n)
	without = make([]verify.Observation, 0, len(obs)-n)
	for _, o := range obs {
		if has(o) {
			with = append(with, o)
		} else {
			without = append(without, o)
		}
	}
	return with, without
}

// partial records that what is on some servers only.
func (v *verdict) partial(what string, with, without []verify.Observation) {
	who := "your DNS provider"
	if v.where == AtHostingProvider {
		who = "your hosting provider (who runs the reverse zone of the address)"
	}
	v.add(CodePartialPropagation,
		"%s is on %s but not yet on %s: the servers of a zone copy changes from each other, usually within minutes. If it stays like this for more than an hour, ask %s why %s does not get the change.",
		what, servers(with), servers(without), who, servers(without))
}

// list joins names in English: "a", "a and b", "a, b and c".
func list(items []string) string {
	switch len(items) {
	case 0:
		return "none"
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// rdata is the data part of a record in presentation form: "10 mail.example.com.".
func rdata(rr dns.RR) string {
	return strings.TrimPrefix(rr.String(), rr.Header().String())
}

// show renders records for a message: "MX 10 mail.example.com.".
func show(rrs []dns.RR) string {
	if len(rrs) == 0 {
		return "nothing"
	}
	parts := make([]string, len(rrs))
	for i, rr := range rrs {
		parts[i] = dns.TypeToString[rr.Header().Rrtype] + " " + rdata(rr)
	}
	return strings.Join(parts, ", ")
}

// canonicalKey renders records in a fixed order, for grouping servers.
func canonicalKey(rrs []dns.RR) string {
	parts := make([]string, len(rrs))
	for i, rr := range rrs {
		parts[i] = dns.TypeToString[rr.Header().Rrtype] + " " + strings.ToLower(rdata(rr))
	}
	slices.Sort(parts)
	return strings.Join(parts, "\n")
}

// plural returns one when n is 1 and many otherwise.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// numberWord spells small counts: "two DMARC records".
func numberWord(n int) string {
	words := []string{"no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}
	if n >= 0 && n < len(words) {
		return words[n]
	}
	return fmt.Sprint(n)
}

// quoteAll quotes values for a message: `"a" and "b"`.
func quoteAll(values []string) string {
	quoted := make([]string, len(values))
	for i, s := range values {
		quoted[i] = fmt.Sprintf("%q", clip(s))
	}
	return list(quoted)
}

// typed keeps the records of concrete type T, so that a record of an
// unexpected shape (an unknown-type record built by hand) is skipped, never
// a panic.
func typed[T dns.RR](rrs []dns.RR) []T {
	var out []T
	for _, rr := range rrs {
		if t, ok := rr.(T); ok {
			out = append(out, t)
		}
	}
	return out
}
