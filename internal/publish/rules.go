package publish

import (
	"strings"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// rule says which records already in the zone a step owns at the name of
// one of its records: those of the rule's type whose value owns accepts.
// Adding a step that publishes records is adding its rows here; a record
// with no row is never published (the plan shows it as a conflict).
type rule struct {
	step, rtype string
	// owns reports whether a current value (TXT joined and unquoted)
	// belongs to the step. nil owns every record of the type at the name.
	owns func(value string) bool
	// what describes the owned records in the plan: "SPF record".
	what string
}

// rules is the ownership table. A step owns a record only when the row's
// type matches, the name is one of the step's own records' names, and the
// value matches: so another selector's DKIM key, a site verification TXT at
// the apex or any SOA, NS, DNSKEY or DS record is never touched.
var rules = []rule{
	{step: steps.IDHost, rtype: "A", what: "address of the mail host"},
	{step: steps.IDHost, rtype: "AAAA", what: "IPv6 address of the mail host"},
	// RFC 7208 §4.5: SPF records are the TXT records that start "v=spf1".
	{step: steps.IDSPF, rtype: "TXT", owns: tagged("v=spf1", " "), what: "SPF record"},
	// The selector's name holds one DKIM key: every TXT there is the
	// step's (RFC 6376 §3.6.2.2), and other selectors are other names.
	{step: steps.IDDKIM, rtype: "TXT", what: "DKIM key record"},
	// RFC 7489 §6.3: DMARC records start "v=DMARC1".
	{step: steps.IDDMARC, rtype: "TXT", owns: tagged("v=DMARC1", "; "), what: "DMARC record"},
	{step: steps.IDMX, rtype: "MX", what: "MX record"},
	{step: steps.IDAutoconfig, rtype: "SRV", what: "SRV record"},
	{step: steps.IDAutoconfig, rtype: "CNAME", what: "alias"},
}

// ruleFor returns the row of step and rtype.
func ruleFor(step, rtype string) (rule, bool) {
	for _, r := range rules {
		if r.step == step && r.rtype == rtype {
			return r, true
		}
	}
	return rule{}, false
}

// owned reports whether the rule claims value.
func (r rule) owned(value string) bool {
	return r.owns == nil || r.owns(value)
}

// tagged accepts values that start with tag (any case) followed by the
// end or one of the separator characters.
func tagged(tag, separators string) func(string) bool {
	return func(value string) bool {
		value = strings.TrimLeft(value, " \t")
		if len(value) < len(tag) || !strings.EqualFold(value[:len(tag)], tag) {
			return false
		}
		rest := value[len(tag):]
		return rest == "" || strings.ContainsAny(rest[:1], separators+"\t")
	}
}
