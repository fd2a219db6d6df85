package steps

import (
	"net/netip"
	"slices"

	"github.com/mailwizard/mailwizard/internal/verify"
)

// A mail host usually serves several mail domains. Its name, its
// addresses, their reverse DNS, the blocklists and the server itself are
// the same for each of them: the shared steps (Step.Shared) are judged
// once for the mail host, in the round of one of its domains, and the
// other domains' rounds ask only their own steps' questions.

// SharedIDs are the ids of the shared steps, in the wizard's order.
func SharedIDs() []string {
	var ids []string
	for _, s := range registry() {
		if s.Shared {
			ids = append(ids, s.ID)
		}
	}
	return ids
}

// IsShared reports whether id names a shared step.
func IsShared(id string) bool {
	s, ok := ByID(id)
	return ok && s.Shared
}

// WithHostOf returns c with what every domain of a mail host shares taken
// from host: the mail host's name and addresses, the blocklists, NoProbe,
// DomainOnly and which shared steps are skipped. Everything else (the
// domain, DKIM, DMARC, SPF, services, publishing, the domain's own
// skipped steps) stays c's.
func (c Config) WithHostOf(host Config) Config {
	c.Host = host.Host
	c.IPs = slices.Clone(host.IPs)
	c.DNSBL = slices.Clone(host.DNSBL)
	c.NoProbe = host.NoProbe
	c.DomainOnly = host.DomainOnly
	// DANE pins the mail host's certificate: the choice and the
	// certificate are the host's.
	c.DANE, c.TLSCertFile, c.TLSCert = host.DANE, host.TLSCertFile, host.TLSCert
	skip := slices.DeleteFunc(slices.Clone(c.Skip), IsShared)
	for _, id := range host.Skip {
		if IsShared(id) {
			skip = append(skip, id)
		}
	}
	c.Skip = skip
	return c
}

// SameHost reports whether a and b are domains of one mail host, whose
// shared steps are judged once for both: the same mail host, addresses,
// blocklists, NoProbe, DomainOnly, the DANE choice and certificate, and skipped shared steps (after the
// defaults are filled in; addresses and lists in any order).
func SameHost(a, b Config) bool {
	a, b = a.withDefaults(), b.withDefaults()
	sharedSkips := func(c Config) []string {
		var ids []string
		for _, id := range c.Skip {
			if IsShared(id) {
				ids = append(ids, id)
			}
		}
		return sortedSet(ids)
	}
	addrs := func(c Config) []netip.Addr {
		ips := make([]netip.Addr, 0, len(c.IPs))
		for _, ip := range c.IPs {
			ips = append(ips, ip.Unmap())
		}
		slices.SortFunc(ips, netip.Addr.Compare)
		return slices.Compact(ips)
	}
	return a.Host == b.Host && a.NoProbe == b.NoProbe && a.DomainOnly == b.DomainOnly &&
		a.DANE == b.DANE && a.TLSCertFile == b.TLSCertFile &&
		slices.Equal(addrs(a), addrs(b)) &&
		slices.Equal(sortedSet(canonicalNames(a.DNSBL)), sortedSet(canonicalNames(b.DNSBL))) &&
		slices.Equal(sharedSkips(a), sharedSkips(b))
}

func canonicalNames(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = verify.CanonicalName(n)
	}
	return out
}

func sortedSet(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

// HostGroups sorts Configs into the groups of domains of one mail host
// (SameHost), in order: each group lists indexes into cfgs, the first
// index of a group being the domain whose round judges the group's shared
// steps.
func HostGroups(cfgs []Config) [][]int {
	var groups [][]int
	for i, c := range cfgs {
		j := slices.IndexFunc(groups, func(g []int) bool { return SameHost(cfgs[g[0]], c) })
		if j < 0 {
			groups = append(groups, []int{i})
			continue
		}
		groups[j] = append(groups[j], i)
	}
	return groups
}

// DomainPlanners returns the planners of the steps of cfg that are not
// shared and not skipped: the round of a domain whose mail host's shared
// steps another domain's round judges.
func DomainPlanners(cfg Config) []verify.Planner {
	cfg = cfg.withDefaults() // once, not at each of the round's calls
	var out []verify.Planner
	for _, s := range registry() {
		if s.Shared || cfg.skips(s.ID) {
			continue
		}
		out = append(out, func(known verify.Answers) []verify.Question {
			return s.Questions(cfg, known)
		})
	}
	return out
}

// JudgeDomain judges every step of cfg in order, like JudgeAll, except
// the shared ones: their results are taken from shared, the results
// (JudgeAll) of the round that judged them for another domain of the same
// mail host (SameHost). A shared step missing from shared is judged from
// known.
func JudgeDomain(cfg Config, known verify.Answers, shared []Result) []Result {
	cfg = cfg.withDefaults()
	var out []Result
	for _, s := range registry() {
		if s.Shared {
			if i := slices.IndexFunc(shared, func(r Result) bool { return r.Step == s.ID }); i >= 0 {
				out = append(out, shared[i])
				continue
			}
		}
		out = append(out, s.Judge(cfg, known))
	}
	return out
}
