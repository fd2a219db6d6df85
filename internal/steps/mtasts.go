package steps

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/mtasts"
	"github.com/mailwizard/mailwizard/internal/verify"
)

// IDMTASTS is the id of the mta-sts step: a public contract (JSON output,
// --skip, scripts).
const IDMTASTS = "mta-sts"

// Finding codes of the mta-sts step.
const (
	CodeMTASTSMissing  = "mta-sts-missing"
	CodeMTASTSMultiple = "mta-sts-multiple"
	CodeMTASTSSyntax   = "mta-sts-syntax"
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
			{Type: "TXT", tag: "v=STSv1", separators: "; ", What: "MTA-STS record",
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

// policyDigestID is the policy id of a Config that was never stamped
// (StampMTASTS; a Config built by hand): made from the policy itself, so
// that it changes when the policy does.
func policyDigestID(cfg Config) string {
	sum := sha256.Sum256([]byte(proposedPolicy(cfg).String()))
	return hex.EncodeToString(sum[:8])
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
	return []Record{
		{Name: mtastsName(cfg.Domain), Type: "TXT", TTL: cfg.TTL, Value: mtastsValue(cfg)},
		{Name: policyHost(cfg.Domain), Type: "CNAME", TTL: cfg.TTL, Value: cfg.Host, Optional: true},
	}
}

// mtastsFiles is the policy, to serve at its URL.
func mtastsFiles(cfg Config) []File {
	if cfg.Domain == "" {
		return nil
	}
	return []File{{URL: policyURL(cfg.Domain), ContentType: mtasts.ContentType, Body: proposedPolicy(cfg).String()}}
}

func mtastsQuestions(cfg Config, known verify.Answers) []verify.Question {
	q := verify.Q(mtastsName(cfg.Domain), dns.TypeTXT)
	return append([]verify.Question{q}, doubledQuestions(cfg, known, q)...)
}

func judgeMTASTS(cfg Config, known verify.Answers, v *verdict) {
	q := verify.Q(mtastsName(cfg.Domain), dns.TypeTXT)
	if r, ok := v.ask(known, q); ok {
		want := mtastsValue(cfg)
		kind := mtastsTXT
		kind.why = "Senders look it up to learn that your domain has a policy, served at " + policyURL(cfg.Domain) + "; without it the policy does nothing."
		kind.checkOne(v, r, want, func(g group, value string) {
			_, err := mtasts.ParseRecord(value)
			var se *mtasts.SyntaxError
			if errors.As(err, &se) {
				v.add(CodeMTASTSSyntax, "The MTA-STS record %s is %q on %s: %v. Senders act as if the domain had no policy. Replace it with %q.",
					q.Name, clip(value), g.names, se, want)
			}
		})
	}
	v.checkDoubled(cfg, known, q, "The MTA-STS record")
}
