package ui

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// A mail host often serves several domains. The wizard then walks the
// first domain's steps, the host's own (shared) steps among them, and then
// each further domain's own steps only: the host, its reverse DNS, the
// blocklists and the server are the same for every domain and judged once.
// The overview becomes a grid of the domains and the steps.

// withDomains makes cfgs the wizard's domains, the first on view, keeping
// the results of a domain it had already.
func (m model) withDomains(cfgs []steps.Config) model {
	res := make([]map[string]steps.Result, len(cfgs))
	for i, c := range cfgs {
		res[i] = map[string]steps.Result{}
		if j := m.domainIndex(c.Domain); j >= 0 {
			res[i] = m.res[j]
		}
	}
	m.domains, m.res, m.cur = slices.Clone(cfgs), res, 0
	m.cfg, m.results = m.domains[0], m.res[0]
	return m
}

// domainIndex is the index of domain among the wizard's domains, -1 when
// it is none of them.
func (m model) domainIndex(domain string) int {
	return slices.IndexFunc(m.domains, func(c steps.Config) bool { return strings.EqualFold(trimDot(c.Domain), trimDot(domain)) })
}

// synced is m with the domain on view's answers (which a skip or a kept
// proposal may have changed) written back into domains; a shared step
// skipped or taken back on one domain is so on all.
func (m model) synced() model {
	if m.cur >= len(m.domains) {
		return m
	}
	m.domains = slices.Clone(m.domains)
	m.domains[m.cur] = m.cfg
	for i := range m.domains {
		if i != m.cur {
			m.domains[i] = m.domains[i].WithHostOf(m.cfg)
		}
	}
	return m
}

// toDomain puts domain i on view.
func (m model) toDomain(i int) model {
	m = m.synced()
	m.cur = i
	m.cfg, m.results = m.domains[i], m.res[i]
	return m
}

// several reports whether the wizard walks more than one domain.
func (m model) several() bool { return len(m.domains) > 1 }

// walked reports whether step i is on the walk of domain d: all of the
// first domain's steps, a further domain's own ones.
func (m model) walked(d, i int) bool { return d == 0 || !m.all[i].Shared }

// walkPlace is step i's place on the domain's walk, from 1, and how many
// steps the walk has.
func (m model) walkPlace(i int) (number, count int) {
	for j := range m.all {
		if !m.walked(m.cur, j) {
			continue
		}
		count++
		if j <= i {
			number = count
		}
	}
	return number, count
}

// nextStop is where enter goes from step i: the domain's next step on its
// walk, else the first own step of the next domain, else the summary (ok
// false).
func (m model) nextStop(i int) (domain, step int, ok bool) {
	for j := i + 1; j < len(m.all); j++ {
		if m.walked(m.cur, j) {
			return m.cur, j, true
		}
	}
	if m.cur+1 < len(m.domains) {
		for j, st := range m.all {
			if !st.Shared {
				return m.cur + 1, j, true
			}
		}
	}
	return 0, 0, false
}

// prevStop is where back goes from step i, ok false on the first step.
func (m model) prevStop(i int) (domain, step int, ok bool) {
	for j := i - 1; j >= 0; j-- {
		if m.walked(m.cur, j) {
			return m.cur, j, true
		}
	}
	if m.cur > 0 {
		for j := len(m.all) - 1; j >= 0; j-- {
			if m.walked(m.cur-1, j) {
				return m.cur - 1, j, true
			}
		}
	}
	return 0, 0, false
}

// afterStep says where enter goes from step i, for the invitation of a
// green step: "the next step", "example.org's steps", "the summary".
func (m model) afterStep(i int) string {
	d, _, ok := m.nextStop(i)
	switch {
	case !ok:
		return "the summary"
	case d != m.cur:
		return trimDot(m.domains[d].Domain) + "'s steps"
	}
	return "the next step"
}

// domainResults is one domain's results of a round of several domains.
type domainResults struct {
	domain  int
	results []steps.Result
}

// checkDomains runs a round of the steps ids for each of cfgs, as check
// runs one domain's: the host's shared steps are asked and judged in the
// first domain's round only and their results given to every domain of
// the same mail host (steps.HostGroups).
func checkDomains(ctx context.Context, be backend, cfgs []steps.Config, ids []string) ([]domainResults, error) {
	out := make([]domainResults, 0, len(cfgs))
	own := slices.DeleteFunc(slices.Clone(ids), steps.IsShared)
	var firstErr error
	for _, g := range steps.HostGroups(cfgs) {
		lead, err := be.check(ctx, cfgs[g[0]], ids)
		firstErr = cmp.Or(firstErr, err)
		out = append(out, domainResults{domain: g[0], results: lead})
		for _, i := range g[1:] {
			rs, err := be.check(ctx, cfgs[i], own)
			firstErr = cmp.Or(firstErr, err)
			for _, r := range lead {
				if steps.IsShared(r.Step) {
					rs = append(rs, r)
				}
			}
			out = append(out, domainResults{domain: i, results: rs})
		}
	}
	return out, firstErr
}
