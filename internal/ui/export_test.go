package ui

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteNewFileNeverOverwrites(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	name := filepath.Join(dir, "mailwizard-example.com.md")
	if err := os.WriteFile(name, []byte("the user's own notes"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := writeNewFile(name, []byte("report 2"))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "mailwizard-example.com-2.md"); got != want {
		t.Errorf("wrote %s, want %s", got, want)
	}
	got, err = writeNewFile(name, []byte("report 3"))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "mailwizard-example.com-3.md"); got != want {
		t.Errorf("wrote %s, want %s", got, want)
	}
	for file, want := range map[string]string{
		name: "the user's own notes",
		filepath.Join(dir, "mailwizard-example.com-2.md"): "report 2",
		filepath.Join(dir, "mailwizard-example.com-3.md"): "report 3",
	} {
		b, err := os.ReadFile(file)
		if err != nil || string(b) != want {
			t.Errorf("%s holds %q (%v), want %q", file, b, err, want)
		}
	}
}

func TestWriteNewFileReportsAnUnwritableFolder(t *testing.T) {
	t.Parallel()
	_, err := writeNewFile(filepath.Join(t.TempDir(), "missing", "r.md"), []byte("x"))
	if err == nil {
		t.Fatal("writing into a missing folder succeeded")
	}
}
