package lab

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// keyName is the name of the lab's TSIG key.
const keyName = "mailwizard-lab."

// Config describes a lab.
type Config struct {
	// Zones are the zones both nameservers serve. The nameservers are
	// ns1 and ns2 in the first zone, whose addresses (the lab's loopback
	// addresses) the lab adds to it.
	Zones []Zone
	// Apart are zones a third nameserver, ns3 in the first zone, serves
	// alone: a parent zone above the lab's zones (whose Records hold the
	// delegation to write), or a child zone delegated from one of them
	// (whose delegation, to ns3, the test writes in the parent). The lab
	// adds their SOA, an NS record naming ns3, and ns3's address to the
	// first zone; the resolver asks ns3 for them.
	Apart []Zone
	// AAAANowhere gives ns1 and ns2 an AAAA record, ::1, at which nothing
	// answers (the lab holds port 53 there and never replies): a
	// nameserver's IPv6 address this machine has no path to.
	AAAANowhere bool
	// Secondary makes ns2 a secondary of ns1: it transfers the zones from
	// ns1 whenever ns1 notifies a change, as a provider's servers do, so
	// that an update sent to ns1 alone reaches both.
	Secondary bool
	// Signed are zones (of Zones or of Apart) the lab signs with Knot's
	// automatic signing: an ECDSA P-256 KSK and ZSK, signatures valid for
	// 30 days and renewed 14 days ahead. ns1 signs the zones of Zones (with
	// Secondary, ns2 serves the signed copy; without it ns2 serves them
	// unsigned), ns3 those of Apart. When an Apart zone is signed, the
	// resolver validates (DNSSEC), with that zone's KSK as its trust
	// anchor: the lab's own root of trust.
	Signed []string
	// DS, when set, are the DS records (zone-file lines) the parent of the
	// first zone (a zone of Apart) serves for it: a broken chain, or the
	// DS of a zone signed beforehand. Without it, the lab writes the DS of
	// each zone of Zones it signs into its parent when that is a signed
	// zone of Apart, before the resolver starts; an unsigned parent gets
	// none (a zone signed, its DS not yet at the registrar).
	DS []string
}

// Lab is a running set of servers: Knot instances ns1 and ns2 and an
// Unbound resolver.
type Lab struct {
	progs   Programs
	dir     string
	home    string
	zones   []string
	ns      []netip.Addr
	res     netip.Addr
	keyFile string
	// secret is the TSIG key's secret (base64).
	secret    string
	secondary bool
	knots     []*daemon
	unbound   *daemon
	// runDirs are Knot's short-named run folders, removed by Close.
	runDirs []string
	// apart is ns3's address, when Config.Apart has zones.
	apart netip.Addr
	// signed are the zones the lab signs (Config.Signed).
	signed []string
	// nowhere holds [::1]:53 silent for Config.AAAANowhere, and release
	// lets another lab take it.
	nowhere io.Closer
	release func()
}

// Start starts a lab for t and stops it when t ends, printing the servers'
// logs if t failed. It fails t if a server does not come up.
func Start(t testing.TB, progs Programs, cfg Config) *Lab {
	t.Helper()
	l, err := start(t.Context(), progs, cfg, t.TempDir())
	return own(t, l, err, "start the lab")
}

// own stops s, when it is not nil, as t ends, printing its logs if t
// failed; err (its start's) fails t, with what said first.
func own[S interface {
	comparable
	Logs() string
	Close() error
}](t testing.TB, s S, err error, what string) S {
	t.Helper()
	var none S
	if s != none {
		t.Cleanup(func() {
			if t.Failed() {
				t.Log(s.Logs())
			}
			if err := s.Close(); err != nil {
				t.Error(err)
			}
		})
	}
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return s
}

