package buildinfo

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestLinkerInjection builds a tiny program with the same -X flags as
// .goreleaser.yaml, so renaming the variables (or the package) breaks a test
// rather than silently turning every release into "dev".
func TestLinkerInjection(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program with the go command; run without -short")
	}
	const pkg = "github.com/mailwizard/mailwizard/internal/buildinfo"
	tests := map[string]struct {
		ldflags string
		want    string
	}{
		"release flags are shown": {
			ldflags: "-s -w -X " + pkg + ".version=9.8.7 -X " + pkg + ".commit=3333333333333333333333333333333333333333 -X " + pkg + ".date=2026-05-06T07:08:09Z",
			want:    "9.8.7 (commit 3333333333333333333333333333333333333333, 2026-05-06T07:08:09Z)",
		},
		"no flags and no VCS stamp: dev": {
			want: "dev",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			bin := filepath.Join(t.TempDir(), "printinfo")
			build := exec.CommandContext(t.Context(), "go", "build", "-buildvcs=false", "-ldflags", tc.ldflags, "-o", bin, "./testdata/printinfo")
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("go build: %v\n%s", err, out)
			}
			out, err := exec.CommandContext(t.Context(), bin).Output()
			if err != nil {
				t.Fatalf("run printinfo: %v", err)
			}
			if got := strings.TrimSpace(string(out)); got != tc.want {
				t.Errorf("printinfo printed %q, want %q", got, tc.want)
			}
		})
	}
}
