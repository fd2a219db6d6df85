package ui

import (
	"context"
	"fmt"
	"net/netip"
	"slices"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/steps"
	"github.com/mailwizard/mailwizard/internal/verify"
)

// engineCheck returns the real check: one verify round for the given steps,
// judged by the steps themselves. All steps: steps.Planners and
// steps.JudgeAll; a subset: those steps' own planners and judges, so that a
// screen showing one step asks only that step's questions.
func engineCheck(opts verify.Options) func(context.Context, steps.Config, []string) ([]steps.Result, error) {
	return func(ctx context.Context, cfg steps.Config, ids []string) ([]steps.Result, error) {
		eng, err := verify.New(opts)
		if err != nil {
			return nil, fmt.Errorf("start the checker: %w", err)
		}
		if isAllSteps(ids) {
			known := eng.Round().Run(ctx, steps.Planners(cfg)...)
			return steps.JudgeAll(cfg, known), nil
		}
		var (
			planners []verify.Planner
			chosen   []steps.Step
		)
		for _, id := range ids {
			st, ok := steps.ByID(id)
			if !ok {
				return nil, fmt.Errorf("check step %q: no such step", id)
			}
			chosen = append(chosen, st)
			if slices.Contains(cfg.Skip, id) {
				continue
			}
			planners = append(planners, func(known verify.Answers) []verify.Question {
				return st.Questions(cfg, known)
			})
		}
		known := eng.Round().Run(ctx, planners...)
		out := make([]steps.Result, 0, len(chosen))
		for _, st := range chosen {
			if slices.Contains(cfg.Skip, st.ID) {
				out = append(out, steps.Result{Step: st.ID, Status: steps.StatusSkipped})
				continue
			}
			out = append(out, st.Judge(cfg, known))
		}
		return out, nil
	}
}

// isAllSteps reports whether ids is every step, in order.
func isAllSteps(ids []string) bool {
	all := steps.All()
	if len(all) == 0 || len(all) != len(ids) {
		return false
	}
	for i, st := range all {
		if st.ID != ids[i] {
			return false
		}
	}
	return true
}

// engineLookupAddrs asks the mail host's authoritative servers for its A
// and AAAA records and returns the addresses the first usable reply gave.
func engineLookupAddrs(opts verify.Options) func(context.Context, string) ([]netip.Addr, error) {
	return func(ctx context.Context, host string) ([]netip.Addr, error) {
		eng, err := verify.New(opts)
		if err != nil {
			return nil, fmt.Errorf("start the checker: %w", err)
		}
		qa, qaaaa := verify.Q(host, dns.TypeA), verify.Q(host, dns.TypeAAAA)
		known := eng.Round().Ask(ctx, qa, qaaaa)
		var addrs []netip.Addr
		for _, q := range []verify.Question{qa, qaaaa} {
			ans, ok := known.Get(q)
			if !ok {
				continue
			}
			if ans.Err != nil {
				return nil, fmt.Errorf("look up %s: %w", q, ans.Err)
			}
			addrs = append(addrs, firstAddrs(ans, q)...)
		}
		return addrs, nil
	}
}

// firstAddrs returns the addresses in the first usable server reply.
func firstAddrs(ans verify.Answer, q verify.Question) []netip.Addr {
	for _, obs := range ans.Servers {
		if !obs.OK() {
			continue
		}
		var out []netip.Addr
		for _, rr := range obs.Records(q.Name, q.Type) {
			switch rr := rr.(type) {
			case *dns.A:
				if a, ok := netip.AddrFromSlice(rr.A.To4()); ok {
					out = append(out, a)
				}
			case *dns.AAAA:
				if a, ok := netip.AddrFromSlice(rr.AAAA.To16()); ok {
					out = append(out, a)
				}
			}
		}
		return out
	}
	return nil
}

// engineLookupNS discovers the zone of domain and returns its nameservers'
// names.
func engineLookupNS(opts verify.Options) func(context.Context, string) ([]string, error) {
	return func(ctx context.Context, domain string) ([]string, error) {
		eng, err := verify.New(opts)
		if err != nil {
			return nil, fmt.Errorf("start the checker: %w", err)
		}
		zone, err := eng.Round().Zone(ctx, domain)
		if err != nil {
			return nil, fmt.Errorf("find the nameservers of %s: %w", domain, err)
		}
		names := make([]string, 0, len(zone.Servers))
		for _, ns := range zone.Servers {
			names = append(names, ns.Name)
		}
		return names, nil
	}
}
