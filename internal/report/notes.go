package report

import (
	"fmt"
	"time"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// ResolverNotes explains, for a step whose records are published (pass or
// warn), which second-opinion resolvers still serve a cached "no" for a
// record the authoritative servers do serve, and for how much longer:
// "127.0.0.53:53 still caches “no such name” for TXT _dmarc.example.com.
// for up to 59 min". A "no" for a name that rightly does not exist (a
// service not offered) is no news. Other steps have no notes: their
// findings say what is wrong.
func (s Step) ResolverNotes() []string {
	if s.Status != steps.StatusPass && s.Status != steps.StatusWarn {
		return nil
	}
	published := map[string]bool{}
	for _, o := range s.Observed {
		if o.Error == "" && len(o.Records) > 0 {
			published[o.Question] = true
		}
	}
	var notes []string
	for _, o := range s.Resolvers {
		if !o.Negative() || !published[o.Question] {
			continue
		}
		what := "no such record"
		if o.Rcode == "NXDOMAIN" {
			what = "no such name"
		}
		notes = append(notes, fmt.Sprintf("%s still caches “%s” for %s for up to %s",
			o.Server, what, o.Question, Duration(time.Duration(o.NegativeTTLSeconds)*time.Second)))
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

// Duration renders d for people, rounded up to what matters: "45 s",
// "59 min", "2 h 5 min".
func Duration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int64(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int64((d+time.Minute-1)/time.Minute))
	}
	h := int64(d / time.Hour)
	m := int64((d%time.Hour + time.Minute - 1) / time.Minute)
	if m == 60 {
		h, m = h+1, 0
	}
	if m == 0 {
		return fmt.Sprintf("%d h", h)
	}
	return fmt.Sprintf("%d h %d min", h, m)
}