func start(ctx context.Context, progs Programs, cfg Config, dir string) (*Lab, error) {
	if len(cfg.Zones) == 0 {
		return nil, errors.New("a lab needs at least one zone")
	}
	l := &Lab{progs: progs, dir: dir, home: dns.CanonicalName(cfg.Zones[0].Apex)}
	if cfg.AAAANowhere {
		// Before the lock of the starts: a lab waiting for its turn at
		// [::1]:53 must not hold up the others.
		if err := l.holdNowhere(); err != nil {
			return l, err
		}
	}
	// From picking addresses until every server listens, no other lab may
	// pick them.
	unlock, err := lockStarts()
	if err != nil {
		return l, err
	}
	defer unlock()
	base, err := freeBase()
	if err != nil {
		return l, err
	}
	l.ns = []netip.Addr{base.Next(), base.Next().Next()}
	l.res = addrAt(base, 10)
	l.secondary = cfg.Secondary
	for _, z := range cfg.Zones {
		l.zones = append(l.zones, dns.CanonicalName(z.Apex))
	}
	cfg.Zones = slices.Clone(cfg.Zones)
	if len(cfg.Apart) > 0 {
		l.apart = addrAt(base, 3)
		if !free(l.apart) {
			return l, fmt.Errorf("the lab's third address %s is taken", l.apart)
		}
		cfg.Zones[0].Records = append(slices.Clone(cfg.Zones[0].Records), fmt.Sprintf("ns3.%s 3600 IN A %s", l.home, l.apart))
	}
	if cfg.AAAANowhere {
		cfg.Zones[0].Records = append(slices.Clone(cfg.Zones[0].Records),
			fmt.Sprintf("ns1.%s 3600 IN AAAA ::1", l.home), fmt.Sprintf("ns2.%s 3600 IN AAAA ::1", l.home))
	}
	secret, err := newSecret()
	if err != nil {
		return l, err
	}
	l.secret = secret
	l.keyFile = filepath.Join(dir, "tsig.key")
	if err := os.WriteFile(l.keyFile, []byte(tsigAlgorithm+":"+keyName+":"+secret+"\n"), 0o600); err != nil {
		return l, fmt.Errorf("write the TSIG key: %w", err)
	}
	for _, z := range cfg.Signed {
		l.signed = append(l.signed, dns.CanonicalName(z))
	}
	for i, addr := range l.ns {
		text := func(z Zone) string { return zoneText(z, l.home, l.ns, i == 0) }
		if err := l.startKnot(ctx, i, addr, secret, cfg.Zones, text, l.home); err != nil {
			return l, err
		}
	}
	if l.secondary {
		// ns2 transfers the signed zones once ns1 has signed them; a
		// check must not find it still serving the copy it loaded.
		for _, apex := range apexesOf(cfg.Zones) {
			if !slices.Contains(l.signed, apex) {
				continue
			}
			if _, err := l.ksks(ctx, l.ns[1], apex); err != nil {
				return l, fmt.Errorf("ns2: %w", err)
			}
		}
	}
	var anchors []string
	if len(cfg.Apart) > 0 {
		text := func(z Zone) string { return apartZoneText(z, l.home) }
		if err := l.startKnot(ctx, 2, l.apart, secret, cfg.Apart, text, dns.CanonicalName(cfg.Apart[0].Apex)); err != nil {
			return l, err
		}
		if err := l.writeDS(ctx, cfg); err != nil {
			return l, err
		}
		for _, z := range cfg.Apart {
			if !slices.Contains(l.signed, dns.CanonicalName(z.Apex)) {
				continue
			}
			keys, err := l.ksks(ctx, l.apart, z.Apex)
			if err != nil {
				return l, err
			}
			for _, k := range keys {
				anchors = append(anchors, k.String())
			}
		}
	}
	if err := l.startUnbound(ctx, cfg.Apart, anchors...); err != nil {
		return l, err
	}
	return l, nil
}

// startKnot starts nameserver i at addr serving zones, each written by text,
// and waits until it answers for ready.
func (l *Lab) startKnot(ctx context.Context, i int, addr netip.Addr, secret string, zones []Zone, text func(Zone) string, ready string) error {
	dir := filepath.Join(l.dir, fmt.Sprintf("ns%d", i+1))
	zoneDir := filepath.Join(dir, "zones")
	if err := os.MkdirAll(zoneDir, 0o700); err != nil {
		return fmt.Errorf("ns%d: %w", i+1, err)
	}
	// Knot's control socket lives in its run folder, and a socket path
	// must stay under about 100 bytes: a test's temp folder may be longer.
	run, err := os.MkdirTemp("", "mwlab-")
	if err != nil {
		return fmt.Errorf("ns%d: %w", i+1, err)
	}
	l.runDirs = append(l.runDirs, run)
	apexes := apexesOf(zones)
	for j, z := range zones {
		if l.secondary && i == 1 && slices.Contains(l.signed, apexes[j]) {
			// Signing keeps the serial: a copy of its own would look
			// up to date. ns2 transfers the signed zone from ns1.
			continue
		}
		if err := os.WriteFile(filepath.Join(zoneDir, apexes[j]+"zone"), []byte(text(z)), 0o600); err != nil {
			return fmt.Errorf("ns%d: %w", i+1, err)
		}
	}
	conf := filepath.Join(dir, "knot.conf")
	var role knotRole
	switch {
	case l.secondary && i == 0:
		role.notify = l.ns[1]
	case l.secondary && i == 1:
		role.primary = l.ns[0]
	}
	if i != 1 {
		// ns1 signs the lab's zones, ns3 the zones apart; ns2 serves
		// what it transfers from ns1, or the zones unsigned.
		for _, apex := range apexes {
			if slices.Contains(l.signed, apex) {
				role.signed = append(role.signed, apex)
			}
		}
	}
	if err := os.WriteFile(conf, []byte(knotConfig(run, dir, addr, zoneDir, keyName, secret, apexes, role)), 0o600); err != nil {
		return fmt.Errorf("ns%d: %w", i+1, err)
	}
	d, err := startDaemon(fmt.Sprintf("knotd ns%d", i+1), l.progs.Knotd, "-c", conf)
	if err != nil {
		return err
	}
	l.knots = append(l.knots, d)
	return d.waitReady(ctx, netip.AddrPortFrom(addr, 53).String(), ready, false)
}

