package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"
	"github.com/spf13/cobra"

	"github.com/mailwizard/mailwizard/internal/publish"
	"github.com/mailwizard/mailwizard/internal/publish/provider"
	"github.com/mailwizard/mailwizard/internal/report"
	"github.com/mailwizard/mailwizard/internal/steps"
	"github.com/mailwizard/mailwizard/internal/ui"
	"github.com/mailwizard/mailwizard/internal/verify"
)

// Flags of publish.
const (
	flagProvider      = "provider"
	flagRFC2136Server = "rfc2136-server"
	flagTSIGKey       = "tsig-key"
	flagCredentials   = "credentials"
	flagApply         = "apply"
)

// publishTimeout bounds reading the zone, and applying the plan, at the
// provider.
const publishTimeout = time.Minute

// publishFlags are publish's own flags.
type publishFlags struct {
	provider, server, tsigKey, credentials string
	apply                                  bool
	check                                  checkFlags
}

func newPublishCmd(e env) *cobra.Command {
	var cf configFlags
	var f publishFlags
	cmd := &cobra.Command{
		Use:   "publish",
		Short: "Publish the records through RFC 2136 or a DNS provider's API, as a plan first",
		Long: `Publish reads the zone from the DNS provider and prints the plan: each record
to add (+), to replace (~, old and new), already right (=), or in conflict
with something publish will not touch (!), and what stays for you to publish
elsewhere (reverse DNS at the hosting provider). With --apply it makes
exactly those changes, then checks the authoritative servers once (or
--watch until every step passes).

It only ever changes records the steps own: the apex TXT starting "v=spf1",
the _dmarc TXT starting "v=DMARC1", the chosen DKIM selector's TXT, the SRV
and alias names of the services offered, the mail host's addresses and the
apex MX (replaced as the plan shows). Never SOA, NS, DNSKEY, DS, another
selector or another TXT record.

Credentials come from environment variables or from the file given with
--credentials (NAME=value lines), never from a flag, and are never saved or
printed. rfc2136 signs with the key file given with --tsig-key.

Exit codes: 0 nothing to change, or --apply applied the whole plan; 1 a dry
run has changes to make, or the plan has conflicts; 2 bad input; 3 the
provider could not be reached or refused.`,
		Example: `  mailwizard publish --domain example.com --provider rfc2136 --tsig-key /etc/bind/mail.key
  mailwizard publish --domain example.com --provider rfc2136 --tsig-key mail.key --apply
  CLOUDFLARE_API_TOKEN=… mailwizard publish --domain example.com --provider cloudflare --apply --watch`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runPublish(cmd.Context(), cmd, &cf, f, e)
		},
	}
	cf.register(cmd.Flags())
	fl := cmd.Flags()
	fl.StringVar(&f.provider, flagProvider, "", "where to publish: "+provider.Names()+" (default: the saved one; suggested from the zone's nameservers)")
	fl.StringVar(&f.server, flagRFC2136Server, "", "rfc2136: the server host:port updates go to (default: the zone's primary from its SOA, port 53)")
	fl.StringVar(&f.tsigKey, flagTSIGKey, "", "rfc2136: TSIG key file in the BIND format nsupdate -k reads")
	fl.StringVar(&f.credentials, flagCredentials, "", "HTTP providers: file of NAME=value lines with the provider's variables (default: the environment)")
	fl.BoolVar(&f.apply, flagApply, false, "apply the plan, then check once")
	fl.BoolVar(&f.check.watch, "watch", false, "with --apply: check again every --interval until every step passes")
	fl.DurationVar(&f.check.interval, "interval", 5*time.Second, "time between checks with --watch")
	fl.DurationVar(&f.check.timeout, "timeout", 0, "give up --watch after this long (0: never)")
	return cmd
}

