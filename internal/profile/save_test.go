package profile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// TestSaveRemovesStaleTemps: a save removes the temp files that saves of
// the same profile left behind when they were killed, and nothing else: not
// a fresh one (a save may be writing it), not one a save holds locked, not
// another profile's, not a file of another shape.
func TestSaveRemovesStaleTemps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "example.com.toml")
	old := time.Now().Add(-time.Hour)
	file := func(name string, modified time.Time) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("version = 1\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, modified, modified); err != nil {
			t.Fatal(err)
		}
		return p
	}
	file(".example.com.toml.tmp-1234567", old)
	file(".example.com.toml.tmp-42", old.Add(-30*24*time.Hour))
	keep := []string{
		".example.com.toml.tmp-99",    // written a moment ago
		".example.com.toml.tmp-12x",   // not a name a save gives
		".example.com.toml.tmp-",      // nor this
		".example.com.toml.tmp-7.bak", // nor this
		".other.example.toml.tmp-55",  // another profile's
		"example.com.toml.tmp-66",     // not hidden: not ours
		"notes.txt",
	}
	file(keep[0], time.Now())
	for _, name := range keep[1:] {
		file(name, old)
	}
	if err := os.Mkdir(filepath.Join(dir, ".example.com.toml.tmp-31"), 0o700); err != nil {
		t.Fatal(err)
	}
	keep = append(keep, ".example.com.toml.tmp-31")
	if runtime.GOOS != "windows" {
		if err := os.Symlink(filepath.Join(dir, "notes.txt"), filepath.Join(dir, ".example.com.toml.tmp-32")); err != nil {
			t.Fatal(err)
		}
		keep = append(keep, ".example.com.toml.tmp-32")
	}
	locked := ".example.com.toml.tmp-77"
	if unlock, ok := tryLock(file(locked, old)); ok {
		// Where files can be locked, a save that holds its temp file
		// locked (stopped for an hour, say) keeps it.
		defer unlock()
		if _, stillOK := tryLock(filepath.Join(dir, locked)); !stillOK {
			keep = append(keep, locked)
		}
	}

	if err := Save(path, fullConfig()); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	want := append(slices.Clone(keep), "example.com.toml")
	if runtime.GOOS == "windows" || !slices.Contains(keep, locked) {
		want = slices.DeleteFunc(want, func(s string) bool { return s == locked })
	}
	slices.Sort(want)
	if !slices.Equal(left, want) {
		t.Errorf("after the save the folder holds\n%v\nwant\n%v", left, want)
	}
}

// fullFile is a temp file on a full disk: every write fails as the system
// says it.
type fullFile struct{ *os.File }

func (f fullFile) Write([]byte) (int, error) {
	return 0, &fs.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
}

// TestSaveOnFullDisk: a save that cannot write says so in the system's
// words, as a *WriteError, leaves no temp file and the profile as it was.
func TestSaveOnFullDisk(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "example.com.toml")
	if err := Save(path, fullConfig()); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	full := disk{createTemp: func(dir, pattern string) (tempFile, error) {
		f, err := os.CreateTemp(dir, pattern)
		return fullFile{f}, err
	}}
	cfg := fullConfig()
	cfg.Host = "mx.example.com."
	err = full.save(path, func(*Profile) []steps.Config { return []steps.Config{cfg} })
	var we *WriteError
	if !errors.As(err, &we) || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("save error %T %v, want a WriteError of ENOSPC", err, err)
	}
	if want := "could not save the profile " + path + ": no space left on device"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	after, err := os.ReadFile(path)
	if err != nil || string(after) != string(before) {
		t.Errorf("the profile changed: %v\n%s", err, after)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("%s left behind", e.Name())
		}
	}
}

// TestSaveRefusalIsNotAWriteError: a profile that does not load is kept,
// and that is the input's problem, not the disk's.
func TestSaveRefusalIsNotAWriteError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "example.com.toml")
	if err := os.WriteFile(path, []byte("domain = [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var we *WriteError
	if err := Save(path, fullConfig()); err == nil || errors.As(err, &we) {
		t.Errorf("Save over a broken profile = %v, want a refusal that is not a WriteError", err)
	}
}
