package steps

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/miekg/dns"
	"golang.org/x/net/publicsuffix"

	"github.com/mailwizard/mailwizard/internal/verify"
)

// IDDMARC is the id of the dmarc step: a public contract (JSON output,
// --skip, scripts).
const IDDMARC = "dmarc"

// dmarcStep is the DMARC record, and the authorization that a report
// domain elsewhere publishes.
func dmarcStep() definition {
	return definition{
		id: IDDMARC, title: "DMARC record", where: AtDNSProvider,
		records: dmarcRecords, questions: dmarcQuestions, judge: judgeDMARC,
		// RFC 7489 §6.3: DMARC records start "v=DMARC1".
		owns: []Ownership{{Type: "TXT", tag: "v=DMARC1", separators: "; ", What: "DMARC record",
			Note: "only the TXT record starting v=DMARC1 is mailwizard's"}},
		codes: []FindingCode{
			{Code: CodeDMARCMissing, Severity: SeverityError, Effect: StatusPending,
				Meaning: "no DMARC record, and none inherited from the organizational domain"},
			{Code: CodeDMARCMultiple, Severity: SeverityError, Effect: StatusFail,
				Meaning: "more than one DMARC record"},
			{Code: CodeDMARCSyntax, Severity: SeverityError, Effect: StatusFail,
				Meaning: "the record breaks RFC 7489's grammar; the message says what receivers do with it (ignore it, apply it as `p=none`, or skip a tag)"},
			{Code: CodeDMARCPolicyNone, Severity: SeverityInfo, Effect: StatusPass,
				Meaning: "`p=none` (own or inherited)"},
			{Code: CodeDMARCRUAUnauthorized, Severity: SeverityWarning, Effect: StatusWarn,
				Meaning: "reports go to another domain that has not authorized them"},
			{Code: CodeDMARCAtApex, Severity: SeverityWarning, Effect: StatusWarn,
				Meaning: "a DMARC record at the domain itself, where receivers never look"},
			{Code: CodeDMARCNoRUA, Severity: SeverityInfo, Effect: StatusPass,
				Meaning: "no `rua=` address (own or inherited record)"},
			{Code: CodeDMARCURINotMailto, Severity: SeverityWarning, Effect: StatusWarn,
				Meaning: "a `rua=`/`ruf=` URI that is not `mailto:`: valid, but receivers only have to send to `mailto:`, and almost none send elsewhere"},
			{Code: CodeDMARCInherited, Severity: SeverityInfo, Effect: StatusPass,
				Meaning: "a subdomain (`news.example.com`) without a record of its own: receivers apply its organizational domain's `sp=`, else `p=` (RFC 7489 §6.6.3). Publishing one is only needed for a different policy"},
		},
	}
}

// Finding codes of the dmarc step.
const (
	CodeDMARCMissing         = "dmarc-missing"
	CodeDMARCMultiple        = "dmarc-multiple"
	CodeDMARCSyntax          = "dmarc-syntax"
	CodeDMARCPolicyNone      = "dmarc-policy-none"
	CodeDMARCRUAUnauthorized = "dmarc-rua-unauthorized"
	CodeDMARCAtApex          = "dmarc-at-apex"
	CodeDMARCNoRUA           = "dmarc-no-rua"
	CodeDMARCURINotMailto    = "dmarc-uri-not-mailto"
	CodeDMARCInherited       = "dmarc-inherited"
)

const (
	// maxReportDomains bounds the report domains whose authorization is
	// checked.
	maxReportDomains = 5
	// dmarcAuthValue is the authorization a report domain publishes
	// (RFC 7489 §7.1).
	dmarcAuthValue = dmarcVersion
)

// dmarcName is where the DMARC record lives (RFC 7489 §6.1).
func dmarcName(domain string) string { return "_dmarc." + domain }

// dmarcValue is the record to publish.
func dmarcValue(cfg Config) string {
	return fmt.Sprintf("%s; p=%s; rua=mailto:%s", dmarcVersion, cfg.DMARCPolicy, cfg.DMARCRUA)
}

// dmarcRecords is the DMARC record, and when reports go to another
// organisation's domain, the record that domain must publish to accept
// them (RFC 7489 §7.1).
func dmarcRecords(cfg Config) []Record {
	if cfg.Domain == "" {
		return nil
	}
	out := []Record{{Name: dmarcName(cfg.Domain), Type: "TXT", TTL: cfg.TTL, Value: dmarcValue(cfg)}}
	if name := reportAuthName(cfg.Domain, cfg.DMARCRUA); name != "" {
		out = append(out, Record{Name: name, Type: "TXT", TTL: cfg.TTL, Value: dmarcAuthValue})
	}
	return out
}

