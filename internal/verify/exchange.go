package verify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// target is a server a question is put to.
type target struct {
	// server names it: the nameserver's name, or the address of a
	// resolver.
	server string
	// addr is its real address, "192.0.2.53:53".
	addr string
	// rd marks a recursive resolver: RD=1, no AA expected, and the address
	// is used as is (MapAddr is for nameservers).
	rd bool
	// cd sets the CD bit (RFC 4035 §3.2.2): a validating resolver then
	// answers even when the zone's DNSSEC chain is broken, which
	// discovery needs to reach the nameservers of such a zone.
	cd bool
}

// resolverAt is the recursive resolver at addr, named by its address,
// asked with the CD bit: what mailwizard asks a resolver for (discovery,
// blocklists, everything in resolver mode) must come even from a zone
// whose DNSSEC chain is broken, so that the dnssec step can say so. The
// second opinion asks without it (opinionAt).
func resolverAt(addr string) target {
	return target{server: addr, addr: addr, rd: true, cd: true}
}

// opinionAt is a second-opinion resolver: asked without the CD bit, so
// that it validates, and says so with the AD bit or SERVFAIL.
func opinionAt(addr string) target {
	return target{server: addr, addr: addr, rd: true}
}

// exchangeKey identifies a question at a server: a round sends each once.
type exchangeKey struct {
	addr  string
	name  string
	qtype uint16
	rd    bool
	// do is the DNSSEC OK bit of the query, cd its Checking Disabled bit.
	do, cd bool
}

// reply is the outcome of one exchange (retries and TCP fallback included).
type reply struct {
	msg *dns.Msg
	rtt time.Duration
	tcp bool
	// noEDNS is set when the reply came to a query without EDNS0.
	noEDNS bool
	// err is set when no usable message came: timeout, unreachable,
	// malformed, context ended.
	err error
}

// exchange puts name/qtype to t, with the DNSSEC OK bit when do is set,
// once per round: concurrent and later callers share the first exchange.
func (r *Round) exchange(ctx context.Context, t target, name string, qtype uint16, do bool) reply {
	key := exchangeKey{addr: t.addr, name: name, qtype: qtype, rd: t.rd, do: do, cd: t.cd}
	rep, ok := r.exchanges.do(ctx, key, func() reply {
		if r.batch == nil {
			return r.send(ctx, t, key)
		}
		rep, ok := r.batch.exchange(ctx, key, func(ctx context.Context) reply { return r.send(ctx, t, key) })
		if !ok {
			return reply{err: causeOf(ctx)}
		}
		return rep
	})
	if !ok {
		return reply{err: causeOf(ctx)}
	}
	return rep
}

// silence is what keeps track of t's timeouts: the batch's, for a
// nameserver; nil outside a batch and for the resolver.
func (r *Round) silence(t target) *silence {
	if r.batch == nil || t.rd {
		return nil
	}
	return r.batch.silent
}

