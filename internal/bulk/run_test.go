package bulk

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailwizard/mailwizard/internal/report"
)

// rowsOf is a next function over the rows of text, a domains file.
func rowsOf(text string) func() (Row, error) {
	r := NewReader(strings.NewReader(text), "d.txt", testColumns)
	return r.Next
}

// domains is a file of n domains, d0.example to d<n-1>.example.
func domains(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "d%d.example\n", i)
	}
	return b.String()
}

// slowFirst checks a row in a moment, the first one much later, and
// counts the checks running at once.
type slowFirst struct {
	running, most atomic.Int32
}

func (s *slowFirst) check(_ context.Context, row Row) (Result, error) {
	n := s.running.Add(1)
	defer s.running.Add(-1)
	for {
		m := s.most.Load()
		if n <= m || s.most.CompareAndSwap(m, n) {
			break
		}
	}
	d := time.Millisecond
	if row.Line == 1 {
		d = 100 * time.Millisecond
	}
	time.Sleep(d)
	if row.Domain == "bad.example" {
		return Result{}, &RowError{File: "d.txt", Line: row.Line, Column: "ip", Problem: "no good"}
	}
	return Result{Out: []byte(row.Domain + "\n"), Code: report.ExitOK, Status: "pass"}, nil
}

func TestRunOrderedAndNot(t *testing.T) {
	for _, ordered := range []bool{false, true} {
		t.Run(fmt.Sprint("ordered=", ordered), func(t *testing.T) {
			var out bytes.Buffer
			s := &slowFirst{}
			sum, err := Run(t.Context(), rowsOf(domains(50)), s.check, &out, func(err error) { t.Error(err) }, Options{Concurrency: 4, Ordered: ordered})
			if err != nil || sum.Rows != 50 || sum.Code != report.ExitOK || sum.Statuses["pass"] != 50 {
				t.Fatalf("summary %+v, %v", sum, err)
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			if ordered != (lines[0] == "d0.example") || len(lines) != 50 {
				t.Errorf("first line %s of %d", lines[0], len(lines))
			}
			if m := s.most.Load(); m > 4 {
				t.Errorf("%d checks at once, want at most 4", m)
			}
		})
	}
}

// TestRunWindow: a slow first row holds back at most the window of
// finished rows, in order, and none is started beyond it.
func TestRunWindow(t *testing.T) {
	release := make(chan struct{})
	var started atomic.Int32
	check := func(_ context.Context, row Row) (Result, error) {
		started.Add(1)
		if row.Line == 1 {
			<-release
		}
		return Result{Out: []byte("x\n"), Status: "pass"}, nil
	}
	var sum Summary
	var err error
	var wg sync.WaitGroup
	wg.Go(func() {
		sum, err = Run(t.Context(), rowsOf(domains(100)), check, io.Discard, nil, Options{Concurrency: 2, Ordered: true})
	})
	time.Sleep(100 * time.Millisecond)
	if n := started.Load(); n > 8 {
		t.Errorf("%d rows started while the first one holds the output back; the window is 8", n)
	}
	close(release)
	wg.Wait()
	if err != nil || sum.Rows != 100 {
		t.Errorf("summary %+v, %v", sum, err)
	}
}

func TestRunBadRows(t *testing.T) {
	var out bytes.Buffer
	var bad []string
	s := &slowFirst{}
	text := "a.example\nbad.example\nno good.example\nb.example\n"
	sum, err := Run(t.Context(), rowsOf(text), s.check, &out, func(err error) { bad = append(bad, err.Error()) }, Options{Concurrency: 2, Ordered: true})
	if err != nil || sum.Rows != 2 || sum.Bad != 2 || sum.Code != report.ExitBadInput {
		t.Errorf("summary %+v, %v", sum, err)
	}
	if out.String() != "a.example\nb.example\n" {
		t.Errorf("output %q", out.String())
	}
	if len(bad) != 2 || !strings.Contains(strings.Join(bad, "\n"), "d.txt:2: ip: no good") {
		t.Errorf("bad rows %q", bad)
	}
}

func TestRunWorstCode(t *testing.T) {
	codes := map[string]int{"a.example": report.ExitOK, "b.example": report.ExitCouldNotCheck, "c.example": report.ExitProblems}
	check := func(_ context.Context, row Row) (Result, error) {
		return Result{Code: codes[row.Domain], Status: fmt.Sprint(codes[row.Domain])}, nil
	}
	sum, err := Run(t.Context(), rowsOf("a.example\nb.example\nc.example\n"), check, io.Discard, nil, Options{Concurrency: 3})
	if err != nil || sum.Code != report.ExitProblems {
		t.Errorf("summary %+v, %v; want exit 1", sum, err)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

func TestRunStops(t *testing.T) {
	s := &slowFirst{}
	if _, err := Run(t.Context(), rowsOf(domains(20)), s.check, failingWriter{}, nil, Options{Concurrency: 2}); err == nil || !strings.Contains(err.Error(), "no space left") {
		t.Errorf("a failing output: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(30*time.Millisecond, cancel)
	var out bytes.Buffer
	check := func(ctx context.Context, row Row) (Result, error) {
		<-ctx.Done()
		return Result{Out: []byte("cut\n")}, nil
	}
	if _, err := Run(ctx, rowsOf(domains(20)), check, &out, nil, Options{Concurrency: 2}); !errors.Is(err, context.Canceled) || out.Len() > 0 {
		t.Errorf("interrupted: %v, wrote %q", err, out.String())
	}
	broken := func() (Row, error) { return Row{}, errors.New("read: input/output error") }
	if _, err := Run(t.Context(), broken, s.check, io.Discard, nil, Options{}); err == nil || !strings.Contains(err.Error(), "input/output") {
		t.Errorf("a failing file: %v", err)
	}
}

// TestRunProgress: on a terminal the progress line says how far the run
// is, and is cleared before each output and at the end.
func TestRunProgress(t *testing.T) {
	var progress bytes.Buffer
	var out bytes.Buffer
	clock := time.Unix(0, 0)
	var mu sync.Mutex
	now := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(100 * time.Millisecond)
		return clock
	}
	check := func(_ context.Context, row Row) (Result, error) {
		time.Sleep(60 * time.Millisecond)
		return Result{Out: []byte(row.Domain + "\n"), Status: "pass"}, nil
	}
	_, err := Run(t.Context(), rowsOf(domains(10)), check, &out, nil, Options{Concurrency: 1, Progress: &progress, Total: 10, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	p := progress.String()
	if !strings.Contains(p, "/10 domains · ") || !strings.Contains(p, "/s · ") || !strings.Contains(p, " left") || !strings.HasSuffix(p, "\r\x1b[K") {
		t.Errorf("progress %q", p)
	}
	if strings.Contains(out.String(), "domains") {
		t.Errorf("progress in the output: %q", out.String())
	}
}