func (l *Lab) startUnbound(ctx context.Context, apart []Zone, anchors ...string) error {
	dir := filepath.Join(l.dir, "unbound")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("unbound: %w", err)
	}
	conf := filepath.Join(dir, "unbound.conf")
	text := unboundConfig(dir, l.res, l.ns, l.zones, anchors...)
	for _, z := range apart {
		text += fmt.Sprintf("\nstub-zone:\n    name: %q\n    stub-addr: %s@53\n", dns.CanonicalName(z.Apex), l.apart)
	}
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		return fmt.Errorf("unbound: %w", err)
	}
	d, err := startDaemon("unbound", l.progs.Unbound, "-d", "-c", conf)
	if err != nil {
		return err
	}
	l.unbound = d
	return d.waitReady(ctx, l.Resolver(), l.home, true)
}

// Resolver is the address of the lab's resolver, "127.53.N.10:53", for
// mailwizard's --resolver.
func (l *Lab) Resolver() string { return netip.AddrPortFrom(l.res, 53).String() }

// Nameserver is the name and address of nameserver i (0 for ns1).
func (l *Lab) Nameserver(i int) (name string, addr netip.Addr) {
	return fmt.Sprintf("ns%d.%s", i+1, l.home), l.ns[i]
}

// StopNameserver stops nameserver i (0 for ns1) by its PID.
func (l *Lab) StopNameserver(i int) error {
	return l.knots[i].stop()
}

// Update adds records (zone-file lines, absolute owners) to zone on
// nameserver i (0 for ns1) with an RFC 2136 update signed with the lab's
// TSIG key, sent by knsupdate.
func (l *Lab) Update(ctx context.Context, i int, zone string, records []string) error {
	return l.update(ctx, l.ns[i], fmt.Sprintf("ns%d", i+1), zone, records)
}

// update sends the update of Update to the server at addr, named name in
// errors.
func (l *Lab) update(ctx context.Context, addr netip.Addr, name, zone string, records []string) error {
	var script strings.Builder
	fmt.Fprintf(&script, "server %s 53\nzone %s\n", addr, dns.CanonicalName(zone))
	for _, rr := range records {
		fmt.Fprintf(&script, "update add %s\n", rr)
	}
	script.WriteString("send\nanswer\n")
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, l.progs.Knsupdate, "-t", "2", "-r", "1", "-k", l.keyFile)
	cmd.Stdin = strings.NewReader(script.String())
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("knsupdate to %s: %w\n%s", name, err, out)
	}
	if strings.Contains(string(out), "status: ") && !strings.Contains(string(out), "status: NOERROR") {
		return fmt.Errorf("knsupdate to %s was refused:\n%s", name, out)
	}
	return nil
}

// WriteBINDKey writes the lab's TSIG key to path in the BIND key-file
// format that nsupdate -k reads, with mode 0600.
func (l *Lab) WriteBINDKey(path string) error {
	text := fmt.Sprintf("key %q {\n\talgorithm %s;\n\tsecret %q;\n};\n", keyName, tsigAlgorithm, l.secret)
	return os.WriteFile(path, []byte(text), 0o600)
}

// TSIGSecret is the lab's TSIG secret, for tests that make sure it is
// never printed.
func (l *Lab) TSIGSecret() string { return l.secret }

// Logs are the servers' outputs, for a failed test.
func (l *Lab) Logs() string {
	var b strings.Builder
	for _, d := range append(append([]*daemon{}, l.knots...), l.unbound) {
		if d != nil {
			fmt.Fprintf(&b, "--- %s (pid %d)\n%s", d.name, d.cmd.Process.Pid, d.log.String())
		}
	}
	return b.String()
}

// Close stops every server by its PID.
func (l *Lab) Close() error {
	var errs []error
	for _, d := range append(append([]*daemon{}, l.knots...), l.unbound) {
		if d != nil {
			errs = append(errs, d.stop())
		}
	}
	for _, d := range l.runDirs {
		errs = append(errs, os.RemoveAll(d))
	}
	if l.nowhere != nil {
		errs = append(errs, l.nowhere.Close())
	}
	if l.release != nil {
		l.release()
	}
	return errors.Join(errs...)
}

