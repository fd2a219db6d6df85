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
	if l != nil {
		t.Cleanup(func() {
			if t.Failed() {
				t.Log(l.Logs())
			}
			if err := l.Close(); err != nil {
				t.Error(err)
			}
		})
	}
	if err != nil {
		t.Fatalf("start the lab: %v", err)
	}
	return l
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
	for i, addr := range l.ns {
		text := func(z Zone) string { return zoneText(z, l.home, l.ns, i == 0) }
		if err := l.startKnot(ctx, i, addr, secret, cfg.Zones, text, l.home); err != nil {
			return l, err
		}
	}
	if len(cfg.Apart) > 0 {
		text := func(z Zone) string { return apartZoneText(z, l.home) }
		if err := l.startKnot(ctx, 2, l.apart, secret, cfg.Apart, text, dns.CanonicalName(cfg.Apart[0].Apex)); err != nil {
			return l, err
		}
	}
	if err := l.startUnbound(ctx, cfg.Apart); err != nil {
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
	var apexes []string
	for _, z := range zones {
		apexes = append(apexes, dns.CanonicalName(z.Apex))
		if err := os.WriteFile(filepath.Join(zoneDir, dns.CanonicalName(z.Apex)+"zone"), []byte(text(z)), 0o600); err != nil {
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

func (l *Lab) startUnbound(ctx context.Context, apart []Zone) error {
	dir := filepath.Join(l.dir, "unbound")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("unbound: %w", err)
	}
	conf := filepath.Join(dir, "unbound.conf")
	text := unboundConfig(dir, l.res, l.ns, l.zones)
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
	var script strings.Builder
	fmt.Fprintf(&script, "server %s 53\nzone %s\n", l.ns[i], dns.CanonicalName(zone))
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
		return fmt.Errorf("knsupdate to ns%d: %w\n%s", i+1, err, out)
	}
	if strings.Contains(string(out), "status: ") && !strings.Contains(string(out), "status: NOERROR") {
		return fmt.Errorf("knsupdate to ns%d was refused:\n%s", i+1, out)
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
