package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/mailwizard/mailwizard/internal/profile"
	"github.com/mailwizard/mailwizard/internal/steps"
)

// Flag names: a public contract (scripts depend on them). A Config field's
// problems are named after the flag that sets it (steps.FieldError.Field),
// and a profile's keys have the same names.
const (
	flagDomain        = "domain"
	flagHost          = "host"
	flagIP            = "ip"
	flagDKIMSelector  = "dkim-selector"
	flagDKIMKey       = "dkim-key"
	flagDKIMPublicKey = "dkim-public-key"
	flagDMARCPolicy   = "dmarc-policy"
	flagDMARCRUA      = "dmarc-rua"
	flagSPFInclude    = "spf-include"
	flagServices      = "services"
	flagDNSBL         = "dnsbl"
	flagSkip          = "skip"
	flagMTASTSMode    = "mta-sts-mode"
	flagTLSRPTRUA     = "tls-rpt-rua"
	flagDANE          = "dane"
	flagTLSCert       = "tls-cert"
	flagResolver      = "resolver"
	flagProfile       = "profile"
	flagSave          = "save"
	flagNoProbe       = "no-probe"
)

// dnsblNone is the --dnsbl value that disables the blocklist check.
const dnsblNone = "none"

// configFlags are the flags that describe the mail server, shared by check
// and records.
type configFlags struct {
	domains                              []string
	host                                 string
	ips                                  []string
	dkimSelector, dkimKey, dkimPublicKey string
	dmarcPolicy, dmarcRUA                string
	spfIncludes, services, dnsbl, skip   []string
	resolver, profile                    string
	save, noProbe                        bool
	mtastsMode, tlsrptRUA, tlsCert       string
	dane                                 bool
}

func (f *configFlags) register(flags *pflag.FlagSet) {
	flags.StringSliceVar(&f.domains, flagDomain, nil, "mail domain, e.g. example.com (loads its saved profile; repeatable: several domains of one mail host)")
	flags.StringVar(&f.host, flagHost, "", "mail host (default mail.<domain>)")
	flags.StringSliceVar(&f.ips, flagIP, nil, "public IP address of the mail server, v4 or v6 (repeatable)")
	flags.StringVar(&f.dkimSelector, flagDKIMSelector, "", "selector of the DKIM key, e.g. mail")
	flags.StringVar(&f.dkimKey, flagDKIMKey, "", "private key file the server signs DKIM with (read, never printed)")
	flags.StringVar(&f.dkimPublicKey, flagDKIMPublicKey, "", "public key file for DKIM, when the private key is not at hand")
	flags.StringVar(&f.dmarcPolicy, flagDMARCPolicy, "", "policy for DMARC: none, quarantine or reject (default none)")
	flags.StringVar(&f.dmarcRUA, flagDMARCRUA, "", "address for DMARC aggregate reports (default dmarc-reports@<domain>)")
	flags.StringSliceVar(&f.spfIncludes, flagSPFInclude, nil, "extra SPF include: domain, e.g. a relay's (repeatable)")
	flags.StringSliceVar(&f.services, flagServices, nil, "services offered to mail clients: submission, submissions, imap, imaps, pop3, pop3s (default submission,submissions,imaps)")
	flags.StringSliceVar(&f.dnsbl, flagDNSBL, nil, "blocklist (DNSBL) zone to check (repeatable; replaces the default list; \"none\" disables the check)")
	flags.StringSliceVar(&f.skip, flagSkip, nil, "step id that is not yours to publish, e.g. ptr (repeatable)")
	flags.StringVar(&f.mtastsMode, flagMTASTSMode, "", "mode of the MTA-STS policy: testing or enforce (default testing)")
	flags.StringVar(&f.tlsrptRUA, flagTLSRPTRUA, "", "address (or https: URL) for TLS-RPT reports (default tls-reports@<domain>)")
	flags.BoolVar(&f.dane, flagDANE, false, "set up DNSSEC and DANE: their steps are then wanted, not advice")
	flags.StringVar(&f.tlsCert, flagTLSCert, "", "the mail server's certificate file (PEM, full chain), for the TLSA record when port 25 cannot be reached from here")
	flags.StringVar(&f.resolver, flagResolver, "", "recursive resolver host:port for discovery and the second opinion (default: the system's)")
	flags.StringVar(&f.profile, flagProfile, "", "profile file to load instead of the domain's saved profile")
	flags.BoolVar(&f.save, flagSave, false, "save the answers to the profile")
	flags.BoolVar(&f.noProbe, flagNoProbe, false, "DNS only: never connect to the mail server itself (the server step is skipped)")
}

