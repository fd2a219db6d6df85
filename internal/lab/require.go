package lab

import (
	"fmt"
	"os"
	"testing"
)

// EnvVar is the environment variable that decides what a missing lab
// means: with MAILWIZARD_E2E=require it fails the test (CI sets it);
// otherwise the test is skipped.
const EnvVar = "MAILWIZARD_E2E"

// Require ends the test when the lab is not available (err from Ensure):
// it skips, saying how to install the programs, or fails when EnvVar is
// "require".
func Require(t testing.TB, err error) {
	t.Helper()
	if err == nil {
		return
	}
	fail, msg := verdict(err, os.Getenv(EnvVar))
	if fail {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// verdict says whether a missing lab fails the test, and why, given the
// value of EnvVar.
func verdict(err error, env string) (fail bool, msg string) {
	if env == "require" {
		return true, fmt.Sprintf("end-to-end lab unavailable and %s=require: %v", EnvVar, err)
	}
	return false, fmt.Sprintf("skipping the end-to-end test, the lab is unavailable: %v (set %s=require to fail instead)", err, EnvVar)
}
