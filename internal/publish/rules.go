package publish

import "github.com/mailwizard/mailwizard/internal/steps"

// Which records already in the zone a step owns at the name of one of its
// records is the step's own declaration (steps.Ownership): a step owns
// only the records of a type it declares, whose value its declaration
// accepts. A record whose type its step declares nothing for is never
// published (the plan shows it as a conflict).

// ruleFor returns what step owns of the records of rtype.
func ruleFor(step, rtype string) (steps.Ownership, bool) {
	return steps.Owner(step, rtype)
}

// OwnershipNote says which records at a name and type the step owns, for
// exports that others edit: "only the TXT record starting v=spf1 is
// mailwizard's; other TXT records here stay". "" without a rule.
func OwnershipNote(step, rtype string) string {
	r, _ := ruleFor(step, rtype)
	return r.Note
}
