package main

import (
	"context"
	"fmt"
	"runtime"

	"github.com/mailwizard/mailwizard/internal/report"
	"github.com/mailwizard/mailwizard/internal/ui"
	"github.com/mailwizard/mailwizard/internal/verify"
)

// watch checks every --interval until every step passes or --timeout ends
// it, printing only what changed: the table once and then a line per
// changed step; with --json a report line whenever something changed; with
// --markdown the last report only. The exit code is that of the last
// complete round. Each round starts from the zones the one before found
// (verify.Round.Next), so a re-check is one round trip, not a new
// discovery.
func watch(ctx context.Context, c checker, f checkFlags, first report.Report, round *verify.Round, e env) error {
	if err := printWatch(e, f, report.Report{}, first); err != nil {
		return err
	}
	if report.Done(first) {
		return finishWatch(e, f, first)
	}
	wctx, cancel := f.watchContext(ctx)
	defer cancel()
	last, polled := first, false
	var printErr error
	_, err := verify.Poll(wctx, f.interval, func(ctx context.Context) report.Report {
		if !polled { // Poll checks at once; the first round is already in
			polled = true
			return first
		}
		round = round.Next()
		r := c.check(ctx, round)
		if verify.ContextErr(ctx) != nil {
			return last // a round cut short (by --timeout, or Ctrl+C) says nothing
		}
		if perr := printWatch(e, f, last, r); perr != nil && printErr == nil {
			printErr = perr
		}
		last = r
		collectBetweenRounds()
		return r
	}, func(r report.Report) bool {
		return report.Done(r) || printErr != nil
	})
	switch {
	case printErr != nil:
		return printErr
	case ctx.Err() != nil:
		return interrupted()
	case err != nil && !report.Done(last):
		fmt.Fprintf(e.stderr, "mailwizard: --timeout %s reached; still %s\n", f.timeout, last.Status)
	}
	return finishWatch(e, f, last)
}

// watchContext is ctx, ended after --timeout when it is given.
func (f checkFlags) watchContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if f.timeout > 0 {
		return context.WithTimeout(ctx, f.timeout)
	}
	return ctx, func() {}
}

// printWatch prints what changed from prev to cur (everything when prev is
// empty).
func printWatch(e env, f checkFlags, prev, cur report.Report) error {
	var err error
	switch {
	case f.markdown:
		return nil
	case f.json:
		if len(prev.Steps) == 0 || len(report.Changes(prev, cur)) > 0 {
			err = report.WriteJSONLine(e.stdout, cur)
		}
	case len(prev.Steps) == 0:
		err = ui.WriteCheckTable(e.stdout, cur, ui.TableOptions{Env: e.environ})
	default:
		err = ui.WriteChanges(e.stdout, cur.CheckedAt, report.Changes(prev, cur), ui.TableOptions{Env: e.environ})
	}
	if err != nil {
		return couldNotWrite(fmt.Errorf("could not print the report: %w", err))
	}
	return nil
}

func finishWatch(e env, f checkFlags, last report.Report) error {
	if f.markdown {
		if err := report.WriteMarkdown(e.stdout, last); err != nil {
			return couldNotWrite(fmt.Errorf("could not print the report: %w", err))
		}
	}
	return exitWith(report.ExitCode(last))
}

// collectBetweenRounds runs the collector now, while the watch waits for
// its next round: a round allocates 2 to 3 MB, which otherwise sets the
// collector off in the middle of the next one, where its work competes
// with the replies for the CPU; a heap collected before the round is not
// collected during it.
func collectBetweenRounds() { runtime.GC() }