// writeDS puts the DS records of the lab's zones into their parents
// among the zones apart, with an update to ns3: Config.DS for the first
// zone, or the DS (SHA-256) of the key-signing key of each zone ns1 signs
// whose parent is signed too.
func (l *Lab) writeDS(ctx context.Context, cfg Config) error {
	apart := apexesOf(cfg.Apart)
	for i, apex := range apexesOf(cfg.Zones) {
		j, _ := dns.NextLabel(apex, 0)
		parent := apex[j:]
		if !slices.Contains(apart, parent) {
			continue
		}
		records := cfg.DS
		switch {
		case i == 0 && len(records) > 0:
		case slices.Contains(l.signed, apex) && slices.Contains(l.signed, parent):
			keys, err := l.ksks(ctx, l.ns[0], apex)
			if err != nil {
				return err
			}
			records = []string{keys[0].ToDS(dns.SHA256).String()}
		default:
			continue
		}
		if err := l.update(ctx, l.apart, "ns3", parent, records); err != nil {
			return fmt.Errorf("the DS of %s: %w", apex, err)
		}
	}
	return nil
}

// apexesOf are the zones' apexes, canonical.
func apexesOf(zones []Zone) []string {
	out := make([]string, len(zones))
	for i, z := range zones {
		out[i] = dns.CanonicalName(z.Apex)
	}
	return out
}

// ksks are the key-signing keys (the SEP flag) a signed zone serves at
// addr, once its signer has made them: asked over TCP until they show, for
// at most 20 seconds.
func (l *Lab) ksks(ctx context.Context, addr netip.Addr, zone string) ([]*dns.DNSKEY, error) {
	zone = dns.CanonicalName(zone)
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	c := &dns.Client{Net: "tcp", Timeout: 2 * time.Second}
	for {
		m := new(dns.Msg).SetQuestion(zone, dns.TypeDNSKEY)
		in, _, err := c.ExchangeContext(ctx, m, netip.AddrPortFrom(addr, 53).String())
		if err == nil {
			var out []*dns.DNSKEY
			for _, rr := range in.Answer {
				if k, ok := rr.(*dns.DNSKEY); ok && k.Flags&dns.SEP != 0 {
					out = append(out, k)
				}
			}
			if len(out) > 0 {
				return out, nil
			}
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%s has no key-signing key at %s: %w", zone, addr, errors.Join(err, ctx.Err()))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Apart is the name and address of ns3, the nameserver of Config.Apart.
func (l *Lab) Apart() (name string, addr netip.Addr) {
	return "ns3." + l.home, l.apart
}

// holdNowhere takes [::1]:53 for the lab's life and never answers there;
// labs that want it take turns (a lock). A machine without ::1 has no path
// there at all, which does as well.
func (l *Lab) holdNowhere() error {
	release, err := lockNowhere()
	if err != nil {
		return err
	}
	l.release = release
	pc, err := net.ListenPacket("udp6", "[::1]:53")
	switch {
	case err == nil:
		l.nowhere = pc
	case errors.Is(err, syscall.EADDRINUSE):
		return fmt.Errorf("[::1]:53 is taken by another program, so the lab cannot make it a dead end: %w", err)
	}
	return nil
}

func newSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make the TSIG secret: %w", err)
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// freeBase picks a loopback /24, 127.53.N.0, whose .1, .2 and .10 are free
// on port 53, so that labs of parallel tests (and of other test processes)
// do not meet.
func freeBase() (netip.Addr, error) {
	for range 50 {
		n, err := rand.Int(rand.Reader, big.NewInt(254))
		if err != nil {
			return netip.Addr{}, err
		}
		base := netip.AddrFrom4([4]byte{127, 53, byte(n.Int64() + 1), 0})
		if free(base.Next()) && free(base.Next().Next()) && free(addrAt(base, 10)) {
			return base, nil
		}
	}
	return netip.Addr{}, errors.New("no free loopback address for the lab on port 53")
}

func addrAt(base netip.Addr, host byte) netip.Addr {
	a := base.As4()
	a[3] = host
	return netip.AddrFrom4(a)
}

// free reports whether port 53 of addr is free for UDP and TCP.
func free(addr netip.Addr) bool {
	ap := netip.AddrPortFrom(addr, 53).String()
	pc, err := net.ListenPacket("udp4", ap)
	if err != nil {
		return false
	}
	defer pc.Close()
	ln, err := net.Listen("tcp4", ap)
	if err != nil {
		return false
	}
	return ln.Close() == nil
}
