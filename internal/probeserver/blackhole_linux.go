package probeserver

import (
	"errors"
	"fmt"
	"net"
	"strconv"
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

// StartBlackhole opens a black hole; Close it when done.
func StartBlackhole() (*Blackhole, error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("black hole: %w", err)
	}
	b := &Blackhole{fd: fd}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
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
	b.addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(in4.Port))
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
