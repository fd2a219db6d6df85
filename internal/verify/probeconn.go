package verify

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"
)

// Bounds of a probe: a stranger's server chooses what it sends.
const (
	// bufSize is the read buffer, and so the longest line taken (RFC 5321
	// §4.5.3.1.5 allows 512 octets for a reply line).
	bufSize = 4096
	// maxReplyLines bounds the lines of one reply (a multi-line greeting,
	// an EHLO reply, a capability list).
	maxReplyLines = 100
	// maxTranscript bounds the lines a result keeps of the conversation.
	maxTranscript = 100
	// maxBody is the most an HTTPS GET reads of a body (the bound RFC 8461
	// §3.3 sets for an MTA-STS policy); maxResponse bounds the whole
	// response, headers included.
	maxBody     = 64 << 10
	maxResponse = maxBody + 32<<10
	// connectTimeout bounds the TCP handshake within the probe's timeout:
	// three SYNs (at 0, 1 and 3 s) without an answer mean a port that drops
	// them (a firewall, or a network that blocks the port).
	connectTimeout = 5 * time.Second
)

// session is one probe's connection and what it saw so far.
type session struct {
	p     Probe
	res   *ProbeResult
	roots *x509.CertPool
	// timeout is the probe's bound, for messages.
	timeout time.Duration
	nc      net.Conn
	br      *bufio.Reader
}

// run makes probe p: one connection, closed before it returns, within the
// probe timeout and ctx.
func (e *Engine) run(parent context.Context, p Probe) *ProbeResult {
	res := &ProbeResult{Start: time.Now()}
	set := e.set.probes
	ctx, cancel := context.WithTimeout(parent, set.timeout)
	defer cancel()
	s := &session{p: p, res: res, roots: set.roots, timeout: set.timeout}
	err := s.connect(ctx, e.set.mapAddr)
	if err == nil {
		err = s.converse(ctx)
		_ = s.nc.Close()
	}
	res.Timings.Total = time.Since(res.Start)
	if err != nil {
		res.cut = ContextErr(parent) != nil
		res.Err = &ProbeError{Probe: p, Stage: res.Stage, Err: s.cause(err)}
	}
	return res
}

// fail records the stage a probe stopped at and returns err.
func (s *session) fail(stage Stage, err error) error {
	s.res.Stage = stage
	return err
}

// connect opens the TCP connection to the probe's address (mapped by
// mapAddr), with the deadline of ctx, which also closes it when ctx ends
// early.
func (s *session) connect(ctx context.Context, mapAddr func(string) string) error {
	addr := s.p.Addr.String()
	if mapAddr != nil {
		addr = mapAddr(addr)
	}
	var d net.Dialer
	start := time.Now()
	limit := min(s.timeout, connectTimeout)
	dctx, cancel := context.WithTimeout(ctx, limit)
	nc, err := d.DialContext(dctx, "tcp", addr)
	cancel()
	s.res.Timings.Connect = time.Since(start)
	if err != nil {
		if isTimeout(err) && ContextErr(ctx) == nil {
			err = fmt.Errorf("%w after %s", ErrTimeout, limit)
		}
		s.res.NoRoute = noRoute(err)
		// The probe's deadline may have passed: the lookup of the source
		// address sends nothing and gets a second of its own.
		src, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		s.res.Local = sourceFor(src, addr)
		cancel()
		return s.fail(StageConnect, err)
	}
	s.res.Connected = true
	if ap, err := netip.ParseAddrPort(nc.LocalAddr().String()); err == nil {
		s.res.Local = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	if deadline, ok := ctx.Deadline(); ok {
		_ = nc.SetDeadline(deadline)
	}
	stop := context.AfterFunc(ctx, func() { _ = nc.SetDeadline(time.Now()) })
	s.nc = &stoppingConn{Conn: nc, stop: stop}
	s.br = bufio.NewReaderSize(s.nc, bufSize)
	s.note(fmt.Sprintf("-- connected from %s to %s", s.res.Local, s.p.Addr))
	return nil
}

// stoppingConn unregisters the context's closer with the connection.
type stoppingConn struct {
	net.Conn
	stop func() bool
}

func (c *stoppingConn) Close() error {
	c.stop()
	return c.Conn.Close()
}

// noRoute reports whether a dial failed for want of a route from this
// machine: no network of the address's family, no source address.
func noRoute(err error) bool {
	return errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EADDRNOTAVAIL) || errors.Is(err, syscall.EAFNOSUPPORT)
}

