package steps

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/mtasts"
	"github.com/mailwizard/mailwizard/internal/verify"
)

// IDMTASTS is the id of the mta-sts step: a public contract (JSON output,
// --skip, scripts).
const IDMTASTS = "mta-sts"

// Finding codes of the mta-sts step.
const (
	CodeMTASTSMissing           = "mta-sts-missing"
	CodeMTASTSMultiple          = "mta-sts-multiple"
	CodeMTASTSSyntax            = "mta-sts-syntax"
	CodeMTASTSPolicyUnreachable = "mta-sts-policy-unreachable"
	CodeMTASTSPolicyInvalid     = "mta-sts-policy-invalid"
	CodeMTASTSCertInvalid       = "mta-sts-cert-invalid"
	CodeMTASTSMXNotCovered      = "mta-sts-mx-not-covered"
	CodeMTASTSPatternUnused     = "mta-sts-pattern-unused"
	CodeMTASTSModeMismatch      = "mta-sts-mode-mismatch"
	CodeMTASTSMaxAgeShort       = "mta-sts-max-age-short"
)

// Variants of codes that weigh differently by case.
const (
	// variantTesting: an MX host a policy in testing mode leaves out only
	// shows in the reports.
	variantTesting = "testing"
	// variantNotFetched: the policy was not fetched (--no-probe).
	variantNotFetched = "not fetched"
)

// mtastsStep is MTA-STS: a TXT record that tells senders a policy exists,
// and the policy, served over HTTPS, that names the MX hosts and asks
// senders to deliver to them only over TLS with a valid certificate (RFC
// 8461).
func mtastsStep() definition {
	return definition{
		id: IDMTASTS, title: "MTA-STS policy", where: AtDNSProvider,
		records: mtastsRecords, files: mtastsFiles, questions: mtastsQuestions, judge: judgeMTASTS,
		owns: []Ownership{
			// RFC 8461 §3.1: MTA-STS records start "v=STSv1".
			{Type: "TXT", tag: "v=STSv1", separators: "; ", What: "MTA-STS record", valid: validMTASTS,
				Note: "only the TXT record starting v=STSv1 is mailwizard's"},
			{Type: "CNAME", What: "MTA-STS web host alias",
				Note: "the alias of the web host that serves the policy"},
		},
		codes: []FindingCode{
			{Code: CodeMTASTSMissing, Severity: SeverityError, Effect: StatusPending,
				Meaning: "no MTA-STS record"},
			{Code: CodeMTASTSMultiple, Severity: SeverityError, Effect: StatusFail,
				Meaning: "more than one MTA-STS record: senders act as if there were none"},
			{Code: CodeMTASTSSyntax, Severity: SeverityError, Effect: StatusFail,
				Meaning: "the record breaks RFC 8461's grammar (an id with other characters than letters and digits, a missing `;`): senders act as if there were none"},
			{Code: CodeMTASTSPolicyUnreachable, Severity: SeverityError, Effect: StatusFail,
				Meaning: "the policy cannot be fetched: `mta-sts.<domain>` has no address, the connection is refused, TLS fails, or the answer is an error or a redirect"},
			{Code: CodeMTASTSPolicyUnreachable, Severity: SeverityInfo, Effect: StatusPass, variant: variantNotFetched,
				Meaning: "the policy was not fetched: `--no-probe` keeps mailwizard to DNS"},
			{Code: CodeMTASTSPolicyInvalid, Severity: SeverityError, Effect: StatusFail,
				Meaning: "the policy is not served as `text/plain`, is over 64 KiB, or breaks RFC 8461's grammar: senders act as if there were none"},
			{Code: CodeMTASTSCertInvalid, Severity: SeverityError, Effect: StatusFail,
				Meaning: "the web server's certificate is not valid for `mta-sts.<domain>` (another name, expired, not from a trusted authority): senders do not read the policy"},
			{Code: CodeMTASTSMXNotCovered, Severity: SeverityError, Effect: StatusFail,
				Meaning: "an MX host matches no `mx:` line of a policy in `enforce` mode: senders that honour MTA-STS deliver no mail to it"},
			{Code: CodeMTASTSMXNotCovered, Severity: SeverityWarning, Effect: StatusWarn, variant: variantTesting,
				Meaning: "an MX host matches no `mx:` line of a policy in `testing` mode: it shows in the reports, and would receive no mail in `enforce` mode"},
			{Code: CodeMTASTSPatternUnused, Severity: SeverityWarning, Effect: StatusWarn,
				Meaning: "an `mx:` line matches none of the MX hosts (an old host, or a web name such as `mta-sts.<domain>`)"},
			{Code: CodeMTASTSModeMismatch, Severity: SeverityWarning, Effect: StatusWarn,
				Meaning: "the policy's mode is not the one chosen (`--mta-sts-mode`)"},
			{Code: CodeMTASTSMaxAgeShort, Severity: SeverityWarning, Effect: StatusWarn,
				Meaning: "a policy in `enforce` mode has a `max_age` under a day, too short to protect anything"},
		},
	}
}

