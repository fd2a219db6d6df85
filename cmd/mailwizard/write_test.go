package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fullDisk mounts a small tmpfs and fills it, so that writing there fails
// with "no space left on device" as on a real full disk. It needs Linux
// and root.
func fullDisk(t *testing.T) string {
	t.Helper()
	if runtime.GOOS != "linux" || os.Geteuid() != 0 {
		t.Skip("mounting a full file system needs Linux and root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "mailwizard-test", dir).CombinedOutput(); err != nil {
		t.Skipf("mount a tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	f, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := bytes.Repeat([]byte("x"), 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill %s: %v", dir, err)
			}
			return dir
		}
	}
}

// TestSaveOnFullDisk: a profile that cannot be saved for a full disk is
// not bad input: mailwizard says what happened and exits 4.
func TestSaveOnFullDisk(t *testing.T) {
	dir := fullDisk(t)
	path := filepath.Join(dir, "example.com.toml")
	r := runMW(t, testEnv(t), "records", "--domain", "example.com", "--ip", "192.0.2.25", "--profile", path, "--save")
	if r.code != 4 {
		t.Errorf("exit %d, want 4", r.code)
	}
	if want := "mailwizard: could not save the profile " + path + ": no space left on device\n"; r.stderr != want {
		t.Errorf("stderr %q, want %q", r.stderr, want)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the full disk holds %v, want the filler alone", entries)
	}
}

// TestPrintOnFullDevice: a report or records that cannot be printed (stdout
// is /dev/full) exit 4 with the reason.
func TestPrintOnFullDevice(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("no /dev/full here: %v", err)
	}
	defer full.Close()
	for _, format := range []string{"table", "zone", "json"} {
		t.Run(format, func(t *testing.T) {
			e := testEnv(t)
			var errOut bytes.Buffer
			e.stdout, e.stderr = full, &errOut
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			code := run(ctx, []string{"records", "--domain", "example.com", "--ip", "192.0.2.25", "--format", format}, e)
			if code != 4 {
				t.Errorf("exit %d, want 4", code)
			}
			if !strings.Contains(errOut.String(), "could not print the records") || !strings.Contains(errOut.String(), "no space left on device") {
				t.Errorf("stderr %q, want the reason", errOut.String())
			}
		})
	}
}