func runPublish(ctx context.Context, cmd *cobra.Command, cf *configFlags, f publishFlags, e env) error {
	set := cmd.Flags().Changed
	if f.check.watch && !f.apply {
		return badInput("--watch only applies with --%s", flagApply)
	}
	if err := f.check.checkWatch(set); err != nil {
		return err
	}
	if set(flagProvider) {
		if _, ok := provider.ByName(f.provider); !ok {
			return badInput("--%s %q: unknown; use one of %s", flagProvider, f.provider, provider.Names())
		}
	}
	ls, err := cf.loadAll(cmd.Flags(), e)
	if err != nil {
		return err
	}
	cfgs := make([]steps.Config, len(ls))
	for i := range ls {
		cfg := &ls[i].cfg
		if set(flagProvider) {
			cfg.PublishProvider = strings.ToLower(strings.TrimSpace(f.provider))
		}
		if set(flagRFC2136Server) {
			cfg.RFC2136Server = f.server
		}
		if set(flagTSIGKey) {
			cfg.TSIGKeyFile = f.tsigKey
		}
		if set(flagCredentials) {
			cfg.CredentialsFile = f.credentials
		}
		cfgs[i] = *cfg
	}
	d, err := newDomainsChecker(cf.resolver, cfgs, e)
	if err != nil {
		return err
	}
	// Every domain's zone and provider first: a problem with one stops
	// publish before any zone is read or changed.
	targets := make([]publishTarget, len(ls))
	for i, l := range ls {
		c := d.checker
		c.cfg = l.cfg
		if targets[i], err = preparePublish(ctx, c, e); err != nil {
			return err
		}
	}
	if err := cf.saveProfiles(ls, e); err != nil {
		return err
	}
	for _, l := range ls {
		warn(e, l.cfg)
	}
	codes := make([]int, len(targets))
	for i, t := range targets {
		if i > 0 {
			fmt.Fprintln(e.stdout)
		}
		codes[i], err = t.publish(ctx, f.apply, e)
		var ee *exitError
		switch {
		case err == nil:
		case len(targets) == 1 || errors.As(err, &ee) && ee.code == exitInterrupted:
			return err
		default:
			// The others are still published; the worst code says it.
			printError(e.stderr, err)
			codes[i] = exitCode(err)
		}
	}
	if f.apply {
		if len(targets) == 1 {
			err = checkAfter(ctx, targets[0].c, f.check, e)
		} else {
			err = checksAfter(ctx, d, f.check, e)
		}
		if err != nil {
			return err
		}
	}
	return exitWith(report.WorstExit(codes...))
}

// publishTarget is one domain's zone at the provider that publishes it.
type publishTarget struct {
	c     checker
	round *verify.Round // the round that found zone
	zone  verify.Zone
	prov  publish.Provider
	where string
	name  string // the provider's name
}

// preparePublish finds the zone of the checker's domain and opens its
// provider.
func preparePublish(ctx context.Context, c checker, e env) (publishTarget, error) {
	round := c.engine.Round()
	zone, err := round.Zone(ctx, c.cfg.Domain)
	switch {
	case ctx.Err() != nil:
		return publishTarget{}, interrupted()
	case err != nil:
		return publishTarget{}, c.zoneError(err)
	}
	spec, err := chooseProvider(c.cfg.PublishProvider, zone)
	if err != nil {
		return publishTarget{}, err
	}
	prov, where, err := openProvider(ctx, spec, c.cfg.RFC2136Server, c.cfg.TSIGKeyFile, c.cfg.CredentialsFile, round, zone, e)
	if err != nil {
		return publishTarget{}, err
	}
	return publishTarget{c: c, round: round, zone: zone, prov: prov, where: where, name: spec.Name}, nil
}

// wizardProvider is where the wizard's publish key publishes: the
// provider saved in the profile (by publish --save), opened as publish
// opens it. Without one, its error says how to choose one.
func wizardProvider(resolver string, e env) ui.OpenProvider {
	return func(ctx context.Context, cfg steps.Config) (publish.Provider, string, string, error) {
		c, err := newChecker(resolver, cfg, e)
		if err != nil {
			return nil, "", "", err
		}
		t, err := preparePublish(ctx, c, e)
		if err != nil && cfg.PublishProvider == "" {
			return nil, "", "", fmt.Errorf("no provider is set up for publishing. Run once: mailwizard publish --domain %s --provider NAME --save (%s)",
				strings.TrimSuffix(cfg.Domain, "."), strings.TrimPrefix(err.Error(), "--provider: missing. "))
		}
		if err != nil {
			return nil, "", "", err
		}
		return t.prov, t.zone.Name, t.where, nil
	}
}

// publish reads the zone, prints the plan and, with apply, applies it. It
// returns publish's exit code for this domain.
func (t publishTarget) publish(ctx context.Context, apply bool, e env) (int, error) {
	want := withoutUnsignedTLSA(ctx, t.round, t.zone.Name, publish.Wanted(t.c.cfg), e)
	rctx, cancel := context.WithTimeout(ctx, publishTimeout)
	plan, err := publish.Read(rctx, t.prov, t.zone.Name, want)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return 0, interrupted()
		}
		hint := ""
		if t.name == provider.RFC2136 {
			hint = ". The server refused the key or the transfer: check the key file, and that the server lets this key transfer the zone (AXFR) as well as update it (Knot: an acl with action transfer; BIND: allow-transfer { key NAME; })"
		}
		return 0, couldNotCheck("could not read the zone %s from %s: %w%s", t.zone.Name, t.where, err, hint)
	}
	fmt.Fprintf(e.stdout, "Plan for the zone %s at %s:\n\n", t.zone.Name, t.where)
	for _, line := range publish.Lines(plan) {
		fmt.Fprintln(e.stdout, line)
	}
	conflicts := plan.Count(publish.Conflict) > 0
	if !apply {
		if plan.Pending() {
			fmt.Fprintf(e.stdout, "\nNothing was changed. Run again with --%s to make these changes.\n", flagApply)
			return report.ExitProblems, nil
		}
		return exitFor(conflicts), nil
	}
	if plan.Pending() {
		actx, cancel := context.WithTimeout(ctx, publishTimeout)
		done, err := publish.Apply(actx, t.prov, plan)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return 0, interrupted()
			}
			return 0, couldNotCheck("%s refused or did not answer: %w (%d added, %d removed before that; run publish again to see what is left)", t.where, err, done.Added, done.Deleted)
		}
		fmt.Fprintf(e.stdout, "\nApplied: %s added, %s removed at %s.\n\n", count(done.Added), count(done.Deleted), t.where)
	} else {
		fmt.Fprintln(e.stdout, "\nNothing to change.")
		fmt.Fprintln(e.stdout)
	}
	return exitFor(conflicts), nil
}

