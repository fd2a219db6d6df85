package report

import (
	"testing"

	"github.com/mailwizard/mailwizard/internal/steps"
)

func reportOf(statuses ...steps.Status) Report {
	var r Report
	for i, s := range statuses {
		r.Steps = append(r.Steps, Step{ID: string(rune('a' + i)), Status: s})
	}
	return r
}

func TestExitCodeAndDone(t *testing.T) {
	tests := map[string]struct {
		statuses []steps.Status
		wantCode int
		wantDone bool
	}{
		"no steps":                          {nil, ExitOK, true},
		"all pass":                          {[]steps.Status{steps.StatusPass, steps.StatusPass}, ExitOK, true},
		"warn and skipped still pass":       {[]steps.Status{steps.StatusWarn, steps.StatusSkipped}, ExitOK, true},
		"one pending":                       {[]steps.Status{steps.StatusPass, steps.StatusPending}, ExitProblems, false},
		"one failing":                       {[]steps.Status{steps.StatusFail, steps.StatusPass}, ExitProblems, false},
		"only errors: could not check":      {[]steps.Status{steps.StatusPass, steps.StatusError}, ExitCouldNotCheck, false},
		"failure beats an error":            {[]steps.Status{steps.StatusError, steps.StatusFail}, ExitProblems, false},
		"pending beats an error, any order": {[]steps.Status{steps.StatusPending, steps.StatusError}, ExitProblems, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := reportOf(tc.statuses...)
			if got := ExitCode(r); got != tc.wantCode {
				t.Errorf("ExitCode = %d, want %d", got, tc.wantCode)
			}
			if got := Done(r); got != tc.wantDone {
				t.Errorf("Done = %v, want %v", got, tc.wantDone)
			}
		})
	}
}

func TestWorstExit(t *testing.T) {
	tests := map[string]struct {
		codes []int
		want  int
	}{
		"none":                          {nil, ExitOK},
		"all fine":                      {[]int{ExitOK, ExitOK}, ExitOK},
		"one could not be checked":      {[]int{ExitOK, ExitCouldNotCheck}, ExitCouldNotCheck},
		"problems beat could not check": {[]int{ExitCouldNotCheck, ExitProblems, ExitOK}, ExitProblems},
		"bad input beats problems":      {[]int{ExitProblems, ExitBadInput}, ExitBadInput},
		"a write failure beats all":     {[]int{ExitBadInput, ExitCouldNotWrite, ExitProblems}, ExitCouldNotWrite},
	}
	for name, tc := range tests {
		if got := WorstExit(tc.codes...); got != tc.want {
			t.Errorf("%s: WorstExit(%v) = %d, want %d", name, tc.codes, got, tc.want)
		}
	}
}