// sourceFor is the address this machine would send from towards addr,
// learnt from a UDP socket connected to it (which sends nothing); invalid
// when there is no route.
func sourceFor(ctx context.Context, addr string) netip.AddrPort {
	var d net.Dialer
	c, err := d.DialContext(ctx, "udp", addr)
	if err != nil {
		return netip.AddrPort{}
	}
	defer c.Close()
	ap, err := netip.ParseAddrPort(c.LocalAddr().String())
	if err != nil {
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), 0)
}

// cause words a failure for people: "i/o timeout after 10s", "connection
// refused", "the server closed the connection", without the socket
// addresses (which in tests are loopback stand-ins for the real ones).
func (s *session) cause(err error) error {
	var errno syscall.Errno
	switch {
	case errors.Is(err, ErrTimeout):
		return err
	case isTimeout(err):
		return fmt.Errorf("%w after %s", ErrTimeout, s.timeout)
	case errors.As(err, &errno):
		return errno
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
		return errors.New("the server closed the connection")
	}
	return err
}

// note adds a line to the transcript, up to maxTranscript.
func (s *session) note(line string) {
	switch n := len(s.res.Transcript); {
	case n < maxTranscript:
		s.res.Transcript = append(s.res.Transcript, line)
	case n == maxTranscript:
		s.res.Transcript = append(s.res.Transcript, "-- (more lines left out)")
	}
}

// readLine reads one line, without its line break, escaped.
func (s *session) readLine() (string, error) {
	raw, err := s.br.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return "", fmt.Errorf("a line longer than %d bytes", bufSize)
	case err != nil:
		return "", err
	}
	line := Printable(strings.TrimRight(string(raw), "\r\n"))
	s.note("S: " + line)
	return line, nil
}

// send writes one line with CRLF.
func (s *session) send(line string) error {
	s.note("C: " + line)
	_, err := io.WriteString(s.nc, line+"\r\n")
	return err
}

// handshake makes TLS over the connection with the probe's name as SNI,
// and records the session. Certificates are not checked during the
// handshake, so that a bad one is seen and reported (TLSState) rather than
// only refused.
func (s *session) handshake(ctx context.Context) error {
	name := strings.TrimSuffix(s.p.Name, ".")
	s.note("-- TLS handshake, server name " + orNone(name))
	// InsecureSkipVerify: the chain and the name are checked below, after
	// the handshake, and reported rather than enforced.
	tc := tls.Client(s.nc, &tls.Config{ServerName: name, InsecureSkipVerify: true})
	start := time.Now()
	err := tc.HandshakeContext(ctx)
	s.res.Timings.TLS = time.Since(start)
	if err != nil {
		return err
	}
	st := tc.ConnectionState()
	s.res.TLS = inspect(st, name, s.roots, s.res.Start)
	s.note(fmt.Sprintf("-- %s, %s", tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite)))
	s.nc = tc
	// What the server sent before the handshake is dropped with the old
	// reader (RFC 3207 §4.2: nothing from before TLS is kept).
	s.br = bufio.NewReaderSize(tc, bufSize)
	return nil
}

func orNone(name string) string {
	if name == "" {
		return "(none)"
	}
	return name
}

// inspect checks a TLS session's chain against roots at the time at (or
// within the leaf's validity, see TLSState.TrustErr) and its leaf against
// name.
func inspect(st tls.ConnectionState, name string, roots *x509.CertPool, at time.Time) *TLSState {
	ts := &TLSState{Version: st.Version, CipherSuite: st.CipherSuite, Chain: st.PeerCertificates}
	leaf := ts.Leaf()
	if leaf == nil {
		ts.TrustErr = errors.New("the server sent no certificate")
		ts.NameErr = ts.TrustErr
		return ts
	}
	when := at
	if when.After(leaf.NotAfter) {
		when = leaf.NotAfter
	}
	if when.Before(leaf.NotBefore) {
		when = leaf.NotBefore
	}
	intermediates := x509.NewCertPool()
	for _, c := range ts.Chain[1:] {
		intermediates.AddCert(c)
	}
	_, ts.TrustErr = leaf.Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: intermediates,
		CurrentTime:   when,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if name != "" {
		ts.NameErr = leaf.VerifyHostname(name)
	}
	return ts
}

// Printable writes control characters and bytes that are not UTF-8 as
// \x1b or \u0085: a stranger's words (a server's reply, a record) go to
// terminals and reports, where an escape sequence would repaint the
// screen.
func Printable(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r == utf8.RuneError || unicode.IsControl(r) }) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unicode.IsControl(r) && r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.IsControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}
