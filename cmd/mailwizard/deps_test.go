package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestBinaryDoesNotLinkTesting: the product does not import package
// testing (the demo's DNS world is package dnsworld, not verifytest).
func TestBinaryDoesNotLinkTesting(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	for _, bad := range []string{"testing", "github.com/mailwizard/mailwizard/internal/verify/verifytest"} {
		if slices.Contains(deps, bad) {
			t.Errorf("mailwizard imports %s", bad)
		}
	}
}
