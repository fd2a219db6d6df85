package steps

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/dnssec"
	"github.com/mailwizard/mailwizard/internal/verify"
)

// IDDNSSEC is the id of the dnssec step: a public contract (JSON output,
// --skip, scripts).
const IDDNSSEC = "dnssec"

// Finding codes of the dnssec step.
const (
	CodeDNSSECUnsigned     = "dnssec-unsigned"
	CodeDNSSECDSMissing    = "dnssec-ds-missing"
	CodeDNSSECDSMismatch   = "dnssec-ds-mismatch"
	CodeDNSSECBogus        = "dnssec-bogus"
	CodeDNSSECExpiring     = "dnssec-expiring"
	CodeDNSSECInconsistent = "dnssec-inconsistent"
)

// variantChosen: DNSSEC and DANE were chosen (--dane), so what is missing
// is pending rather than advice.
const variantChosen = "chosen"

// expiryWarning is how long before its end a signature is reported
// (dnssec-expiring).
const expiryWarning = 7 * 24 * time.Hour

// dnssecStep checks that the zone is signed and its chain of trust holds:
// nothing to paste, signing is switched on at the DNS provider and the DS
// record set at the registrar (RFC 4033-4035).
func dnssecStep() definition {
	return definition{
		id: IDDNSSEC, title: "DNSSEC (signed zone)", where: AtDNSProvider,
		records: func(Config) []Record { return nil }, questions: dnssecQuestions, judge: judgeDNSSEC,
		codes: []FindingCode{
			{Code: CodeDNSSECUnsigned, Severity: SeverityWarning, Effect: StatusWarn,
				Meaning: "the zone is not signed; DNSSEC was not chosen, so this is advice (DANE needs it)"},
			{Code: CodeDNSSECUnsigned, Severity: SeverityError, Effect: StatusPending, variant: variantChosen,
				Meaning: "the zone is not signed yet, and DNSSEC was chosen (`--dane`)"},
			{Code: CodeDNSSECDSMissing, Severity: SeverityWarning, Effect: StatusWarn,
				Meaning: "the zone is signed but the parent has no DS record, so no resolver validates it; DNSSEC was not chosen"},
			{Code: CodeDNSSECDSMissing, Severity: SeverityError, Effect: StatusPending, variant: variantChosen,
				Meaning: "the zone is signed but the DS record is not at the parent yet, and DNSSEC was chosen (`--dane`)"},
			{Code: CodeDNSSECDSMismatch, Severity: SeverityError, Effect: StatusFail,
				Meaning: "the parent's DS records match no key of the zone (or the zone is not signed at all): validating resolvers cannot resolve the domain"},
			{Code: CodeDNSSECBogus, Severity: SeverityError, Effect: StatusFail,
				Meaning: "a signature does not verify, has expired or is not valid yet, or a signed zone serves records without one: validating resolvers refuse them"},
			{Code: CodeDNSSECExpiring, Severity: SeverityWarning, Effect: StatusWarn,
				Meaning: "a signature expires within 7 days (signatures made for a week or less at a time, as online signers do, are not counted)"},
			{Code: CodeDNSSECInconsistent, Severity: SeverityError, Effect: StatusFail,
				Meaning: "the zone's servers serve different signed data: different keys, or one signs and another does not"},
		},
	}
}

// signedQuestions are the questions, with the DO bit, whose answers the
// step checks the signatures of: the records senders look up first (MX,
// the mail host's address), and the TLSA record when DANE is chosen. One
// signer signs a whole zone, so these show whether it signs, and the
// other steps' records are signed alike.
func signedQuestions(cfg Config) []verify.Question {
	qs := []verify.Question{verify.Q(cfg.Domain, dns.TypeMX), verify.Q(cfg.Host, dns.TypeA)}
	if cfg.DANE {
		qs = append(qs, verify.Q(tlsaName(cfg.Host), dns.TypeTLSA))
	}
	for i := range qs {
		qs[i] = qs[i].WithSignatures()
	}
	return qs
}

