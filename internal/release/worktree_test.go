package release

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// gitEnv keeps the test's git commands away from the user's and the
// system's git configuration (signing, hooks, templates) and names the author
// of the snapshot commit.
func gitEnv() []string {
	return []string{
		"GIT_CONFIG_GLOBAL=" + os.DevNull,
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=mailwizard release test",
		"GIT_AUTHOR_EMAIL=release-test@mailwizard.invalid",
		"GIT_COMMITTER_NAME=mailwizard release test",
		"GIT_COMMITTER_EMAIL=release-test@mailwizard.invalid",
	}
}

// originURL is the snapshot repository's remote. GoReleaser reads it (git
// ls-remote --get-url, no network) and, when a repository has none, drops
// all git facts in snapshot mode: the version, commit and date turn into
// "none" and the zero time. Nothing ever contacts it.
const originURL = "https://github.com/mailwizard/mailwizard.git"

// git runs git in dir and returns its output without the final newline.
func git(ctx context.Context, t *testing.T, dir string, args ...string) string {
	t.Helper()
	return strings.TrimSpace(command(ctx, t, dir, gitEnv(), "git", args...))
}

// repoRoot returns the root of the work tree this test runs in.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatalf("find the repository root: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, ".goreleaser.yaml")); err != nil {
		t.Fatalf("find the repository root: %v", err)
	}
	return root
}

// snapshotTree copies the files of the work tree at root that git tracks or
// would track (committed, changed and new; never ignored ones such as dist/
// or .cache/) into a new repository with one commit and an origin remote:
// what a clean clone of the tree as it is now would hold. Copying rather
// than cloning tests uncommitted work too, and the release never writes into
// the developer's tree.
func snapshotTree(ctx context.Context, t *testing.T, root string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "mailwizard")
	// The developer's own git configuration applies here (safe.directory,
	// for one); only the new repository is kept away from it.
	list := command(ctx, t, root, nil, "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	for _, name := range strings.Split(list, "\x00") {
		if name == "" {
			continue
		}
		if err := copyEntry(filepath.Join(root, name), filepath.Join(dst, name)); err != nil {
			t.Fatalf("copy the work tree: %v", err)
		}
	}
	git(ctx, t, dst, "init", "--quiet", "--initial-branch=main")
	git(ctx, t, dst, "add", "--all")
	git(ctx, t, dst, "commit", "--quiet", "--no-verify", "--message=snapshot of the work tree")
	git(ctx, t, dst, "remote", "add", "origin", originURL)
	return dst
}

// copyEntry copies one regular file or symlink, creating its folder. A file
// git still tracks but the tree has deleted is left out, as in the next
// commit.
func copyEntry(src, dst string) error {
	info, err := os.Lstat(src)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	switch {
	case info.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(src)
		if err != nil {
			return err
		}
		return os.Symlink(target, dst)
	case info.Mode().IsRegular():
		return copyFile(src, dst, info.Mode().Perm())
	default:
		return nil // a submodule or other special entry: not part of a release
	}
}

// copyFile copies the contents of src into a new file dst with mode perm.
func copyFile(src, dst string, perm fs.FileMode) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}()
	_, err = io.Copy(out, in)
	return err
}
