package report

import (
	"strings"
	"testing"
	"time"

	"github.com/mailwizard/mailwizard/internal/steps"
)

func TestDuration(t *testing.T) {
	tests := map[string]struct {
		d    time.Duration
		want string
	}{
		"seconds":                     {45 * time.Second, "45 s"},
		"minutes round up":            {59*time.Minute + time.Second, "60 min"},
		"just under an hour":          {3540 * time.Second, "59 min"},
		"hours and minutes":           {2*time.Hour + 4*time.Minute + 30*time.Second, "2 h 5 min"},
		"whole hours":                 {3 * time.Hour, "3 h"},
		"minutes rounding to an hour": {time.Hour + 59*time.Minute + time.Second, "2 h"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Duration(tc.d); got != tc.want {
				t.Errorf("Duration(%v) = %q, want %q", tc.d, got, tc.want)
			}
		})
	}
}

func TestResolverNotes(t *testing.T) {
	dmarc := Observation{Question: "TXT _dmarc.example.com.", Server: "ns1.example.net.", Rcode: "NOERROR", Records: []string{"x"}}
	spf := Observation{Question: "TXT example.com.", Server: "ns1.example.net.", Rcode: "NOERROR", Records: []string{"x"}}
	cachedNo := Observation{Question: "TXT _dmarc.example.com.", Server: "127.0.0.53:53", Rcode: "NXDOMAIN", NegativeTTLSeconds: 3540}
	cachedNoData := Observation{Question: "TXT example.com.", Server: "127.0.0.53:53", Rcode: "NOERROR", NegativeTTLSeconds: 300}
	agrees := Observation{Question: "TXT _dmarc.example.com.", Server: "127.0.0.53:53", Rcode: "NOERROR", Records: []string{"x"}}
	unoffered := Observation{Question: "SRV _pop3._tcp.example.com.", Server: "127.0.0.53:53", Rcode: "NXDOMAIN", NegativeTTLSeconds: 3600}
	unofferedAuth := Observation{Question: "SRV _pop3._tcp.example.com.", Server: "ns1.example.net.", Rcode: "NXDOMAIN", NegativeTTLSeconds: 3600}
	tests := map[string]struct {
		step Step
		want []string
	}{
		"published, resolver still caches no such name": {
			step: Step{Status: steps.StatusPass, Observed: []Observation{dmarc}, Resolvers: []Observation{cachedNo}},
			want: []string{"127.0.0.53:53 still caches “no such name” for TXT _dmarc.example.com. for up to 59 min"},
		},
		"published with a warning, resolver caches no such record": {
			step: Step{Status: steps.StatusWarn, Observed: []Observation{spf}, Resolvers: []Observation{cachedNoData}},
			want: []string{"127.0.0.53:53 still caches “no such record” for TXT example.com. for up to 5 min"},
		},
		"resolver agrees: no note": {
			step: Step{Status: steps.StatusPass, Observed: []Observation{dmarc}, Resolvers: []Observation{agrees}},
		},
		"a name rightly absent everywhere: no note": {
			step: Step{Status: steps.StatusPass, Observed: []Observation{unofferedAuth}, Resolvers: []Observation{unoffered}},
		},
		"not published yet: the findings speak, not the resolver": {
			step: Step{Status: steps.StatusPending, Observed: []Observation{dmarc}, Resolvers: []Observation{cachedNo}},
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