// mtastsTXT is the MTA-STS record as a kind of TXT record.
var mtastsTXT = txtKind{
	what: "MTA-STS record", is: mtasts.IsRecord,
	missing: CodeMTASTSMissing, multiple: CodeMTASTSMultiple, syntax: CodeMTASTSSyntax,
	ignored: "senders act as if the domain had no policy",
}

// mtastsMaxAge is the max_age of the policy mailwizard proposes: a week.
// RFC 8461 §3.2 expects weeks or more; a week keeps a mistake short-lived
// while senders keep the policy across a few days of trouble.
const mtastsMaxAge = 7 * 24 * 3600

// mtastsName is where the MTA-STS TXT record lives (RFC 8461 §3.1).
func mtastsName(domain string) string { return "_mta-sts." + domain }

// policyHost is the web host that serves the policy (RFC 8461 §3.3).
func policyHost(domain string) string { return "mta-sts." + domain }

// policyURL is where senders fetch the policy.
func policyURL(domain string) string {
	return "https://" + strings.TrimSuffix(policyHost(domain), ".") + mtasts.Path
}

// proposedPolicy is the policy mailwizard proposes: the chosen mode, the
// mail host as the only MX host, a week's max_age.
func proposedPolicy(cfg Config) mtasts.Policy {
	p := mtasts.Policy{Mode: mtasts.Mode(cfg.MTASTSMode), MaxAge: mtastsMaxAge}
	if host := strings.TrimSuffix(cfg.Host, "."); host != "" {
		p.MX = []mtasts.Pattern{{Domain: host}}
	}
	return p
}

// MTASTSPolicy is the MTA-STS policy file mailwizard proposes for cfg, to
// serve at https://mta-sts.<domain>/.well-known/mta-sts.txt.
func MTASTSPolicy(cfg Config) string { return proposedPolicy(cfg.withDefaults()).String() }

// policyDigestID is the policy id of a Config that was never stamped
// (StampMTASTS; a Config built by hand): made from the policy itself, so
// that it changes when the policy does.
func policyDigestID(cfg Config) string {
	sum := sha256.Sum256([]byte(proposedPolicy(cfg).String()))
	return hex.EncodeToString(sum[:8])
}

// validMTASTS reports whether an MTA-STS record's value keeps RFC 8461's
// grammar.
func validMTASTS(value string) bool {
	_, err := mtasts.ParseRecord(value)
	return err == nil
}

// mtastsValue is the TXT record to publish.
func mtastsValue(cfg Config) string { return mtasts.Record{ID: cfg.MTASTSID}.String() }

// mtastsRecords are the TXT record and the alias of the policy's web host,
// which points at the mail host: optional, because the policy may be
// served by any web server with a certificate for mta-sts.<domain>.
func mtastsRecords(cfg Config) []Record {
	if cfg.Domain == "" {
		return nil
	}
	out := []Record{{Name: mtastsName(cfg.Domain), Type: "TXT", TTL: cfg.TTL, Value: mtastsValue(cfg), AnyValid: cfg.MTASTSIDFresh}}
	if cfg.Host != "" {
		out = append(out, Record{Name: policyHost(cfg.Domain), Type: "CNAME", TTL: cfg.TTL, Value: cfg.Host, Optional: true})
	}
	return out
}

// mtastsFiles is the policy, to serve at its URL.
func mtastsFiles(cfg Config) []File {
	if cfg.Domain == "" {
		return nil
	}
	return []File{{URL: policyURL(cfg.Domain), ContentType: mtasts.ContentType, Body: proposedPolicy(cfg).String()}}
}

// minEnforceMaxAge is the shortest max_age that makes sense in enforce
// mode: a day. A policy senders keep for less protects nothing against an
// attacker who waits it out (RFC 8461 §3.2 expects weeks).
const minEnforceMaxAge = 24 * 3600