// reportAuthName is the name at which the domain of a report address
// authorizes reports about domain, or "" when the address is in domain's
// own organisation (or not an address).
func reportAuthName(domain, addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return ""
	}
	other, err := parseName(addr[at+1:], nameRules{needDot: true})
	if err != nil || orgDomain(other) == orgDomain(domain) {
		return ""
	}
	return strings.TrimSuffix(verify.CanonicalName(domain), ".") + "._report._dmarc." + other
}

// dmarcOrgName is where the DMARC record of the organizational domain of
// domain lives, whose policy receivers apply when domain has no record of
// its own (RFC 7489 §6.6.3); "" when domain is an organizational domain.
func dmarcOrgName(domain string) string {
	org := orgDomain(domain)
	if org == strings.TrimSuffix(strings.ToLower(domain), ".") {
		return ""
	}
	return dmarcName(org + ".")
}

// orgDomain is the organisational domain of name (RFC 7489 §3.2): one
// label under its public suffix.
func orgDomain(name string) string {
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	org, err := publicsuffix.EffectiveTLDPlusOne(name)
	if err != nil {
		return name
	}
	return org
}

func dmarcQuestions(cfg Config, known verify.Answers) []verify.Question {
	q := verify.Q(dmarcName(cfg.Domain), dns.TypeTXT)
	qs := []verify.Question{q, verify.Q(cfg.Domain, dns.TypeTXT)}
	if org := dmarcOrgName(cfg.Domain); org != "" {
		// Asked at once, not after the domain's own record turns out
		// missing: the round needs no second trip for it.
		qs = append(qs, verify.Q(org, dns.TypeTXT))
	}
	qs = append(qs, doubledQuestions(cfg, known, q)...)
	qs = append(qs, wildcardQuestions(cfg, known, q)...)
	for _, name := range reportAuthNames(cfg, known) {
		qs = append(qs, verify.Q(name, dns.TypeTXT))
	}
	return qs
}

// reportAuthNames are the authorization names of the configured report
// address and of every published one at another organisation's domain.
func reportAuthNames(cfg Config, known verify.Answers) []string {
	var out []string
	addrs := []string{cfg.DMARCRUA}
	r, _ := peekFollow(known, verify.Q(dmarcName(cfg.Domain), dns.TypeTXT))
	for _, o := range r.ok {
		for _, value := range dmarcValues(o, r.q.Name) {
			if rec, err := parseDMARC(value); err == nil {
				addrs = append(addrs, rec.rua...)
			}
		}
	}
	for _, addr := range addrs {
		if name := reportAuthName(cfg.Domain, addr); name != "" && !slices.Contains(out, name) && len(out) < maxReportDomains {
			out = append(out, name)
		}
	}
	return out
}

// dmarcValues returns the DMARC records (joined) at name in a reply,
// mangled ones included, as they were meant.
func dmarcValues(o verify.Observation, name string) []string {
	var out []string
	for _, rr := range typed[*dns.TXT](o.Records(name, dns.TypeTXT)) {
		raw := rawStrings(rr.Txt)
		if joined := strings.Join(raw, ""); isDMARC(joined) {
			out = append(out, joined)
		} else if d, ok := inspectTXT(raw); ok && isDMARC(d.meant) {
			out = append(out, joined)
		}
	}
	slices.Sort(out)
	return out
}

func judgeDMARC(cfg Config, known verify.Answers, v *verdict) {
	q := verify.Q(dmarcName(cfg.Domain), dns.TypeTXT)
	if r, ok := v.follow(known, q, "The DMARC record "+q.Name); ok {
		checkDMARC(v, cfg, known, r)
	}
	checkDMARCAtApex(v, cfg, known)
	v.checkDoubled(cfg, known, q, "The DMARC record")
	v.checkWildcard(cfg, known, q, "The DMARC record "+q.Name)
}

