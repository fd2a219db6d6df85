package probeserver

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// Blackhole is a loopback port that takes no connection and refuses none:
// every attempt to connect hangs until the client gives up, as when a
// firewall drops the packets (a network that blocks outgoing port 25).
// It listens with a backlog of one and fills it itself, so the kernel
// drops every further connection attempt.
type Blackhole struct {
	fd   int
	fill net.Conn
	addr string
}

// StartBlackhole opens a black hole on a free port of 127.0.0.1; Close it
// when done.
func StartBlackhole() (*Blackhole, error) {
	return StartBlackholeAt(netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), 0))
}

// StartBlackholeAt opens a black hole at an IPv4 address and port (0 for
// a free one): a real port 25 that drops every connection attempt, for
// end-to-end tests.
func StartBlackholeAt(at netip.AddrPort) (*Blackhole, error) {
	if !at.Addr().Is4() {
		return nil, fmt.Errorf("black hole at %s: IPv4 only", at)
	}
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("black hole: %w", err)
	}
	b := &Blackhole{fd: fd}
	// As net.Listen does: a port whose last connections are still in
	// TIME_WAIT (a server of an earlier test) can be bound again.
	if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1); err != nil {
		return nil, errors.Join(fmt.Errorf("black hole: %w", err), b.Close())
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: at.Addr().As4(), Port: int(at.Port())}); err != nil {
		return nil, errors.Join(fmt.Errorf("black hole: %w", err), b.Close())
	}
	if err := syscall.Listen(fd, 0); err != nil {
		return nil, errors.Join(fmt.Errorf("black hole: %w", err), b.Close())
	}
	sa, err := syscall.Getsockname(fd)
	in4, ok := sa.(*syscall.SockaddrInet4)
	if err != nil || !ok {
		return nil, errors.Join(fmt.Errorf("black hole: no address: %v", err), b.Close())
	}
	b.addr = netip.AddrPortFrom(at.Addr(), uint16(in4.Port)).String()
	b.fill, err = net.DialTimeout("tcp", b.addr, time.Second)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("black hole: fill the backlog: %w", err), b.Close())
	}
	return b, nil
}

// Addr is the black hole's "127.0.0.1:port".
func (b *Blackhole) Addr() string { return b.addr }

// Close closes the black hole.
func (b *Blackhole) Close() error {
	var errs []error
	if b.fill != nil {
		errs = append(errs, b.fill.Close())
	}
	if b.fd >= 0 {
		errs = append(errs, syscall.Close(b.fd))
		b.fd = -1
	}
	return errors.Join(errs...)
}