// signedZones are the zones the step checks: the mail domain's, and the
// mail host's when it lies in another zone (DANE needs the MX host's zone
// signed), as far as the answers known tell (the zone questions every
// step asks, and the host step's address question).
func signedZones(cfg Config, known verify.Answers) []string {
	apex := zoneApex(cfg, known)
	if zone := zoneOfAnswer(cfg, known, verify.Q(cfg.Host, dns.TypeA)); zone != "" && zone != apex {
		return []string{apex, zone}
	}
	return []string{apex}
}

// zoneOfAnswer is the zone that holds q's name, as the round found it;
// in resolver mode, where no zone is found, the domain's for a name in
// it. "" when q has not been answered, or the zone is not known.
func zoneOfAnswer(cfg Config, known verify.Answers, q verify.Question) string {
	a, ok := known.Get(q)
	switch {
	case !ok || a.Err != nil && a.Zone == "":
		return ""
	case a.Zone != "":
		return verify.CanonicalName(a.Zone)
	case inZone(q.Name, cfg.Domain):
		return zoneApex(cfg, known)
	}
	return ""
}

// signs reports whether any server of zone serves a DNSKEY.
func signs(known verify.Answers, zone string) bool {
	r, _ := peek(known, keysQuestion(zone))
	return servesKeys(r, zone)
}

// servesKeys reports whether any server in r, a reply to keysQuestion,
// serves a DNSKEY of zone.
func servesKeys(r reply, zone string) bool {
	return slices.ContainsFunc(r.ok, func(o verify.Observation) bool { return len(o.Records(zone, dns.TypeDNSKEY)) > 0 })
}

// dataQuestions are the signed questions whose names lie in zone: the MX
// question in the domain's zone, the mail host's in the host's.
func dataQuestions(cfg Config, known verify.Answers, zone string) []verify.Question {
	hostZone := zoneOfAnswer(cfg, known, verify.Q(cfg.Host, dns.TypeA))
	apex := zoneApex(cfg, known)
	if hostZone == "" && inZone(cfg.Host, cfg.Domain) {
		hostZone = apex
	}
	var out []verify.Question
	for _, q := range signedQuestions(cfg) {
		in := hostZone
		if q.Type == dns.TypeMX {
			in = apex
		}
		if in == zone {
			out = append(out, q)
		}
	}
	return out
}

func dnssecQuestions(cfg Config, known verify.Answers) []verify.Question {
	var qs []verify.Question
	if cfg.Host != "" {
		// The zone of the mail host is learnt from its address's answer:
		// asked here too, so that this planner is called again when it
		// arrives, whether or not the host step runs in this round.
		qs = append(qs, verify.Q(cfg.Host, dns.TypeA))
	}
	for _, zone := range signedZones(cfg, known) {
		qs = append(qs, keysQuestion(zone), verify.ParentDS(zone))
		if signs(known, zone) {
			qs = append(qs, dataQuestions(cfg, known, zone)...)
		}
	}
	return qs
}

// keysQuestion asks for a zone's DNSKEY records and their signatures.
func keysQuestion(zone string) verify.Question {
	return verify.Q(zone, dns.TypeDNSKEY).WithSignatures()
}

// zoneCheck gathers what one zone's servers say.
type zoneCheck struct {
	cfg  Config
	v    *verdict
	zone string
	// keys are the zone keys each server serves, by server name.
	keys map[string][]*dns.DNSKEY
	// anchors are the keys a DS of the parent points at: the only keys
	// that may sign the DNSKEY set once there is a DS.
	anchors []*dns.DNSKEY
	// hasDS is set when the parent serves a DS record.
	hasDS bool
	// bad are servers with something wrong, and why, for their verdicts.
	bad map[string]string
	// issues are the problems of record sets on servers, said together
	// when they are the same problem (flush).
	issues []*issue
}

