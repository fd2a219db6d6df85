package lab

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The Postfix programs: postfix (checks a configuration and makes its
// queue) and master (the daemon, run in the foreground).
const (
	postfixCommand = "/usr/sbin/postfix"
	postfixMaster  = "/usr/lib/postfix/sbin/master"
	postfixPackage = "postfix"
)

// EnsurePostfix makes sure Postfix is installed (Debian package postfix),
// installing it with apt-get as Ensure does for the DNS servers (root on
// Debian, the system's own postfix service kept from starting), and that
// this process may listen on port 25. The lab's Postfix instances never
// touch the system's configuration, queue or service.
func EnsurePostfix(ctx context.Context, log io.Writer) error {
	find := func() (string, error) {
		for _, p := range []string{postfixCommand, postfixMaster} {
			if _, err := os.Stat(p); err != nil {
				return "", err
			}
		}
		return postfixCommand, nil
	}
	if _, err := ensurePackage(ctx, log, "postfix", postfixPackage, find); err != nil {
		return err
	}
	if _, err := user.Lookup("postfix"); err != nil {
		return fmt.Errorf("postfix is installed but its user is missing (%v); reinstall the package", err)
	}
	ln, err := net.Listen("tcp4", "127.25.0.254:25")
	return bound(ln, err, 25, "the lab's Postfix listens")
}

// PostfixConfig describes a Postfix instance of the lab.
type PostfixConfig struct {
	// Hostname is its myhostname, the name in its greeting and EHLO reply,
	// "mail.example.com".
	Hostname string
	// Domain is the domain it takes mail for, "example.com".
	Domain string
	// Chain and Key are the PEM certificate chain and private key it
	// serves; required.
	Chain, Key []byte
	// NoStartTLS switches STARTTLS off on port 25 (submission on 587 and
	// 465 keep TLS, which they need).
	NoStartTLS bool
	// OpenRelay makes it relay mail for anyone: the configuration the
	// open-relay test must catch.
	OpenRelay bool
	// No25 leaves port 25 out: only submission listens (587 and 465).
	No25 bool
}

// Postfix is a running Postfix instance: port 25 (unless No25), and
// submission on 587 (STARTTLS) and 465 (implicit TLS), on a loopback
// address of its own, 127.25.N.1. Its configuration, queue and data live
// in a folder of their own; it takes no mail from anyone (mydestination is
// the test domain, with no mailboxes behind it) and relays only with
// OpenRelay.
type Postfix struct {
	addr   netip.Addr
	dir    string
	master *daemon
}

// StartPostfix starts a Postfix instance for t and stops it when t ends,
// printing its log if t failed.
func StartPostfix(t testing.TB, cfg PostfixConfig) *Postfix {
	t.Helper()
	p, err := startPostfix(t.Context(), cfg)
	return own(t, p, err, "start postfix")
}

func startPostfix(ctx context.Context, cfg PostfixConfig) (*Postfix, error) {
	if len(cfg.Chain) == 0 || len(cfg.Key) == 0 {
		return nil, errors.New("postfix needs a certificate chain and a key")
	}
	owner, err := user.Lookup("postfix")
	if err != nil {
		return nil, fmt.Errorf("postfix user: %w", err)
	}
	uid, _ := strconv.Atoi(owner.Uid)
	gid, _ := strconv.Atoi(owner.Gid)
	unlock, err := lockStarts()
	if err != nil {
		return nil, err
	}
	defer unlock()
	addr, err := freeMailAddr()
	if err != nil {
		return nil, err
	}
	// Postfix's daemons run as the postfix user and must reach their
	// queue: a folder of its own outside the test's (which only root may
	// enter), removed by Close.
	dir, err := os.MkdirTemp("", "mwpostfix-")
	if err != nil {
		return nil, err
	}
	p := &Postfix{addr: addr, dir: dir}
	if err := p.configure(cfg, uid, gid); err != nil {
		return p, err
	}
	conf := filepath.Join(dir, "conf")
	cmd := exec.CommandContext(ctx, postfixCommand, "-c", conf, "check")
	if out, err := cmd.CombinedOutput(); err != nil {
		return p, fmt.Errorf("postfix check: %w\n%s", err, out)
	}
	// -d: stay in the foreground, -s: log to our stdout (maillog_file).
	p.master, err = startDaemon("postfix master", postfixMaster, "-c", conf, "-d", "-s")
	if err != nil {
		return p, err
	}
	port := 25
	if cfg.No25 {
		port = 587
	}
	return p, p.waitReady(ctx, netip.AddrPortFrom(addr, uint16(port)).String())
}

// configure writes main.cf, master.cf, the key and the chain, and makes
// the queue and data folders.
func (p *Postfix) configure(cfg PostfixConfig, uid, gid int) error {
	if err := os.Chmod(p.dir, 0o755); err != nil {
		return err
	}
	conf, queue, data := filepath.Join(p.dir, "conf"), filepath.Join(p.dir, "queue"), filepath.Join(p.dir, "data")
	for _, d := range []string{conf, queue, data} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return err
		}
	}
	if err := os.Chown(data, uid, gid); err != nil {
		return err
	}
	key, chain := filepath.Join(conf, "key.pem"), filepath.Join(conf, "chain.pem")
	if err := os.WriteFile(key, cfg.Key, 0o600); err != nil {
		return err
	}
	if err := os.Chown(key, uid, gid); err != nil {
		return err
	}
	if err := os.WriteFile(chain, cfg.Chain, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(conf, "main.cf"), []byte(postfixMain(cfg, queue, data, key, chain)), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(conf, "master.cf"), []byte(postfixMasterCf(cfg, p.addr)), 0o644)
}

