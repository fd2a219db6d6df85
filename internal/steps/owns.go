package steps

import "strings"

// Ownership declares which records already in a zone a step owns at the
// name of one of its own records, so that publishing the step replaces
// those and nothing else: the records of Type whose value Owns accepts. A
// record type its step declares no ownership of is never published, so
// another DKIM selector, a site verification TXT at the apex or any SOA,
// NS, DNSKEY or DS record is never touched.
type Ownership struct {
	Type string // "TXT"
	// What names the owned records in a plan: "SPF record".
	What string
	// Note says what is owned there, for exported records that others
	// edit: "only the TXT record starting v=spf1 is mailwizard's; other
	// TXT records here stay".
	Note string
	// tag, when set, is what an owned value starts with (any case),
	// followed by its end or one of separators; empty, every record of
	// the type at the name is owned.
	tag, separators string
	// valid, when set, says whether an owned value keeps its grammar.
	valid func(string) bool
}

// Valid reports whether an owned value keeps the grammar of its kind of
// record; without a grammar to keep, every value does.
func (o Ownership) Valid(value string) bool {
	return o.valid == nil || o.valid(value)
}

// Owns reports whether a current value (TXT joined and unquoted) belongs
// to the step.
func (o Ownership) Owns(value string) bool {
	if o.tag == "" {
		return true
	}
	value = strings.TrimLeft(value, " \t")
	if len(value) < len(o.tag) || !strings.EqualFold(value[:len(o.tag)], o.tag) {
		return false
	}
	rest := value[len(o.tag):]
	return rest == "" || strings.ContainsAny(rest[:1], o.separators+"\t")
}

// Owner returns what step id owns of the records of type rtype at the
// names of its own records.
func Owner(id, rtype string) (Ownership, bool) {
	s, ok := ByID(id)
	if !ok {
		return Ownership{}, false
	}
	for _, o := range s.Owns {
		if o.Type == rtype {
			return o, true
		}
	}
	return Ownership{}, false
}
