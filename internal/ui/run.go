package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/term"

	"github.com/mailwizard/mailwizard/internal/dkimkey"
	"github.com/mailwizard/mailwizard/internal/publish"
	"github.com/mailwizard/mailwizard/internal/report"
	"github.com/mailwizard/mailwizard/internal/steps"
	"github.com/mailwizard/mailwizard/internal/verify"
)

// ErrInterrupted is returned by Run when the user pressed Ctrl+C; the
// command exits 130.
var ErrInterrupted = errors.New("interrupted")

// Options configure a wizard run.
type Options struct {
	// Config is what is known so far (from flags or a profile); it may be
	// partial. HaveProfile means it came from a saved profile: go straight
	// to the overview and re-verify.
	Config      steps.Config
	HaveProfile bool
	// Verify are the engine options (resolver, second opinion, test
	// address mapping).
	Verify verify.Options
	// Domains, when the profile holds several domains of one mail host,
	// are all of them; Config is then one of them, which the wizard shows
	// first (it walks them in order).
	Domains []steps.Config
	// Save persists the answers of the mail host's domains (the profile),
	// the first first; nil in the demo.
	Save func([]steps.Config) error
	// Load reads the saved profile of a domain typed in the form, so that
	// the wizard resumes it instead of saving over it: found is false when
	// there is none, err non-nil when one exists but does not load (the
	// wizard then refuses the domain rather than overwrite the file). nil
	// in the demo.
	Load func(domain string) (cfg steps.Config, found bool, err error)
	// KeyDir is where a generated DKIM key is proposed to be written.
	KeyDir string
	// ReportDir is where an exported Markdown report is written (next to
	// the profile); empty means the current folder.
	ReportDir string
	// Demo, when set, is the demo's world: the publish key publishes into
	// it, and the mistake key shows its typical mistakes.
	Demo Demo
	// Publish opens the DNS provider the publish key publishes through;
	// nil in the demo, which publishes into its world.
	Publish OpenProvider
	// Interval is the polling interval; default 5 s.
	Interval time.Duration
	// Accessible gives plain prompts and lines (also for TERM=dumb or no
	// TTY); Present gives the high-contrast screen-share layout.
	Accessible bool
	Present    bool
	In         io.Reader
	Out        io.Writer
	// Getenv reads the environment (NO_COLOR, TERM); default os.Getenv.
	Getenv func(string) string
	// ReadFile reads the DKIM key files the user names; default
	// os.ReadFile. The CLI passes one that refuses devices, pipes and huge
	// files, so that a mistyped path cannot hang or exhaust the wizard.
	ReadFile func(name string) ([]byte, error)
}

// Run runs the wizard until the user quits. It returns ErrInterrupted on
// Ctrl+C, after restoring the terminal and saving the answers.
func Run(ctx context.Context, opts Options) error {
	if opts.In == nil {
		opts.In = os.Stdin
	}
	if opts.Out == nil {
		opts.Out = os.Stdout
	}
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	be := realBackend(ctx, opts)
	all := steps.All()
	if opts.Accessible || plainTerminal(opts) {
		return runPlain(ctx, opts, be, all)
	}
	m := newModel(modelConfig{
		cfg: opts.Config, domains: opts.Domains, haveProfile: opts.HaveProfile, keyDir: opts.KeyDir, exportDir: opts.ReportDir,
		interval: opts.Interval,
		look:     look{dark: true, noColor: opts.Getenv("NO_COLOR") != "", present: opts.Present},
	}, be, all)
	final, err := tea.NewProgram(m, tea.WithContext(ctx), tea.WithInput(opts.In), tea.WithOutput(opts.Out)).Run()
	fm, ok := final.(model)
	if !ok {
		fm = m
	}
	saveErr := saveOnExit(fm, be)
	switch {
	case fm.interrupted, errors.Is(err, tea.ErrProgramKilled), errors.Is(err, tea.ErrInterrupted):
		return ErrInterrupted
	case err != nil:
		return fmt.Errorf("run the wizard: %w", err)
	}
	if fm.phase == phaseStep || fm.phase == phaseOverview {
		fmt.Fprintf(opts.Out, "mailwizard: %s for %s.\n", fm.over.countLine(), trimDot(fm.cfg.Domain))
	}
	if saveErr != nil {
		return saveErr
	}
	return unfinished(fm.exitCode())
}

