package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mailwizard/mailwizard/internal/report"
)

// exitInterrupted is the exit code after Ctrl+C (128 + SIGINT).
const exitInterrupted = 130

// exitError is an error that decides the exit code. With a nil err it is
// silent: the command already printed what there was to say.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// badInput is a problem with a flag, a file or a profile: exit 2.
func badInput(format string, args ...any) error {
	return &exitError{code: report.ExitBadInput, err: fmt.Errorf(format, args...)}
}

// badInputLines is several problems with the input, one line each: exit 2.
func badInputLines(lines []string) error {
	return &exitError{code: report.ExitBadInput, err: errors.New(strings.Join(lines, "\n"))}
}

// couldNotCheck is a network problem that stopped the check: exit 3.
func couldNotCheck(format string, args ...any) error {
	return &exitError{code: report.ExitCouldNotCheck, err: fmt.Errorf(format, args...)}
}

// couldNotWrite is output (a report, the profile) that could not be
// written, a full disk for one: exit 4.
func couldNotWrite(err error) error {
	return &exitError{code: report.ExitCouldNotWrite, err: err}
}

// interrupted ends the command after Ctrl+C: exit 130.
func interrupted() error {
	return &exitError{code: exitInterrupted, err: errors.New("interrupted")}
}

// exitWith ends the command with code and nothing more to print.
func exitWith(code int) error {
	if code == report.ExitOK {
		return nil
	}
	return &exitError{code: code}
}

// exitCode maps what a command returned to the process's exit code.
// Untyped errors come from cobra's own flag and argument checks: bad input.
func exitCode(err error) int {
	if err == nil {
		return report.ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return report.ExitBadInput
}
