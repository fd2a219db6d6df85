package release

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"
)

// goreleaserModule is the pinned GoReleaser. The same pin appears in
// .goreleaser.yaml's header and README.md's Contributing section; change them together.
const goreleaserModule = "github.com/goreleaser/goreleaser/v2@v2.15.1"

// goEnv keeps the go command on the toolchain at hand: it may fetch Go
// modules, never a toolchain.
func goEnv() []string { return []string{"GOTOOLCHAIN=local"} }

// installGoreleaser builds the pinned GoReleaser into a temporary folder and
// returns the program's path. With a warm build cache this is a link of a
// few seconds; cold, it downloads and compiles GoReleaser's modules (minutes).
// The test runs the program itself rather than through go run so that a
// deadline stops GoReleaser, not only the go command in front of it.
func installGoreleaser(ctx context.Context, t *testing.T) string {
	t.Helper()
	bin := t.TempDir()
	env := append(goEnv(), "GOBIN="+bin)
	command(ctx, t, t.TempDir(), env, "go", "install", goreleaserModule)
	name := "goreleaser"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	return filepath.Join(bin, name)
}

// goreleaser runs the GoReleaser program in the repository dir.
func goreleaser(ctx context.Context, t *testing.T, program, dir string, args ...string) {
	t.Helper()
	command(ctx, t, dir, append(goEnv(), gitEnv()...), program, args...)
}
