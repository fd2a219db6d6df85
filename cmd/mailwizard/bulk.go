package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/charmbracelet/x/term"
	"github.com/miekg/dns"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mailwizard/mailwizard/internal/bulk"
	"github.com/mailwizard/mailwizard/internal/profile"
	"github.com/mailwizard/mailwizard/internal/report"
	"github.com/mailwizard/mailwizard/internal/steps"
	"github.com/mailwizard/mailwizard/internal/ui"
	"github.com/mailwizard/mailwizard/internal/verify"
)

// Flags of a bulk check.
const (
	flagDomainsFile = "domains-file"
	flagCSV         = "csv"
	flagOrdered     = "ordered"
	flagConcurrency = "concurrency"
	flagRate        = "rate"
	flagProbe       = "probe"
	flagSecond      = "second-opinion"
)

// defaultConcurrency is how many domains a bulk check checks at once.
const defaultConcurrency = 64

// bulkFlags are check's flags for a domains file.
type bulkFlags struct {
	file                        string
	csv, ordered, probe, second bool
	concurrency                 int
	rate                        float64
}

func (f *bulkFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&f.file, flagDomainsFile, "", "check every domain of FILE (- for standard input): one domain a line, or CSV with a header of these flags' names")
	fl.BoolVar(&f.csv, flagCSV, false, "with --domains-file: print CSV, a row per domain with the status of each step")
	fl.BoolVar(&f.ordered, flagOrdered, false, "with --domains-file: print the domains in the file's order, not as they finish")
	fl.IntVar(&f.concurrency, flagConcurrency, defaultConcurrency, "with --domains-file: domains checked at once")
	fl.Float64Var(&f.rate, flagRate, verify.DefaultRate, "with --domains-file: the most queries a second sent to one nameserver address")
	fl.BoolVar(&f.probe, flagProbe, false, "with --domains-file: connect to the mail servers too (the server step), which a bulk check skips")
	fl.BoolVar(&f.second, flagSecond, false, "with --domains-file: ask the resolver every question too, for its second opinion, as a check of one domain does")
}

// checkBulk checks every domain of --domains-file.
func checkBulk(ctx context.Context, cmd *cobra.Command, cf *configFlags, f checkFlags, e env) error {
	b := f.bulk
	set := cmd.Flags().Changed
	for _, name := range []string{flagDomain, flagProfile, flagSave, "watch", "markdown", "interval", "timeout"} {
		if set(name) {
			return badInput("--%s: not with --%s; each domain's saved profile is used, or give its values as columns of a CSV file", name, flagDomainsFile)
		}
	}
	switch {
	case b.csv && f.json:
		return badInput("--json and --csv: choose one")
	case b.concurrency < 1:
		return badInput("--%s %d: must be 1 or more", flagConcurrency, b.concurrency)
	case b.rate <= 0:
		return badInput("--%s %v: must be more than 0 queries a second", flagRate, b.rate)
	}
	if err := cf.checkFlagsAlone(cmd.Flags(), e); err != nil {
		return err
	}
	in, name, closeIn, err := openDomainsFile(b.file, e)
	if err != nil {
		return err
	}
	defer closeIn()
	defer tuneGC(e)()

	opts, err := verifyOptions(cf.resolver, !b.probe, e)
	if err != nil {
		return err
	}
	if !b.second {
		// The resolver would ask the nameservers every question again,
		// past the rate limit: a bulk check asks it only what it must.
		opts.SecondOpinion = nil
	}
	engine, err := verify.New(opts)
	if err != nil {
		return badInput("--%s: %w", flagResolver, err)
	}
	if err := resolverAnswers(ctx, engine, cf.resolver != ""); err != nil {
		return err
	}
	batch, err := engine.NewBatch(verify.BatchOptions{Rate: b.rate})
	if err != nil {
		return badInput("--%s: %w", flagRate, err)
	}
	defer batch.Close()
	run := &bulkRun{cf: cf, flags: cmd.Flags(), e: e, batch: batch, finder: profileFinder(e), probe: b.probe, file: name}

	// The first row before any output: a file whose header is wrong is
	// bad input, and nothing is printed.
	reader := bulk.NewReader(in, name, rowColumns())
	first, firstErr := reader.Next()
	var fe *bulk.FileError
	if errors.As(firstErr, &fe) {
		return badInput("%w", firstErr)
	}
	next := func() (bulk.Row, error) {
		if first.Line > 0 || firstErr != nil {
			row, err := first, firstErr
			first, firstErr = bulk.Row{}, nil
			return row, err
		}
		return reader.Next()
	}

	var ids []string
	for _, s := range steps.All() {
		ids = append(ids, s.ID)
	}
	out := e.stdout
	table := ui.NewBulkTable(ids, ui.TableOptions{Env: e.environ})
	switch {
	case f.json:
		run.render = func(r report.Report) ([]byte, error) {
			var buf bytes.Buffer
			err := report.WriteJSONLine(&buf, r)
			return buf.Bytes(), err
		}
	case b.csv:
		run.render = func(r report.Report) ([]byte, error) { return csvRow(r, ids) }
		header, _ := csvLine(append([]string{"domain", "status"}, ids...))
		if _, err := out.Write(header); err != nil {
			return couldNotWrite(fmt.Errorf("could not print the report: %w", err))
		}
	default:
		out = table.Writer(e.stdout)
		run.render = func(r report.Report) ([]byte, error) { return []byte(table.Row(r)), nil }
		if _, err := io.WriteString(out, table.Header()); err != nil {
			return couldNotWrite(fmt.Errorf("could not print the report: %w", err))
		}
	}

	ropts := bulk.Options{Concurrency: b.concurrency, Ordered: b.ordered, Now: e.now}
	if isTerminal(e.stderr) {
		ropts.Progress = e.stderr
		ropts.Total = countRows(b.file)
	}
	sum, err := bulk.Run(ctx, next, run.check, out, func(err error) {
		for line := range strings.SplitSeq(err.Error(), "\n") {
			fmt.Fprintln(e.stderr, "mailwizard: "+line)
		}
	}, ropts)
	switch {
	case ctx.Err() != nil:
		return interrupted()
	case errors.As(err, &fe):
		return badInput("%w", err)
	case err != nil:
		return couldNotWrite(err)
	}
	if !f.json && !b.csv {
		if _, err := io.WriteString(out, table.Tally(sum.Statuses, sum.Bad, sum.Elapsed)); err != nil {
			return couldNotWrite(fmt.Errorf("could not print the report: %w", err))
		}
	}
	return exitWith(sum.Code)
}

