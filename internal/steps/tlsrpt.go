package steps

import (
	"errors"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/mtasts"
	"github.com/mailwizard/mailwizard/internal/verify"
)

// IDTLSRPT is the id of the tls-rpt step: a public contract (JSON output,
// --skip, scripts).
const IDTLSRPT = "tls-rpt"

// Finding codes of the tls-rpt step.
const (
	CodeTLSRPTMissing  = "tls-rpt-missing"
	CodeTLSRPTMultiple = "tls-rpt-multiple"
	CodeTLSRPTSyntax   = "tls-rpt-syntax"
)

// tlsrptStep is the TLS-RPT record: where senders report the TLS
// connections to the mail server that failed (RFC 8460).
func tlsrptStep() definition {
	return definition{
		id: IDTLSRPT, title: "TLS-RPT record", where: AtDNSProvider,
		records: tlsrptRecords, questions: tlsrptQuestions, judge: judgeTLSRPT,
		// RFC 8460 §3: TLS-RPT records start "v=TLSRPTv1".
		owns: []Ownership{{Type: "TXT", tag: "v=TLSRPTv1", separators: "; ", What: "TLS-RPT record",
			Note: "only the TXT record starting v=TLSRPTv1 is mailwizard's"}},
		codes: []FindingCode{
			{Code: CodeTLSRPTMissing, Severity: SeverityError, Effect: StatusPending,
				Meaning: "no TLS-RPT record"},
			{Code: CodeTLSRPTMultiple, Severity: SeverityError, Effect: StatusFail,
				Meaning: "more than one TLS-RPT record: senders send no reports"},
			{Code: CodeTLSRPTSyntax, Severity: SeverityError, Effect: StatusFail,
				Meaning: "the record breaks RFC 8460's grammar, or a report URI is neither a `mailto:` address nor an `https:` URL"},
		},
	}
}

// tlsrpt is the TLS-RPT record as a kind of TXT record.
var tlsrpt = txtKind{
	what: "TLS-RPT record", is: mtasts.IsReportRecord,
	missing: CodeTLSRPTMissing, multiple: CodeTLSRPTMultiple, syntax: CodeTLSRPTSyntax,
	why:     "With it, senders that use MTA-STS or DANE send a daily report of the connections to your mail server that failed, so you learn of an expired certificate or a broken policy before mail stops.",
	ignored: "senders send no reports",
}

// tlsrptName is where the TLS-RPT record lives (RFC 8460 §3).
func tlsrptName(domain string) string { return "_smtp._tls." + domain }

// tlsrptValue is the record to publish.
func tlsrptValue(cfg Config) string {
	return mtasts.ReportRecord{RUA: []string{cfg.TLSRPTRUA}}.String()
}

func tlsrptRecords(cfg Config) []Record {
	if cfg.Domain == "" {
		return nil
	}
	return []Record{{Name: tlsrptName(cfg.Domain), Type: "TXT", TTL: cfg.TTL, Value: tlsrptValue(cfg)}}
}

func tlsrptQuestions(cfg Config, known verify.Answers) []verify.Question {
	q := verify.Q(tlsrptName(cfg.Domain), dns.TypeTXT)
	qs := append([]verify.Question{q}, doubledQuestions(cfg, known, q)...)
	return append(qs, wildcardQuestions(cfg, known, q)...)
}

func judgeTLSRPT(cfg Config, known verify.Answers, v *verdict) {
	q := verify.Q(tlsrptName(cfg.Domain), dns.TypeTXT)
	if r, ok := v.follow(known, q, "The TLS-RPT record "+q.Name); ok {
		want := tlsrptValue(cfg)
		tlsrpt.checkOne(v, q.Name, r, want, func(g group, value string) {
			_, err := mtasts.ParseReportRecord(value)
			var se *mtasts.SyntaxError
			if errors.As(err, &se) {
				v.add(CodeTLSRPTSyntax, "The TLS-RPT record %s is %q on %s: %v. Senders ignore it and send no reports. Replace it with %q.",
					r.q.Name, clip(value), g.names, se, want)
			}
		})
	}
	v.checkDoubled(cfg, known, q, "The TLS-RPT record")
	v.checkWildcard(cfg, known, q, "The TLS-RPT record "+q.Name)
}
