package report

import "github.com/mailwizard/mailwizard/internal/steps"

// Exit codes of mailwizard: a public contract for scripts and CI.
const (
	// ExitOK: every step passed or passed with a warning (skipped steps do
	// not count).
	ExitOK = 0
	// ExitProblems: at least one step is pending or failing.
	ExitProblems = 1
	// ExitBadInput: a flag, file or profile is wrong; nothing was checked.
	// The command decides it before a round runs.
	ExitBadInput = 2
	// ExitCouldNotCheck: nothing is pending or failing, but some step could
	// not be checked (timeouts, SERVFAIL, an unreachable resolver).
	ExitCouldNotCheck = 3
	// ExitCouldNotWrite: the report or the profile could not be written (a
	// full disk, a read-only folder); nothing is wrong with the input.
	ExitCouldNotWrite = 4
)

// ExitCode is the exit code of `mailwizard check` for r: ExitProblems
// when a step is pending or failing, else ExitCouldNotCheck when a step is
// in error, else ExitOK.
func ExitCode(r Report) int {
	couldNotCheck := false
	for _, s := range r.Steps {
		switch s.Status {
		case steps.StatusPending, steps.StatusFail:
			return ExitProblems
		case steps.StatusError:
			couldNotCheck = true
		}
	}
	if couldNotCheck {
		return ExitCouldNotCheck
	}
	return ExitOK
}

// Done reports whether a --watch can stop: every step that is not skipped
// is pass or warn.
func Done(r Report) bool {
	for _, s := range r.Steps {
		switch s.Status {
		case steps.StatusPass, steps.StatusWarn, steps.StatusSkipped:
		default:
			return false
		}
	}
	return true
}

// WorstExit folds the exit codes of several checks (several domains) into
// the one of the whole command: ExitBadInput, then ExitProblems, then
// ExitCouldNotCheck, then ExitOK. Any other code (an interruption, output
// that could not be written) outranks them all.
func WorstExit(codes ...int) int {
	rank := func(code int) int {
		switch code {
		case ExitOK:
			return 0
		case ExitCouldNotCheck:
			return 1
		case ExitProblems:
			return 2
		case ExitBadInput:
			return 3
		}
		return 4
	}
	worst := ExitOK
	for _, c := range codes {
		if rank(c) > rank(worst) {
			worst = c
		}
	}
	return worst
}
