package report

import (
	"strings"
	"testing"

	"github.com/mailwizard/mailwizard/internal/steps"
)

func TestResolverNotes(t *testing.T) {
	stale := steps.Opinion{Resolver: "127.0.0.53:53", Stale: true,
		Note: `127.0.0.53:53 still caches "no such name" for up to 59 min (TXT _dmarc.example.com.); it will catch up on its own.`}
	agrees := steps.Opinion{Resolver: "127.0.0.53:53", Note: "127.0.0.53:53 sees it too."}
	tests := map[string]struct {
		step Step
		want []string
	}{
		"published, a resolver still caches no": {
			step: Step{Status: steps.StatusPass, SecondOpinion: []steps.Opinion{stale}},
			want: []string{stale.Note},
		},
		"published with a warning": {
			step: Step{Status: steps.StatusWarn, SecondOpinion: []steps.Opinion{agrees, stale}},
			want: []string{stale.Note},
		},
		"a resolver that agrees is no news": {
			step: Step{Status: steps.StatusPass, SecondOpinion: []steps.Opinion{agrees}},
		},
		"not published everywhere: the findings speak, not the resolver": {
			step: Step{Status: steps.StatusPending, SecondOpinion: []steps.Opinion{stale}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := tc.step.ResolverNotes()
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("ResolverNotes = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSummary(t *testing.T) {
	tests := map[string]struct {
		o    Observation
		want string
	}{
		"error":    {Observation{Rcode: "SERVFAIL", Error: "query MX example.com. at 192.0.2.53:53: SERVFAIL"}, "error: query MX example.com. at 192.0.2.53:53: SERVFAIL"},
		"nxdomain": {Observation{Rcode: "NXDOMAIN", RTTMillis: 3}, "NXDOMAIN, 3 ms"},
		"one":      {Observation{Rcode: "NOERROR", Records: []string{"a"}, RTTMillis: 1}, "NOERROR, 1 record, 1 ms"},
		"several":  {Observation{Rcode: "NOERROR", Records: []string{"a", "b"}}, "NOERROR, 2 records, 0 ms"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := tc.o.Summary(); got != tc.want {
				t.Errorf("Summary = %q, want %q", got, tc.want)
			}
		})
	}
}
