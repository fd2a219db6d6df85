package verify

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// udpConns shares connected UDP sockets between the exchanges of a round:
// one per server address, opened at the first query there and closed when
// the last Run or Ask of the round (and the last exchange on them) ends.
// Replies are matched to queries by message ID; an ICMP "port unreachable"
// still reaches every query waiting at that address. Outside Run and Ask
// (Zone alone), each exchange dials a socket of its own. Sharing them spares
// a socket, a connect and a close per query: a complete check sends about
// 150 queries to three addresses.
type udpConns struct {
	mu      sync.Mutex
	users   int
	conns   map[string]*udpConn
	readers sync.WaitGroup
}

// udpConn is one shared socket and the queries waiting for their reply on
// it, by message ID.
type udpConn struct {
	conn    *dns.Conn
	mu      sync.Mutex
	waiting map[uint16]chan udpReply
}

// udpReply is what the reader hands a waiting query.
type udpReply struct {
	msg *dns.Msg
	err error
}

// hold keeps the sockets open until the matching drop; the first hold
// allows them to be opened.
func (u *udpConns) hold() {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.users++
	if u.conns == nil {
		u.conns = make(map[string]*udpConn)
	}
}

// drop ends a hold; the last one closes the sockets and waits for their
// readers.
func (u *udpConns) drop() {
	u.mu.Lock()
	u.users--
	var closing []*udpConn
	if u.users == 0 {
		for _, c := range u.conns {
			closing = append(closing, c)
		}
		u.conns = nil
	}
	u.mu.Unlock()
	for _, c := range closing {
		_ = c.conn.Close()
	}
	if len(closing) > 0 {
		u.readers.Wait()
	}
}

// get returns the shared socket to addr, held for the caller until it
// calls drop, or nil when no Run or Ask holds the sockets open (or it
// cannot be dialed: the caller dials its own, and sees the error).
func (u *udpConns) get(addr string) *udpConn {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.users == 0 {
		return nil
	}
	if c, ok := u.conns[addr]; ok {
		u.users++
		return c
	}
	conn, err := net.Dial("udp", addr)
	if err != nil {
		return nil
	}
	c := &udpConn{conn: &dns.Conn{Conn: conn, UDPSize: ednsSize}, waiting: make(map[uint16]chan udpReply)}
	u.conns[addr] = c
	u.users++
	u.readers.Go(c.read)
	return c
}

// read hands each reply to the query waiting for its ID until the socket
// is closed. A read error without a message (an ICMP error: nothing
// listens there) fails every query waiting on the socket. Replies no one
// waits for (late ones) are dropped.
func (c *udpConn) read() {
	for {
		m, err := c.conn.ReadMsg()
		if errors.Is(err, net.ErrClosed) {
			c.fail(err)
			return
		}
		c.mu.Lock()
		switch {
		case m != nil:
			// A reply, or one that does not unpack: for its query only.
			if ch, ok := c.waiting[m.Id]; ok {
				ch <- udpReply{msg: m, err: err}
				delete(c.waiting, m.Id)
			}
		case err != nil:
			c.failLocked(err)
		}
		c.mu.Unlock()
	}
}

// fail ends every waiting query with err.
func (c *udpConn) fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failLocked(err)
}

// failLocked is fail with c.mu held.
func (c *udpConn) failLocked(err error) {
	for id, ch := range c.waiting {
		ch <- udpReply{err: err}
		delete(c.waiting, id)
	}
}

// exchange sends m and waits for the reply with its ID until ctx ends or
// timeout passes (context.DeadlineExceeded). A timer rather than a context
// of its own: a context per query costs an entry in its parent's children,
// and the round sends a hundred at once.
func (c *udpConn) exchange(ctx context.Context, m *dns.Msg, timeout time.Duration) (*dns.Msg, time.Duration, error) {
	ch := make(chan udpReply, 1)
	c.mu.Lock()
	if _, taken := c.waiting[m.Id]; taken {
		m = m.Copy()
		for _, taken := c.waiting[m.Id]; taken; _, taken = c.waiting[m.Id] {
			m.Id = dns.Id()
		}
	}
	c.waiting[m.Id] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		if c.waiting[m.Id] == ch {
			delete(c.waiting, m.Id)
		}
		c.mu.Unlock()
	}()
	start := time.Now()
	if err := c.conn.WriteMsg(m); err != nil {
		return nil, 0, err
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case rep := <-ch:
		return rep.msg, time.Since(start), rep.err
	case <-ctx.Done():
		return nil, 0, ctx.Err()
	case <-timer.C:
		return nil, 0, context.DeadlineExceeded
	}
}
