package steps

import (
	"github.com/mailwizard/mailwizard/internal/verify"
)

// All returns every step in the wizard's order: host, mx, ptr, spf, dkim,
// dmarc, autoconfig, blocklist, server.
func All() []Step {
	return []Step{
		newStep(IDHost, "Mail host address (A/AAAA)", AtDNSProvider, hostRecords, hostQuestions, judgeHost),
		newStep(IDMX, "MX record", AtDNSProvider, mxRecords, mxQuestions, judgeMX),
		newStep(IDPTR, "Reverse DNS (PTR)", AtHostingProvider, ptrRecords, ptrQuestions, judgePTR),
		newStep(IDSPF, "SPF record", AtDNSProvider, spfRecords, spfQuestions, judgeSPF),
		newStep(IDDKIM, "DKIM key record", AtDNSProvider, dkimRecords, dkimQuestions, judgeDKIM),
		newStep(IDDMARC, "DMARC record", AtDNSProvider, dmarcRecords, dmarcQuestions, judgeDMARC),
		newStep(IDAutoconfig, "Mail client settings (SRV, autodiscover, autoconfig)", AtDNSProvider, autoconfigRecords, autoconfigQuestions, judgeAutoconfig),
		newStep(IDBlocklist, "Blocklists (DNSBL)", Nowhere, blocklistRecords, blocklistQuestions, judgeBlocklist),
		newStep(IDServer, serverTitle, Nowhere, serverRecords, serverQuestions, judgeServer),
	}
}

// newStep wires a step's pure functions, each given the Config with its
// defaults filled in. A skipped step asks nothing and judges as skipped;
// without a domain a step asks nothing and judges lookup-error.
func newStep(id, title string, where Where,
	records func(Config) []Record,
	questions func(Config, verify.Answers) []verify.Question,
	judge func(Config, verify.Answers, *verdict),
) Step {
	return Step{
		ID:    id,
		Title: title,
		Where: where,
		Records: func(cfg Config) []Record {
			return records(cfg.withDefaults())
		},
		Questions: func(cfg Config, known verify.Answers) []verify.Question {
			if cfg = cfg.withDefaults(); cfg.skips(id) || cfg.Domain == "" {
				return nil
			}
			return questions(cfg, known)
		},
		Judge: func(cfg Config, known verify.Answers) Result {
			cfg = cfg.withDefaults()
			if cfg.skips(id) {
				return Result{Step: id, Status: StatusSkipped, Findings: []Finding{}, Expected: records(cfg)}
			}
			v := newVerdict()
			if cfg.Domain == "" {
				v.add(kindLookup, CodeLookupError, SeverityWarning, "No domain is configured, so there is nothing to check.")
			} else {
				judge(cfg, known, v)
			}
			return v.result(id, records(cfg))
		},
	}
}

// ByID returns the step with the given id.
func ByID(id string) (Step, bool) {
	for _, s := range All() {
		if s.ID == id {
			return s, true
		}
	}
	return Step{}, false
}

// stepIDs lists the step ids in order.
func stepIDs() []string {
	var ids []string
	for _, s := range All() {
		ids = append(ids, s.ID)
	}
	return ids
}

// Planners returns one planner per step that is not skipped.
func Planners(cfg Config) []verify.Planner {
	var out []verify.Planner
	for _, s := range All() {
		if cfg.skips(s.ID) {
			continue
		}
		out = append(out, func(known verify.Answers) []verify.Question {
			return s.Questions(cfg, known)
		})
	}
	return out
}

// JudgeAll judges every step (skipped ones as StatusSkipped) in order.
func JudgeAll(cfg Config, known verify.Answers) []Result {
	var out []Result
	for _, s := range All() {
		out = append(out, s.Judge(cfg, known))
	}
	return out
}

// Overall folds step statuses into one: fail > pending > error > warn >
// pass; skipped steps do not count. An empty list is pass.
func Overall(results []Result) Status {
	rank := map[Status]int{StatusPass: 0, StatusWarn: 1, StatusError: 2, StatusPending: 3, StatusFail: 4}
	worst := StatusPass
	for _, r := range results {
		if r.Status == StatusSkipped {
			continue
		}
		if rank[r.Status] > rank[worst] {
			worst = r.Status
		}
	}
	return worst
}