// send asks over UDP, retrying a timeout up to the configured number of
// times, and asks once over TCP when the UDP reply is truncated. Queries
// carry EDNS0, but a server that answers FORMERR to that is asked once more
// without it, and the last retry after a timeout goes both with and
// without it, for a server that drops queries with EDNS0 (RFC 6891 §7); a
// reply to a query without EDNS0 is marked. In a batch, a nameserver
// address that the batch left alone (silence) is not asked.
func (r *Round) send(ctx context.Context, t target, key exchangeKey) reply {
	silent := r.silence(t)
	if silent != nil {
		if err := silent.check(t.addr); err != nil {
			return reply{err: err}
		}
	}
	dial := t.addr
	if !t.rd && r.e.set.mapAddr != nil {
		dial = r.e.set.mapAddr(t.addr)
	}
	plain := new(dns.Msg).SetQuestion(key.name, key.qtype)
	plain.RecursionDesired = t.rd
	plain.CheckingDisabled = t.cd
	edns := plain.Copy().SetEdns0(ednsSize, key.do)

	tries := 1 + r.e.set.retries
	for try := range tries {
		var rep reply
		var err error
		if try > 0 && r.batch != nil {
			if err := r.batch.pause(ctx); err != nil {
				return reply{err: err}
			}
			// In a batch, the timeouts of other rounds' queries there
			// may have made the address silent while this one waited:
			// then the retry would only wait out the same timeout.
			if silent != nil && silent.check(t.addr) != nil {
				return reply{err: fmt.Errorf("%w (%s of %s; not tried again: the address stopped answering this bulk check's other queries too)", ErrTimeout, tried(try), r.e.set.timeout)}
			}
		}
		if try > 0 && try == tries-1 {
			rep, err = r.lastTry(ctx, dial, key, edns, plain)
		} else {
			rep, err = r.try(ctx, dial, key, edns, try > 0)
		}
		if silent != nil && ContextErr(ctx) == nil && !roundsOwn(err) {
			silent.record(t.addr, err != nil && isTimeout(err))
		}
		switch {
		case err == nil && r.batch != nil && retryServfail(rep):
			// A batch asks a SERVFAIL once more, a moment later.
			if err := r.batch.pause(ctx); err != nil {
				return reply{err: err}
			}
			m := edns
			if rep.noEDNS {
				m = plain
			}
			if again, err := r.try(ctx, dial, key, m, true); err == nil {
				return again
			}
			return rep
		case err == nil && !rep.noEDNS && rep.msg.Rcode == dns.RcodeFormatError:
			if again, err := r.try(ctx, dial, key, plain, true); err == nil && again.msg.Rcode != dns.RcodeFormatError {
				return again
			}
			return rep
		case err == nil:
			return rep
		case ContextErr(ctx) != nil:
			return reply{err: causeOf(ctx)}
		case rep.tcp || !isTimeout(err):
			// A TCP exchange after a truncated reply is not retried.
			return reply{err: err, tcp: rep.tcp}
		}
	}
	return reply{err: fmt.Errorf("%w (%s of %s)", ErrTimeout, tried(tries), r.e.set.timeout)}
}

// tried says how many tries were made: "1 try", "2 tries".
func tried(n int) string {
	if n == 1 {
		return "1 try"
	}
	return fmt.Sprintf("%d tries", n)
}

// lastTry is the last retry after timeouts: the query with EDNS0 and the
// one without it at once. The reply with EDNS0 wins; the one without is
// taken when the other gave none in the time it took (at least minGrace).
func (r *Round) lastTry(ctx context.Context, dial string, key exchangeKey, edns, plain *dns.Msg) (reply, error) {
	type result struct {
		rep reply
		err error
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	with, without := make(chan result, 1), make(chan result, 1)
	go func() { rep, err := r.try(ctx, dial, key, edns, true); with <- result{rep, err} }()
	go func() { rep, err := r.try(ctx, dial, key, plain, true); without <- result{rep, err} }()
	var bare *result
	var grace <-chan time.Time
	for {
		select {
		case res := <-with:
			if res.err == nil || bare == nil && without == nil {
				return res.rep, res.err
			}
			if bare == nil {
				res = <-without
			} else {
				res = *bare
			}
			return res.rep, res.err
		case res := <-without:
			without = nil
			if res.err != nil {
				res = <-with
				return res.rep, res.err
			}
			bare = &res
			timer := time.NewTimer(max(res.rep.rtt, minGrace))
			defer timer.Stop()
			grace = timer.C
		case <-grace:
			return bare.rep, nil
		}
	}
}

// try makes one exchange of m over UDP, and over TCP when the reply is
// truncated. retry says whether it is a retry of the same question.
func (r *Round) try(ctx context.Context, dial string, key exchangeKey, m *dns.Msg, retry bool) (reply, error) {
	noEDNS := m.IsEdns0() == nil
	if err := r.admit(ctx, key, retry, false); err != nil {
		return reply{}, err
	}
	in, rtt, err := r.once(ctx, "udp", dial, m)
	if err != nil {
		return reply{}, err
	}
	if !in.Truncated {
		return reply{msg: in, rtt: rtt, noEDNS: noEDNS}, nil
	}
	if err := r.admit(ctx, key, false, true); err != nil {
		return reply{tcp: true}, err
	}
	in, rtt, err = r.once(ctx, "tcp", dial, m)
	if err != nil {
		return reply{tcp: true}, fmt.Errorf("tcp after a truncated udp reply: %w", err)
	}
	return reply{msg: in, rtt: rtt, tcp: true, noEDNS: noEDNS}, nil
}

// admit counts a message about to go to key's address against the
// round's budget and, in a batch, waits for that address's rate limit.
func (r *Round) admit(ctx context.Context, key exchangeKey, retry, tcp bool) error {
	if err := r.count.sent(key, retry, tcp); err != nil {
		return err
	}
	if r.batch != nil {
		return r.batch.pace(ctx, key)
	}
	return nil
}

// once makes one exchange over network, with the per-exchange deadline,
// aborted at once when ctx ends.
func (r *Round) once(ctx context.Context, network, addr string, m *dns.Msg) (*dns.Msg, time.Duration, error) {
	select {
	case r.inFlight <- struct{}{}:
		defer func() { <-r.inFlight }()
	case <-ctx.Done():
		return nil, 0, causeOf(ctx)
	}
	if network == "udp" {
		if shared := r.udp.get(addr); shared != nil {
			defer r.udp.drop()
			in, rtt, err := shared.exchange(ctx, m, r.e.set.timeout)
			if err != nil {
				return nil, 0, err
			}
			if err := otherQuestion(in, m); err != nil {
				return nil, 0, err
			}
			return in, rtt, nil
		}
	}
	ctx, cancel := context.WithTimeout(ctx, r.e.set.timeout)
	defer cancel()
	c := &dns.Client{Net: network, Timeout: r.e.set.timeout}
	conn, err := c.DialContext(ctx, addr)
	if err != nil {
		return nil, 0, err
	}
	defer conn.Close()
	conn.UDPSize = ednsSize
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		return nil, 0, err
	}
	// Registered after SetDeadline, so that a cancellation always wins.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()

	start := time.Now()
	if err := conn.WriteMsg(m); err != nil {
		return nil, 0, err
	}
	for {
		in, err := conn.ReadMsg()
		if err != nil {
			return nil, 0, err
		}
		if in.Id != m.Id {
			if network == "udp" {
				continue // a late reply to an earlier query
			}
			return nil, 0, dns.ErrId
		}
		if err := otherQuestion(in, m); err != nil {
			return nil, 0, err
		}
		return in, time.Since(start), nil
	}
}

