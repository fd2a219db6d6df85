package steps

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestREADMEListsEveryCode: the README's table of finding codes names
// exactly the declared codes, each with its severities.
func TestREADMEListsEveryCode(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n## Finding codes\n")
	if !ok {
		t.Fatal("README.md has no section on finding codes")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	documented := map[string][]Severity{}
	for _, m := range regexp.MustCompile("(?m)^\\| [^|]+ \\| `([a-z0-9-]+)` \\| ([a-z, ]+) \\|").FindAllStringSubmatch(section, -1) {
		for sev := range strings.SplitSeq(m[2], ",") {
			documented[m[1]] = append(documented[m[1]], Severity(strings.TrimSpace(sev)))
		}
	}
	contract := map[string][]Severity{}
	for _, c := range Codes() {
		if !slices.Contains(contract[c.Code], c.Severity) {
			contract[c.Code] = append(contract[c.Code], c.Severity)
		}
	}
	for code, sevs := range contract {
		got := slices.Sorted(slices.Values(documented[code]))
		want := slices.Sorted(slices.Values(sevs))
		if !slices.Equal(got, want) {
			t.Errorf("README gives %s the severities %v, the contract %v", code, got, want)
		}
	}
	for code := range documented {
		if _, ok := contract[code]; !ok {
			t.Errorf("README lists %s, which is not in the contract", code)
		}
	}
}