// policyTargets are the addresses the policy is fetched from: those of
// mta-sts.<domain> (an alias followed one step; the mail host's own
// addresses when it points there), and the DNS questions that say so.
func policyTargets(cfg Config, known verify.Answers) ([]webTarget, serverPlan) {
	var p serverPlan
	host := policyHost(cfg.Domain)
	var out []webTarget
	for _, addr := range p.addressesOf(cfg, known, host) {
		out = append(out, webTarget{host: host, port: 443, addr: addr, path: mtasts.Path})
	}
	return out, p
}

func mtastsQuestions(cfg Config, known verify.Answers) []verify.Question {
	q := verify.Q(mtastsName(cfg.Domain), dns.TypeTXT)
	qs := append([]verify.Question{q}, doubledQuestions(cfg, known, q)...)
	qs = append(qs, wildcardQuestions(cfg, known, q)...)
	if cfg.NoProbe {
		return qs
	}
	targets, p := policyTargets(cfg, known)
	qs = append(qs, verify.Q(cfg.Domain, dns.TypeMX))
	qs = append(qs, p.dns...)
	for _, t := range targets {
		qs = append(qs, t.question())
	}
	return qs
}

func judgeMTASTS(cfg Config, known verify.Answers, v *verdict) {
	q := verify.Q(mtastsName(cfg.Domain), dns.TypeTXT)
	// The policy is judged apart: while no TXT record points senders at
	// it, what is wrong with it is not yet wrong for anyone, and the
	// missing record's message says it instead.
	pv := judging(v.codes)
	judgePolicy(cfg, known, pv)
	v.probes = pv.probes
	r, ok := v.follow(known, q, "The MTA-STS record "+q.Name)
	published := ok && slices.ContainsFunc(r.ok, func(o verify.Observation) bool { return len(mtastsTXT.values(o, r.q.Name)) > 0 })
	if ok {
		want := mtastsValue(cfg)
		kind := mtastsTXT
		kind.why = "Senders look it up to learn that your domain has a policy, served at " + policyURL(cfg.Domain) + "; without it the policy does nothing."
		kind.after = policySummary(pv)
		kind.checkOne(v, q.Name, r, want, func(g group, value string) {
			_, err := mtasts.ParseRecord(value)
			var se *mtasts.SyntaxError
			if errors.As(err, &se) {
				v.add(CodeMTASTSSyntax, "The MTA-STS record %s is %q on %s: %v. Senders act as if the domain had no policy. Replace it with %q.",
					r.q.Name, clip(value), g.names, se, want)
			}
		})
	}
	if published || !ok {
		v.merge(pv)
	} else {
		v.observed = append(v.observed, pv.observed...)
	}
	v.checkDoubled(cfg, known, q, "The MTA-STS record")
	v.checkWildcard(cfg, known, q, "The MTA-STS record "+q.Name)
}

// policySummary says in a sentence, for the message of a missing record,
// whether the policy is ready: served as it should be, or what is wrong
// with it first.
func policySummary(pv *verdict) string {
	for _, n := range pv.notes {
		if n.effect == StatusFail || n.effect == StatusPending {
			return " The policy is not ready yet either: " + n.finding.Message
		}
	}
	if len(pv.probes) > 0 && len(pv.notes) == 0 {
		return " The policy is already served as it should be."
	}
	return ""
}

// merge takes in what another verdict of the same step found.
func (v *verdict) merge(o *verdict) {
	for _, n := range o.notes {
		if !slices.Contains(v.notes, n) {
			v.notes = append(v.notes, n)
		}
	}
	for _, a := range o.observed {
		if !v.asked[a.Question] {
			v.asked[a.Question] = true
			v.observed = append(v.observed, a)
		}
	}
	v.unreachable = append(v.unreachable, o.unreachable...)
}

// fetched is what one fetch of the policy gave.
type fetched struct {
	row    ProbeRow
	policy *mtasts.Policy
}

// judgePolicy fetches nothing: it reads the round's HTTPS GETs of the
// policy at each address of mta-sts.<domain> (RFC 8461 §3.3: no redirect,
// a certificate valid for that name, text/plain, at most 64 KiB), parses
// what came, and checks it against the MX hosts and the chosen mode. A
// fetch that could not be made from here (no route, no answer in time) is
// "could not check", never a verdict on the web server.
func judgePolicy(cfg Config, known verify.Answers, v *verdict) {
	url := policyURL(cfg.Domain)
	host := policyHost(cfg.Domain)
	if cfg.NoProbe {
		v.addVariant(CodeMTASTSPolicyUnreachable, variantNotFetched,
			"The policy of %s at %s was not fetched: --no-probe keeps mailwizard to DNS. Senders fetch it from there, so check it by hand, or run the check without --no-probe.", host, url)
		return
	}
	targets, p := policyTargets(cfg, known)
	for _, q := range p.read {
		v.ask(known, q)
	}
	if len(targets) == 0 {
		if noAddress(known, p.read) {
			v.add(CodeMTASTSPolicyUnreachable,
				"%s has no address (no A, AAAA or CNAME record), so senders cannot fetch the policy from %s. Point it at the web server that serves the policy, for example %s CNAME %s if the mail host serves it.",
				host, url, host, cfg.Host)
		}
		return
	}
	j := &serverJudge{cfg: cfg, known: known, v: v, connected: map[netip.Addr][]string{}}
	var got []fetched
	for _, t := range targets {
		if f, ok := j.fetchPolicy(t); ok {
			got = append(got, f)
			v.probes = append(v.probes, f.row)
		}
	}
	j.flush()
	for _, f := range got {
		if f.policy != nil {
			checkPolicy(v, cfg, known, *f.policy)
		}
	}
}

