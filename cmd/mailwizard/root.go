package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/mailwizard/mailwizard/internal/demo"
	"github.com/mailwizard/mailwizard/internal/profile"
	"github.com/mailwizard/mailwizard/internal/steps"
	"github.com/mailwizard/mailwizard/internal/ui"
)

// wizardFlags are the flags of the wizard (the root command).
type wizardFlags struct {
	domain, resolver             string
	accessible, present, noProbe bool
}

func newRootCmd(e env) *cobra.Command {
	var f wizardFlags
	cmd := &cobra.Command{
		Use:   "mailwizard",
		Short: "Publish and verify every DNS record a mail server needs",
		Long: `mailwizard walks you through every DNS record a mail server needs (host
address, MX, reverse DNS, SPF, DKIM, DMARC, MTA-STS, TLS-RPT, DNSSEC and
DANE, client autoconfiguration, blocklists), shows exactly what to paste into
your DNS provider (or publishes it for you, as a plan you approve), and watches
the zone's authoritative nameservers until each record is really published.
Last, it checks the mail server itself: port 25, STARTTLS and the
certificate, no open relay, and the services mail programs use
(--no-probe keeps it to DNS).

Run it without arguments for the wizard; your answers are saved to
$XDG_CONFIG_HOME/mailwizard/<domain>.toml, so "mailwizard --domain
example.com" resumes and re-verifies. Try "mailwizard demo" first: it needs
no domain.`,
		Example: `  mailwizard demo
  mailwizard --domain example.com
  mailwizard --domain example.com --present`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runWizard(cmd, f, e)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.domain, flagDomain, "", "mail domain; loads its saved profile when there is one")
	fl.StringVar(&f.resolver, flagResolver, "", "recursive resolver host:port for discovery and the second opinion (default: the system's)")
	fl.BoolVar(&f.accessible, "accessible", false, "plain prompts and lines, for screen readers and simple terminals")
	fl.BoolVar(&f.present, "present", false, "layout for screen sharing, in high contrast")
	fl.BoolVar(&f.noProbe, flagNoProbe, false, "DNS only: never connect to the mail server itself (the server step is skipped)")
	return cmd
}

func runWizard(cmd *cobra.Command, f wizardFlags, e env) error {
	dir, err := profile.Dir(e.getenv)
	if err != nil {
		return badInput("%w", err)
	}
	// The profile that holds the wizard's domains: the file of the domain
	// given or typed, or a profile of several domains that lists it. The
	// answers are saved there, the other domains in it kept.
	finder := profile.NewFinder(dir)
	var profilePath string
	opts := ui.Options{
		KeyDir:     dir,
		ReportDir:  dir,
		Accessible: f.accessible,
		Present:    f.present,
		In:         e.stdin,
		Out:        e.stdout,
		Getenv:     e.getenv,
		ReadFile:   readKeyFile,
		Save: func(cfgs []steps.Config) error {
			path := profilePath
			if path == "" {
				var err error
				if path, err = profile.Path(dir, cfgs[0].Domain); err != nil {
					return err
				}
			}
			return profile.SaveDomains(path, cfgs)
		},
		// A domain typed in the form resumes its saved answers rather than
		// starting over on top of them.
		Load: func(domain string) (steps.Config, bool, error) {
			p, i, err := wizardProfile(finder, e, domain)
			profilePath = p.Path
			if err != nil || p.Path == "" {
				return steps.Config{}, false, err
			}
			return p.Domains[i], true, nil
		},
	}
	if f.domain != "" {
		if problem := domainProblem(f.domain); problem != "" {
			return badInput("--%s: %s", flagDomain, problem)
		}
		p, i, err := wizardProfile(finder, e, f.domain)
		switch {
		case err != nil:
			return err
		case p.Path != "":
			profilePath = p.Path
			opts.Config, opts.HaveProfile = p.Domains[i], true
			if len(p.Domains) > 1 {
				opts.Domains = p.Domains
			}
		default:
			opts.Config = steps.Config{Domain: f.domain}
		}
	}
	if f.noProbe {
		opts.Config.NoProbe = true
	}
	opts.Verify, err = verifyOptions(f.resolver, opts.Config.NoProbe, e)
	if err != nil {
		return err
	}
	opts.Publish = wizardProvider(f.resolver, e)
	return wizardExit(ui.Run(cmd.Context(), opts))
}

