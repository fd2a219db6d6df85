package demo

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/assets"
	"github.com/mailwizard/mailwizard/internal/dkimkey"
	"github.com/mailwizard/mailwizard/internal/probeserver"
	"github.com/mailwizard/mailwizard/internal/steps"
	"github.com/mailwizard/mailwizard/internal/verify"
	"github.com/mailwizard/mailwizard/internal/verify/dnsworld"
)

// The demo's mail server. The zones in assets/demo hold the same names.
const (
	// Domain is the demo's mail domain.
	Domain = "example.com."
	// Host is the demo's mail host.
	Host = "mail.example.com."
	// Selector is the DKIM selector of the demo's key.
	Selector = "mail"
	// nsDomain is where the demo's nameservers live: ns1.example.net.,
	// ns2.example.net.
	nsDomain = "example.net."
	// DefaultDelay is how long the second nameserver lags behind the first.
	DefaultDelay = 5 * time.Second
	// DefaultNegativeCache is how long the demo's resolver keeps saying "no
	// such name" for a record it was asked about before it was published:
	// long enough to show that the authoritative servers turn a step green
	// while a resolver still caches the old answer, short enough for a demo
	// (the zone's own negative TTL is 5 min).
	DefaultNegativeCache = 90 * time.Second
)

// IPs are the demo mail server's addresses, from the documentation ranges
// (RFC 5737, RFC 3849).
func IPs() []netip.Addr {
	return []netip.Addr{netip.MustParseAddr("192.0.2.25"), netip.MustParseAddr("2001:db8::25")}
}

// Options configure a World.
type Options struct {
	// Delay is how long a published record takes to reach the second
	// nameserver after the first; zero or less means DefaultDelay. Tests
	// make it short.
	Delay time.Duration
	// KeyAlgorithm is the DKIM key to generate: dkimkey.RSA (2048 bits, the
	// default, whose record is longer than 255 characters) or
	// dkimkey.Ed25519 (quicker to make).
	KeyAlgorithm string
	// NegativeCache is how long the resolver remembers a "no such name" it
	// gave; zero means DefaultNegativeCache, less than zero turns it off.
	NegativeCache time.Duration
}

// World is a running demo world, and the DNS provider of its zones
// (publish.Provider). Its methods are safe for concurrent use.
type World struct {
	lab *dnsworld.Lab
	// host is the demo's mail server itself: SMTP, submission, IMAP, POP3
	// and the autoconfig web server, for the server step.
	host *probeserver.Host
	// broken is the mail server port 25 goes to while the server step's
	// typical mistake is shown; nil otherwise.
	broken *probeserver.MailServer
	// parent serves the zone above the demo's (com.), where the DS record
	// of the signed zone goes; signer signs the zone once DNSSEC is
	// switched on.
	parent *dnsworld.Server
	signer *dnsworld.ZoneSigner
	dir    string // the temporary folder of the DKIM key
	cfg    steps.Config
	delay  time.Duration

	mu     sync.Mutex
	closed bool
	// onFirst and onSecond are the records each step has on the first and
	// on the second server now, by step id.
	onFirst, onSecond map[string][]dns.RR
	// pending are the changes still on their way to the second server:
	// a step's publication by its id, a change made through the world's
	// publish.Provider methods by its number.
	pending map[string]*pending
	// ops counts the changes made through the publish.Provider methods.
	ops int
}

// Start builds the world with the default options: servers on loopback, an
// RSA DKIM key in a temp folder. Close it when done.
func Start(ctx context.Context) (*World, error) {
	return StartWith(ctx, Options{})
}