// noAddress reports whether every address question was answered, without
// an address or an alias.
func noAddress(known verify.Answers, qs []verify.Question) bool {
	for _, q := range qs {
		r, ok := peek(known, q)
		if !ok {
			return false
		}
		for _, o := range r.ok {
			if len(o.Records(q.Name, q.Type)) > 0 {
				return false
			}
			if _, alias := o.CNAME(q.Name); alias {
				return false
			}
		}
	}
	return true
}

// fetchPolicy reads the fetch of the policy at one address: the row for
// the step's table, and the policy when it parses. It reports false when
// there is nothing to show yet.
func (j *serverJudge) fetchPolicy(t webTarget) (fetched, bool) {
	q := t.question()
	f := fetched{row: ProbeRow{Service: "mta-sts", Host: t.host, Address: q.Probe.Addr.String()}}
	res, ok := j.result(q, &f.row)
	if !ok {
		return f, true
	}
	place, from := addrOf(q), res.From()
	subject := subjectOf(fmt.Sprintf("The policy of %s at %s", t.host, q.Probe.URL()))
	fail := func(code, words, format string, args ...any) {
		f.row.Status, f.row.Detail = StatusFail, words
		j.note(code, place, from, subject+" "+fmt.Sprintf(format, args...))
	}
	if !res.Connected || res.HTTP == nil {
		if timedOut(res.Err) {
			f.row.Status, f.row.Detail = StatusError, "could not check: "+stageText(res)
			j.note(CodeLookupError, place, from, fmt.Sprintf("%s could not be fetched from this machine: %s. This says nothing about the web server: this network may not reach it, so run `mailwizard check` from another machine before changing anything.", subject, stageText(res)))
			return f, true
		}
		fail(CodeMTASTSPolicyUnreachable, stageText(res),
			"cannot be fetched: %s. Senders that find the MTA-STS record but no policy deliver as if there were none. Serve the policy over HTTPS at that address.", stageText(res))
		return f, true
	}
	var words []string
	if res.TLS != nil {
		var problems []string
		for _, p := range certProblems(res, []string{t.host}, false) {
			if p.code != CodeTLSCertExpiring {
				problems = append(problems, "its certificate "+p.what)
			}
		}
		if len(problems) > 0 {
			fail(CodeMTASTSCertInvalid, "",
				"is served, but %s. Senders check the certificate and do not read a policy behind a bad one (RFC 8461 §3.3).", strings.Join(problems, "; and "))
			words = append(words, "certificate not valid for "+strings.TrimSuffix(t.host, "."))
		}
	}
	h := res.HTTP
	switch {
	case h.Status >= 300 && h.Status < 400:
		fail(CodeMTASTSPolicyUnreachable, fmt.Sprintf("HTTP %d redirect", h.Status),
			"answers %q, a redirect to %q. Senders follow no redirect (RFC 8461 §3.3): serve the file at this very address.", h.StatusLine, clip(h.Location))
		return f, true
	case h.Status != 200:
		fail(CodeMTASTSPolicyUnreachable, fmt.Sprintf("HTTP %d", h.Status),
			"answers %q instead of the policy. Senders deliver as if there were none. Put the policy file at %s on that web server.", h.StatusLine, mtasts.Path)
		return f, true
	case !isTextPlain(h.ContentType):
		fail(CodeMTASTSPolicyInvalid, "served as "+clip(contentTypeOf(h)),
			"is served as %q; senders want text/plain (RFC 8461 §3.2). Serve the file with Content-Type: text/plain.", clip(contentTypeOf(h)))
		return f, true
	case h.Truncated:
		fail(CodeMTASTSPolicyInvalid, "over 64 KiB",
			"is over 64 KiB; senders read no more than that (RFC 8461 §3.3), so it is no policy. Serve the policy file itself.")
		return f, true
	}
	p, err := mtasts.ParsePolicy(h.Body)
	if err != nil {
		fail(CodeMTASTSPolicyInvalid, "does not parse",
			"does not parse: %v. Senders act as if there were no policy. Serve the policy file this step shows.", err)
		return f, true
	}
	f.policy = &p
	words = append(words, fmt.Sprintf("mode %s, %d mx, max_age %d", p.Mode, len(p.MX), p.MaxAge))
	if f.row.Status == "" {
		f.row.Status = StatusPass
	}
	f.row.Detail = strings.Join(words, " · ")
	return f, true
}