// issue is one problem with the signatures of one or more record sets, on
// one or more servers.
type issue struct {
	code    string
	problem string // the same words for every record set it holds for
	keys    bool   // about the DNSKEY set: the whole zone fails
	reason  dnssec.Reason
	what    []string // record sets: "MX example.com."
	servers []string
}

// note adds a problem of the record set what on server.
func (z *zoneCheck) note(code, problem string, keys bool, reason dnssec.Reason, what, server string) {
	var is *issue
	for _, i := range z.issues {
		if i.code == code && i.problem == problem && i.keys == keys {
			is = i
			break
		}
	}
	if is == nil {
		is = &issue{code: code, problem: problem, keys: keys, reason: reason}
		z.issues = append(z.issues, is)
	}
	if !slices.Contains(is.what, what) {
		is.what = append(is.what, what)
	}
	if !slices.Contains(is.servers, server) {
		is.servers = append(is.servers, server)
	}
}

// flush adds the issues to the verdict, one finding each.
func (z *zoneCheck) flush() {
	for _, is := range z.issues {
		sets := fmt.Sprintf("%s on %s", list(is.what), list(is.servers))
		switch is.code {
		case CodeDNSSECBogus:
			consequence := "Validating resolvers refuse these records, so for them they do not exist."
			if is.keys {
				consequence = "Validating resolvers refuse the zone's keys, so every record of the zone fails."
			}
			fix := "Make the signer sign the zone again (your DNS provider, or your signing server: knotc zone-sign, rndc sign), and check that its clock is right."
			if is.reason == dnssec.ReasonNoKey && is.keys && z.hasDS {
				fix = "The DNSKEY set must be signed by the key the parent's DS record points at: publish that key again, or put the DS of the key that signs at the registrar."
			}
			z.v.add(CodeDNSSECBogus, "The signatures of %s are bogus: %s. %s %s", sets, is.problem, consequence, fix)
		case CodeDNSSECExpiring:
			z.v.add(CodeDNSSECExpiring,
				"The signatures of %s expire on %s. A signer renews its signatures before they expire; if this date has not moved in a day, signing has stopped (a zone signed by hand must be signed again: dnssec-signzone, ldns-signzone), and the zone fails validation when it passes.",
				sets, is.problem)
		case CodeDNSSECInconsistent:
			z.v.add(CodeDNSSECInconsistent,
				"%s answers for %s without signatures, while the other servers of %s sign them. Resolvers that ask %s get answers they must refuse once the zone's DS is in place. Make every nameserver serve the signed zone.",
				list(is.servers), list(is.what), z.zone, list(is.servers))
		case CodeDNSSECUnsigned:
			z.v.add(CodeDNSSECBogus,
				"%s serves DNSKEY records, but %s answers for %s without any signature. Validating resolvers refuse unsigned answers from a signed zone. Check that the provider signs every record of the zone (or that the servers load the signer's output).",
				z.zone, list(is.servers), list(is.what))
		}
	}
	z.issues = nil
}

func judgeDNSSEC(cfg Config, known verify.Answers, v *verdict) {
	zones := signedZones(cfg, known)
	var checks []*zoneCheck
	for _, zone := range zones {
		z := &zoneCheck{cfg: cfg, v: v, zone: zone, keys: map[string][]*dns.DNSKEY{}, bad: map[string]string{}}
		if z.judge(known) {
			checks = append(checks, z)
		}
	}
	v.servers = dnssecVerdicts(v, checks)
	v.opinions = dnssecOpinions(known, cfg)
}