// withoutUnsignedTLSA leaves the dane step's TLSA records out of want
// unless the zone is signed with a DS at its parent, and says why:
// senders ignore TLSA records in a zone they cannot validate, so they are
// never published there.
func withoutUnsignedTLSA(ctx context.Context, round *verify.Round, zone string, want []publish.StepRecords, e env) []publish.StepRecords {
	i := slices.IndexFunc(want, func(sr publish.StepRecords) bool { return sr.ID == steps.IDDANE })
	if i < 0 {
		return want
	}
	if ok, why := steps.SignedZone(zone, round.Ask(ctx, steps.SignedZoneQuestions(zone)...)); !ok {
		fmt.Fprintf(e.stdout, "The TLSA records are left out: %s. Senders use TLSA records only from a signed zone they can validate; sign the zone and set its DS at the registrar first (the dnssec step), then publish again.\n\n", why)
		return slices.Delete(slices.Clone(want), i, i+1)
	}
	return want
}

// exitFor is publish's exit code once the plan is applied (or had
// nothing to do): 1 while conflicts remain.
func exitFor(conflicts bool) int {
	if conflicts {
		return report.ExitProblems
	}
	return report.ExitOK
}

func count(n int) string {
	if n == 1 {
		return "1 record"
	}
	return fmt.Sprintf("%d records", n)
}

// checkAfter runs one check round after applying, or watches; its
// outcome is shown, and only an interruption changes publish's exit code.
func checkAfter(ctx context.Context, c checker, f checkFlags, e env) error {
	first, round, err := c.first(ctx)
	return afterApply(err, e, func() error {
		if !f.watch {
			return printReport(e, f, first)
		}
		return watch(ctx, c, f, first, round, e)
	})
}

// checksAfter is checkAfter for several domains.
func checksAfter(ctx context.Context, d domainsChecker, f checkFlags, e env) error {
	reports, rounds, err := d.first(ctx)
	return afterApply(err, e, func() error {
		if !f.watch {
			return d.print(e, f, reports)
		}
		return d.watch(ctx, f, reports, rounds, e)
	})
}

// afterApply is the outcome of the check after applying, whose first
// round ended with firstErr and whose reports show prints or watches: a
// first round that could not run is said and changes nothing; otherwise
// only an interruption, or a report that could not be printed, is
// publish's error, not the check's own exit code.
func afterApply(firstErr error, e env, show func() error) error {
	var ee *exitError
	if firstErr != nil {
		if errors.As(firstErr, &ee) && ee.code == exitInterrupted {
			return firstErr
		}
		fmt.Fprintf(e.stdout, "The check after publishing could not run: %v\n", firstErr)
		return nil
	}
	if err := show(); errors.As(err, &ee) && (ee.code == exitInterrupted || ee.err != nil) {
		return err
	}
	return nil
}

// chooseProvider is the provider named by the flag or the profile, or
// else a clear request for one, naming the provider the zone's
// nameservers suggest.
func chooseProvider(name string, zone verify.Zone) (provider.Spec, error) {
	if name != "" {
		spec, ok := provider.ByName(name)
		if !ok {
			return provider.Spec{}, badInput("publish-provider %q (from the profile): unknown; use --%s with one of %s", name, flagProvider, provider.Names())
		}
		return spec, nil
	}
	var ns []string
	for _, s := range zone.Servers {
		ns = append(ns, s.Name)
	}
	if spec, ok := provider.Suggest(ns); ok {
		return provider.Spec{}, badInput("--%s: missing. The nameservers of %s (%s) are %s's: use --%s %s, with %s", flagProvider, zone.Name, strings.Join(ns, ", "), spec.Title, flagProvider, spec.Name, credentialsHint(spec))
	}
	return provider.Spec{}, badInput("--%s: missing. Choose where the zone %s is published: --%s %s with --%s FILE for a server that takes RFC 2136 updates, or one of %s", flagProvider, zone.Name, flagProvider, provider.RFC2136, flagTSIGKey, provider.Names())
}

