package probeserver

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"
)

// Fault is what a server does wrong with every connection accepted after
// SetFault. The zero Fault is a healthy server.
type Fault struct {
	// Delay holds the greeting (or, with implicit TLS, the handshake) back
	// this long: a slow server.
	Delay time.Duration
	// Silent accepts connections and never says anything: a half-open
	// peer, or a firewall that lets the handshake through only.
	Silent bool
	// Reset accepts connections and resets them at once.
	Reset bool
	// BreakTLS breaks the TLS handshake midway: the server reads the
	// client's hello and hangs up. With STARTTLS it first answers the
	// command as if all were well.
	BreakTLS bool
}

// base is what every server shares: the listener, the connections it
// serves, their count and the fault.
type base struct {
	ln      net.Listener
	closing chan struct{}
	wg      sync.WaitGroup

	mu     sync.Mutex
	fault  Fault
	conns  map[net.Conn]bool
	count  int
	closed bool
}

// listen opens a loopback listener on a free port and serves each
// connection with serve in its own goroutine, after the fault's delay.
func (b *base) listen(serve func(net.Conn)) error {
	return b.listenAt("127.0.0.1:0", serve)
}

// listenAt is listen at a given address ("127.0.0.1:0" for a free port).
func (b *base) listenAt(addr string, serve func(net.Conn)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	b.ln, b.closing, b.conns = ln, make(chan struct{}), make(map[net.Conn]bool)
	b.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if !b.track(c) {
				_ = c.Close()
				return
			}
			b.wg.Go(func() {
				defer b.untrack(c)
				// A stuck test must not hang forever on a peer that
				// stopped talking.
				_ = c.SetDeadline(time.Now().Add(time.Minute))
				f := b.Fault()
				switch {
				case f.Reset:
					if tc, ok := c.(*net.TCPConn); ok {
						_ = tc.SetLinger(0)
					}
					return
				case f.Silent:
					b.hold(0)
					return
				case f.Delay > 0 && !b.hold(f.Delay):
					return
				}
				serve(c)
			})
		}
	})
	return nil
}

// hold waits d (forever when 0) or until the server closes; it reports
// whether d passed.
func (b *base) hold(d time.Duration) bool {
	if d <= 0 {
		<-b.closing
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-b.closing:
		return false
	}
}

func (b *base) track(c net.Conn) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false
	}
	b.conns[c] = true
	b.count++
	return true
}

func (b *base) untrack(c net.Conn) {
	_ = c.Close()
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.conns, c)
}

// Addr is the server's "127.0.0.1:port".
func (b *base) Addr() string { return b.ln.Addr().String() }

// SetFault sets what the server does wrong from now on; Fault{} heals it.
func (b *base) SetFault(f Fault) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.fault = f
}

// Fault is the server's current fault.
func (b *base) Fault() Fault {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.fault
}

// Connections is how many connections the server has accepted.
func (b *base) Connections() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.count
}

// Close stops the server and every connection it serves. Closing twice is
// harmless.
func (b *base) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	close(b.closing)
	err := b.ln.Close()
	for c := range b.conns {
		_ = c.Close()
	}
	b.mu.Unlock()
	b.wg.Wait()
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

// breakHandshake reads the client's hello and hangs up, so that the
// client's handshake fails midway.
func breakHandshake(c net.Conn) {
	buf := make([]byte, 512)
	_, _ = c.Read(buf)
}

// line is a connection's text side: lines in, lines out.
type line struct {
	c  net.Conn
	br *bufio.Reader
}

func newLine(c net.Conn) *line { return &line{c: c, br: bufio.NewReader(c)} }

// read returns the next line without its line break.
func (l *line) read() (string, error) {
	s, err := l.br.ReadString('\n')
	if err != nil {
		return "", err
	}
	return strings.TrimRight(s, "\r\n"), nil
}

// write sends lines, each with CRLF.
func (l *line) write(lines ...string) error {
	_, err := io.WriteString(l.c, strings.Join(lines, "\r\n")+"\r\n")
	return err
}

// upgrade makes the server side of TLS with cert, or breaks it as the
// fault says.
func (l *line) upgrade(cert *tls.Certificate, broken bool) bool {
	if broken || cert == nil {
		breakHandshake(l.c)
		return false
	}
	tc := tls.Server(l.c, &tls.Config{Certificates: []tls.Certificate{*cert}})
	if err := tc.Handshake(); err != nil {
		return false
	}
	l.c, l.br = tc, bufio.NewReader(tc)
	return true
}
