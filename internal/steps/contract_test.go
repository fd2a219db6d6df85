package steps

import (
	"cmp"
	"flag"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// Step ids and finding codes, with the severity of each code and the status
// it gives its step, are a contract: users script against them; what each
// step owns in a zone decides what publishing may replace. The registry
// (each step's definition and CommonCodes) is kept in
// testdata/TestRegistry.golden, so that a step or a code renamed, removed or
// weighing otherwise is a diff to review. After a deliberate change:
// go test ./internal/steps -run TestRegistry -update.
func TestRegistry(t *testing.T) {
	var b strings.Builder
	b.WriteString("# steps, in the wizard's order: id, where, title\n")
	for _, s := range All() {
		fmt.Fprintf(&b, "%-12s %-17s %s\n", s.ID, s.Where, s.Title)
	}
	b.WriteString("\n# what publishing a step may replace at its records' names: step, type, values starting with\n")
	for _, s := range All() {
		for _, o := range s.Owns {
			fmt.Fprintf(&b, "%-12s %-5s %s\n", s.ID, o.Type, cmp.Or(o.tag, "*"))
		}
	}
	b.WriteString("\n# finding codes: code, step (* for every step), severity, effect on the step's status\n")
	for _, c := range Codes() {
		fmt.Fprintf(&b, "%-26s %-11s %-8s %s\n", c.Code, cmp.Or(c.Step, "*"), c.Severity, c.Effect)
	}
	golden.RequireEqual(t, b.String())
}

// TestRegistryIsWellFormed checks what the golden cannot show at a glance:
// ids and codes are unique and well formed, every declaration says what it
// means, and a code declared twice differs in weight, not in step.
func TestRegistryIsWellFormed(t *testing.T) {
	name := regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	ids := map[string]bool{}
	for _, s := range All() {
		if !name.MatchString(s.ID) || ids[s.ID] {
			t.Errorf("step id %q is malformed or not unique", s.ID)
		}
		ids[s.ID] = true
		if s.Title == "" || s.Where == "" {
			t.Errorf("step %s has no title or no place", s.ID)
		}
	}
	steps := map[string]string{}
	seen := map[string]bool{}
	for _, c := range Codes() {
		key := c.Code + "/" + c.variant
		switch {
		case !name.MatchString(c.Code):
			t.Errorf("code %q is not lower-case words joined by hyphens", c.Code)
		case seen[key]:
			t.Errorf("code %s is declared twice with the same variant", key)
		case c.Step != "" && !ids[c.Step]:
			t.Errorf("code %s belongs to no step (%q)", c.Code, c.Step)
		case c.Meaning == "" || strings.Contains(c.Meaning, "\n") || strings.Contains(c.Meaning, "|"):
			t.Errorf("code %s: its meaning is not one line fit for the README's table: %q", c.Code, c.Meaning)
		case c.Effect.rank() < 0:
			t.Errorf("code %s has effect %q, which is no status a finding gives", c.Code, c.Effect)
		}
		if step, ok := steps[c.Code]; ok && step != c.Step {
			t.Errorf("code %s is declared by both %q and %q", c.Code, step, c.Step)
		}
		seen[key], steps[c.Code] = true, c.Step
	}
}

// checkContract fails t when a finding has a code its step does not
// declare, or a severity no declaration of its code gives it.
func checkContract(t testing.TB, step string, f Finding) {
	t.Helper()
	if len(declarations(step, f.Code, f.Severity)) == 0 {
		t.Errorf("%s: finding %s (%s) is not declared by the step or among the common codes:\n%s", step, f.Code, f.Severity, f.Message)
	}
}

// declarations are the declarations of code with severity sev that a
// finding of step may come from.
func declarations(step, code string, sev Severity) []FindingCode {
	var out []FindingCode
	for _, c := range Codes() {
		if c.Code == code && c.Severity == sev && (c.Step == step || c.Step == "") {
			out = append(out, c)
		}
	}
	return out
}

// triggerLog records which declarations the step tables have triggered:
// every finding code has a table case that expects it (and close cases that
// must not see it).
type triggerLog struct {
	mu   sync.Mutex
	seen map[string]bool // declaration key: step, code, variant
}

// triggered is filled by runStepCases and read by TestMain once every test
// has run.
var triggered = triggerLog{seen: map[string]bool{}}

func declarationKey(step string, c FindingCode) string {
	return step + " " + c.Code + " " + c.variant
}

// record notes that a case of step expected code and got it in res. When a
// code is declared twice with the same severity, the declaration whose
// effect is the step's status is the one triggered.
func (l *triggerLog) record(step, code string, res Result) {
	f, ok := finding(res, code)
	if !ok {
		return
	}
	decls := declarations(step, code, f.Severity)
	if len(decls) > 1 {
		decls = slices.DeleteFunc(decls, func(c FindingCode) bool { return c.Effect != res.Status })
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range decls {
		l.seen[declarationKey(step, c)] = true
	}
}

// missing lists the declarations no table case triggered. A common code is
// triggered by any step.
func (l *triggerLog) missing() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, c := range Codes() {
		hit := false
		if c.Step != "" {
			hit = l.seen[declarationKey(c.Step, c)]
		}
		for _, s := range All() {
			hit = hit || c.Step == "" && l.seen[declarationKey(s.ID, c)]
		}
		if !hit {
			out = append(out, fmt.Sprintf("%s (step %s, %s, %s)", c.Code, cmp.Or(c.Step, "*"), c.Severity, c.Effect))
		}
	}
	return out
}

// TestMain fails the package when, after a full run, a declared finding
// code has no table case that triggers it. A run narrowed with -run or
// -skip does not check.
func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	full := flag.Lookup("test.run").Value.String() == "" && flag.Lookup("test.skip").Value.String() == ""
	if missing := triggered.missing(); code == 0 && full && len(missing) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: declared finding codes that no step table case expects:\n  %s\n", strings.Join(missing, "\n  "))
		code = 1
	}
	os.Exit(code)
}