// saveOnExit keeps what was typed: the completed answers, or the valid
// part of an unfinished form.
func saveOnExit(m model, be backend) error {
	cfgs, ok := m.config()
	if !ok || be.save == nil || len(cfgs) == 0 {
		return nil
	}
	if m.phase == phaseForm && !mayStorePartial(be, cfgs[len(cfgs)-1].Domain) {
		return nil
	}
	if err := be.save(cfgs); err != nil {
		return fmt.Errorf("save the answers: %w", err)
	}
	return nil
}

// mayStorePartial reports whether the answers of an unfinished form may be
// saved for domain: only when no profile exists for it, so that an
// interrupted form never replaces a whole saved profile with a part.
func mayStorePartial(be backend, domain string) bool {
	if be.load == nil {
		return true
	}
	_, found, err := be.load(domain)
	return !found && err == nil
}

// plainTerminal reports whether the terminal cannot run the full-screen
// wizard: TERM=dumb, or input or output is not a terminal.
func plainTerminal(opts Options) bool {
	if opts.Getenv("TERM") == "dumb" {
		return true
	}
	for _, f := range []any{opts.In, opts.Out} {
		fd, ok := f.(interface{ Fd() uintptr })
		if !ok || !term.IsTerminal(fd.Fd()) {
			return true
		}
	}
	return false
}

// runPlain runs the accessible walk and saves on the way out.
func runPlain(ctx context.Context, opts Options, be backend, all []steps.Step) error {
	// Plain lines: whatever huh's theme styles, no escape code reaches the
	// screen reader.
	out := &colorprofile.Writer{Forward: opts.Out, Profile: colorprofile.NoTTY}
	a := accessible{be: be, all: all, in: newLineReader(opts.In), out: out, keyDir: opts.KeyDir, export: opts.ReportDir}
	cfg := opts.Config
	startAtOverview := false
	if opts.HaveProfile {
		if err := cfg.Normalize(be.readFile); err != nil {
			fmt.Fprintf(out, "The saved answers need fixing: %v\n", err)
			cfg = opts.Config
		} else {
			startAtOverview = true
		}
	}
	cfgs := []steps.Config{cfg}
	if startAtOverview && len(opts.Domains) > 1 {
		cfgs = opts.Domains
		for i := range cfgs {
			if err := cfgs[i].Normalize(be.readFile); err != nil {
				fmt.Fprintf(out, "The saved answers of %s need fixing: %v\n", trimDot(cfgs[i].Domain), err)
				return &Unfinished{Code: report.ExitProblems}
			}
		}
	}
	if !startAtOverview {
		asked, resumed, err := a.ask(ctx, cfg, !opts.HaveProfile)
		if err != nil {
			// Ctrl+C keeps what was typed; input that ran out chose
			// nothing, so nothing is saved.
			last := asked[len(asked)-1]
			if errors.Is(err, ErrInterrupted) && be.save != nil && trimDot(last.Domain) != "" && mayStorePartial(be, last.Domain) {
				_ = be.save(asked)
			}
			if errors.Is(err, errQuit) {
				return &Unfinished{Code: report.ExitProblems}
			}
			return err
		}
		startAtOverview = resumed
		cfgs = asked
		if !resumed {
			a.save(cfgs...)
		}
	}
	// The first domain walks every step, a further one its own only: the
	// mail host's steps are judged once.
	codes := make([]int, len(cfgs))
	var err error
	for i := range cfgs {
		d := a
		if i > 0 {
			d.all = slices.DeleteFunc(slices.Clone(all), func(s steps.Step) bool { return s.Shared })
			fmt.Fprintf(out, "\nDomain %d of %d: %s (its own steps; the mail host's are checked with %s)\n", i+1, len(cfgs), trimDot(cfgs[i].Domain), trimDot(cfgs[0].Domain))
		}
		if i+1 < len(cfgs) {
			d.next = trimDot(cfgs[i+1].Domain)
		}
		results := map[string]steps.Result{}
		cfgs[i], err = d.walk(ctx, cfgs[i], startAtOverview, results)
		codes[i] = report.ExitCode(report.Build(cfgs[i].Domain, inOrder(d.all, cfgs[i], results), time.Time{}))
		if !errors.Is(err, errNextDomain) {
			break
		}
		err = nil
		for j := i + 1; j < len(cfgs); j++ {
			codes[j] = report.ExitProblems // not walked yet
		}
	}
	if be.save != nil {
		if saveErr := be.save(cfgs); saveErr != nil && err == nil {
			err = fmt.Errorf("save the answers: %w", saveErr)
		}
	}
	if errors.Is(err, errQuit) || err == nil {
		return unfinished(report.WorstExit(codes...))
	}
	return err
}