// postfixMain is main.cf. mynetworks names an address no test connects
// from, so that the probe (from 127.0.0.1) is a stranger; OpenRelay makes
// the classic mistake of trusting every address (mynetworks = 0.0.0.0/0).
func postfixMain(cfg PostfixConfig, queue, data, key, chain string) string {
	trusted := "127.255.255.254/32"
	if cfg.OpenRelay {
		trusted = "0.0.0.0/0"
	}
	lines := []string{
		"compatibility_level = 3.6",
		"queue_directory = " + queue,
		"data_directory = " + data,
		"myhostname = " + strings.TrimSuffix(cfg.Hostname, "."),
		"mydomain = " + strings.TrimSuffix(cfg.Domain, "."),
		"mydestination = " + strings.TrimSuffix(cfg.Domain, "."),
		// The listeners name their address in master.cf: inet_interfaces
		// only accepts addresses configured on an interface, and the lab's
		// 127.25.N.1 is not (Linux answers on all of 127.0.0.0/8).
		"inet_interfaces = loopback-only",
		"inet_protocols = ipv4",
		"mynetworks = " + trusted,
		"alias_maps =",
		"alias_database =",
		"local_recipient_maps =",
		"smtpd_banner = $myhostname ESMTP",
		"smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination",
		"smtpd_tls_security_level = may",
		"smtpd_tls_chain_files = " + key + ", " + chain,
		"maillog_file = /dev/stdout",
		"biff = no",
	}
	return strings.Join(lines, "\n") + "\n"
}

// postfixMasterCf is master.cf: smtpd on 25, 587 and 465 of addr, and the
// services Postfix needs to start; nothing chrooted.
func postfixMasterCf(cfg PostfixConfig, addr netip.Addr) string {
	var b strings.Builder
	if !cfg.No25 {
		fmt.Fprintf(&b, "%s:25 inet n - n - - smtpd\n", addr)
		if cfg.NoStartTLS {
			b.WriteString("  -o smtpd_tls_security_level=none\n")
		}
	}
	fmt.Fprintf(&b, "%s:587 inet n - n - - smtpd\n  -o smtpd_tls_security_level=encrypt\n", addr)
	fmt.Fprintf(&b, "%s:465 inet n - n - - smtpd\n  -o smtpd_tls_wrappermode=yes\n", addr)
	b.WriteString(`pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`)
	return b.String()
}

// waitReady waits until addr takes connections, Postfix exits, or 10 s
// pass.
func (p *Postfix) waitReady(ctx context.Context, addr string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var d net.Dialer
	for {
		c, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			return c.Close()
		}
		select {
		case <-p.master.done:
			return fmt.Errorf("postfix exited before listening (%v):\n%s", p.master.err, p.master.log.String())
		case <-ctx.Done():
			return fmt.Errorf("postfix did not listen at %s within 10 s (last: %v):\n%s", addr, err, p.master.log.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Addr is the loopback address the instance listens on.
func (p *Postfix) Addr() netip.Addr { return p.addr }

// Logs is Postfix's log.
func (p *Postfix) Logs() string {
	if p.master == nil {
		return ""
	}
	return fmt.Sprintf("--- postfix (pid %d)\n%s", p.master.cmd.Process.Pid, p.master.log.String())
}

// Close stops the master (its daemons follow) by its PID and removes the
// instance's folder.
func (p *Postfix) Close() error {
	var errs []error
	if p.master != nil {
		errs = append(errs, p.master.stop())
	}
	return errors.Join(append(errs, os.RemoveAll(p.dir))...)
}

// freeMailAddr picks a loopback address 127.25.N.1 whose port 25 (and 587
// and 465) are free; the caller holds lockStarts.
func freeMailAddr() (netip.Addr, error) {
	for range 50 {
		n, err := rand.Int(rand.Reader, big.NewInt(254))
		if err != nil {
			return netip.Addr{}, err
		}
		a := netip.AddrFrom4([4]byte{127, 25, byte(n.Int64() + 1), 1})
		if freeTCP(a, 25) && freeTCP(a, 587) && freeTCP(a, 465) {
			return a, nil
		}
	}
	return netip.Addr{}, errors.New("no free loopback address for postfix on port 25")
}

func freeTCP(a netip.Addr, port uint16) bool {
	ln, err := net.Listen("tcp4", netip.AddrPortFrom(a, port).String())
	if err != nil {
		return false
	}
	return ln.Close() == nil
}
