package release

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/hex"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// platform is one target of the release build.
type platform struct {
	goos, goarch string
	format       string // of its archive
	binary       string // name inside the archive
}

// platforms are every target .goreleaser.yaml builds, keyed as GoReleaser
// names them in file names.
func platforms() map[string]platform {
	return map[string]platform{
		"linux_amd64":   {goos: "linux", goarch: "amd64", format: "tar.gz", binary: "mailwizard"},
		"linux_arm64":   {goos: "linux", goarch: "arm64", format: "tar.gz", binary: "mailwizard"},
		"darwin_amd64":  {goos: "darwin", goarch: "amd64", format: "tar.gz", binary: "mailwizard"},
		"darwin_arm64":  {goos: "darwin", goarch: "arm64", format: "tar.gz", binary: "mailwizard"},
		"windows_amd64": {goos: "windows", goarch: "amd64", format: "zip", binary: "mailwizard.exe"},
		"windows_arm64": {goos: "windows", goarch: "arm64", format: "zip", binary: "mailwizard.exe"},
	}
}

// archiveDocs are the files every archive holds beside the binary.
func archiveDocs() []string {
	return []string{
		"README.md",
		"LICENSE",
		"completions/mailwizard.bash",
		"completions/mailwizard.zsh",
		"completions/mailwizard.fish",
		"manpages/mailwizard.1.gz",
	}
}

// snapshot is a finished snapshot release.
type snapshot struct {
	repo       string // the repository it was built from
	dist       string
	version    string // as injected: "v0.0.1-snapshot-abc1234"
	commit     string // full hash of the repository's HEAD
	shortHash  string
	commitDate string // RFC 3339, UTC
	artifacts  []artifact
}

// TestSnapshotRelease builds the release the way a tag would, without
// publishing, and checks what a user downloads.
func TestSnapshotRelease(t *testing.T) {
	if !releaseRequested(os.Getenv) {
		t.Skip(skipMessage)
	}
	ctx := deadline(t)
	s := buildSnapshot(ctx, t)

	t.Run("the version names the commit", func(t *testing.T) {
		if !strings.HasSuffix(s.version, "-snapshot-"+s.shortHash) {
			t.Errorf("snapshot version %q does not end in -snapshot-%s: GoReleaser lost the git facts", s.version, s.shortHash)
		}
	})
	for name, p := range platforms() {
		t.Run("archive "+name, func(t *testing.T) {
			c := readPlatformArchive(t, s, p)
			for _, want := range append(archiveDocs(), p.binary) {
				if _, ok := c[want]; !ok {
					t.Errorf("the %s archive has no %s; it holds %v", name, want, names(c))
				}
			}
			checkBinary(t, c[p.binary].data, p, s.version, s.commit)
		})
	}
	t.Run("checksums cover every archive and package", func(t *testing.T) {
		checkChecksums(t, s)
	})
	t.Run("completions and man page come from the command tree", func(t *testing.T) {
		checkGenerated(t, readPlatformArchive(t, s, platforms()["linux_amd64"]))
	})
	t.Run("the unpacked binary reports its version, commit and date", func(t *testing.T) {
		checkVersionOutput(ctx, t, s)
	})
	for name, pkg := range packages() {
		t.Run("package "+name, func(t *testing.T) {
			checkPackage(t, s, pkg)
		})
	}
}

// buildSnapshot copies the work tree into a fresh repository and runs the
// pinned GoReleaser's check and snapshot release there. It logs how long
// each stage took.
func buildSnapshot(ctx context.Context, t *testing.T) snapshot {
	t.Helper()
	start := time.Now()
	repo := snapshotTree(ctx, t, repoRoot(t))
	copied := time.Now()
	program := installGoreleaser(ctx, t)
	installed := time.Now()
	goreleaser(ctx, t, program, repo, "check")
	checked := time.Now()
	goreleaser(ctx, t, program, repo, "release", "--snapshot", "--clean", "--skip=publish")
	released := time.Now()
	t.Logf("copy the tree %s, build GoReleaser %s, check %s, snapshot release %s",
		copied.Sub(start).Round(time.Millisecond), installed.Sub(copied).Round(time.Millisecond),
		checked.Sub(installed).Round(time.Millisecond), released.Sub(checked).Round(time.Millisecond))

	s := snapshot{
		repo:      repo,
		dist:      filepath.Join(repo, "dist"),
		commit:    git(ctx, t, repo, "rev-parse", "HEAD"),
		shortHash: git(ctx, t, repo, "rev-parse", "--short", "HEAD"),
	}
	when, err := time.Parse(time.RFC3339, git(ctx, t, repo, "log", "-1", "--format=%cI"))
	if err != nil {
		t.Fatalf("read the snapshot commit's date: %v", err)
	}
	s.commitDate = when.UTC().Format(time.RFC3339)
	var meta metadata
	readJSON(t, s.dist, "metadata.json", &meta)
	s.version = "v" + meta.Version
	readJSON(t, s.dist, "artifacts.json", &s.artifacts)
	return s
}