// Collector settings of a bulk check, unless GOGC or GOMEMLIMIT say
// otherwise: it allocates much and keeps little (a few hundred domains
// in flight, a bounded cache), so it collects a quarter as often as Go's
// default, within a bound on its memory that keeps it well under what a
// list of ten thousand domains may take (300 MB).
const (
	bulkGCPercent = 300
	bulkMemLimit  = 160 << 20
)

// tuneGC applies the collector settings of a bulk check and returns what
// puts the former ones back.
func tuneGC(e env) func() {
	gc, mem := -2, int64(-1)
	if e.getenv("GOGC") == "" {
		gc = debug.SetGCPercent(bulkGCPercent)
	}
	if e.getenv("GOMEMLIMIT") == "" {
		mem = debug.SetMemoryLimit(bulkMemLimit)
	}
	return func() {
		if gc != -2 {
			debug.SetGCPercent(gc)
		}
		if mem >= 0 {
			debug.SetMemoryLimit(mem)
		}
	}
}

// openDomainsFile opens --domains-file: standard input for "-", else a
// file that is no folder. It returns the name for messages.
func openDomainsFile(path string, e env) (io.Reader, string, func(), error) {
	if path == "-" {
		return e.stdin, "standard input", func() {}, nil
	}
	st, err := os.Stat(path)
	switch {
	case err != nil:
		return nil, "", nil, badInput("--%s %s: %v", flagDomainsFile, path, withoutPath(err))
	case st.IsDir():
		return nil, "", nil, badInput("--%s %s: it is a folder, not a domains file", flagDomainsFile, path)
	}
	file, err := os.Open(path)
	if err != nil {
		return nil, "", nil, badInput("--%s %s: %v", flagDomainsFile, path, withoutPath(err))
	}
	return file, path, func() { _ = file.Close() }, nil
}