// StartWith builds the world with the given options. ctx bounds the start
// only; the world runs until Close.
func StartWith(ctx context.Context, opts Options) (*World, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("start demo: %w", err)
	}
	if opts.Delay <= 0 {
		opts.Delay = DefaultDelay
	}
	if opts.KeyAlgorithm == "" {
		opts.KeyAlgorithm = dkimkey.RSA
	}
	zones, err := assets.DemoZones()
	if err != nil {
		return nil, fmt.Errorf("demo zones: %w", err)
	}
	dir, err := os.MkdirTemp("", "mailwizard-demo-")
	if err != nil {
		return nil, fmt.Errorf("demo key folder: %w", err)
	}
	w := &World{
		dir:      dir,
		delay:    opts.Delay,
		onFirst:  make(map[string][]dns.RR),
		onSecond: make(map[string][]dns.RR),
		pending:  make(map[string]*pending),
	}
	if w.cfg, err = demoConfig(ctx, dir, opts.KeyAlgorithm); err != nil {
		return nil, errors.Join(err, os.RemoveAll(dir))
	}
	if err := ctx.Err(); err != nil {
		return nil, errors.Join(fmt.Errorf("start demo: %w", err), os.RemoveAll(dir))
	}
	w.lab, err = dnsworld.NewLab(dnsworld.LabConfig{Zones: zones, NSDomain: nsDomain})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("start demo servers: %w", err), os.RemoveAll(dir))
	}
	if opts.NegativeCache == 0 {
		opts.NegativeCache = DefaultNegativeCache
	}
	w.lab.Resolver.SetNegativeCaching(opts.NegativeCache)
	if w.parent, err = w.lab.ServeParent(Domain); err != nil {
		return nil, errors.Join(fmt.Errorf("start the demo's parent zone: %w", err), w.lab.Close(), os.RemoveAll(dir))
	}
	if w.signer, err = dnsworld.NewZoneSigner(Domain); err != nil {
		return nil, errors.Join(fmt.Errorf("make the demo's zone key: %w", err), w.lab.Close(), os.RemoveAll(dir))
	}
	w.host, err = probeserver.StartHost(probeserver.HostConfig{Name: Host, Domain: Domain, Addrs: IPs(), Autoconfig: []byte(steps.AutoconfigXML(w.cfg)), MTASTSPolicy: []byte(steps.MTASTSPolicy(w.cfg))})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("start the demo's mail server: %w", err), w.lab.Close(), os.RemoveAll(dir))
	}
	// The TLSA records pin the certificate the demo's mail server
	// presents, as --tls-cert would.
	for _, der := range w.host.Cert.Certificate {
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, errors.Join(fmt.Errorf("the demo's mail server certificate: %w", err), w.Close())
		}
		w.cfg.TLSCert = append(w.cfg.TLSCert, cert)
	}
	return w, nil
}

// demoConfig generates the DKIM key into dir and returns the demo's
// normalized Config, which names the key by its path only.
func demoConfig(ctx context.Context, dir, algorithm string) (steps.Config, error) {
	key, err := dkimkey.Generate(algorithm, 0)
	if err != nil {
		return steps.Config{}, fmt.Errorf("demo dkim key: %w", err)
	}
	if key == nil {
		return steps.Config{}, errors.New("demo dkim key: no key was generated")
	}
	if err := ctx.Err(); err != nil {
		return steps.Config{}, fmt.Errorf("start demo: %w", err)
	}
	path := filepath.Join(dir, Selector+".dkim.pem")
	if err := dkimkey.WritePrivate(path, key); err != nil {
		return steps.Config{}, fmt.Errorf("demo dkim key: %w", err)
	}
	cfg := steps.Config{
		Domain:        Domain,
		Host:          Host,
		IPs:           IPs(),
		DKIMSelector:  Selector,
		DKIMKeyFile:   path,
		DKIMPublicKey: key.Public(),
		Provider:      assets.OtherProviderID,
		// The demo walks the whole way: signing the zone, then DANE.
		DANE: true,
	}
	// The demo's documentation addresses are only Warnings; a
	// ValidationError here means the demo itself is broken.
	if err := cfg.Normalize(os.ReadFile); err != nil {
		return steps.Config{}, fmt.Errorf("demo config: %w", err)
	}
	return cfg, nil
}

// Config is the demo's mail server: example.com., mail.example.com. at
// 192.0.2.25 and 2001:db8::25, and the generated DKIM key (by path).
func (w *World) Config() steps.Config { return w.cfg }

// Verify are the engine options that point at the world: its resolver,
// for discovery and as the second opinion, an address mapping that sends
// the nameservers' real-looking addresses (192.0.2.53:53, …) and the mail
// server's ports (192.0.2.25:25, …) to the loopback servers and every
// other address to a closed loopback port, and the demo's certificate
// authority as the only one the probes trust.
func (w *World) Verify() verify.Options {
	opts := w.lab.Options()
	resolver := w.lab.Resolver.Addr()
	opts.SecondOpinion = []string{resolver}
	opts.MapAddr = w.host.Routes.Map(func(addr string) string {
		if addr == resolver {
			return addr
		}
		return w.lab.MapAddr(addr)
	})
	opts.Roots = w.host.CA.Pool()
	// The demo's servers run inside mailwizard: a probe costs nothing, and
	// a mistake put on the mail server shows at the next check.
	opts.ProbeReuse, opts.RelayReuse = -1, -1
	return opts
}

// nameservers names the first and the second server.
func (w *World) nameservers() (first, second string) {
	return w.lab.Nameservers[0].Name, w.lab.Nameservers[1].Name
}

// Close stops the servers and the pending publications, and removes the
// temp folder. Closing twice is harmless.
func (w *World) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	for id, p := range w.pending {
		p.timer.Stop()
		delete(w.pending, id)
	}
	broken := w.broken
	w.mu.Unlock()
	errs := []error{w.lab.Close(), w.host.Close(), os.RemoveAll(w.dir)}
	if broken != nil {
		errs = append(errs, broken.Close())
	}
	return errors.Join(errs...)
}
