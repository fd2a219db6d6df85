package steps

import (
	"slices"
	"sync"

	"github.com/mailwizard/mailwizard/internal/verify"
)

// All returns every step, in the wizard's order. Each step's file declares
// it (its definition); this list only puts them in order. The slice is the
// caller's; the steps' Codes and Owns are shared: read them, never change
// them.
func All() []Step { return slices.Clone(registry()) }

// registry is every step, wired once (a check of thousands of domains asks
// for them at every judgement), and registryIndex each one's place, by id.
func registry() []Step {
	registryOnce.Do(func() {
		registered = []Step{
			newStep(hostStep()),
			newStep(mxStep()),
			newStep(ptrStep()),
			newStep(spfStep()),
			newStep(dkimStep()),
			newStep(dmarcStep()),
			newStep(mtastsStep()),
			newStep(tlsrptStep()),
			newStep(dnssecStep()),
			newStep(daneStep()),
			newStep(autoconfigStep()),
			newStep(blocklistStep()),
			newStep(serverStep()),
		}
		registeredIndex = make(map[string]int, len(registered))
		for i, s := range registered {
			registeredIndex[s.ID] = i
		}
	})
	return registered
}

var (
	registryOnce    sync.Once
	registered      []Step
	registeredIndex map[string]int
)

// definition is a step as its own file declares it, in one place: its id,
// title and who publishes it, its finding codes, what it owns in a zone,
// and its pure functions.
type definition struct {
	id, title string
	where     Where
	// codes are the finding codes the step reports, besides the common
	// ones.
	codes []FindingCode
	// owns says which records already at its records' names the step
	// owns, for publishing; none for a step whose records are set
	// elsewhere.
	owns []Ownership
	// shared marks a step about the mail host rather than one of its
	// domains (Step.Shared).
	shared bool
	// needs are the answers the step cannot do without in a DomainOnly
	// Config: without them it is skipped.
	needs needs
	// records is what to publish, questions the planner and judge the
	// verdict, each given the Config with its defaults filled in.
	records func(Config) []Record
	// files, when set, are the files to serve with the records.
	files func(Config) []File
	// derived: the records come from the round (Step.Derived).
	derived   bool
	questions func(Config, verify.Answers) []verify.Question
	judge     func(Config, verify.Answers, *verdict)
}

// needs are the parts of a Config a step cannot be checked without.
type needs uint8

const (
	// needsAddrs: the server's addresses.
	needsAddrs needs = 1 << iota
	// needsHost: the mail host's name.
	needsHost
	// needsSelector: the DKIM selector.
	needsSelector
)

// lacks reports whether cfg, a DomainOnly Config with its defaults filled
// in, lacks something the step needs. A complete Config lacks nothing: it
// always has a host and addresses, and a step without its selector says
// so in a finding.
func (n needs) lacks(cfg Config) bool {
	if !cfg.DomainOnly {
		return false
	}
	return n&needsAddrs != 0 && len(cfg.IPs) == 0 ||
		n&needsHost != 0 && cfg.Host == "" ||
		n&needsSelector != 0 && cfg.DKIMSelector == ""
}

// newStep wires a step's definition. A skipped step asks nothing and
// judges as skipped, and so does a step that lacks what it needs in a
// DomainOnly Config; without a domain a step asks nothing and judges
// lookup-error.
func newStep(d definition) Step {
	codes := slices.Clone(d.codes)
	for i := range codes {
		codes[i].Step = d.id
	}
	judged := append(slices.Clone(codes), CommonCodes()...)
	return Step{
		ID:      d.id,
		Title:   d.title,
		Where:   d.where,
		Codes:   codes,
		Owns:    slices.Clone(d.owns),
		Shared:  d.shared,
		Derived: d.derived,
		Records: func(cfg Config) []Record {
			return d.records(cfg.withDefaults())
		},
		Files: func(cfg Config) []File {
			if d.files == nil {
				return nil
			}
			return d.files(cfg.withDefaults())
		},
		Questions: func(cfg Config, known verify.Answers) []verify.Question {
			if cfg = cfg.withDefaults(); cfg.skips(d.id) || cfg.Domain == "" || d.needs.lacks(cfg) {
				return nil
			}
			if d.where == AtDNSProvider {
				return append(d.questions(cfg, known), zoneQuestions(cfg, known)...)
			}
			return d.questions(cfg, known)
		},
		Judge: func(cfg Config, known verify.Answers) Result {
			cfg = cfg.withDefaults()
			var files []File
			if d.files != nil {
				files = d.files(cfg)
			}
			if cfg.skips(d.id) || d.needs.lacks(cfg) {
				return Result{Step: d.id, Status: StatusSkipped, Findings: []Finding{}, Expected: d.records(cfg), Files: files}
			}
			v := judging(judged)
			v.where = d.where
			if cfg.Domain == "" {
				v.add(CodeLookupError, "No domain is configured, so there is nothing to check.")
			} else {
				d.judge(cfg, known, v)
				if d.where == AtDNSProvider {
					v.checkDelegation(cfg, known)
					v.checkProvider(cfg, known)
				}
			}
			expected := v.expected
			if !v.expectedSet {
				expected = d.records(cfg)
			}
			res := v.result(d.id, expected)
			res.Files = files
			return res
		},
	}
}

// ByID returns the step with the given id.
func ByID(id string) (Step, bool) {
	all := registry()
	i, ok := registeredIndex[id]
	if !ok {
		return Step{}, false
	}
	return all[i], true
}

// stepIDs lists the step ids in order.
func stepIDs() []string {
	var ids []string
	for _, s := range registry() {
		ids = append(ids, s.ID)
	}
	return ids
}

// Planners returns one planner per step that is not skipped.
func Planners(cfg Config) []verify.Planner {
	cfg = cfg.withDefaults() // once, not at each of the round's calls
	var out []verify.Planner
	for _, s := range registry() {
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
	cfg = cfg.withDefaults()
	var out []Result
	for _, s := range registry() {
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
