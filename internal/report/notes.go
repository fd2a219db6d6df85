package report

import (
	"fmt"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// ResolverNotes are, for a step whose records are published (pass or
// warn), the second opinions of resolvers that still cache a "no" for a
// record the authoritative servers serve, saying for how much longer. Other
// steps have no notes: their findings say what is wrong.
func (s Step) ResolverNotes() []string {
	if s.Status != steps.StatusPass && s.Status != steps.StatusWarn {
		return nil
	}
	var notes []string
	for _, o := range s.SecondOpinion {
		if o.Stale {
			notes = append(notes, o.Note)
		}
	}
	return notes
}

// Summary is the observation in a few words: "NXDOMAIN, 3 ms",
// "NOERROR, 2 records, 1 ms", or "error: query … timeout".
func (o Observation) Summary() string {
	if o.Error != "" {
		return "error: " + o.Error
	}
	if o.Probe != nil {
		return o.Probe.summary(o.RTTMillis)
	}
	s := o.Rcode
	switch n := len(o.Records); {
	case n == 1:
		s += ", 1 record"
	case n > 1:
		s += fmt.Sprintf(", %d records", n)
	}
	return s + fmt.Sprintf(", %d ms", o.RTTMillis)
}
