package main

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// testCommand is the one command that runs every test; README.md shows it
// and .ci/run runs it.
const testCommand = "go test -race -timeout 20m ./..."

func readRepoFile(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile("../../" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestREADMEAndCIRunTheSameTests(t *testing.T) {
	readme := readRepoFile(t, "README.md")
	ci := readRepoFile(t, ".ci/run")
	if !strings.Contains(readme, "```sh\n"+testCommand+"\n```") {
		t.Errorf("README.md does not show %q as a command block", testCommand)
	}
	var ciLines []string
	for line := range strings.SplitSeq(ci, "\n") {
		if strings.HasPrefix(line, "go test") {
			ciLines = append(ciLines, line)
		}
	}
	if len(ciLines) != 1 || ciLines[0] != testCommand {
		t.Errorf(".ci/run runs %q, want exactly %q", ciLines, testCommand)
	}
	if !strings.Contains(ci, "export MAILWIZARD_E2E=require") {
		t.Error(".ci/run does not require the end-to-end lab")
	}
}

// TestREADMEListsEveryConfigFlag: the README's table of the flags shared by
// check and records names exactly the flags they have.
func TestREADMEListsEveryConfigFlag(t *testing.T) {
	readme := readRepoFile(t, "README.md")
	_, section, ok := strings.Cut(readme, "### Flags shared by check and records")
	if !ok {
		t.Fatal("README.md has no section on the shared flags")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var documented []string
	for _, m := range regexp.MustCompile("(?m)^\\| `--([a-z0-9-]+)`").FindAllStringSubmatch(section, -1) {
		documented = append(documented, m[1])
	}
	var cf configFlags
	fs := pflag.NewFlagSet("config", pflag.ContinueOnError)
	cf.register(fs)
	var actual []string
	fs.VisitAll(func(f *pflag.Flag) { actual = append(actual, f.Name) })
	slices.Sort(documented)
	slices.Sort(actual)
	if !slices.Equal(documented, actual) {
		t.Errorf("README documents %v\nthe commands have %v", documented, actual)
	}
}
