package steps

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
)

// IDMX is the id of the mx step: a public contract (JSON output,
// --skip, scripts).
const IDMX = "mx"

// mxStep is the domain's MX record, naming the mail host.
func mxStep() definition {
	return definition{
		id: IDMX, title: "MX record", where: AtDNSProvider,
		records: mxRecords, questions: mxQuestions, judge: judgeMX,
		owns: []Ownership{{Type: "MX", What: "MX record",
			Note: "every MX record at the apex is mailwizard's: other mail hosts are replaced"}},
		codes: []FindingCode{
			{Code: CodeMXMissing, Severity: SeverityError, Effect: StatusPending,
				Meaning: "no MX record"},
			{Code: CodeMXWrongTarget, Severity: SeverityError, Effect: StatusFail,
				Meaning: "the MX names another host"},
			{Code: CodeMXTargetCNAME, Severity: SeverityError, Effect: StatusFail,
				Meaning: "the MX target is a CNAME (RFC 2181 §10.3)"},
			{Code: CodeMXTargetIP, Severity: SeverityError, Effect: StatusFail,
				Meaning: "the MX target is an IP address"},
			{Code: CodeMXExtraHost, Severity: SeverityWarning, Effect: StatusWarn,
				Meaning: "a stray MX host, e.g. from an old provider"},
			{Code: CodeMXNull, Severity: SeverityError, Effect: StatusFail,
				Meaning: "a null MX (\"no mail here\")"},
		},
	}
}

// Finding codes of the mx step.
const (
	CodeMXMissing     = "mx-missing"
	CodeMXWrongTarget = "mx-wrong-target"
	CodeMXTargetCNAME = "mx-target-cname"
	CodeMXTargetIP    = "mx-target-ip"
	CodeMXExtraHost   = "mx-extra-host"
	CodeMXNull        = "mx-null"
)

const (
	mxPreference = 10
	// maxFollowedTargets bounds the targets a step follows (MX, SRV, PTR
	// names), whatever a zone holds.
	maxFollowedTargets = 10
)

func mxRecords(cfg Config) []Record {
	if cfg.Domain == "" || cfg.Host == "" {
		return nil
	}
	return []Record{{Name: cfg.Domain, Type: "MX", TTL: cfg.TTL, Value: fmt.Sprintf("%d %s", mxPreference, cfg.Host)}}
}

// mxQuestions asks for the MX records, and for each target's address to
// see whether it is an alias.
func mxQuestions(cfg Config, known verify.Answers) []verify.Question {
	q := verify.Q(cfg.Domain, dns.TypeMX)
	qs := append([]verify.Question{q}, doubledQuestions(cfg, known, q)...)
	for _, target := range mxTargets(known, q) {
		qs = append(qs, verify.Q(target, dns.TypeA))
	}
	return qs
}

// mxTargets lists the distinct host names the MX records point at, on any
// server, leaving out the null MX and addresses.
func mxTargets(known verify.Answers, q verify.Question) []string {
	r, _ := peek(known, q)
	var out []string
	for _, o := range r.ok {
		for _, mx := range typed[*dns.MX](o.Records(q.Name, dns.TypeMX)) {
			target := verify.CanonicalName(mx.Mx)
			if target == "." || isAddress(target) || slices.Contains(out, target) || len(out) == maxFollowedTargets {
				continue
			}
			out = append(out, target)
		}
	}
	return out
}

// isAddress reports whether a name is an IP address typed where a host
// name belongs ("192.0.2.10.").
func isAddress(name string) bool {
	_, err := netip.ParseAddr(strings.TrimSuffix(name, "."))
	return err == nil
}

func judgeMX(cfg Config, known verify.Answers, v *verdict) {
	q := verify.Q(cfg.Domain, dns.TypeMX)
	r, ok := v.ask(known, q)
	if ok {
		checkMX(v, cfg, r)
		checkMXCNAMEs(v, known, q)
	}
	v.checkDoubled(cfg, known, q, "The MX record")
}