// judge checks one zone; it reports false when the zone is not signed or
// could not be checked, and its servers' verdicts say nothing more.
func (z *zoneCheck) judge(known verify.Answers) bool {
	keysR, ok := z.v.ask(known, keysQuestion(z.zone))
	if !ok {
		return false
	}
	var with, without []verify.Observation
	for _, o := range keysR.ok {
		if keys := dnssec.ZoneKeys(o.Records(z.zone, dns.TypeDNSKEY)); len(keys) > 0 {
			z.keys[o.Server] = keys
			with = append(with, o)
		} else {
			without = append(without, o)
		}
	}
	if len(with) == 0 {
		// An unsigned zone with a DS at the parent fails for everyone;
		// without an answer from the parent it is simply unsigned.
		var ds []*dns.DS
		if dsR, ok := peek(known, verify.ParentDS(z.zone)); ok {
			z.v.ask(known, verify.ParentDS(z.zone))
			ds = z.parentDS(dsR)
		}
		z.unsigned(keysR, ds)
		return false
	}
	dsR, dsOK := z.v.ask(known, verify.ParentDS(z.zone))
	var ds []*dns.DS
	if dsOK {
		ds = z.parentDS(dsR)
	}
	z.hasDS = len(ds) > 0
	if len(without) > 0 {
		for _, o := range without {
			z.bad[o.Server] = "serves no DNSKEY: an unsigned copy of the zone"
		}
		z.v.add(CodeDNSSECInconsistent,
			"%s is signed on %s but %s serves it without DNSKEY records, an unsigned copy. Resolvers that ask %s get unsigned answers, which fail validation once the DS record is in place. Make every nameserver serve the signed zone (a secondary must transfer it from the signer, with its signatures).",
			z.zone, servers(with), servers(without), servers(without))
	}
	z.sameKeys(with)
	all := z.allKeys()
	if dsOK {
		z.matchDS(ds, all, dsR)
	}
	z.checkKeySet(keysR)
	for _, q := range dataQuestions(z.cfg, known, z.zone) {
		if r, ok := z.v.ask(known, q); ok {
			z.checkData(r, all)
		}
	}
	z.flush()
	return true
}

// parentDS are the DS records the parent's servers serve (all of them; a
// change at the registry reaches the parent's servers at once, and the
// few that lag are said as partial propagation).
func (z *zoneCheck) parentDS(r reply) []*dns.DS {
	var out []*dns.DS
	with, without := split(r.ok, func(o verify.Observation) bool { return len(o.Records(z.zone, dns.TypeDS)) > 0 })
	for _, o := range with {
		for _, d := range typed[*dns.DS](o.Records(z.zone, dns.TypeDS)) {
			if !slices.ContainsFunc(out, func(e *dns.DS) bool { return dns.IsDuplicate(e, d) }) {
				out = append(out, d)
			}
		}
	}
	if len(with) > 0 && len(without) > 0 {
		z.v.partial("The DS record of "+z.zone, with, without)
	}
	return out
}

// unsigned judges a zone none of whose servers serves a DNSKEY.
func (z *zoneCheck) unsigned(keys reply, ds []*dns.DS) {
	if len(ds) > 0 {
		z.v.add(CodeDNSSECDSMismatch,
			"The parent zone has a DS record for %s (%s), but the zone is not signed: %s serve no DNSKEY. Validating resolvers (most large ones, 8.8.8.8 and 1.1.1.1 among them) then cannot resolve %s at all, so mail to it fails. Remove the DS record at your registrar now, or switch signing back on at your DNS provider.",
			z.zone, dsText(ds), servers(keys.ok), z.zone)
		return
	}
	if z.cfg.DANE {
		z.v.addVariant(CodeDNSSECUnsigned, variantChosen,
			"%s is not signed yet: %s serve no DNSKEY. Switch DNSSEC on at your DNS provider, then add the DS record it shows at your registrar. DANE works only in a signed zone.",
			z.zone, servers(keys.ok))
		return
	}
	z.v.add(CodeDNSSECUnsigned,
		"%s is not signed (%s serve no DNSKEY). That is common and mail works without it, but nobody can tell your records from forged ones, and DANE, which pins your mail server's certificate in DNS, needs a signed zone. If your DNS provider offers DNSSEC, switch it on and add the DS record at your registrar, then choose DANE (--dane).",
		z.zone, servers(keys.ok))
}