// Unfinished is returned by Run when the wizard ends (q, or the end of
// its input) before every step is verified. Code is the exit code check
// gives for the wizard's last results: 1 while a step is pending or
// failing (or was never checked, or the answers are not complete), 3
// when the steps left could only not be checked.
type Unfinished struct{ Code int }

func (u *Unfinished) Error() string {
	return fmt.Sprintf("not every step is verified yet (exit code %d)", u.Code)
}

// unfinished is the error Run returns for an exit code: nil for 0.
func unfinished(code int) error {
	if code == report.ExitOK {
		return nil
	}
	return &Unfinished{Code: code}
}

// realBackend wires the wizard to the network (through verify), the file
// system, the profile and the demo world, for a program that runs within
// ctx.
func realBackend(ctx context.Context, opts Options) backend {
	readFile := opts.ReadFile
	if readFile == nil {
		readFile = os.ReadFile
	}
	work := &dnsWork{opts: opts.Verify}
	return backend{
		ctx:         ctx,
		check:       work.check,
		lookupAddrs: work.lookupAddrs,
		lookupNS:    work.lookupNS,
		readFile:    readFile,
		exists: func(name string) bool {
			_, err := os.Stat(name)
			return !errors.Is(err, fs.ErrNotExist)
		},
		makeKey:    writeNewKey,
		writeFile:  writeNewFile,
		report:     markdownReport(time.Now),
		save:       opts.Save,
		load:       opts.Load,
		publishing: publishingFor(opts),
		now:        time.Now,
		tick:       tea.Tick,
	}
}

// publishingFor is where the publish key publishes: into the demo's
// world, or through the provider Publish opens; nil when neither is set.
func publishingFor(opts Options) *publishing {
	switch {
	case opts.Demo != nil:
		demo := opts.Demo
		return &publishing{demo: demo, open: func(_ context.Context, cfg steps.Config) (publish.Provider, string, string, error) {
			return demo, cfg.Domain, "the demo's DNS provider", nil
		}}
	case opts.Publish != nil:
		return &publishing{open: opts.Publish}
	}
	return nil
}

// writeNewKey generates an RSA 2048 DKIM key and writes its private half,
// mode 0600, never over an existing file.
func writeNewKey(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("make the key folder: %w", err)
	}
	key, err := dkimkey.Generate(dkimkey.RSA, 2048)
	if err != nil {
		return fmt.Errorf("generate the key: %w", err)
	}
	if err := dkimkey.WritePrivate(path, key); err != nil {
		return fmt.Errorf("write the key: %w", err)
	}
	return nil
}

// writeNewFile writes data to name, or to name-2, name-3, … (before the
// extension) when name exists: an exported report never replaces a file.
func writeNewFile(name string, data []byte) (string, error) {
	ext := filepath.Ext(name)
	base := strings.TrimSuffix(name, ext)
	for i := 1; i <= 100; i++ {
		path := name
		if i > 1 {
			path = fmt.Sprintf("%s-%d%s", base, i, ext)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		if _, err := f.Write(data); err != nil {
			f.Close()
			return "", err
		}
		return path, f.Close()
	}
	return "", fmt.Errorf("%s and 99 numbered copies exist already", name)
}

// markdownReport renders the Markdown report of `check --markdown`.
func markdownReport(now func() time.Time) func(steps.Config, []steps.Result) []byte {
	return func(cfg steps.Config, results []steps.Result) []byte {
		var b bytes.Buffer
		if err := report.WriteMarkdown(&b, report.Build(cfg.Domain, results, now())); err != nil {
			return []byte(err.Error())
		}
		return b.Bytes()
	}
}
