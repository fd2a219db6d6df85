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
	// note says what publish owns there, for exported records.
	note string
}

// rules is the ownership table. A step owns a record only when the row's
// type matches, the name is one of the step's own records' names, and the
// value matches: so another selector's DKIM key, a site verification TXT at
// the apex or any SOA, NS, DNSKEY or DS record is never touched.
var rules = []rule{
	{step: steps.IDHost, rtype: "A", what: "address of the mail host", note: "every A record of the mail host is mailwizard's"},
	{step: steps.IDHost, rtype: "AAAA", what: "IPv6 address of the mail host", note: "every AAAA record of the mail host is mailwizard's"},
	// RFC 7208 §4.5: SPF records are the TXT records that start "v=spf1".
	{step: steps.IDSPF, rtype: "TXT", owns: tagged("v=spf1", " "), what: "SPF record", note: "only the TXT record starting v=spf1 is mailwizard's; other TXT records here stay"},
	// The selector's name holds one DKIM key: every TXT there is the
	// step's (RFC 6376 §3.6.2.2), and other selectors are other names.
	{step: steps.IDDKIM, rtype: "TXT", what: "DKIM key record", note: "the TXT records of this selector are mailwizard's; other selectors stay"},
	// RFC 7489 §6.3: DMARC records start "v=DMARC1".
	{step: steps.IDDMARC, rtype: "TXT", owns: tagged("v=DMARC1", "; "), what: "DMARC record", note: "only the TXT record starting v=DMARC1 is mailwizard's"},
	{step: steps.IDMX, rtype: "MX", what: "MX record", note: "every MX record at the apex is mailwizard's: other mail hosts are replaced"},
	{step: steps.IDAutoconfig, rtype: "SRV", what: "SRV record", note: "the SRV records of the services offered are mailwizard's"},
	{step: steps.IDAutoconfig, rtype: "CNAME", what: "alias", note: "the alias is mailwizard's; other records at this name conflict with it"},
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

// OwnershipNote says which records at a name and type the step owns, for
// exports that others edit: "only the TXT record starting v=spf1 is
// mailwizard's; other TXT records here stay". "" without a rule.
func OwnershipNote(step, rtype string) string {
	r, _ := ruleFor(step, rtype)
	return r.note
}