// sameKeys reports servers whose key sets differ.
func (z *zoneCheck) sameKeys(with []verify.Observation) {
	groups := groupBy(with, func(o verify.Observation) string { return keyTags(z.keys[o.Server]) })
	if len(groups) < 2 {
		return
	}
	var parts []string
	for _, g := range groups {
		parts = append(parts, fmt.Sprintf("%s serves %s", g.names, g.key))
		for _, o := range g.obs {
			if _, ok := z.bad[o.Server]; !ok {
				z.bad[o.Server] = "serves " + g.key
			}
		}
	}
	z.v.add(CodeDNSSECInconsistent,
		"The servers of %s serve different DNSKEY sets: %s. A resolver that gets the keys from one server and signatures from another finds them bogus. Let every server serve the zone from the same signer (secondaries transferring the signed zone), or wait for a key rollover to reach all of them.",
		z.zone, strings.Join(parts, "; "))
}

// allKeys are the zone keys any server serves.
func (z *zoneCheck) allKeys() []*dns.DNSKEY {
	var out []*dns.DNSKEY
	for _, keys := range z.keys {
		for _, k := range keys {
			if !slices.ContainsFunc(out, func(e *dns.DNSKEY) bool { return dns.IsDuplicate(e, k) }) {
				out = append(out, k)
			}
		}
	}
	slices.SortFunc(out, func(a, b *dns.DNSKEY) int { return int(a.KeyTag()) - int(b.KeyTag()) })
	return out
}

// matchDS checks the parent's DS records against the zone's keys.
func (z *zoneCheck) matchDS(ds []*dns.DS, keys []*dns.DNSKEY, r reply) {
	if len(ds) == 0 {
		ksk := keys[0]
		for _, k := range keys {
			if k.Flags&dns.SEP != 0 {
				ksk = k
				break
			}
		}
		want := ksk.ToDS(dns.SHA256)
		text := fmt.Sprintf("%s is signed, but the parent zone (%s) has no DS record for it, so no resolver can check the signatures: the zone counts as unsigned. Add the DS record at your registrar (your DNS provider shows it): %s DS %d %d %d %s.",
			z.zone, servers(r.ok), z.zone, want.KeyTag, want.Algorithm, want.DigestType, strings.ToUpper(want.Digest))
		if z.cfg.DANE {
			z.v.addVariant(CodeDNSSECDSMissing, variantChosen, "%s", text)
		} else {
			z.v.add(CodeDNSSECDSMissing, "%s", text)
		}
		return
	}
	matches := dnssec.MatchDS(ds, keys)
	for _, m := range matches {
		if m.Key != nil {
			z.anchors = append(z.anchors, m.Key)
		}
	}
	if len(z.anchors) > 0 || !slices.ContainsFunc(matches, func(m dnssec.DSMatch) bool { return !m.Unsupported }) {
		return
	}
	z.v.add(CodeDNSSECDSMismatch,
		"The parent zone's DS record for %s (%s, on %s) matches none of the zone's keys (%s). Validating resolvers (8.8.8.8 and 1.1.1.1 among them) then cannot resolve %s at all, so mail to it fails. This happens after moving the zone to another provider or making new keys: replace the DS record at your registrar with the one your DNS provider shows now.",
		z.zone, dsText(ds), servers(r.ok), keyTags(keys), z.zone)
}

