package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailwizard/mailwizard/internal/dkimkey"
)

func TestDKIMGenerate(t *testing.T) {
	tests := map[string]struct {
		args    []string
		wantAlg string
		wantK   string
	}{
		"rsa by default":     {nil, dkimkey.RSA, "k=rsa"},
		"ed25519 on request": {[]string{"--algorithm", "ed25519"}, dkimkey.Ed25519, "k=ed25519"},
		"any case":           {[]string{"--algorithm", "Ed25519"}, dkimkey.Ed25519, "k=ed25519"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "mail.pem")
			r := runMW(t, testEnv(t), append([]string{"dkim", "generate", "--selector", "mail", "--out", out}, tc.args...)...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			st, err := os.Stat(out)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != 0o600 {
				t.Errorf("key mode = %v, want 0600", st.Mode().Perm())
			}
			pem, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			key, err := dkimkey.ParsePrivate(pem)
			if err != nil {
				t.Fatalf("written key does not parse: %v", err)
			}
			if got := dkimkey.Algorithm(key.Public()); got != tc.wantAlg {
				t.Errorf("algorithm = %q, want %q", got, tc.wantAlg)
			}
			value, err := dkimkey.RecordValue(key.Public())
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(r.stdout, "Value  "+value) || !strings.Contains(r.stdout, "Host   mail._domainkey") || !strings.Contains(value, tc.wantK) {
				t.Errorf("stdout does not show the record %q to publish:\n%s", value, r.stdout)
			}
			// Never the private key, in any form.
			body := string(bytes.Join(bytes.Split(pem, []byte("\n"))[1:3], nil))
			if strings.Contains(r.stdout+r.stderr, "PRIVATE KEY") || strings.Contains(r.stdout+r.stderr, body[:40]) {
				t.Errorf("output shows the private key:\n%s", r.stdout)
			}
		})
	}
}

func TestDKIMGenerateRefusesToOverwrite(t *testing.T) {
	out := filepath.Join(t.TempDir(), "mail.pem")
	writeFile(t, out, "precious\n")
	r := runMW(t, testEnv(t), "dkim", "generate", "--selector", "mail", "--algorithm", "ed25519", "--out", out)
	if r.code != 2 || !strings.Contains(r.stderr, "file exists; refusing to overwrite") {
		t.Errorf("exit %d, stderr %q; want exit 2 and a refusal", r.code, r.stderr)
	}
	if data, err := os.ReadFile(out); err != nil || string(data) != "precious\n" {
		t.Errorf("existing file changed: %q, %v", data, err)
	}
}

// TestDKIMCommand: dkim alone shows its help; an unknown subcommand is bad
// input, not the help with exit 0.
func TestDKIMCommand(t *testing.T) {
	tests := map[string]struct {
		args     []string
		wantCode int
		wantOut  string // in stdout
		wantErr  string // the start of stderr
	}{
		"alone":              {args: []string{"dkim"}, wantOut: "generate"},
		"unknown subcommand": {args: []string{"dkim", "genrate"}, wantCode: 2, wantErr: `mailwizard: unknown command "genrate" for "mailwizard dkim"`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := runMW(t, testEnv(t), tc.args...)
			if r.code != tc.wantCode || !strings.Contains(r.stdout, tc.wantOut) || !strings.HasPrefix(r.stderr, tc.wantErr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, %q in stdout, stderr starting %q", r.code, r.stdout, r.stderr, tc.wantCode, tc.wantOut, tc.wantErr)
			}
		})
	}
}

// TestDKIMGenerateOut: each thing wrong with --out is said in the user's
// words, with what to do, and nothing is written.
func TestDKIMGenerateOut(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "mail.pem")
	writeFile(t, existing, "precious\n")
	tests := map[string]struct {
		out  string
		want string
	}{
		"a folder":              {dir, "--out " + dir + ": is a folder; give a file name in it, such as " + filepath.Join(dir, "mail.pem")},
		"a folder with a slash": {dir + "/", "--out " + dir + "/: is a folder; give a file name in it, such as " + filepath.Join(dir, "mail.pem")},
		"in a missing folder": {filepath.Join(dir, "keys", "mail.pem"),
			"--out " + filepath.Join(dir, "keys", "mail.pem") + ": the folder " + filepath.Join(dir, "keys") + " does not exist; make it first (mkdir -p " + filepath.Join(dir, "keys") + ")"},
		"under a file":     {filepath.Join(existing, "mail.pem"), "--out " + filepath.Join(existing, "mail.pem") + ": " + existing + " is not a folder"},
		"an existing file": {existing, "--out " + existing + ": file exists; refusing to overwrite a key (move it away or choose another name)"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := runMW(t, testEnv(t), "dkim", "generate", "--selector", "mail", "--algorithm", "ed25519", "--out", tc.out)
			if r.code != 2 || r.stderr != "mailwizard: "+tc.want+"\n" {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", r.code, r.stderr, "mailwizard: "+tc.want)
			}
		})
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Errorf("the folder holds %v (%v), want only the existing key", entries, err)
	}
}