// wizardProfile loads the saved profile that holds domain (its own
// file, or a profile of several domains that lists it) and says which of
// its domains it is; a Profile without a path when there is none.
func wizardProfile(finder *profile.Finder, e env, domain string) (profile.Profile, int, error) {
	p, _, err := findProfile(finder, e, domain)
	if err != nil || p == nil {
		return profile.Profile{}, 0, err
	}
	i, ok := p.Index(domain)
	if !ok {
		return profile.Profile{}, 0, nil
	}
	return *p, i, nil
}

// domainProblem is what the Config's own validation says about domain, as
// check and records say it; "" when it is a domain name.
func domainProblem(domain string) string {
	cfg := steps.Config{Domain: domain}
	var ve *steps.ValidationError
	if err := cfg.Normalize(nil); errors.As(err, &ve) {
		for _, p := range ve.Problems {
			if p.Field == flagDomain {
				return p.Problem
			}
		}
	}
	return ""
}

// wizardExit maps the wizard's end to an exit code: 0 when every step is
// verified, else what check would exit with for its last results (1, or
// 3 when the steps left could not be checked; 1 too when the answers are
// not complete), 2 when its input ended before the form did, 130 after
// Ctrl+C.
func wizardExit(err error) error {
	var u *ui.Unfinished
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ui.ErrInterrupted):
		return &exitError{code: exitInterrupted}
	case errors.As(err, &u):
		return &exitError{code: u.Code}
	case errors.Is(err, ui.ErrInputEnded):
		return badInput("%w", err)
	}
	return &exitError{code: 1, err: err}
}

func newDemoCmd(e env) *cobra.Command {
	var f wizardFlags
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Try the wizard in a built-in DNS world, no domain needed",
		Long: `Demo runs the wizard against a DNS world served inside mailwizard itself:
two nameservers and a resolver on loopback for example.com. Press the
publish key on a step to "publish" its record (on one nameserver first, then
the other) and watch it turn green, or publish a typical mistake to see how
it is caught. Nothing touches real DNS or your saved profiles.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmd, f, e)
		},
	}
	cmd.Flags().BoolVar(&f.accessible, "accessible", false, "plain prompts and lines, for screen readers and simple terminals")
	cmd.Flags().BoolVar(&f.present, "present", false, "layout for screen sharing, in high contrast")
	return cmd
}

func runDemo(cmd *cobra.Command, f wizardFlags, e env) (err error) {
	world, err := demo.Start(cmd.Context())
	if err != nil {
		return fmt.Errorf("start the demo world: %w", err)
	}
	defer func() {
		if cerr := world.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("stop the demo world: %w", cerr)
		}
	}()
	// Keys made in the demo go to a temp folder, never next to the user's
	// profiles. An exported report is something the user asked to keep,
	// but it is the demo's, not theirs: it goes to the system's temporary
	// folder (never over an existing file), named as the demo's, and the
	// wizard says where.
	scratch, err := os.MkdirTemp("", "mailwizard-demo-*")
	if err != nil {
		return fmt.Errorf("make the demo's folder: %w", err)
	}
	defer os.RemoveAll(scratch)
	reports := os.TempDir()
	return wizardExit(ui.Run(cmd.Context(), ui.Options{
		Config:     world.Config(),
		Verify:     world.Verify(),
		Demo:       world,
		KeyDir:     scratch,
		ReportDir:  reports,
		Accessible: f.accessible,
		Present:    f.present,
		In:         e.stdin,
		Out:        e.stdout,
		Getenv:     e.getenv,
		ReadFile:   readKeyFile,
	}))
}