func checkDMARC(v *verdict, cfg Config, known verify.Answers, r reply) {
	values := func(o verify.Observation) []string { return dmarcValues(o, r.q.Name) }
	with, without := split(r.ok, func(o verify.Observation) bool { return len(values(o)) > 0 })
	want := dmarcValue(cfg)
	switch {
	case len(with) == 0 && r.q.Name != dmarcName(cfg.Domain):
		v.add(CodeDMARCMissing,
			"%s is published as a CNAME to %s, but %s has no DMARC record on %s yet. The record is managed there: ask whoever runs %s (your DMARC report service) to publish it, or publish your own TXT record at %s instead of the CNAME: %q.",
			dmarcName(cfg.Domain), v.cnames[len(v.cnames)-1].Target, r.q.Name, servers(without), r.q.Name, dmarcName(cfg.Domain), want)
		return
	case len(with) == 0 && dmarcOrgName(cfg.Domain) != "":
		checkInherited(v, cfg, known, r, want)
		return
	case len(with) == 0:
		v.add(CodeDMARCMissing,
			"%s has no DMARC record on %s yet. DMARC tells receivers what to do with mail that falsely claims to come from your domain, and big providers expect it. Add a TXT record there: %q.",
			r.q.Name, servers(without), want)
		return
	case len(without) > 0:
		v.partial("The DMARC record "+r.q.Name, with, without)
	}
	authChecked := make(map[string]bool)
	for _, g := range groupBy(with, func(o verify.Observation) string { return strings.Join(values(o), "\n") }) {
		vals := values(g.obs[0])
		if len(vals) > 1 {
			v.add(CodeDMARCMultiple,
				"%s has %s DMARC records on %s (%s); receivers ignore %s. Keep one: %q.",
				r.q.Name, numberWord(len(vals)), g.names, quoteAll(vals), plural(len(vals)-1, "both", "all of them"), want)
			continue
		}
		rec, ok := judgeDMARCValue(v, r.q.Name, g, vals[0], want)
		if !ok {
			continue
		}
		for _, addr := range rec.rua {
			name := reportAuthName(cfg.Domain, addr)
			if name == "" || authChecked[name] {
				continue
			}
			authChecked[name] = true
			checkReportAuth(v, cfg, known, addr, name)
		}
	}
}

// checkInherited judges a subdomain without a DMARC record of its own by
// the record of its organizational domain, whose policy receivers apply to
// it (RFC 7489 §6.6.3: sp=, else p=). own is the reply for the
// subdomain's own record.
func checkInherited(v *verdict, cfg Config, known verify.Answers, own reply, want string) {
	name := dmarcOrgName(cfg.Domain)
	r, ok := v.ask(known, verify.Q(name, dns.TypeTXT))
	if !ok {
		return
	}
	domain := strings.TrimSuffix(cfg.Domain, ".")
	org := strings.TrimPrefix(strings.TrimSuffix(name, "."), "_dmarc.")
	missing := func(why string, args ...any) {
		v.add(CodeDMARCMissing,
			"%s has no DMARC record on %s yet, and %s, so receivers apply no DMARC policy to mail from %s. DMARC tells receivers what to do with mail that falsely claims to come from your domain, and big providers expect it. Add a TXT record at %s: %q.",
			own.q.Name, servers(own.ok), fmt.Sprintf(why, args...), domain, own.q.Name, want)
	}
	values := func(o verify.Observation) []string { return dmarcValues(o, name) }
	for _, g := range groupBy(r.ok, func(o verify.Observation) string { return strings.Join(values(o), "\n") }) {
		vals := values(g.obs[0])
		switch {
		case len(vals) == 0:
			missing("neither has its organizational domain %s (%s on %s), whose policy it would inherit", org, name, g.names)
			continue
		case len(vals) > 1:
			missing("its organizational domain %s, whose policy it would inherit, has %s DMARC records at %s on %s, which receivers ignore", org, numberWord(len(vals)), name, g.names)
			continue
		}
		if d, mangled := inspectTXT([]string{vals[0]}); mangled {
			missing("the record of its organizational domain at %s on %s %s", name, g.names, d.what)
			continue
		}
		rec, err := parseDMARC(vals[0])
		if err != nil && dmarcEffectOf(err) == dmarcIgnored {
			missing("the record of its organizational domain at %s on %s (%q) does not count: %v", name, g.names, clip(vals[0]), err)
			continue
		}
		policy, tag := rec.subdomainPolicy()
		flaw := ""
		var de *dmarcError
		if errors.As(err, &de) {
			flaw = fmt.Sprintf(" That record has a problem: %v. %s.", de, de.consequence())
		}
		v.add(CodeDMARCInherited,
			"%s has no DMARC record of its own (%s on %s), so receivers apply the policy of its organizational domain %s: %s=%s from %s (%q on %s).%s This is enough; publish a record at %s only to give %s a different policy.",
			domain, own.q.Name, servers(own.ok), org, tag, policy, name, clip(vals[0]), g.names, flaw, own.q.Name, domain)
		if policy == DMARCNone {
			v.add(CodeDMARCPolicyNone,
				"The DMARC policy %s inherits from %s is %s=none: receivers send reports but still deliver mail that fails the checks. That is the right start; once the reports show only your own servers, make it stricter at %s (sp= sets the policy of subdomains alone), or publish a record with p=quarantine, then p=reject, at %s.",
				domain, name, tag, name, own.q.Name)
		}
		if !rec.hasRUA {
			v.add(CodeDMARCNoRUA,
				"The DMARC record %s, which %s inherits, has no rua= address, so no one receives the daily reports that show who sends mail as your domain. Add rua=mailto:<an address you read> there.",
				name, domain)
		}
	}
}

