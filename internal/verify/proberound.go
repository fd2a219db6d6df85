package verify

import (
	"context"
	"crypto/x509"
	"fmt"
	"time"
)

// probeSettings are the probe options checked and with defaults filled in.
type probeSettings struct {
	roots   *x509.CertPool
	timeout time.Duration
	off     bool
	// reuse and relayReuse are how long Round.Next keeps a result;
	// zero means never.
	reuse, relayReuse time.Duration
}

// settleProbes checks the probe options. Errors name the option.
func settleProbes(opts Options) (probeSettings, error) {
	p := probeSettings{roots: opts.Roots, timeout: defaultProbeTimeout, off: opts.NoProbe,
		reuse: defaultProbeReuse, relayReuse: defaultRelayReuse}
	switch {
	case opts.ProbeTimeout < 0:
		return p, fmt.Errorf("probe timeout %s: must not be negative", opts.ProbeTimeout)
	case opts.ProbeTimeout > 0:
		p.timeout = opts.ProbeTimeout
	}
	p.reuse = reuseOf(opts.ProbeReuse, p.reuse)
	p.relayReuse = reuseOf(opts.RelayReuse, p.relayReuse)
	return p, nil
}

// reuseOf is a reuse option: zero for the default, negative for never.
func reuseOf(opt, def time.Duration) time.Duration {
	switch {
	case opt < 0:
		return 0
	case opt > 0:
		return opt
	}
	return def
}

// probe answers a Direct question: it makes the probe, once per round (the
// caller, answer, sees to that), unless probes are off.
func (r *Round) probe(ctx context.Context, q Question) Answer {
	a := Answer{Question: q}
	if r.e.set.probes.off {
		a.Err = fmt.Errorf("%s: %w", q, ErrProbesOff)
		return a
	}
	if err := q.Probe.check(); err != nil {
		a.Err = fmt.Errorf("%s: %w", q, err)
		return a
	}
	if err := ContextErr(ctx); err != nil {
		a.Err = fmt.Errorf("%s: %w", q, err)
		return a
	}
	if r.batch != nil {
		a := r.batch.probe(ctx, q.Probe, func(ctx context.Context) Answer { return r.connect(ctx, q) })
		a.Question = q
		return a
	}
	return r.connect(ctx, q)
}

// connect makes the probe of q.
func (r *Round) connect(ctx context.Context, q Question) Answer {
	a := Answer{Question: q}
	r.count.probed()
	a.Probe = r.e.run(ctx, q.Probe)
	if a.Probe.cut {
		a.Err = fmt.Errorf("%s: %w", q, ContextErr(ctx))
	}
	return a
}

// carryProbes gives next the results of r's probes that are recent enough
// to reuse (probeSettings.reuse, relayReuse): a round a few seconds after
// another does not connect again. A probe cut short by its round's end is
// never reused.
func (r *Round) carryProbes(next *Round) {
	set := r.e.set.probes
	now := time.Now()
	fresh := r.answers.completed(func(a Answer) bool {
		if a.Probe == nil || a.Err != nil {
			return false
		}
		keep := set.reuse
		if a.Question.Probe.Relay != (Relay{}) {
			keep = set.relayReuse
		}
		return now.Sub(a.Probe.Start) < keep
	})
	next.answers.seed(fresh)
	for q, a := range fresh {
		next.learnAnswer(q, a)
	}
}

// probed counts one probe.
func (c *counter) probed() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.s.Probes++
}
