package report

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/mailwizard/mailwizard/internal/steps"
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
}

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
	for _, res := range results {
		r.Steps = append(r.Steps, buildStep(res))
	}
	return r
}

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
	}
	if st, ok := steps.ByID(res.Step); ok && st.Title != "" {
		s.Title = st.Title
	}
	for _, ans := range res.Observed {
		s.Observed = append(s.Observed, authoritative(ans)...)
		s.Resolvers = append(s.Resolvers, resolvers(ans)...)
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