// judgeDMARCValue checks one published value; it reports false when the
// value does not parse.
func judgeDMARCValue(v *verdict, name string, g group, value, want string) (dmarcRecord, bool) {
	if d, mangled := inspectTXT([]string{value}); mangled {
		v.add(CodeDMARCSyntax,
			"The DMARC record %s on %s %s, so receivers cannot read it. Enter the value without quotes: %q.",
			name, g.names, d.what, d.meant)
		return dmarcRecord{}, false
	}
	rec, err := parseDMARC(value)
	var de *dmarcError
	if errors.As(err, &de) {
		v.add(CodeDMARCSyntax,
			"The DMARC record %s is %q on %s: %v. %s. Replace it with %q.",
			name, clip(value), g.names, de, de.consequence(), want)
		return rec, false
	}
	if rec.Policy == DMARCNone {
		v.add(CodeDMARCPolicyNone,
			"The DMARC policy of %s is p=none: receivers send you reports but still deliver mail that fails the checks. That is the right start; once the reports show only your own servers, change it to p=quarantine, then p=reject.",
			name)
	}
	for _, u := range rec.elsewhere {
		v.add(CodeDMARCURINotMailto,
			"The DMARC record %s asks for %s reports at %q. RFC 7489 allows URIs other than mailto:, but receivers only have to send to mailto: addresses and almost none send anywhere else, so these reports will likely never come. Use %s=mailto:<an address you read>.",
			name, reportKind(u.tag), clip(u.uri), u.tag)
	}
	if !rec.hasRUA {
		v.add(CodeDMARCNoRUA,
			"The DMARC record %s has no rua= address, so no one receives the daily reports that show who sends mail as your domain. Add rua=mailto:<an address you read>.",
			name)
	}
	return rec, true
}

// reportKind names the reports of a tag: aggregate (rua=) or failure (ruf=).
func reportKind(tag string) string {
	if tag == "ruf" {
		return "failure"
	}
	return "aggregate"
}

// checkReportAuth checks that the domain of a report address at another
// organisation accepts reports for ours (RFC 7489 §7.1). A wildcard
// (*._report._dmarc.<domain>) answers the same question.
func checkReportAuth(v *verdict, cfg Config, known verify.Answers, addr, name string) {
	r, ok := v.follow(known, verify.Q(name, dns.TypeTXT), "The report authorization "+name)
	if !ok {
		return
	}
	authorized := slices.ContainsFunc(r.ok, func(o verify.Observation) bool {
		for _, rr := range typed[*dns.TXT](o.Records(r.q.Name, dns.TypeTXT)) {
			if isDMARC(JoinTXT(rr.Txt)) {
				return true
			}
		}
		return false
	})
	if authorized {
		return
	}
	other := addr[strings.LastIndexByte(addr, '@')+1:]
	v.add(CodeDMARCRUAUnauthorized,
		"DMARC reports go to %s, but %s does not say it accepts reports for %s: %s has no TXT record on %s. Receivers send no reports there until the owner of %s publishes %s TXT %q.",
		addr, other, strings.TrimSuffix(cfg.Domain, "."), name, servers(r.ok), other, name, dmarcAuthValue)
}

// checkDMARCAtApex warns about a DMARC record at the domain itself, where
// receivers never look: some providers' guides still say to publish it
// there.
func checkDMARCAtApex(v *verdict, cfg Config, known verify.Answers) {
	r, ok := peek(known, verify.Q(cfg.Domain, dns.TypeTXT))
	if !ok {
		return
	}
	for _, g := range groupBy(r.ok, func(o verify.Observation) string { return strings.Join(dmarcValues(o, cfg.Domain), "\n") }) {
		if g.key == "" {
			continue
		}
		v.add(CodeDMARCAtApex,
			"%s itself has a DMARC record (%q) on %s. Receivers only read %s; the copy at the domain does nothing. Remove it, and keep the record at %s.",
			cfg.Domain, clip(dmarcValues(g.obs[0], cfg.Domain)[0]), g.names, dmarcName(cfg.Domain), dmarcName(cfg.Domain))
	}
}
