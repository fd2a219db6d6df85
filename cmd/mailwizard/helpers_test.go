package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailwizard/mailwizard/internal/dkimkey"
)

// testNow is the clock of every in-process run.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// result is what one in-process run of mailwizard did.
type result struct {
	code           int
	stdout, stderr string
}

// errLines are the lines mailwizard printed on stderr.
func (r result) errLines() []string {
	s := strings.TrimRight(r.stderr, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// testEnv is an env with its own config folder and no colour.
func testEnv(t testing.TB) env {
	t.Helper()
	vars := map[string]string{"XDG_CONFIG_HOME": t.TempDir(), "HOME": t.TempDir(), "TERM": "dumb"}
	return env{
		stdin:    strings.NewReader(""),
		getenv:   func(k string) string { return vars[k] },
		environ:  []string{"TERM=dumb", "NO_COLOR=1"},
		now:      func() time.Time { return testNow },
		readFile: readKeyFile,
	}
}

// runMW runs mailwizard in-process with args.
func runMW(t *testing.T, e env, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	e.stdout, e.stderr = &out, &errOut
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code := run(ctx, args, e)
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// writeKey writes a new Ed25519 DKIM key into dir and returns its path.
func writeKey(t testing.TB, dir string) string {
	t.Helper()
	key, err := dkimkey.Generate(dkimkey.Ed25519, 0)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "dkim.pem")
	if err := dkimkey.WritePrivate(path, key); err != nil {
		t.Fatal(err)
	}
	return path
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