// countRows counts the rows of a regular file, for the progress; 0 when
// it is standard input or cannot be read.
func countRows(path string) int {
	if path == "-" {
		return 0
	}
	st, err := os.Stat(path)
	if err != nil || !st.Mode().IsRegular() {
		return 0
	}
	file, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer file.Close()
	n, _ := bulk.Count(file)
	return n
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

// rowColumns are the columns a CSV domains file may have besides the
// domain: the flags that describe a mail server.
func rowColumns() []string {
	return []string{flagHost, flagIP, flagDKIMSelector, flagDKIMKey, flagDKIMPublicKey, flagDMARCPolicy, flagDMARCRUA,
		flagSPFInclude, flagServices, flagDNSBL, flagSkip, flagNoProbe, flagMTASTSMode, flagTLSRPTRUA, flagDANE, flagTLSCert}
}

// resolverAnswers makes sure the resolver answers before thousands of
// domains are checked through it: when it does not, one line says so.
func resolverAnswers(ctx context.Context, engine *verify.Engine, given bool) error {
	q := verify.RQ(".", dns.TypeNS)
	a := engine.Round().Ask(ctx, q)[q]
	var re *verify.ResolverError
	switch {
	case ctx.Err() != nil:
		return interrupted()
	case errors.As(a.Err, &re):
		c := checker{engine: engine, resolverGiven: given}
		return couldNotCheck("%s: no reply (%s), so no domain can be checked", c.resolverName(), cause(re.Err))
	}
	return nil
}

// checkFlagsAlone checks the mail server's flags before any row: a bad
// flag is a problem of every row, said once.
func (f *configFlags) checkFlagsAlone(flags *pflag.FlagSet, e env) error {
	cfg := steps.Config{Domain: "example.com", DomainOnly: true}
	problems := f.apply(flags.Changed, &cfg)
	if err := cfg.Normalize(e.readFile); err != nil {
		var ve *steps.ValidationError
		if errors.As(err, &ve) {
			for _, p := range ve.Problems {
				if flags.Changed(p.Field) {
					problems = appendNew(problems, p)
				}
			}
		}
	}
	if len(problems) == 0 {
		return nil
	}
	lines := make([]string, len(problems))
	for i, p := range problems {
		lines[i] = fmt.Sprintf("--%s: %s", p.Field, p.Problem)
	}
	return badInputLines(lines)
}

// bulkRun is what checks one row of a domains file.
type bulkRun struct {
	cf     *configFlags
	flags  *pflag.FlagSet
	e      env
	batch  *verify.Batch
	finder *profile.Finder
	probe  bool
	file   string
	render func(report.Report) ([]byte, error)

	mu sync.Mutex
	// loads load the profiles by path: those being loaded, and those of
	// several domains loaded, read by the rows of all their domains.
	loads map[string]func() (*profile.Profile, error)
}

// loadProfile loads the profile at path. A profile of several domains is
// loaded once for the rows of all its domains, not once a row: parsing one
// that lists a thousand domains takes 20 ms, and the first rows of a batch
// ask for it at once. The rows only read it (a Config taken from it is
// copied, and Normalize makes new slices).
func (b *bulkRun) loadProfile(path string) (*profile.Profile, error) {
	b.mu.Lock()
	load, ok := b.loads[path]
	if !ok {
		load = sync.OnceValues(func() (*profile.Profile, error) {
			p, err := profile.Load(path)
			if err != nil {
				return nil, err
			}
			return &p, nil
		})
		if b.loads == nil {
			b.loads = map[string]func() (*profile.Profile, error){}
		}
		b.loads[path] = load
	}
	b.mu.Unlock()
	p, err := load()
	if !ok && (err != nil || len(p.Domains) < 2) {
		// A profile of one domain, or one that did not load, is kept
		// only while it loads, for the rows that asked meanwhile.
		b.mu.Lock()
		delete(b.loads, path)
		b.mu.Unlock()
	}
	return p, err
}

// check checks the domain of one row, in a round of the batch, and
// renders its report. A row that cannot be used is an error naming the
// file, the line and the column.
func (b *bulkRun) check(ctx context.Context, row bulk.Row) (bulk.Result, error) {
	cfg, err := b.config(row)
	if err != nil {
		return bulk.Result{}, err
	}
	known := b.batch.Round().Run(ctx, steps.Planners(cfg)...)
	r := report.Build(cfg.Domain, steps.JudgeAll(cfg, known), b.e.now())
	out, err := b.render(r)
	if err != nil {
		return bulk.Result{}, fmt.Errorf("%s:%d: could not render the report: %w", b.file, row.Line, err)
	}
	return bulk.Result{Out: out, Code: report.ExitCode(r), Status: string(r.Status)}, nil
}

// config is the Config of a row: the domain's saved profile, the flags
// given on the command line over it, the row's columns over them. Without
// a server address from any of them, the Config is DomainOnly: only what
// can be checked without one is. Probes are off unless --probe.
func (b *bulkRun) config(row bulk.Row) (steps.Config, error) {
	column := ""
	if row.CSV {
		column = bulk.DomainColumn
	}
	rowErr := func(col, problem string) error {
		return &bulk.RowError{File: b.file, Line: row.Line, Column: col, Problem: problem}
	}
	name, err := steps.CheckDomain(row.Domain)
	if err != nil {
		return steps.Config{}, rowErr(column, err.Error())
	}
	var cfg steps.Config
	var prof *profile.Profile
	entry := 0
	if b.finder != nil {
		if path, ok := b.finder.Find(name); ok {
			p, err := b.loadProfile(path)
			if err != nil {
				return steps.Config{}, rowErr("", err.Error())
			}
			prof, entry = p, entryOf(p, name)
			cfg = p.Domains[entry]
		}
	}
	cfg.Domain = row.Domain
	problems := b.cf.apply(b.flags.Changed, &cfg)
	rf, rowProblems := columnFlags(row)
	problems = append(problems, rowProblems...)
	problems = append(problems, rf.apply(row.Has, &cfg)...)
	if len(cfg.IPs) == 0 {
		cfg.DomainOnly = true
	}
	if !b.probe {
		cfg.NoProbe = true
	}
	if err := cfg.Normalize(b.e.readFile); err != nil {
		var ve *steps.ValidationError
		if !errors.As(err, &ve) {
			return steps.Config{}, rowErr("", err.Error())
		}
		for _, p := range ve.Problems {
			if !slices.ContainsFunc(problems, func(q steps.FieldError) bool { return q.Field == p.Field }) {
				problems = appendNew(problems, p)
			}
		}
	}
	if len(problems) == 0 {
		stampMTASTS(&cfg, prof, entry, b.e.now(), false)
		return cfg, nil
	}
	lines := make([]string, 0, len(problems))
	for _, p := range problems {
		field := p.Field
		if field == flagDomain {
			field = column
		}
		switch {
		case row.Has(p.Field) || p.Field == flagDomain:
			lines = append(lines, rowErr(field, p.Problem).Error())
		case b.flags.Changed(p.Field):
			lines = append(lines, rowErr("", fmt.Sprintf("--%s: %s", p.Field, p.Problem)).Error())
		case prof != nil && prof.HasAt(entry, p.Field):
			lines = append(lines, rowErr("", fmt.Sprintf("profile %s: %s: %s", prof.WhereAt(entry, p.Field), p.Field, p.Problem)).Error())
		default:
			lines = append(lines, rowErr("", p.Field+": "+p.Problem).Error())
		}
	}
	return steps.Config{}, errors.New(strings.Join(lines, "\n"))
}

// columnFlags are the row's columns as configFlags, for configFlags.apply;
// a column that takes one value and got several is a problem.
func columnFlags(row bulk.Row) (configFlags, []steps.FieldError) {
	var f configFlags
	var problems []steps.FieldError
	one := func(name string, dst *string) {
		v, ok := row.Columns[name]
		switch {
		case !ok:
		case len(v) != 1:
			problems = append(problems, steps.FieldError{Field: name, Problem: fmt.Sprintf("takes one value, not %d", len(v))})
		default:
			*dst = v[0]
		}
	}
	one(flagHost, &f.host)
	one(flagDKIMSelector, &f.dkimSelector)
	one(flagDKIMKey, &f.dkimKey)
	one(flagDKIMPublicKey, &f.dkimPublicKey)
	one(flagDMARCPolicy, &f.dmarcPolicy)
	one(flagDMARCRUA, &f.dmarcRUA)
	one(flagMTASTSMode, &f.mtastsMode)
	one(flagTLSRPTRUA, &f.tlsrptRUA)
	one(flagTLSCert, &f.tlsCert)
	f.ips = row.Columns[flagIP]
	f.spfIncludes = row.Columns[flagSPFInclude]
	f.services = row.Columns[flagServices]
	f.dnsbl = row.Columns[flagDNSBL]
	f.skip = row.Columns[flagSkip]
	boolean := func(name string, dst *bool) {
		var v string
		one(name, &v)
		if v == "" {
			return
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			problems = append(problems, steps.FieldError{Field: name, Problem: fmt.Sprintf("%q: want true or false", steps.Clip(v))})
		}
		*dst = b
	}
	boolean(flagNoProbe, &f.noProbe)
	boolean(flagDANE, &f.dane)
	return f, problems
}

// csvRow is a report as a row of --csv: the domain, its status, and each
// step's status, in the order of ids.
func csvRow(r report.Report, ids []string) ([]byte, error) {
	status := map[string]steps.Status{}
	for _, s := range r.Steps {
		status[s.ID] = s.Status
	}
	fields := []string{r.Domain, string(r.Status)}
	for _, id := range ids {
		fields = append(fields, string(status[id]))
	}
	return csvLine(fields)
}

// csvLine is one CSV record.
func csvLine(fields []string) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(fields); err != nil {
		return nil, err
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}