// checkKeySet checks that each server's DNSKEY set is signed by a key
// the DS points at (by any of its keys while there is no DS yet).
func (z *zoneCheck) checkKeySet(r reply) {
	for _, o := range r.ok {
		keys := z.keys[o.Server]
		if len(keys) == 0 {
			continue
		}
		signers := keys
		if z.hasDS {
			if len(z.anchors) == 0 {
				return // the DS mismatch says it all
			}
			signers = z.anchors
		}
		rrset := o.Records(z.zone, dns.TypeDNSKEY)
		c := dnssec.VerifyRRset(rrset, dnssec.Covering(o.Answer, z.zone, dns.TypeDNSKEY), signers, o.At)
		if c.Reason == dnssec.ReasonNoKey && z.hasDS && c.Sig != nil {
			c.Problem = fmt.Sprintf("the DNSKEY set is signed by key %d only, not by %s, which the parent's DS record points at", c.Sig.KeyTag, keyTags(z.anchors))
		}
		z.judgeCheck(o, "DNSKEY "+z.zone, c, true)
	}
}

// checkData checks the signatures on every record set of a reply in the
// zone, on each server.
func (z *zoneCheck) checkData(r reply, keys []*dns.DNSKEY) {
	type set struct {
		name  string
		rtype uint16
	}
	type unsigned struct {
		server, what string
	}
	var missing []unsigned
	signedOn := false
	for _, o := range r.ok {
		var sets []set
		for _, rr := range o.Answer {
			h := rr.Header()
			s := set{verify.CanonicalName(h.Name), h.Rrtype}
			if h.Rrtype == dns.TypeRRSIG || !inZone(s.name, z.zone) || slices.Contains(sets, s) {
				continue
			}
			sets = append(sets, s)
		}
		for _, s := range sets {
			sigs := dnssec.Covering(o.Answer, s.name, s.rtype)
			c := dnssec.VerifyRRset(o.Records(s.name, s.rtype), sigs, keys, o.At)
			what := dns.TypeToString[s.rtype] + " " + s.name
			if c.Verdict == dnssec.Unsigned {
				missing = append(missing, unsigned{o.Server, what})
				continue
			}
			signedOn = true
			z.judgeCheck(o, what, c, false)
		}
	}
	// Served unsigned while another server signs: inconsistent; signed by
	// no server although the zone has keys: bogus (said in flush).
	code := CodeDNSSECUnsigned
	if signedOn {
		code = CodeDNSSECInconsistent
	}
	for _, m := range missing {
		z.bad[m.server] = "serves " + m.what + " without signatures"
		z.note(code, "", false, dnssec.ReasonNone, m.what, m.server)
	}
}

// judgeCheck notes the verdict on one RRset of one server: bogus, or
// secure but expiring within expiryWarning. Signatures made for a week or
// less at a time come from a signer that renews them all the time (an
// online signer) and are not reported as expiring.
func (z *zoneCheck) judgeCheck(o verify.Observation, what string, c dnssec.Check, keys bool) {
	switch c.Verdict {
	case dnssec.Bogus:
		z.bad[o.Server] = "bogus " + what + ": " + c.Problem
		z.note(CodeDNSSECBogus, c.Problem, keys, c.Reason, what, o.Server)
	case dnssec.Secure:
		if o.At.IsZero() || c.Expiration.Sub(c.Inception) <= expiryWarning {
			return
		}
		if left := c.Expiration.Sub(o.At); left < expiryWarning {
			when := fmt.Sprintf("%s, in %s", c.Expiration.UTC().Format("2006-01-02 15:04 UTC"), days(left))
			z.note(CodeDNSSECExpiring, when, false, c.Reason, what, o.Server)
		}
	}
}

// keyTags names keys: "key 12345 (ECDSAP256SHA256 (13), KSK)".
func keyTags(keys []*dns.DNSKEY) string {
	var parts []string
	for _, k := range keys {
		role := "ZSK"
		if k.Flags&dns.SEP != 0 {
			role = "KSK"
		}
		parts = append(parts, fmt.Sprintf("key %d (%s, %s)", k.KeyTag(), dnssec.Algorithm(k.Algorithm), role))
	}
	slices.Sort(parts)
	return list(parts)
}