// otherQuestion says when in answers a question other than m's.
func otherQuestion(in, m *dns.Msg) error {
	if q := in.Question; len(q) > 0 && (q[0].Qtype != m.Question[0].Qtype || !strings.EqualFold(q[0].Name, m.Question[0].Name)) {
		return fmt.Errorf("reply is for another question (%s %s)", dns.TypeToString[q[0].Qtype], q[0].Name)
	}
	return nil
}

// ContextErr is ctx.Err(), also when ctx's deadline has passed but the
// context has not noticed yet: a read deadline set from it can fire first.
// Callers use it to tell a round cut short by their deadline, whose
// failures say nothing about the servers, from a round that completed.
func ContextErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
		return context.DeadlineExceeded
	}
	return nil
}

// isTimeout reports whether err is a deadline passing.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// observe turns a reply into an observation of q at t.
func observe(t target, q Question, rep reply) Observation {
	o := Observation{Server: t.server, Address: t.addr, Rcode: -1, RTT: rep.rtt, TCP: rep.tcp, NoEDNS: rep.noEDNS, At: time.Now()}
	fail := func(err error) error {
		return &QueryError{Question: q, Server: t.server, Address: t.addr, Err: err}
	}
	if rep.err != nil {
		o.Err = fail(rep.err)
		return o
	}
	m := rep.msg
	o.Rcode = m.Rcode
	o.Authoritative = m.Authoritative
	o.RecursionAvailable = m.RecursionAvailable
	o.AuthenticatedData = m.AuthenticatedData
	o.Answer = m.Answer
	o.Authority = m.Ns
	o.NegativeTTL = negativeTTL(m, q.Type)
	switch {
	case m.Rcode != dns.RcodeSuccess && m.Rcode != dns.RcodeNameError:
		o.Err = fail(&RcodeError{Rcode: m.Rcode})
	case !t.rd && !m.Authoritative:
		o.Err = fail(ErrLame)
	}
	return o
}

// negativeTTL is how long a negative reply (NXDOMAIN, or NOERROR without a
// record of the type asked) may be cached: the lesser of the authority SOA's
// TTL and its MINIMUM (RFC 2308 §5). Zero for positive replies or without
// an SOA.
func negativeTTL(m *dns.Msg, qtype uint16) time.Duration {
	switch m.Rcode {
	case dns.RcodeNameError:
	case dns.RcodeSuccess:
		for _, rr := range m.Answer {
			if rr.Header().Rrtype == qtype {
				return 0
			}
		}
	default:
		return 0
	}
	for _, rr := range m.Ns {
		if soa, ok := rr.(*dns.SOA); ok {
			return time.Duration(min(soa.Hdr.Ttl, soa.Minttl)) * time.Second
		}
	}
	return 0
}
