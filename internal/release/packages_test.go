package release

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// linuxPackage is one nfpm package the release builds.
type linuxPackage struct {
	format, goarch string
	// installs maps where the package puts a file to the file of the
	// linux archive of the same architecture it must equal. Nil for rpm,
	// which the test can only recognise, not unpack.
	installs map[string]string
	// absent are paths another distribution uses that this one must not.
	absent []string
}

// Where Debian, and Fedora and Alpine, expect what the package installs.
const (
	binPath         = "usr/bin/mailwizard"
	bashPath        = "usr/share/bash-completion/completions/mailwizard"
	fishPath        = "usr/share/fish/vendor_completions.d/mailwizard.fish"
	zshDebianPath   = "usr/share/zsh/vendor-completions/_mailwizard"
	zshUpstreamPath = "usr/share/zsh/site-functions/_mailwizard"
	manPath         = "usr/share/man/man1/mailwizard.1.gz"
)

// packages are every package .goreleaser.yaml builds, by format and
// architecture.
func packages() map[string]linuxPackage {
	debian := map[string]string{
		binPath:       "mailwizard",
		bashPath:      "completions/mailwizard.bash",
		fishPath:      "completions/mailwizard.fish",
		zshDebianPath: "completions/mailwizard.zsh",
		manPath:       "manpages/mailwizard.1.gz",
	}
	alpine := map[string]string{
		binPath:         "mailwizard",
		bashPath:        "completions/mailwizard.bash",
		fishPath:        "completions/mailwizard.fish",
		zshUpstreamPath: "completions/mailwizard.zsh",
		manPath:         "manpages/mailwizard.1.gz",
	}
	return map[string]linuxPackage{
		"deb amd64": {format: "deb", goarch: "amd64", installs: debian, absent: []string{zshUpstreamPath}},
		"deb arm64": {format: "deb", goarch: "arm64", installs: debian, absent: []string{zshUpstreamPath}},
		"apk amd64": {format: "apk", goarch: "amd64", installs: alpine, absent: []string{zshDebianPath}},
		"apk arm64": {format: "apk", goarch: "arm64", installs: alpine, absent: []string{zshDebianPath}},
		"rpm amd64": {format: "rpm", goarch: "amd64"},
		"rpm arm64": {format: "rpm", goarch: "arm64"},
	}
}

// checkPackage checks that the package exists and, where the test can
// unpack it, installs the binary, completions and man page of the archive
// where its distribution looks for them.
func checkPackage(t *testing.T, s snapshot, pkg linuxPackage) {
	t.Helper()
	found := find(s.artifacts, typeLinuxPackage, "linux", pkg.goarch, pkg.format)
	if len(found) != 1 {
		t.Fatalf("GoReleaser built %d %s packages for linux/%s, want 1", len(found), pkg.format, pkg.goarch)
	}
	path := filepath.Join(s.repo, found[0].Path)
	var (
		installed contents
		err       error
	)
	switch pkg.format {
	case "deb":
		installed, err = readDeb(path)
	case "apk":
		installed, err = readTarGz(path)
	case "rpm":
		checkRPMLead(t, path)
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	archive := readPlatformArchive(t, s, platforms()["linux_"+pkg.goarch])
	for dst, src := range pkg.installs {
		got, ok := installed[dst]
		if !ok {
			t.Errorf("the %s %s package does not install /%s; it installs %v", pkg.format, pkg.goarch, dst, names(installed))
			continue
		}
		if !bytes.Equal(got.data, archive[src].data) {
			t.Errorf("the %s %s package's /%s differs from the archive's %s", pkg.format, pkg.goarch, dst, src)
		}
	}
	if mode := installed[binPath].mode; mode&0o111 == 0 {
		t.Errorf("the %s %s package installs /%s with mode %v: not executable", pkg.format, pkg.goarch, binPath, mode)
	}
	for _, dst := range pkg.absent {
		if _, ok := installed[dst]; ok {
			t.Errorf("the %s %s package installs /%s, a path of another distribution", pkg.format, pkg.goarch, dst)
		}
	}
}

// checkRPMLead checks that path starts with the RPM lead's magic bytes.
func checkRPMLead(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte{0xed, 0xab, 0xee, 0xdb}) {
		t.Errorf("%s does not start with the RPM magic", filepath.Base(path))
	}
}