// dsText names DS records: "DS 12345 13 2".
func dsText(ds []*dns.DS) string {
	var parts []string
	for _, d := range ds {
		parts = append(parts, fmt.Sprintf("DS %d %d %d", d.KeyTag, d.Algorithm, d.DigestType))
	}
	return list(parts)
}

// dnssecVerdicts say, per nameserver of the checked zones, whether it
// serves signed data the chain of trust holds, and per parent server
// which DS it serves.
func dnssecVerdicts(v *verdict, checks []*zoneCheck) []ServerVerdict {
	var out []ServerVerdict
	for _, z := range checks {
		var names []string
		for name := range z.keys {
			names = append(names, name)
		}
		for name := range z.bad {
			if !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
		slices.Sort(names)
		for _, name := range names {
			sv := ServerVerdict{Server: name, Verdict: VerdictOK, Detail: "signs " + z.zone + " with " + keyTags(z.keys[name])}
			if why, ok := z.bad[name]; ok {
				sv.Verdict, sv.Detail = VerdictBad, why
			}
			out = append(out, sv)
		}
	}
	signed := func(zone string) bool {
		return slices.ContainsFunc(checks, func(z *zoneCheck) bool { return z.zone == zone })
	}
	for _, a := range v.observed {
		if a.Question.Via != verify.Parent || a.Question.Type != dns.TypeDS || !signed(a.Question.Name) {
			continue
		}
		for _, o := range a.Servers {
			sv := ServerVerdict{Server: o.Server + " (parent of " + a.Question.Name + ")", Verdict: VerdictOK}
			ds := typed[*dns.DS](o.Records(a.Question.Name, dns.TypeDS))
			switch {
			case o.Err != nil:
				sv.Verdict, sv.Detail = VerdictUnknown, "could not check: "+failure(withoutQuery(o.Err))
			case len(ds) == 0:
				sv.Verdict, sv.Detail = VerdictBad, "serves no DS record"
			default:
				sv.Detail = "serves " + dsText(ds)
			}
			out = append(out, sv)
		}
	}
	if len(out) == 0 {
		return nil
	}
	for i := range out {
		out[i].Detail = printable(out[i].Detail)
	}
	return out
}

// dnssecOpinions are the second opinion: whether each resolver validated
// the signed answers (the AD bit, RFC 4035 §3.2.3).
func dnssecOpinions(known verify.Answers, cfg Config) []Opinion {
	type view struct{ ad, plain, failed, servfail int }
	var order []string
	views := map[string]*view{}
	for _, q := range signedQuestions(cfg) {
		a, ok := known.Get(q)
		if !ok {
			continue
		}
		for _, o := range a.Resolvers {
			w, ok := views[o.Server]
			if !ok {
				w = &view{}
				views[o.Server] = w
				order = append(order, o.Server)
			}
			switch {
			case o.Rcode == dns.RcodeServerFailure:
				w.servfail++
			case o.Err != nil:
				w.failed++
			case o.AuthenticatedData:
				w.ad++
			default:
				w.plain++
			}
		}
	}
	var out []Opinion
	for _, name := range order {
		w := views[name]
		note := ""
		switch {
		case w.servfail > 0:
			note = fmt.Sprintf("%s answers SERVFAIL to %d of the signed questions: a validating resolver does that when it finds the signatures bogus.", name, w.servfail)
		case w.ad > 0 && w.plain == 0:
			note = name + " validates the answers (it sets the AD bit): the chain of trust holds from where it stands."
		case w.ad > 0:
			note = fmt.Sprintf("%s validates %d of the answers (AD bit) and not %d others.", name, w.ad, w.plain)
		case w.plain > 0:
			note = name + " does not set the AD bit: it does not validate DNSSEC, or it finds no chain of trust to the zone."
		case w.failed > 0:
			note = "Could not ask " + name + "."
		default:
			continue
		}
		out = append(out, Opinion{Resolver: name, Note: printable(note)})
	}
	return out
}