// credentialsHint names a provider's required variables.
func credentialsHint(spec provider.Spec) string {
	if spec.Name == provider.RFC2136 {
		return "--" + flagTSIGKey + " FILE"
	}
	var names []string
	for _, v := range spec.Vars {
		if v.Required {
			names = append(names, v.Name)
		}
	}
	return strings.Join(names, " and ") + " set in the environment (or in a file given with --" + flagCredentials + ")"
}

// openProvider makes the provider and says where it publishes: "rfc2136
// at 192.0.2.53:53" or "Cloudflare".
func openProvider(ctx context.Context, spec provider.Spec, server, keyFile, credFile string, round *verify.Round, zone verify.Zone, e env) (publish.Provider, string, error) {
	if spec.Name != provider.RFC2136 {
		if keyFile != "" && server == "" && credFile == "" {
			return nil, "", badInput("--%s is for --%s %s; %s reads its credentials from %s", flagTSIGKey, flagProvider, provider.RFC2136, spec.Title, credentialsHint(spec))
		}
		var data []byte
		if credFile != "" {
			var err error
			if data, err = e.readFile(credFile); err != nil {
				return nil, "", badInput("--%s %s: %v", flagCredentials, credFile, err)
			}
		}
		creds, err := spec.ReadCredentials(e.getenv, credFile, data)
		if err != nil {
			return nil, "", badInput("%v", err)
		}
		prov, err := spec.Open(creds, nil)
		if err != nil {
			return nil, "", badInput("%v", err)
		}
		return prov, spec.Title, nil
	}
	if keyFile == "" {
		return nil, "", badInput("--%s: missing; rfc2136 signs its updates with a TSIG key file (the BIND format nsupdate -k reads)", flagTSIGKey)
	}
	data, err := e.readFile(keyFile)
	if err != nil {
		return nil, "", badInput("--%s %s: %v", flagTSIGKey, keyFile, err)
	}
	key, err := provider.ParseTSIGKey(keyFile, data)
	if err != nil {
		return nil, "", badInput("--%s %v", flagTSIGKey, err)
	}
	if server != "" {
		if _, _, err := net.SplitHostPort(server); err != nil {
			return nil, "", badInput("--%s %q: want host:port, like 192.0.2.53:53", flagRFC2136Server, server)
		}
	} else if server, err = primary(ctx, round, zone, e); err != nil {
		return nil, "", err
	}
	return provider.OpenRFC2136(server, key), fmt.Sprintf("%s at %s (key %s)", provider.RFC2136, server, key.Name), nil
}

// primary is the address of the zone's primary server, the SOA MNAME
// (RFC 1996 §2.1), port 53.
func primary(ctx context.Context, round *verify.Round, zone verify.Zone, e env) (string, error) {
	q := verify.Q(zone.Name, dns.TypeSOA)
	var mname string
	if a, ok := round.Ask(ctx, q).Get(q); ok {
		for _, o := range a.Servers {
			for _, rr := range o.Records(zone.Name, dns.TypeSOA) {
				if soa, ok := rr.(*dns.SOA); ok && mname == "" {
					mname = dns.CanonicalName(soa.Ns)
				}
			}
		}
	}
	if mname == "" {
		return "", couldNotCheck("no nameserver of %s gave its SOA record, so its primary server is unknown; give it with --%s host:port", zone.Name, flagRFC2136Server)
	}
	var addr string
	for _, s := range zone.Servers {
		if s.Name == mname && len(s.Addrs) > 0 {
			addr = s.Addrs[0].String()
		}
	}
	// Through the resolver: IPv6 only when there is no IPv4 address.
	for _, t := range []uint16{dns.TypeA, dns.TypeAAAA} {
		if addr != "" {
			break
		}
		rq := verify.RQ(mname, t)
		a, ok := round.Ask(ctx, rq).Get(rq)
		if !ok {
			continue
		}
		for _, o := range a.Servers {
			for _, rr := range o.Records(mname, t) {
				switch v := rr.(type) {
				case *dns.A:
					addr = v.A.String()
				case *dns.AAAA:
					addr = v.AAAA.String()
				}
			}
		}
	}
	if addr == "" {
		return "", couldNotCheck("the primary server of %s, %s (its SOA MNAME), has no address; give the server with --%s host:port", zone.Name, mname, flagRFC2136Server)
	}
	server := net.JoinHostPort(addr, "53")
	if e.mapAddr != nil {
		server = e.mapAddr(server)
	}
	return server, nil
}