// loaded is one domain's Config from flags over a profile.
type loaded struct {
	cfg steps.Config
	// prof is the profile the flags were laid over, nil without one.
	prof *profile.Profile
	// entry is the domain's index in prof.Domains.
	entry int
	// path is where --save writes.
	path string
}

// loadAll builds the Config of every domain to check: one per --domain,
// each laid over its own saved profile (its file, or a profile of several
// domains that lists it) or over --profile; without --domain, every
// domain --profile holds, or one Config of the flags alone. Every flag
// given on the command line applies to every domain. Every problem is one
// line naming the flag, or the profile's file, line and key when the
// value came from there; a problem several domains share is said once.
func (f *configFlags) loadAll(flags *pflag.FlagSet, e env) ([]loaded, error) {
	var base *profile.Profile
	basePath := ""
	if f.profile != "" {
		p, path, err := f.loadProfileFile()
		if err != nil {
			return nil, err
		}
		base, basePath = p, path
	}
	var ls []loaded
	var lines []string
	add := func(l loaded, problems []string) {
		ls = append(ls, l)
		for _, line := range problems {
			if !slices.Contains(lines, line) {
				lines = append(lines, line)
			}
		}
	}
	switch {
	case len(f.domains) == 0 && base != nil:
		for i := range base.Domains {
			add(f.layer(flags, e, base, i, basePath, ""))
		}
	case len(f.domains) == 0:
		add(f.layer(flags, e, nil, 0, basePath, ""))
	}
	var finder *profile.Finder
	seen := map[string]bool{}
	for _, d := range f.domains {
		// The name is checked before it names a file: a value of any size
		// or shape must not reach the file system, nor be echoed whole.
		name, err := steps.CheckDomain(d)
		switch {
		case err != nil:
			return nil, badInput("--%s: %v", flagDomain, err)
		case seen[name]:
			return nil, badInput("--%s %s: given twice", flagDomain, name)
		}
		seen[name] = true
		prof, path := base, basePath
		if f.profile == "" {
			if finder == nil {
				finder = profileFinder(e)
			}
			if prof, path, err = findProfile(finder, e, d); err != nil {
				return nil, err
			}
		}
		add(f.layer(flags, e, prof, entryOf(prof, d), path, d))
	}
	if len(lines) > 0 {
		return nil, badInputLines(lines)
	}
	if f.save {
		for _, l := range ls {
			if l.path == "" {
				if _, err := defaultProfilePath(e, l.cfg.Domain); err != nil {
					return nil, badInput("--%s: %w", flagSave, err)
				}
			}
		}
	}
	return ls, nil
}

// layer lays the flags over Domains[i] of prof (nothing when prof is nil)
// for domain (the profile's own when ""), normalized, and returns the
// problems as lines.
func (f *configFlags) layer(flags *pflag.FlagSet, e env, prof *profile.Profile, i int, path, domain string) (loaded, []string) {
	l := loaded{prof: prof, entry: i, path: path}
	if prof != nil {
		l.cfg = prof.Domains[i]
	}
	if domain != "" {
		l.cfg.Domain = domain
	}
	problems := f.apply(flags.Changed, &l.cfg)
	if err := l.cfg.Normalize(e.readFile); err != nil {
		var ve *steps.ValidationError
		if !errors.As(err, &ve) {
			return l, []string{err.Error()}
		}
		// A flag value that did not parse was left out of the Config;
		// what Normalize says about the field then only repeats it.
		unparsed := slices.Clone(problems)
		for _, p := range ve.Problems {
			if !slices.ContainsFunc(unparsed, func(q steps.FieldError) bool { return q.Field == p.Field }) {
				problems = appendNew(problems, p)
			}
		}
	}
	if len(problems) == 0 {
		stampMTASTS(&l.cfg, prof, i, e.now(), f.save)
	}
	if l.path == "" {
		l.path, _ = defaultProfilePath(e, l.cfg.Domain)
	}
	return l, l.describe(flags, problems)
}

