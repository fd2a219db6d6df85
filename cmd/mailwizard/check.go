package main

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/mailwizard/mailwizard/internal/report"
	"github.com/mailwizard/mailwizard/internal/steps"
	"github.com/mailwizard/mailwizard/internal/ui"
	"github.com/mailwizard/mailwizard/internal/verify"
)

// checkFlags are check's own flags.
type checkFlags struct {
	json, markdown, watch bool
	interval, timeout     time.Duration
	bulk                  bulkFlags
}

func newCheckCmd(e env) *cobra.Command {
	var cf configFlags
	var f checkFlags
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check every record once (or --watch until all pass)",
		Long: `Check asks every authoritative nameserver of the domain for each record a
mail server needs and prints a table of the steps with their status and
findings, --json for scripts, or --markdown for a ticket. The server step
connects to the mail server itself (port 25, client services, autoconfig);
--no-probe keeps the check to DNS.

--domain more than once (or --profile of a profile of several domains)
checks each domain, the mail host's steps once; --json then prints JSON
Lines, a report per domain. --domains-file checks every domain of a file
(one a line, or CSV with a header of these flags' names), many at once,
as a compact table, --json (JSON Lines) or --csv.

Exit codes: 0 every step passes (or passes with a warning), 1 something is
pending or failing, 2 bad input, 3 could not check (network errors only);
for several domains, the worst of them.`,
		Example: `  mailwizard check --domain example.com
  mailwizard check --domain example.com --ip 192.0.2.25 --dkim-selector mail --dkim-key dkim.pem --json
  mailwizard check --domain example.com --watch --interval 10s --timeout 30m
  mailwizard check --domain example.com --domain example.org --json
  mailwizard check --domains-file customers.csv --csv > statuses.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCheck(cmd.Context(), cmd, &cf, f, e)
		},
	}
	cf.register(cmd.Flags())
	fl := cmd.Flags()
	fl.BoolVar(&f.json, "json", false, "print the JSON report")
	fl.BoolVar(&f.markdown, "markdown", false, "print a Markdown report to paste into a ticket")
	fl.BoolVar(&f.watch, "watch", false, "check again every --interval until every step passes, printing only changes")
	fl.DurationVar(&f.interval, "interval", 5*time.Second, "time between checks with --watch")
	fl.DurationVar(&f.timeout, "timeout", 0, "give up --watch after this long (0: never)")
	f.bulk.register(fl)
	return cmd
}

func runCheck(ctx context.Context, cmd *cobra.Command, cf *configFlags, f checkFlags, e env) error {
	if f.bulk.file != "" {
		return checkBulk(ctx, cmd, cf, f, e)
	}
	for _, name := range []string{flagCSV, flagOrdered, flagConcurrency, flagRate, flagProbe, flagSecond} {
		if cmd.Flags().Changed(name) {
			return badInput("--%s only applies with --%s", name, flagDomainsFile)
		}
	}
	if f.json && f.markdown {
		return badInput("--json and --markdown: choose one")
	}
	if err := f.checkWatch(cmd.Flags().Changed); err != nil {
		return err
	}
	ls, err := cf.loadAll(cmd.Flags(), e)
	if err != nil {
		return err
	}
	if len(ls) > 1 {
		return runChecks(ctx, cf, f, ls, e)
	}
	l := ls[0]
	c, err := newChecker(cf.resolver, l.cfg, e)
	if err != nil {
		return err
	}
	if err := cf.saveProfiles(ls, e); err != nil {
		return err
	}
	first, round, err := c.first(ctx)
	if err != nil {
		return err
	}
	// Notes about the answers only once the check ran: when it cannot run,
	// the one line that says why is all there is to read.
	warn(e, l.cfg)
	if !f.watch {
		if err := printReport(e, f, first); err != nil {
			return err
		}
		return exitWith(report.ExitCode(first))
	}
	return watch(ctx, c, f, first, round, e)
}

// checkWatch checks --interval and --timeout, which set says were given.
func (f checkFlags) checkWatch(set func(name string) bool) error {
	switch {
	case f.interval <= 0:
		return badInput("--interval %s: must be more than 0", f.interval)
	case f.timeout < 0:
		return badInput("--timeout %s: must be 0 (no limit) or more", f.timeout)
	case !f.watch && (set("interval") || set("timeout")):
		return badInput("--interval and --timeout only apply with --watch")
	}
	return nil
}

// checker runs check rounds for one Config.
type checker struct {
	engine *verify.Engine
	cfg    steps.Config
	now    func() time.Time
	// resolverGiven: the resolver came from --resolver, not the system.
	resolverGiven bool
}

// newChecker makes the verify engine for --resolver (the system's
// resolver when it is "") and the checker of cfg that uses it.
func newChecker(resolver string, cfg steps.Config, e env) (checker, error) {
	opts, err := verifyOptions(resolver, cfg.NoProbe, e)
	if err != nil {
		return checker{}, err
	}
	engine, err := verify.New(opts)
	if err != nil {
		return checker{}, badInput("--%s: %w", flagResolver, err)
	}
	return checker{engine: engine, cfg: cfg, now: e.now, resolverGiven: resolver != ""}, nil
}

// first runs the first round and, at the same time, makes sure the
// domain's zone can be found at all: when it cannot (the resolver is
// unreachable, the domain does not exist), there is nothing to check, the
// round is stopped and one line says why. The round's own discovery and
// this one share their queries, so the check costs no round trip of its
// own. It returns the round too, so that --watch can go on from what it
// discovered.
func (c checker) first(ctx context.Context) (report.Report, *verify.Round, error) {
	round := c.engine.Round()
	rctx, stop := context.WithCancel(ctx)
	defer stop()
	found := make(chan error, 1)
	go func() {
		zone, err := round.Zone(rctx, c.cfg.Domain)
		if err == nil && len(zone.Servers) == 0 {
			err = couldNotCheck("%s has no nameservers (zone %s)", c.cfg.Domain, zone.Name)
		} else if err != nil {
			err = c.zoneError(err)
		}
		if err != nil {
			stop() // the round has nothing to say
		}
		found <- err
	}()
	r := c.check(rctx, round)
	err := <-found
	switch {
	case ctx.Err() != nil:
		return report.Report{}, nil, interrupted() // a round cut short says nothing
	case err != nil:
		return report.Report{}, nil, err
	}
	return r, round, nil
}

// zoneError says why the domain's nameservers could not be found: the
// resolver did not answer (naming it, and the flag that chooses it), or it
// answered with a failure.
func (c checker) zoneError(err error) error {
	resolver := c.resolverName()
	var re *verify.ResolverError
	if errors.As(err, &re) {
		return couldNotCheck("%s: no reply (%s), so the nameservers of %s cannot be found", resolver, cause(re.Err), c.cfg.Domain)
	}
	return couldNotCheck("could not find the nameservers of %s through %s: %w", c.cfg.Domain, resolver, err)
}

// resolverName names the resolver in messages: "--resolver 192.0.2.53:53",
// or the system's, with the flag that chooses another.
func (c checker) resolverName() string {
	if !c.resolverGiven {
		return fmt.Sprintf("the system's resolver %s (choose another with --%s)", c.engine.Resolver(), flagResolver)
	}
	return fmt.Sprintf("--%s %s", flagResolver, c.engine.Resolver())
}

// cause is what went wrong with a question, without the question and the
// addresses the caller already names: "connection refused", "i/o timeout
// (2 tries of 2s)".
func cause(err error) string {
	var qe *verify.QueryError
	if errors.As(err, &qe) {
		err = qe.Err
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	return err.Error()
}

// check runs one round and builds its report.
func (c checker) check(ctx context.Context, round *verify.Round) report.Report {
	answers := round.Run(ctx, steps.Planners(c.cfg)...)
	return report.Build(c.cfg.Domain, steps.JudgeAll(c.cfg, answers), c.now())
}

func printReport(e env, f checkFlags, r report.Report) error {
	var err error
	switch {
	case f.json:
		err = report.WriteJSON(e.stdout, r)
	case f.markdown:
		err = report.WriteMarkdown(e.stdout, r)
	default:
		err = ui.WriteCheckTable(e.stdout, r, ui.TableOptions{Env: e.environ})
	}
	if err != nil {
		return couldNotWrite(fmt.Errorf("could not print the report: %w", err))
	}
	return nil
}
