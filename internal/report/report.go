package report

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/mailwizard/mailwizard/internal/steps"
	"github.com/mailwizard/mailwizard/internal/verify"
)

// Report is the result of one check round, as printed by
// `mailwizard check --json`.
type Report struct {
	// Domain is the mail domain, absolute ("example.com.").
	Domain string `json:"domain"`
	// Status folds the steps' statuses (steps.Overall).
	Status steps.Status `json:"status"`
	// CheckedAt is when the round ran, in UTC to the second.
	CheckedAt time.Time `json:"checked_at"`
	// Steps are the steps in the wizard's order, skipped ones included.
	Steps []Step `json:"steps"`
	// Mode says whom the records were asked: "authoritative" (each zone's
	// own nameservers, as always when the network lets mailwizard reach
	// them) or "resolver" (this network blocks or intercepts DNS to
	// outside servers, so the answers come from the recursive resolver).
	Mode string `json:"mode"`
	// Notes are what the report says once about the check as a whole
	// (this machine has no IPv6 path, …); left out when there are none.
	Notes []string `json:"notes,omitempty"`
}

// Values of Report.Mode.
const (
	ModeAuthoritative = "authoritative"
	ModeResolver      = "resolver"
)

// Step is one step's verdict with the data it rests on.
type Step struct {
	ID     string       `json:"id"`
	Title  string       `json:"title"`
	Status steps.Status `json:"status"`
	// Expected are the records the step wanted to see.
	Expected []steps.Record `json:"expected"`
	// Files are the files the step wants served (the MTA-STS policy).
	Files []steps.File `json:"files,omitempty"`
	// Observed is what each authoritative server said, main question first.
	Observed []Observation `json:"observed"`
	// Resolvers is the second opinion of the recursive resolvers; it never
	// decides a status.
	Resolvers []Observation   `json:"resolvers"`
	Findings  []steps.Finding `json:"findings"`
	// Servers is the step's verdict on each server it asked: ok, bad with
	// what is wrong there, or unknown with why.
	Servers []steps.ServerVerdict `json:"servers"`
	// SecondOpinion is what each resolver says of the step's records, in a
	// sentence.
	SecondOpinion []steps.Opinion `json:"second_opinion"`
	// OmittedNameservers are nameservers of the zones the step read that
	// were not asked: a zone that names more than the engine asks
	// (verify.Options.MaxNameservers). Left out when there are none.
	OmittedNameservers []string `json:"omitted_nameservers,omitempty"`
	// Probes are, for the server step, one row per address and port it
	// connected to: the step's verdict there and where it ran from.
	Probes []steps.ProbeRow `json:"probes,omitempty"`
	// Proposed are the records the findings propose in place of expected
	// ones (an SPF record merged with a second one); left out when none.
	Proposed []steps.Record `json:"proposed,omitempty"`
}

// Build makes the report of one round from the steps' results (from
// steps.JudgeAll, in order) and the time the round ran.
func Build(domain string, results []steps.Result, checkedAt time.Time) Report {
	r := Report{
		Domain:    domain,
		Status:    steps.Overall(results),
		CheckedAt: checkedAt.UTC().Truncate(time.Second),
		Steps:     make([]Step, 0, len(results)),
	}
	var answers []verify.Answer
	r.Mode = ModeAuthoritative
	for _, res := range results {
		r.Steps = append(r.Steps, buildStep(res))
		answers = append(answers, res.Observed...)
		if res.FromResolver {
			r.Mode = ModeResolver
		}
	}
	if r.Mode == ModeResolver {
		r.Notes = append(r.Notes, steps.ResolverModeText)
	}
	r.Notes = append(r.Notes, notes(answers)...)
	return r
}

// notes are the report's notes about the network, from every answer of
// the round.
func notes(answers []verify.Answer) []string {
	var out []string
	for _, fam := range verify.NoPath(answers) {
		other := "IPv4"
		if fam == "IPv4" {
			other = "IPv6"
		}
		out = append(out, fmt.Sprintf("This machine seems to have no %s path: every %s address of the nameservers gave no reply while their %s addresses answered, so the results rest on %s. A nameserver that answered on one address counts as answering.", fam, fam, other, other))
	}
	return out
}

// buildStep is one step's part of the report.
func buildStep(res steps.Result) Step {
	s := Step{
		ID:            res.Step,
		Title:         res.Step,
		Status:        res.Status,
		Expected:      nonNil(res.Expected),
		Files:         res.Files,
		Findings:      nonNil(res.Findings),
		Observed:      []Observation{},
		Resolvers:     []Observation{},
		Servers:       nonNil(res.Servers),
		SecondOpinion: nonNil(res.SecondOpinion),
		Probes:        res.Probes,
		Proposed:      res.Proposed,
	}
	if st, ok := steps.ByID(res.Step); ok && st.Title != "" {
		s.Title = st.Title
	}
	for _, ans := range res.Observed {
		s.Observed = append(s.Observed, authoritative(ans)...)
		s.Resolvers = append(s.Resolvers, resolvers(ans)...)
		for _, ns := range ans.Omitted {
			if !slices.Contains(s.OmittedNameservers, ns) {
				s.OmittedNameservers = append(s.OmittedNameservers, ns)
			}
		}
	}
	return s
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// WriteJSON writes r as indented JSON followed by a newline.
func WriteJSON(w io.Writer, r Report) error {
	return writeJSON(w, r, "  ")
}

// WriteJSONLine writes r as one line of JSON, for --watch: each round that
// changed something is a line of its own.
func WriteJSONLine(w io.Writer, r Report) error {
	return writeJSON(w, r, "")
}

func writeJSON(w io.Writer, r Report, indent string) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	return nil
}