// entryOf is the index of domain in prof.Domains: 0 when prof is nil or
// does not list it (the flags are then laid over its first domain).
func entryOf(prof *profile.Profile, domain string) int {
	if prof == nil {
		return 0
	}
	i, _ := prof.Index(domain)
	return max(i, 0)
}

// stampMTASTS gives cfg its MTA-STS policy id (steps.Config.StampMTASTS):
// the policy keeps the id it has while it stays what the profile described
// for the domain at entry (nil prof: no profile), whose Config is compared
// in its normal form.
func stampMTASTS(cfg *steps.Config, prof *profile.Profile, entry int, now time.Time, saved bool) {
	var prev *steps.Config
	if prof != nil {
		p := prof.Domains[entry]
		_ = p.Normalize(nil)
		prev = &p
	}
	cfg.StampMTASTS(prev, now, saved)
}

// loadProfileFile loads --profile. It returns the path --save writes to.
func (f *configFlags) loadProfileFile() (*profile.Profile, string, error) {
	p, err := profile.Load(f.profile)
	switch {
	case errors.Is(err, fs.ErrNotExist) && f.save:
		return nil, f.profile, nil // --save creates it
	case errors.Is(err, fs.ErrNotExist):
		return nil, "", badInput("--%s %s: no such file (add --%s to create it)", flagProfile, f.profile, flagSave)
	case err != nil:
		return nil, "", profileError(err)
	}
	return &p, f.profile, nil
}

// profileFinder finds saved profiles in the profile folder; nil when
// there is no profile folder (flags only; --save reports it).
func profileFinder(e env) *profile.Finder {
	dir, err := profile.Dir(e.getenv)
	if err != nil {
		return nil
	}
	return profile.NewFinder(dir)
}

// findProfile loads the saved profile of domain: its own file, or a
// profile of several domains that lists it. Without one it returns the
// path --save writes to.
func findProfile(finder *profile.Finder, e env, domain string) (*profile.Profile, string, error) {
	if finder == nil {
		return nil, "", nil
	}
	path, ok := finder.Find(domain)
	if !ok {
		path, _ = defaultProfilePath(e, domain)
		return nil, path, nil
	}
	p, err := profile.Load(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, path, nil
	case err != nil:
		return nil, "", profileError(err)
	}
	return &p, path, nil
}

func defaultProfilePath(e env, domain string) (string, error) {
	dir, err := profile.Dir(e.getenv)
	if err != nil {
		return "", err
	}
	return profile.Path(dir, domain)
}

// profileError is a profile that does not load: each problem on its line.
func profileError(err error) error {
	var pe *profile.Error
	if errors.As(err, &pe) {
		return badInputLines(strings.Split(pe.Error(), "\n"))
	}
	return badInput("%w", err)
}

