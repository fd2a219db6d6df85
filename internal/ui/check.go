package ui

import (
	"context"
	"fmt"
	"net/netip"
	"runtime"
	"sync"

	"github.com/mailwizard/mailwizard/internal/steps"
	"github.com/mailwizard/mailwizard/internal/verify"
)

// dnsWork is the wizard's DNS work, on one verify.Engine: the checks and
// the form's lookups. Each round starts from the zones the one before found
// (verify.Round.Next), so a poll costs one round trip, not a new discovery.
type dnsWork struct {
	opts verify.Options

	mu   sync.Mutex
	eng  *verify.Engine
	last *verify.Round
}

// round starts a round from what the last one discovered.
func (d *dnsWork) round() (*verify.Round, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.eng == nil {
		eng, err := verify.New(d.opts)
		if err != nil {
			return nil, fmt.Errorf("start the checker: %w", err)
		}
		d.eng = eng
	}
	if d.last == nil {
		d.last = d.eng.Round()
	} else {
		d.last = d.last.Next()
	}
	return d.last, nil
}

// check runs one round for the given steps, with only their planners (a
// screen showing one step asks only that step's questions), and judges it
// with their own judges (which also say skipped for a skipped step).
func (d *dnsWork) check(ctx context.Context, cfg steps.Config, ids []string) ([]steps.Result, error) {
	chosen := make([]steps.Step, 0, len(ids))
	for _, id := range ids {
		st, ok := steps.ByID(id)
		if !ok {
			return nil, fmt.Errorf("check step %q: no such step", id)
		}
		chosen = append(chosen, st)
	}
	r, err := d.round()
	if err != nil {
		return nil, err
	}
	planners := make([]verify.Planner, len(chosen))
	for i, st := range chosen {
		planners[i] = func(known verify.Answers) []verify.Question { return st.Questions(cfg, known) }
	}
	known := r.Run(ctx, planners...)
	out := make([]steps.Result, 0, len(chosen))
	for _, st := range chosen {
		out = append(out, st.Judge(cfg, known))
	}
	return out, nil
}

// collectAfterRound starts the collector once a poll's rounds are done
// (every domain's), while the screen waits for the next poll: a round
// allocates 2 to 3 MB, enough to set the collector off in the middle of
// the next round, where its work competes with the replies.
func collectAfterRound() { go runtime.GC() }

// lookupAddrs asks the mail host's authoritative servers for its A and
// AAAA records and returns the addresses the first usable reply gave.
func (d *dnsWork) lookupAddrs(ctx context.Context, host string) ([]netip.Addr, error) {
	r, err := d.round()
	if err != nil {
		return nil, err
	}
	known := r.Ask(ctx, steps.HostAddressQuestions(host)...)
	return steps.HostAddresses(known, host)
}

// lookupNS discovers the zone of domain and returns its nameservers'
// names.
func (d *dnsWork) lookupNS(ctx context.Context, domain string) ([]string, error) {
	r, err := d.round()
	if err != nil {
		return nil, err
	}
	zone, err := r.Zone(ctx, domain)
	if err != nil {
		return nil, fmt.Errorf("find the nameservers of %s: %w", domain, err)
	}
	names := make([]string, 0, len(zone.Servers))
	for _, ns := range zone.Servers {
		names = append(names, ns.Name)
	}
	return names, nil
}