// checkPolicy checks a policy that parsed against the MX hosts (each
// matched by an mx: line, each line matching an MX host), the chosen mode
// and a sane max_age.
func checkPolicy(v *verdict, cfg Config, known verify.Answers, p mtasts.Policy) {
	url := policyURL(cfg.Domain)
	want := proposedPolicy(cfg)
	if p.Mode != mtasts.ModeNone {
		mxs := mxTargets(known, verify.Q(cfg.Domain, dns.TypeMX))
		var uncovered []string
		for _, mx := range mxs {
			if _, ok := p.Covers(mx); !ok {
				uncovered = append(uncovered, mx)
			}
		}
		if len(uncovered) > 0 {
			fix := fmt.Sprintf("Add an mx: line for %s to the policy, and change the id in the TXT record so that senders fetch it again.", list(trimDots(uncovered)))
			if p.Mode == mtasts.ModeEnforce {
				v.add(CodeMTASTSMXNotCovered,
					"The policy at %s (mode enforce) matches no mx: line for the MX %s %s, so senders that honour MTA-STS deliver no mail to %s. %s",
					url, plural(len(uncovered), "host", "hosts"), list(uncovered), plural(len(uncovered), "it", "them"), fix)
			} else {
				v.addVariant(CodeMTASTSMXNotCovered, variantTesting,
					"The policy at %s (mode %s) matches no mx: line for the MX %s %s. In testing mode senders only report it; in enforce mode they would deliver no mail there. %s",
					url, p.Mode, plural(len(uncovered), "host", "hosts"), list(uncovered), fix)
			}
		}
		if len(mxs) > 0 {
			var unused []string
			for _, pat := range p.MX {
				if !slices.ContainsFunc(mxs, pat.Matches) {
					unused = append(unused, pat.String())
				}
			}
			if len(unused) > 0 {
				v.add(CodeMTASTSPatternUnused,
					"The policy at %s has mx: %s, which %s none of the MX hosts (%s). mx: lines name the hosts mail is delivered to, not web names such as mta-sts; remove %s, or add the MX record %s stands for.",
					url, quoteAll(unused), plural(len(unused), "matches", "match"), list(mxs), plural(len(unused), "it", "them"), plural(len(unused), "it", "they"))
			}
		}
	}
	if p.Mode != want.Mode {
		v.add(CodeMTASTSModeMismatch,
			"The policy at %s says mode: %s, but the chosen mode is %s (--mta-sts-mode). Serve the policy mailwizard shows, then change the id in the TXT record (for example to %q) so that senders fetch it again.",
			url, p.Mode, want.Mode, cfg.MTASTSID)
	}
	if p.Mode == mtasts.ModeEnforce && p.MaxAge < minEnforceMaxAge {
		v.add(CodeMTASTSMaxAgeShort,
			"The policy at %s is in enforce mode with max_age: %d (%s): senders forget it that soon, and an attacker who blocks the policy for that long switches it off. Use weeks: max_age: %d.",
			url, p.MaxAge, duration(time.Duration(p.MaxAge)*time.Second), mtastsMaxAge)
	}
}

// isTextPlain reports whether a Content-Type is text/plain, parameters
// (a charset) aside.
func isTextPlain(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == mtasts.ContentType
}

// contentTypeOf is a response's Content-Type, in words when it has none.
func contentTypeOf(h *verify.HTTPResponse) string {
	if h.ContentType == "" {
		return "no content type"
	}
	return h.ContentType
}

// trimDots writes names without their final dot, as a policy does.
func trimDots(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strings.TrimSuffix(n, ".")
	}
	return out
}

// timedOut reports whether a probe stopped because the other end did not
// answer in time (the engine's ErrTimeout): from here that may be this
// network, not the server.
func timedOut(err error) bool {
	var ne net.Error
	return errors.Is(err, verify.ErrTimeout) || errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}
