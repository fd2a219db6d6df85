package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/mailwizard/mailwizard/internal/report"
	"github.com/mailwizard/mailwizard/internal/steps"
	"github.com/mailwizard/mailwizard/internal/ui"
	"github.com/mailwizard/mailwizard/internal/verify"
)

// domainsChecker runs the check rounds of several domains at once, one
// round per domain, in one verify.Batch, so that the questions they share
// are asked once. The domains of one mail host (steps.HostGroups) share
// the host's steps: the first domain's round asks and judges them, the
// others' rounds ask only their own steps' questions and take those
// results (steps.JudgeDomain).
type domainsChecker struct {
	checker
	cfgs   []steps.Config
	groups [][]int
	// leader[i] is the index of the domain whose round judges the shared
	// steps of domain i's mail host.
	leader []int
}

// newDomainsChecker makes the checker of cfgs, which shares one engine.
func newDomainsChecker(resolver string, cfgs []steps.Config, e env) (domainsChecker, error) {
	noProbe := true
	for _, cfg := range cfgs {
		noProbe = noProbe && cfg.NoProbe
	}
	c, err := newChecker(resolver, steps.Config{NoProbe: noProbe}, e)
	if err != nil {
		return domainsChecker{}, err
	}
	d := domainsChecker{checker: c, cfgs: cfgs, groups: steps.HostGroups(cfgs), leader: make([]int, len(cfgs))}
	for _, g := range d.groups {
		for _, i := range g {
			d.leader[i] = g[0]
		}
	}
	return d, nil
}

// first runs the first check of every domain, and at the same time makes
// sure the resolver answers: when it does not, nothing can be checked and
// one line says why. A domain whose zone cannot be found is reported as
// such in its own report.
func (d domainsChecker) first(ctx context.Context) ([]report.Report, []*verify.Round, error) {
	batch, err := d.engine.NewBatch(verify.BatchOptions{})
	if err != nil {
		return nil, nil, err
	}
	defer batch.Close()
	rounds := make([]*verify.Round, len(d.cfgs))
	for i := range rounds {
		rounds[i] = batch.Round()
	}
	rctx, stop := context.WithCancel(ctx)
	defer stop()
	found := make(chan error, 1)
	go func() {
		_, err := rounds[0].Zone(rctx, d.cfgs[0].Domain)
		var re *verify.ResolverError
		if errors.As(err, &re) {
			stop()
			c := d.checker
			c.cfg = d.cfgs[0]
			found <- c.zoneError(err)
			return
		}
		found <- nil
	}()
	reports := d.check(rctx, rounds)
	err = <-found
	switch {
	case ctx.Err() != nil:
		return nil, nil, interrupted()
	case err != nil:
		return nil, nil, err
	}
	return reports, rounds, nil
}

// check runs the rounds, one per domain, all at once, and builds each
// domain's report.
func (d domainsChecker) check(ctx context.Context, rounds []*verify.Round) []report.Report {
	known := make([]verify.Answers, len(d.cfgs))
	var wg sync.WaitGroup
	for i, cfg := range d.cfgs {
		planners := steps.DomainPlanners(cfg)
		if d.leader[i] == i {
			planners = steps.Planners(cfg)
		}
		wg.Go(func() { known[i] = rounds[i].Run(ctx, planners...) })
	}
	wg.Wait()
	results := make([][]steps.Result, len(d.cfgs))
	for _, g := range d.groups {
		results[g[0]] = steps.JudgeAll(d.cfgs[g[0]], known[g[0]])
		for _, i := range g[1:] {
			results[i] = steps.JudgeDomain(d.cfgs[i], known[i], results[g[0]])
		}
	}
	at := d.now()
	reports := make([]report.Report, len(d.cfgs))
	for i, cfg := range d.cfgs {
		reports[i] = report.Build(cfg.Domain, results[i], at)
	}
	return reports
}

// next starts the next check's rounds from the last ones, in a batch of
// their own; close ends it once the check is done.
func (d domainsChecker) next(rounds []*verify.Round) (next []*verify.Round, close func(), err error) {
	batch, err := d.engine.NewBatch(verify.BatchOptions{})
	if err != nil {
		return nil, nil, err
	}
	next = make([]*verify.Round, len(rounds))
	for i, r := range rounds {
		next[i] = r.NextIn(batch)
	}
	return next, batch.Close, nil
}

// exitOf is the exit code of several domains' reports: the worst.
func exitOf(reports []report.Report) int {
	codes := make([]int, len(reports))
	for i, r := range reports {
		codes[i] = report.ExitCode(r)
	}
	return report.WorstExit(codes...)
}

// runChecks is check of several domains: each domain's report, as JSON
// Lines with --json, one after the other with --markdown, and as tables
// by default: the shared steps of each mail host once, then each domain's
// own steps.
func runChecks(ctx context.Context, cf *configFlags, f checkFlags, ls []loaded, e env) error {
	cfgs := make([]steps.Config, len(ls))
	for i, l := range ls {
		cfgs[i] = l.cfg
	}
	d, err := newDomainsChecker(cf.resolver, cfgs, e)
	if err != nil {
		return err
	}
	if err := cf.saveProfiles(ls, e); err != nil {
		return err
	}
	reports, rounds, err := d.first(ctx)
	if err != nil {
		return err
	}
	for _, cfg := range cfgs {
		warn(e, cfg)
	}
	if !f.watch {
		if err := d.print(e, f, reports); err != nil {
			return err
		}
		return exitWith(exitOf(reports))
	}
	return d.watch(ctx, f, reports, rounds, e)
}

