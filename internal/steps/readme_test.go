package steps

import (
	"cmp"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// readmePart is the part of README.md from the end of from to the start of
// the next to.
func readmePart(t *testing.T, from, to string) string {
	t.Helper()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, part, ok := strings.Cut(string(data), from)
	if !ok {
		t.Fatalf("README.md has no %q", from)
	}
	part, _, _ = strings.Cut(part, to)
	return part
}

// TestREADMEListsEveryCode: the README's table of finding codes is the
// registry, row by row: step, code, severity, the status it gives the step,
// and its meaning.
func TestREADMEListsEveryCode(t *testing.T) {
	var documented []string
	for line := range strings.SplitSeq(readmePart(t, "\n## Finding codes\n", "\n## "), "\n") {
		if strings.HasPrefix(line, "| ") && strings.Contains(line, " | `") {
			documented = append(documented, line)
		}
	}
	var want []string
	for _, c := range Codes() {
		want = append(want, fmt.Sprintf("| %s | `%s` | %s | %s | %s |", cmp.Or(c.Step, "every step"), c.Code, c.Severity, c.Effect, c.Meaning))
	}
	if !slices.Equal(documented, want) {
		t.Errorf("README's finding codes differ from the registry; the table's rows should be:\n%s", strings.Join(want, "\n"))
	}
}

// TestREADMEListsEveryStep: the README names the steps of All, in the
// wizard's order.
func TestREADMEListsEveryStep(t *testing.T) {
	var documented, actual []string
	for _, m := range regexp.MustCompile("`([a-z0-9-]+)`").FindAllStringSubmatch(readmePart(t, "The steps, in order, are ", ".\n"), -1) {
		documented = append(documented, m[1])
	}
	for _, s := range All() {
		actual = append(actual, s.ID)
	}
	if !slices.Equal(documented, actual) {
		t.Errorf("README lists the steps %v\nthe wizard has %v", documented, actual)
	}
}