func checkMX(v *verdict, cfg Config, r reply) {
	want := fmt.Sprintf("MX %d %s", mxPreference, cfg.Host)
	add := fmt.Sprintf("Add %s %s.", r.q.Name, want)
	if cfg.Host == "" {
		// A DomainOnly Config: any host will do.
		want, add = "an MX record naming your mail host", "Add an MX record naming your mail host, such as "+r.q.Name+" MX 10 mail."+r.q.Name
	}
	mxs := func(o verify.Observation) []dns.RR { return o.Records(r.q.Name, dns.TypeMX) }
	with, without := split(r.ok, func(o verify.Observation) bool { return len(mxs(o)) > 0 })
	switch {
	case len(with) == 0:
		v.add(CodeMXMissing,
			"%s has no MX record on %s yet, so other mail servers do not know where to deliver its mail. %s",
			r.q.Name, servers(without), add)
		return
	case len(without) > 0:
		v.partial("The MX record of "+r.q.Name, with, without)
	}
	for _, g := range groupBy(with, func(o verify.Observation) string { return canonicalKey(mxs(o)) }) {
		judgeMXSet(v, cfg, r.q.Name, g, mxs(g.obs[0]), want)
	}
}

// judgeMXSet judges the MX records one group of servers returned.
func judgeMXSet(v *verdict, cfg Config, domain string, g group, rrs []dns.RR, want string) {
	mxs := typed[*dns.MX](rrs)
	ours := -1
	for _, mx := range mxs {
		target := verify.CanonicalName(mx.Mx)
		switch {
		case target == "." && cfg.Host == "":
			v.add(CodeMXNull,
				"%s has a null MX (MX %d .) on %s, which tells every sender that the domain accepts no mail at all (RFC 7505). If it should receive mail, replace it with an MX record naming your mail host.",
				domain, mx.Preference, g.names)
			return
		case target == ".":
			v.add(CodeMXNull,
				"%s has a null MX (MX %d .) on %s, which tells every sender that the domain accepts no mail at all (RFC 7505). Remove it and add %s %s.",
				domain, mx.Preference, g.names, domain, want)
			return
		case target == cfg.Host && (ours < 0 || int(mx.Preference) < ours):
			ours = int(mx.Preference)
		}
	}
	for _, mx := range mxs {
		target := verify.CanonicalName(mx.Mx)
		switch {
		case target == cfg.Host:
		case isAddress(target) && cfg.Host == "":
			v.add(CodeMXTargetIP,
				"%s has MX %d %s on %s: an MX record must name a host, not an address (RFC 5321 §5.1), so senders cannot use it. Set the target to the name that has the server's address.",
				domain, mx.Preference, target, g.names)
		case cfg.Host == "":
			// A DomainOnly Config: no host to compare the target with.
		case isAddress(target):
			v.add(CodeMXTargetIP,
				"%s has MX %d %s on %s: an MX record must name a host, not an address (RFC 5321 §5.1), so senders cannot use it. Set the target to %s, the name that has the server's address.",
				domain, mx.Preference, target, g.names, cfg.Host)
		case ours < 0:
			v.add(CodeMXWrongTarget,
				"%s has MX %d %s on %s; expected %s. Change the MX target to %s.%s",
				domain, mx.Preference, target, g.names, want, cfg.Host, appendedHint(target, cfg.Host, domain))
		case int(mx.Preference) <= ours:
			v.add(CodeMXExtraHost,
				"%s also has MX %d %s on %s, which senders try before or as often as your server (MX %d %s). If it is left over from an old provider, remove it.",
				domain, mx.Preference, target, g.names, ours, cfg.Host)
		default:
			v.add(CodeMXExtraHost,
				"%s also has MX %d %s on %s, so senders may deliver mail there when your server is busy. If it is not a backup server you run, remove it.",
				domain, mx.Preference, target, g.names)
		}
	}
}

// appendedHint explains a target that got the zone appended, or is "".
func appendedHint(got, want, zone string) string {
	if !appendedZone(got, want, zone) {
		return ""
	}
	return fmt.Sprintf(" Your DNS provider added %s to the target you typed; enter it with a final dot (%s) or as the provider's form shows it.", strings.TrimSuffix(zone, "."), want)
}

// checkMXCNAMEs flags MX targets that are aliases (RFC 2181 §10.3).
func checkMXCNAMEs(v *verdict, known verify.Answers, q verify.Question) {
	aliasedTargets(known, mxTargets(known, q), func(target string, g group) {
		v.add(CodeMXTargetCNAME,
			"The MX target %s is an alias (CNAME) for %s on %s. An MX target must not be an alias (RFC 2181 §10.3) and some senders refuse to deliver to it. Point the MX at a name with its own A/AAAA records, or replace the CNAME with A/AAAA records.",
			target, g.key, g.names)
	})
}
