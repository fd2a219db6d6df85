package lab

import (
	"errors"
	"strings"
	"testing"
)

func TestVerdict(t *testing.T) {
	missing := errors.New("missing knotd (package knot)")
	tests := map[string]struct {
		env      string
		wantFail bool
		wantText string
	}{
		"unset: skip and say how to require": {env: "", wantFail: false, wantText: "set MAILWIZARD_E2E=require to fail instead"},
		"require: fail":                      {env: "require", wantFail: true, wantText: "MAILWIZARD_E2E=require"},
		"anything else: skip":                {env: "1", wantFail: false, wantText: "skipping"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			fail, msg := verdict(missing, tc.env)
			if fail != tc.wantFail {
				t.Errorf("fail = %v, want %v", fail, tc.wantFail)
			}
			if !strings.Contains(msg, tc.wantText) || !strings.Contains(msg, "missing knotd (package knot)") {
				t.Errorf("message %q lacks %q or the reason", msg, tc.wantText)
			}
		})
	}
}