// readPlatformArchive reads the one archive built for p.
func readPlatformArchive(t *testing.T, s snapshot, p platform) contents {
	t.Helper()
	found := find(s.artifacts, typeArchive, p.goos, p.goarch, p.format)
	if len(found) != 1 {
		t.Fatalf("GoReleaser built %d %s archives for %s/%s, want 1", len(found), p.format, p.goos, p.goarch)
	}
	c, err := readArchive(filepath.Join(s.repo, found[0].Path), p.format)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// checkBinary checks how a release binary was built: from the build info
// the go command embeds (it survives -s -w) and from the file itself.
func checkBinary(t *testing.T, data []byte, p platform, version, commit string) {
	t.Helper()
	bi, err := buildinfo.Read(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("read the build info of the %s/%s binary: %v", p.goos, p.goarch, err)
	}
	if want := "github.com/mailwizard/mailwizard/cmd/mailwizard"; bi.Path != want {
		t.Errorf("the %s/%s binary is %s, want %s", p.goos, p.goarch, bi.Path, want)
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	for key, want := range map[string]string{
		"GOOS":        p.goos,
		"GOARCH":      p.goarch,
		"CGO_ENABLED": "0",
		"-trimpath":   "true",
	} {
		if got := settings[key]; got != want {
			t.Errorf("the %s/%s binary was built with %s=%q, want %q", p.goos, p.goarch, key, got, want)
		}
	}
	// -X writes the values into the binary's data as plain strings.
	for what, want := range map[string]string{"version": version, "commit": commit} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("the %s/%s binary does not hold its %s %q: -X flags lost", p.goos, p.goarch, what, want)
		}
	}
	hasDWARF, symbols, err := stripped(p.goos, data)
	if err != nil {
		t.Fatalf("read the %s/%s binary: %v", p.goos, p.goarch, err)
	}
	if hasDWARF || symbols > 0 {
		t.Errorf("the %s/%s binary has DWARF %v and %d symbols: not built with -s -w", p.goos, p.goarch, hasDWARF, symbols)
	}
}

// checkChecksums checks that checksums.txt lists every archive and package
// with its SHA-256, as a user verifying a download would.
func checkChecksums(t *testing.T, s snapshot) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(s.dist, "checksums.txt"))
	if err != nil {
		t.Fatalf("read checksums.txt: %v", err)
	}
	listed := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok {
			t.Fatalf("checksums.txt line %q is not \"<sha256>  <file>\"", line)
		}
		listed[name] = sum
	}
	downloads := 0
	for _, a := range s.artifacts {
		if a.Type != typeArchive && a.Type != typeLinuxPackage {
			continue
		}
		downloads++
		data, err := os.ReadFile(filepath.Join(s.repo, a.Path))
		if err != nil {
			t.Fatalf("read %s: %v", a.Name, err)
		}
		sum := sha256.Sum256(data)
		if got, want := listed[a.Name], hex.EncodeToString(sum[:]); got != want {
			t.Errorf("checksums.txt lists %s as %q, its SHA-256 is %s", a.Name, got, want)
		}
	}
	if want := len(platforms()) + len(packages()); downloads != want {
		t.Errorf("GoReleaser built %d archives and packages, want %d", downloads, want)
	}
	if len(listed) != downloads {
		t.Errorf("checksums.txt lists %d files, want one per archive and package (%d)", len(listed), downloads)
	}
}

// checkGenerated checks that the completions and the man page are what the
// shells and man expect for a program named mailwizard.
func checkGenerated(t *testing.T, c contents) {
	t.Helper()
	tests := map[string]struct {
		path, want string
	}{
		"bash completion registers for mailwizard":   {path: "completions/mailwizard.bash", want: "complete -o default -F __start_mailwizard mailwizard"},
		"zsh completion is a compdef for mailwizard": {path: "completions/mailwizard.zsh", want: "#compdef mailwizard\n"},
		"fish completion completes mailwizard":       {path: "completions/mailwizard.fish", want: "complete -c mailwizard "},
		"man page is mailwizard(1)":                  {path: "manpages/mailwizard.1.gz", want: ".TH MAILWIZARD 1 "},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			text := c[tc.path].data
			if strings.HasSuffix(tc.path, ".gz") {
				text = gunzip(t, tc.path, text)
			}
			if !bytes.Contains(text, []byte(tc.want)) {
				t.Errorf("%s (%d bytes) does not contain %q", tc.path, len(text), tc.want)
			}
		})
	}
}

// checkVersionOutput unpacks the archive built for the machine running the
// test and runs mailwizard --version from it, as a user would after a
// download.
func checkVersionOutput(ctx context.Context, t *testing.T, s snapshot) {
	t.Helper()
	p, ok := platforms()[runtime.GOOS+"_"+runtime.GOARCH]
	if !ok {
		t.Fatalf("the release builds nothing that runs on %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	c := readPlatformArchive(t, s, p)
	bin := filepath.Join(t.TempDir(), p.binary)
	if err := os.WriteFile(bin, c[p.binary].data, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out := command(ctx, t, t.TempDir(), []string{"NO_COLOR=1"}, bin, "--version")
	for what, want := range map[string]string{
		"version": s.version,
		"commit":  s.commit,
		"date":    s.commitDate,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("mailwizard --version printed %q: no %s %q", strings.TrimSpace(out), what, want)
		}
	}
}

// gunzip returns the uncompressed bytes of a gzip file.
func gunzip(t *testing.T, name string, data []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("gunzip %s: %v", name, err)
	}
	text, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gunzip %s: %v", name, err)
	}
	return text
}

// names lists the paths in c in order, for messages.
func names(c contents) []string {
	return slices.Sorted(maps.Keys(c))
}
