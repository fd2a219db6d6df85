package steps

import "slices"

// FindingCode declares one finding a step can report: the code scripts
// match on, its severity, and the status it gives its step. Each step's
// file declares its own codes with the step; CommonCodes are those every
// step shares. A finding names only its code, so it cannot weigh other
// than its declaration says.
type FindingCode struct {
	Code string
	// Step is the id of the step that reports it; empty for the codes
	// every step shares.
	Step     string
	Severity Severity
	// Effect is the status the finding gives its step, at least: fail
	// (published but wrong), pending (not published everywhere yet), error
	// (could not be checked), warn (correct, with advice) or pass (only
	// information).
	Effect Status
	// Meaning says in one sentence when the finding is reported.
	Meaning string
	// variant tells apart two declarations of one code that weigh
	// differently (spf-too-many-lookups is a warning near the limit and an
	// error beyond it); empty for the usual one.
	variant string
}

// Finding codes common to every step: a public contract.
const (
	CodePartialPropagation = "partial-propagation"
	CodeDoubledDomain      = "doubled-domain"
	CodeLookupError        = "lookup-error"
	CodeNSUnreachable      = "ns-unreachable"
	CodeNSTooMany          = "ns-too-many"
)

// CommonCodes are the finding codes every step may report.
func CommonCodes() []FindingCode {
	return []FindingCode{
		{Code: CodePartialPropagation, Severity: SeverityWarning, Effect: StatusPending,
			Meaning: "on some servers only"},
		{Code: CodeDoubledDomain, Severity: SeverityError, Effect: StatusFail,
			Meaning: "the record sits at `name.example.com.example.com`"},
		{Code: CodeLookupError, Severity: SeverityWarning, Effect: StatusError,
			Meaning: "could not check (timeout, SERVFAIL, REFUSED)"},
		{Code: CodeNSUnreachable, Severity: SeverityWarning, Effect: StatusWarn,
			Meaning: "some servers gave no usable answer"},
		{Code: CodeNSTooMany, Severity: SeverityWarning, Effect: StatusWarn,
			Meaning: "the zone names more nameservers than a check asks (13); those not asked are named"},
		{Code: CodeNSDelegationMismatch, Severity: SeverityWarning, Effect: StatusWarn,
			Meaning: "the parent zone delegates the domain to other nameservers than its own NS records name"},
		{Code: CodeCNAMEDangling, Severity: SeverityError, Effect: StatusFail,
			Meaning: "the record is a CNAME to a name that does not exist"},
		{Code: CodeCNAMELoop, Severity: SeverityError, Effect: StatusFail,
			Meaning: "the record's CNAME chain comes back to a name it passed"},
		{Code: CodeCNAMETooDeep, Severity: SeverityError, Effect: StatusFail,
			Meaning: "the record's CNAME chain has more than 8 CNAMEs"},
		{Code: CodeWildcardOnly, Severity: SeverityWarning, Effect: StatusWarn,
			Meaning: "the record is not published itself: a wildcard answers for it"},
	}
}

// Codes returns every finding code: each step's, in the wizard's order,
// then the common ones.
func Codes() []FindingCode {
	var out []FindingCode
	for _, s := range All() {
		out = append(out, s.Codes...)
	}
	return append(out, CommonCodes()...)
}

// declared finds the declaration of a code (and variant) among codes.
func declared(codes []FindingCode, code, variant string) (FindingCode, bool) {
	i := slices.IndexFunc(codes, func(c FindingCode) bool { return c.Code == code && c.variant == variant })
	if i < 0 {
		return FindingCode{}, false
	}
	return codes[i], true
}

// rank orders statuses as Overall weighs them: pass < warn < error <
// pending < fail. A skipped step weighs nothing.
func (s Status) rank() int {
	return slices.Index([]Status{StatusPass, StatusWarn, StatusError, StatusPending, StatusFail}, s)
}
