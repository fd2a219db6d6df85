package bulk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/mailwizard/mailwizard/internal/report"
)

// Result is what checking one row gave.
type Result struct {
	// Out is what to write for the row: a JSON line, a CSV row, a line of
	// a table.
	Out []byte
	// Code is the row's exit code (report.ExitCode).
	Code int
	// Status is the row's overall status, for the tally.
	Status string
}

// Options of Run.
type Options struct {
	// Concurrency is how many rows are checked at once; at least 1.
	Concurrency int
	// Ordered writes the rows' outputs in the order of the file; without
	// it each is written as soon as its row is done. Either way at most
	// a window of finished rows (four times Concurrency) waits to be
	// written: a slow row holds the rows after it back, not memory.
	Ordered bool
	// Progress, when set (standard error on a terminal), shows how far
	// the run is, on one line redrawn in place: rows done (of Total), rows
	// a second and the time left. The line is cleared before each output
	// and at the end.
	Progress io.Writer
	// Total is how many rows there are, for the progress; 0 when unknown
	// (standard input).
	Total int
	// Now is the clock of the progress; nil means time.Now.
	Now func() time.Time
}

// Summary is what a run did.
type Summary struct {
	// Rows is how many rows were checked, Bad how many could not be read
	// or used (each one reported through bad).
	Rows, Bad int
	// Statuses counts the checked rows by overall status.
	Statuses map[string]int
	// Code is the exit code of the run: the worst over the rows, and
	// report.ExitBadInput when a row was bad (report.WorstExit).
	Code int
	// Elapsed is how long the run took.
	Elapsed time.Duration
}

// progressEvery is how often the progress line is redrawn.
const progressEvery = 250 * time.Millisecond

// done is a row's outcome, as the writer gets it.
type done struct {
	seq int // -1 for a row the file could not give
	res Result
	err error
}

// Run checks the rows next gives, at most Concurrency at once, and writes
// each row's output to out. next returns a row, a *RowError for a row the
// file could not give (reported through bad; the run goes on), io.EOF at
// the end, or another error, which stops the run. check checks one row;
// its error says the row cannot be used (bad input: reported through bad,
// and the run goes on). Run returns when every row is written, or when ctx
// ends (with ctx's error: rows cut short are not written), out cannot be
// written to, or next fails.
func Run(ctx context.Context, next func() (Row, error), check func(context.Context, Row) (Result, error), out io.Writer, bad func(error), opts Options) (Summary, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	start := now()
	conc := max(opts.Concurrency, 1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// A slot is taken for each row before it is checked and given back
	// once its output is written: what bounds the finished rows held.
	slots := make(chan struct{}, 4*conc)
	jobs := make(chan job)
	results := make(chan done, conc)
	var fail error // next's, when it stops the run
	var all sync.WaitGroup
	all.Go(func() {
		defer close(jobs)
		for seq := 0; ; {
			row, err := next()
			var re *RowError
			switch {
			case errors.Is(err, io.EOF):
				return
			case errors.As(err, &re):
				select {
				case results <- done{seq: -1, err: err}:
				case <-ctx.Done():
					return
				}
				continue
			case err != nil:
				fail = err
				cancel()
				return
			}
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- job{seq: seq, row: row}:
				seq++
			case <-ctx.Done():
				return
			}
		}
	})
	for range conc {
		all.Go(func() {
			for j := range jobs {
				res, err := check(ctx, j.row)
				results <- done{seq: j.seq, res: res, err: err}
			}
		})
	}
	go func() {
		all.Wait()
		close(results)
	}()

	w := writer{out: out, bad: bad, progress: opts.Progress, total: opts.Total, now: now, start: start,
		sum: Summary{Statuses: map[string]int{}}, pending: map[int]done{}}
	tick := time.NewTicker(progressEvery)
	defer tick.Stop()
	for open := true; open; {
		select {
		case d, ok := <-results:
			switch {
			case !ok:
				open = false
			case d.seq < 0:
				w.badRow(d.err)
			case !opts.Ordered:
				w.write(ctx, d)
				<-slots
			default:
				w.pending[d.seq] = d
				for d, ok := w.pending[w.next]; ok; d, ok = w.pending[w.next] {
					delete(w.pending, w.next)
					w.write(ctx, d)
					w.next++
					<-slots
				}
			}
			if w.err != nil {
				cancel()
			}
		case <-tick.C:
			w.draw()
		}
	}
	w.clear()
	if w.sum.Bad > 0 {
		w.sum.Code = report.WorstExit(w.sum.Code, report.ExitBadInput)
	}
	w.sum.Elapsed = now().Sub(start)
	switch {
	case w.err != nil:
		return w.sum, w.err
	case fail != nil:
		return w.sum, fail
	}
	return w.sum, context.Cause(ctx)
}

// job is a row to check, with its place in the file.
type job struct {
	seq int
	row Row
}

// writer writes the rows' outputs and the progress, from one goroutine.
type writer struct {
	out      io.Writer
	bad      func(error)
	progress io.Writer
	total    int
	now      func() time.Time
	start    time.Time
	sum      Summary
	// pending are the finished rows not yet written (Ordered), by place.
	pending map[int]done
	next    int
	// drawn is set while a progress line is on the terminal.
	drawn bool
	err   error
}

// write writes one row's outcome, unless the run is over.
func (w *writer) write(ctx context.Context, d done) {
	if ctx.Err() != nil || w.err != nil {
		return
	}
	if d.err != nil {
		w.badRow(d.err)
		return
	}
	w.clear()
	if _, err := w.out.Write(d.res.Out); err != nil {
		w.err = fmt.Errorf("write the output: %w", err)
		return
	}
	w.sum.Rows++
	w.sum.Statuses[d.res.Status]++
	w.sum.Code = report.WorstExit(w.sum.Code, d.res.Code)
}

// badRow reports a row that could not be used.
func (w *writer) badRow(err error) {
	w.clear()
	w.sum.Bad++
	w.bad(err)
}

// draw redraws the progress line.
func (w *writer) draw() {
	if w.progress == nil {
		return
	}
	done := w.sum.Rows + w.sum.Bad
	elapsed := w.now().Sub(w.start)
	line := fmt.Sprintf("%d domains", done)
	if w.total > 0 {
		line = fmt.Sprintf("%d/%d domains", done, w.total)
	}
	if elapsed > 0 && done > 0 {
		rate := float64(done) / elapsed.Seconds()
		line += fmt.Sprintf(" · %.0f/s", rate)
		if left := w.total - done; w.total > 0 && left > 0 {
			eta := time.Duration(float64(left) / rate * float64(time.Second))
			line += " · " + eta.Round(time.Second).String() + " left"
		}
	}
	fmt.Fprintf(w.progress, "\r\x1b[K%s", line)
	w.drawn = true
}

// clear takes the progress line off the terminal.
func (w *writer) clear() {
	if w.drawn {
		fmt.Fprint(w.progress, "\r\x1b[K")
		w.drawn = false
	}
}
