package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadKeyFile: a key file is read; a folder, a device, a huge file and
// a missing file are refused with a reason that does not repeat the name.
func TestReadKeyFile(t *testing.T) {
	dir := t.TempDir()
	key := writeKey(t, dir)
	big := filepath.Join(dir, "big.pem")
	writeFile(t, big, strings.Repeat("A", maxKeyFile+1))
	tests := map[string]struct {
		name     string
		wantErr  string // empty: the file is read
		notExist bool
	}{
		"a key file":   {name: key},
		"a folder":     {name: dir, wantErr: "it is a folder"},
		"a device":     {name: os.DevNull, wantErr: "not a regular file"},
		"a huge file":  {name: big, wantErr: "far too many for a key file"},
		"missing file": {name: filepath.Join(dir, "none.pem"), wantErr: "no such file", notExist: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			data, err := readKeyFile(tc.name)
			if tc.wantErr == "" {
				if err != nil || !strings.Contains(string(data), "PRIVATE KEY") {
					t.Fatalf("readKeyFile = %q, %v; want the key", data, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("readKeyFile error %v, want one with %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), tc.name) {
				t.Errorf("error %q repeats the name", err)
			}
			if errors.Is(err, fs.ErrNotExist) != tc.notExist {
				t.Errorf("errors.Is(%v, fs.ErrNotExist) = %v, want %v", err, !tc.notExist, tc.notExist)
			}
		})
	}
}
