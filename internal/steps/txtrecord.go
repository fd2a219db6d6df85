package steps

import (
	"slices"
	"strings"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
)

// txtKind is a TXT record that a name must hold exactly once, told apart
// from the other TXT records there by its version tag: the MTA-STS and
// TLS-RPT records, which senders ignore when there are two (RFC 8461
// §3.1, RFC 8460 §3).
type txtKind struct {
	// what names the record in messages: "MTA-STS record".
	what string
	// is reports whether a value is meant as one: "v=STSv1" in any case.
	is func(string) bool
	// missing, multiple and syntax are the step's codes for none, more
	// than one, and one that does not parse.
	missing, multiple, syntax string
	// why says in a sentence what the record is for, for the missing
	// message.
	why string
	// ignored says what senders do with a record that does not count.
	ignored string
	// after, when set, are sentences for the end of the missing message.
	after string
}

// values returns the records of the kind (joined) at name in a reply,
// mangled ones included, as they were meant.
func (k txtKind) values(o verify.Observation, name string) []string {
	var out []string
	for _, rr := range typed[*dns.TXT](o.Records(name, dns.TypeTXT)) {
		raw := rawStrings(rr.Txt)
		if joined := strings.Join(raw, ""); k.is(joined) {
			out = append(out, joined)
		} else if d, ok := inspectTXT(raw); ok && k.is(d.meant) {
			out = append(out, joined)
		}
	}
	slices.Sort(out)
	return out
}

// checkOne judges the records of the kind that servers returned in r (at
// the end of the CNAME chain from name, when name is an alias): none
// anywhere is missing, on some servers only partial, two or more on a
// server multiple, a mangled one syntax. For each group of servers that
// agree on one clean value, it calls judge with the value. want is the
// record to publish.
func (k txtKind) checkOne(v *verdict, name string, r reply, want string, judge func(g group, value string)) {
	values := func(o verify.Observation) []string { return k.values(o, r.q.Name) }
	with, without := split(r.ok, func(o verify.Observation) bool { return len(values(o)) > 0 })
	switch {
	case len(with) == 0 && r.q.Name != name:
		v.add(k.missing, "%s is published as a CNAME to %s, which has no %s on %s. %s Ask whoever runs %s to publish it, or publish your own TXT record at %s instead of the CNAME: %q.%s",
			name, r.q.Name, k.what, servers(without), k.why, r.q.Name, name, want, k.after)
		return
	case len(with) == 0:
		v.add(k.missing, "%s has no %s on %s yet. %s Add a TXT record there: %q.%s", r.q.Name, k.what, servers(without), k.why, want, k.after)
		return
	case len(without) > 0:
		v.partial("The "+k.what+" "+r.q.Name, with, without)
	}
	for _, g := range groupBy(with, func(o verify.Observation) string { return strings.Join(values(o), "\n") }) {
		vals := values(g.obs[0])
		if len(vals) > 1 {
			v.add(k.multiple, "%s has %s %ss on %s (%s); %s. Keep one: %q.",
				r.q.Name, numberWord(len(vals)), k.what, g.names, quoteAll(vals), k.ignored, want)
			continue
		}
		if d, mangled := inspectTXT([]string{vals[0]}); mangled {
			v.add(k.syntax, "The %s %s on %s %s, so %s. Enter the value without quotes: %q.",
				k.what, r.q.Name, g.names, d.what, k.ignored, d.meant)
			continue
		}
		judge(g, vals[0])
	}
}