// print prints the reports of one check.
func (d domainsChecker) print(e env, f checkFlags, reports []report.Report) error {
	var err error
	switch {
	case f.json:
		for _, r := range reports {
			if err = report.WriteJSONLine(e.stdout, r); err != nil {
				break
			}
		}
	case f.markdown:
		for i, r := range reports {
			if i > 0 {
				fmt.Fprintln(e.stdout)
			}
			if err = report.WriteMarkdown(e.stdout, r); err != nil {
				break
			}
		}
	default:
		err = d.writeTables(e, reports)
	}
	if err != nil {
		return couldNotWrite(fmt.Errorf("could not print the report: %w", err))
	}
	return nil
}

// writeTables writes, for each mail host, the table of its shared steps
// (when it serves more than one of the domains), then each domain's table
// of its own steps, headed by the domain's whole status.
func (d domainsChecker) writeTables(e env, reports []report.Report) error {
	opts := ui.TableOptions{Env: e.environ}
	first := true
	table := func(r report.Report) error {
		if !first {
			fmt.Fprintln(e.stdout)
		}
		first = false
		return ui.WriteCheckTable(e.stdout, r, opts)
	}
	for _, g := range d.groups {
		if len(g) == 1 {
			if err := table(reports[g[0]]); err != nil {
				return err
			}
			continue
		}
		host := sharedPart(reports[g[0]], true)
		var names []string
		for _, i := range g {
			names = append(names, d.cfgs[i].Domain)
		}
		host.Domain = fmt.Sprintf("%s, the mail host of %s", hostName(d.cfgs[g[0]]), strings.Join(names, ", "))
		host.Status, host.Notes = steps.Overall(resultsOf(host)), nil
		if err := table(host); err != nil {
			return err
		}
		for _, i := range g {
			if err := table(sharedPart(reports[i], false)); err != nil {
				return err
			}
		}
	}
	return nil
}

// hostName names a Config's mail host, or its domain when it has none.
func hostName(cfg steps.Config) string {
	if cfg.Host != "" {
		return cfg.Host
	}
	return cfg.Domain
}

// sharedPart is r with only its shared steps (shared) or only its own.
func sharedPart(r report.Report, shared bool) report.Report {
	out := r
	out.Steps = nil
	for _, s := range r.Steps {
		if steps.IsShared(s.ID) == shared {
			out.Steps = append(out.Steps, s)
		}
	}
	return out
}

// resultsOf are a report's step statuses as results, for steps.Overall.
func resultsOf(r report.Report) []steps.Result {
	out := make([]steps.Result, len(r.Steps))
	for i, s := range r.Steps {
		out[i] = steps.Result{Step: s.ID, Status: s.Status}
	}
	return out
}

// watch checks every domain every --interval until every step of every
// domain passes or --timeout ends it, printing what changed: with --json
// the report line of each domain where something changed, by default
// one line per changed step naming its domain, with --markdown the last
// reports only.
func (d domainsChecker) watch(ctx context.Context, f checkFlags, first []report.Report, rounds []*verify.Round, e env) error {
	if err := d.printWatch(e, f, nil, first); err != nil {
		return err
	}
	done := func(rs []report.Report) bool {
		for _, r := range rs {
			if !report.Done(r) {
				return false
			}
		}
		return true
	}
	if done(first) {
		return d.finishWatch(e, f, first)
	}
	wctx, cancel := f.watchContext(ctx)
	defer cancel()
	last, polled := first, false
	var printErr error
	_, err := verify.Poll(wctx, f.interval, func(ctx context.Context) []report.Report {
		if !polled {
			polled = true
			return first
		}
		var err error
		var closeBatch func()
		if rounds, closeBatch, err = d.next(rounds); err != nil {
			printErr = err
			return last
		}
		rs := d.check(ctx, rounds)
		closeBatch()
		if verify.ContextErr(ctx) != nil {
			return last
		}
		if perr := d.printWatch(e, f, last, rs); perr != nil && printErr == nil {
			printErr = perr
		}
		last = rs
		collectBetweenRounds()
		return rs
	}, func(rs []report.Report) bool { return done(rs) || printErr != nil })
	switch {
	case printErr != nil:
		return printErr
	case ctx.Err() != nil:
		return interrupted()
	case err != nil && !done(last):
		fmt.Fprintf(e.stderr, "mailwizard: --timeout %s reached; still %s\n", f.timeout, worstStatus(last))
	}
	return d.finishWatch(e, f, last)
}

// worstStatus folds the statuses of several reports.
func worstStatus(rs []report.Report) steps.Status {
	var all []steps.Result
	for _, r := range rs {
		all = append(all, steps.Result{Status: r.Status})
	}
	return steps.Overall(all)
}

// printWatch prints what changed from prev to cur (everything when prev
// is nil).
func (d domainsChecker) printWatch(e env, f checkFlags, prev, cur []report.Report) error {
	if prev == nil {
		if f.markdown {
			return nil
		}
		return d.print(e, f, cur)
	}
	var err error
	for i, r := range cur {
		changes := report.Changes(prev[i], r)
		if len(changes) == 0 {
			continue
		}
		switch {
		case f.markdown:
		case f.json:
			err = report.WriteJSONLine(e.stdout, r)
		default:
			for j := range changes {
				changes[j].Title = r.Domain + " " + changes[j].Title
			}
			err = ui.WriteChanges(e.stdout, r.CheckedAt, changes, ui.TableOptions{Env: e.environ})
		}
		if err != nil {
			return couldNotWrite(fmt.Errorf("could not print the report: %w", err))
		}
	}
	return nil
}

func (d domainsChecker) finishWatch(e env, f checkFlags, last []report.Report) error {
	if f.markdown {
		if err := d.print(e, f, last); err != nil {
			return err
		}
	}
	return exitWith(exitOf(last))
}