// apply lays the flags set says were given (on the command line, or as
// the columns of a row of a domains file) over cfg. Setting one kind of
// DKIM key file clears the other, so that a flag replaces what a profile
// said rather than contradicting it.
func (f *configFlags) apply(set func(name string) bool, cfg *steps.Config) []steps.FieldError {
	var problems []steps.FieldError
	if set(flagHost) {
		cfg.Host = f.host
	}
	if set(flagIP) {
		cfg.IPs = nil
		for _, s := range f.ips {
			if strings.TrimSpace(s) == "" {
				problems = appendNew(problems, steps.FieldError{Field: flagIP, Problem: "an empty address (a stray comma?)"})
				continue
			}
			ip, err := netip.ParseAddr(strings.TrimSpace(s))
			if err != nil {
				problems = append(problems, steps.FieldError{Field: flagIP, Problem: fmt.Sprintf("%q is not an IP address", steps.Clip(s))})
				continue
			}
			cfg.IPs = append(cfg.IPs, ip)
		}
	}
	if set(flagDKIMSelector) {
		cfg.DKIMSelector = f.dkimSelector
	}
	if set(flagDKIMKey) {
		cfg.DKIMKeyFile, cfg.DKIMPublicKey = f.dkimKey, nil
		if !set(flagDKIMPublicKey) {
			cfg.DKIMPublicKeyFile = ""
		}
	}
	if set(flagDKIMPublicKey) {
		cfg.DKIMPublicKeyFile, cfg.DKIMPublicKey = f.dkimPublicKey, nil
		if !set(flagDKIMKey) {
			cfg.DKIMKeyFile = ""
		}
	}
	if set(flagDMARCPolicy) {
		cfg.DMARCPolicy = f.dmarcPolicy
	}
	if set(flagDMARCRUA) {
		cfg.DMARCRUA = f.dmarcRUA
	}
	if set(flagSPFInclude) {
		cfg.SPFIncludes = f.spfIncludes
	}
	if set(flagServices) {
		cfg.Services = f.services
	}
	if set(flagDNSBL) {
		if len(f.dnsbl) == 0 {
			// An empty value (--dnsbl "$UNSET") would switch the check off
			// unnoticed; switching it off takes "none".
			problems = append(problems, steps.FieldError{Field: flagDNSBL, Problem: `empty; give a blocklist zone, such as zen.spamhaus.org, or "none" to switch the check off`})
		}
		cfg.DNSBL = []string{}
		for _, z := range f.dnsbl {
			if strings.EqualFold(z, dnsblNone) {
				if len(f.dnsbl) > 1 {
					problems = append(problems, steps.FieldError{Field: flagDNSBL, Problem: `"none" disables the blocklist check; give it alone`})
				}
				continue
			}
			cfg.DNSBL = append(cfg.DNSBL, z)
		}
	}
	if set(flagSkip) {
		cfg.Skip = f.skip
	}
	if set(flagMTASTSMode) {
		cfg.MTASTSMode = f.mtastsMode
	}
	if set(flagTLSRPTRUA) {
		cfg.TLSRPTRUA = f.tlsrptRUA
	}
	if set(flagDANE) {
		cfg.DANE = f.dane
	}
	if set(flagTLSCert) {
		cfg.TLSCertFile, cfg.TLSCert = f.tlsCert, nil
	}
	if set(flagNoProbe) {
		cfg.NoProbe = f.noProbe
	}
	return problems
}

// appendNew appends p unless problems already holds it: "--ip 1.2.3.4,,"
// is one problem, not two.
func appendNew(problems []steps.FieldError, p steps.FieldError) []steps.FieldError {
	if slices.Contains(problems, p) {
		return problems
	}
	return append(problems, p)
}

// describe turns field problems into lines: "--ip: …" for a flag given on
// the command line, "profile /…/example.com.toml:4: ip: …" for a value
// that came from the profile.
func (l loaded) describe(flags *pflag.FlagSet, problems []steps.FieldError) []string {
	lines := make([]string, 0, len(problems))
	for _, p := range problems {
		if l.prof != nil && !flags.Changed(p.Field) && l.prof.HasAt(l.entry, p.Field) {
			lines = append(lines, fmt.Sprintf("profile %s: %s: %s", l.prof.WhereAt(l.entry, p.Field), p.Field, p.Problem))
			continue
		}
		lines = append(lines, fmt.Sprintf("--%s: %s", p.Field, p.Problem))
	}
	return lines
}

// saveProfiles writes the Configs to their profiles when --save was
// given: each domain to the profile it was loaded from; with several
// domains, those without a profile of their own join the first domain's
// profile, which then holds several domains (profile.SaveDomains).
func (f *configFlags) saveProfiles(ls []loaded, e env) error {
	if !f.save {
		return nil
	}
	var paths []string
	byPath := map[string][]steps.Config{}
	for _, l := range ls {
		path := l.path
		if l.prof == nil && len(ls) > 1 && l.path != f.profile {
			path = ls[0].path
		}
		if _, ok := byPath[path]; !ok {
			paths = append(paths, path)
		}
		byPath[path] = append(byPath[path], l.cfg)
	}
	for _, path := range paths {
		err := profile.SaveDomains(path, byPath[path])
		var we *profile.WriteError
		switch {
		case errors.As(err, &we):
			return couldNotWrite(err)
		case err != nil:
			return badInput("--%s: %w", flagSave, err)
		}
		fmt.Fprintf(e.stderr, "mailwizard: saved the answers to %s\n", path)
	}
	return nil
}

// warn prints the Config's warnings (private or documentation addresses):
// the check goes on.
func warn(e env, cfg steps.Config) {
	for _, w := range cfg.Warnings() {
		fmt.Fprintf(e.stderr, "mailwizard: note: --%s: %s\n", w.Field, w.Problem)
	}
}
