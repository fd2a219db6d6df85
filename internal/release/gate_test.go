package release

import (
	"strconv"
	"testing"
)

// skipMessage tells a developer how to run the snapshot release test.
const skipMessage = "snapshot release not built: it takes about half a minute with warm Go caches " +
	"and ten minutes with empty ones (half of that builds GoReleaser); " +
	"run it with MAILWIZARD_RELEASE=1 go test ./internal/release (CI=true runs it too)"

// releaseRequested reports whether the environment asks for the snapshot
// release test: MAILWIZARD_RELEASE=1, or CI set to anything but a false value.
func releaseRequested(getenv func(string) string) bool {
	if getenv("MAILWIZARD_RELEASE") == "1" {
		return true
	}
	ci := getenv("CI")
	if ci == "" {
		return false
	}
	on, err := strconv.ParseBool(ci)
	return on || err != nil
}

func TestReleaseRequested(t *testing.T) {
	tests := map[string]struct {
		env  map[string]string
		want bool
	}{
		"CI=true runs it":                   {env: map[string]string{"CI": "true"}, want: true},
		"CI=1 runs it":                      {env: map[string]string{"CI": "1"}, want: true},
		"a CI naming itself runs it":        {env: map[string]string{"CI": "woodpecker"}, want: true},
		"MAILWIZARD_RELEASE=1 runs it":      {env: map[string]string{"MAILWIZARD_RELEASE": "1"}, want: true},
		"a plain developer run skips it":    {env: map[string]string{}, want: false},
		"CI=false skips it":                 {env: map[string]string{"CI": "false"}, want: false},
		"MAILWIZARD_RELEASE=0 skips it":     {env: map[string]string{"MAILWIZARD_RELEASE": "0"}, want: false},
		"MAILWIZARD_RELEASE=yes is not 1":   {env: map[string]string{"MAILWIZARD_RELEASE": "yes"}, want: false},
		"CI wins over MAILWIZARD_RELEASE=0": {env: map[string]string{"CI": "true", "MAILWIZARD_RELEASE": "0"}, want: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			getenv := func(key string) string { return tc.env[key] }
			if got := releaseRequested(getenv); got != tc.want {
				t.Errorf("releaseRequested(%v) = %v, want %v", tc.env, got, tc.want)
			}
		})
	}
}
