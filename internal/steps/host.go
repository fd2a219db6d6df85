package steps

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
)

// IDHost is the id of the host step: a public contract (JSON output,
// --skip, scripts).
const IDHost = "host"

// hostStep is the mail host's A and AAAA records, holding the server's
// addresses.
func hostStep() definition {
	return definition{
		id: IDHost, title: "Mail host address (A/AAAA)", where: AtDNSProvider,
		records: hostRecords, questions: hostQuestions, judge: judgeHost,
		shared: true, needs: needsAddrs | needsHost,
		owns: []Ownership{
			{Type: "A", What: "address of the mail host", Note: "every A record of the mail host is mailwizard's"},
			{Type: "AAAA", What: "IPv6 address of the mail host", Note: "every AAAA record of the mail host is mailwizard's"},
		},
		codes: []FindingCode{
			{Code: CodeHostMissing, Severity: SeverityError, Effect: StatusPending,
				Meaning: "no A/AAAA record for the mail host"},
			{Code: CodeHostWrongAddress, Severity: SeverityError, Effect: StatusFail,
				Meaning: "the mail host points at other addresses"},
			{Code: CodeHostCNAME, Severity: SeverityWarning, Effect: StatusWarn,
				Meaning: "the mail host is a CNAME"},
			{Code: CodeHostMissingAAAA, Severity: SeverityWarning, Effect: StatusWarn,
				Meaning: "an IPv6 address is configured but there is no AAAA record"},
			{Code: CodeHostProxied, Severity: SeverityError, Effect: StatusFail,
				Meaning: "the mail host points at a web proxy (Cloudflare's orange cloud)"},
		},
	}
}

// Finding codes of the host step.
const (
	CodeHostMissing      = "host-missing"
	CodeHostWrongAddress = "host-wrong-address"
	CodeHostCNAME        = "host-cname"
	CodeHostMissingAAAA  = "host-missing-aaaa"
	CodeHostProxied      = "host-proxied"
)

// hostRecords are the mail host's A and AAAA records.
func hostRecords(cfg Config) []Record {
	var out []Record
	for _, ip := range cfg.v4() {
		out = append(out, Record{Name: cfg.Host, Type: "A", TTL: cfg.TTL, Value: ip.String()})
	}
	for _, ip := range cfg.v6() {
		out = append(out, Record{Name: cfg.Host, Type: "AAAA", TTL: cfg.TTL, Value: ip.String()})
	}
	return out
}

func hostQuestions(cfg Config, known verify.Answers) []verify.Question {
	a, aaaa := verify.Q(cfg.Host, dns.TypeA), verify.Q(cfg.Host, dns.TypeAAAA)
	qs := []verify.Question{a, aaaa}
	if len(cfg.v4()) > 0 {
		qs = append(qs, doubledQuestions(cfg, known, a)...)
	}
	if len(cfg.v6()) > 0 {
		qs = append(qs, doubledQuestions(cfg, known, aaaa)...)
	}
	return append(qs, wildcardQuestions(cfg, known, a, aaaa)...)
}

// judgeHost checks that the host's addresses are the server's, on every
// server, without a CNAME in between.
func judgeHost(cfg Config, known verify.Answers, v *verdict) {
	a, aaaa := verify.Q(cfg.Host, dns.TypeA), verify.Q(cfg.Host, dns.TypeAAAA)
	ra, okA := v.ask(known, a)
	r6, ok6 := v.ask(known, aaaa)
	if okA && ok6 && !anyHas(ra, hasAddress) && !anyHas(r6, hasAddress) {
		v.add(CodeHostMissing,
			"%s has no address record on %s yet. Add %s.",
			cfg.Host, servers(append(ra.ok, r6.ok...)), wantRecords(hostRecords(cfg)))
	} else {
		if okA {
			checkCNAME(v, ra)
			checkAddresses(v, cfg, ra, cfg.v4())
		}
		if ok6 {
			if !okA || !hasCNAME(ra) {
				checkCNAME(v, r6)
			}
			checkAddresses(v, cfg, r6, cfg.v6())
		}
	}
	if len(cfg.v4()) > 0 {
		v.checkDoubled(cfg, known, a, "The A record of the mail host")
	}
	if len(cfg.v6()) > 0 {
		v.checkDoubled(cfg, known, aaaa, "The AAAA record of the mail host")
	}
	v.checkWildcard(cfg, known, a, "The A record of the mail host "+cfg.Host)
	v.checkWildcard(cfg, known, aaaa, "The AAAA record of the mail host "+cfg.Host)
}

// hasAddress reports whether the server has an address or a CNAME at the
// question's name.
func hasAddress(q verify.Question, o verify.Observation) bool {
	_, cname := o.CNAME(q.Name)
	return cname || len(addresses(o, q.Type)) > 0
}

// anyHas reports whether any server's reply satisfies has.
func anyHas(r reply, has func(verify.Question, verify.Observation) bool) bool {
	return slices.ContainsFunc(r.ok, func(o verify.Observation) bool { return has(r.q, o) })
}

// hasCNAME reports whether any server has a CNAME at the question's name.
func hasCNAME(r reply) bool { return len(aliases(r)) > 0 }

// aliases groups the servers that have a CNAME at the question's name by
// its target (the group's key).
func aliases(r reply) []group {
	return slices.DeleteFunc(groupBy(r.ok, func(o verify.Observation) string {
		target, _ := o.CNAME(r.q.Name)
		return target
	}), func(g group) bool { return g.key == "" })
}

// aliasedTargets calls found for each group of servers that answer the
// address question of an MX or SRV target with a CNAME. RFC 2181 §10.3
// and RFC 2782: such a target must have its own address records.
func aliasedTargets(known verify.Answers, targets []string, found func(target string, g group)) {
	for _, target := range targets {
		if r, ok := peek(known, verify.Q(target, dns.TypeA)); ok {
			for _, g := range aliases(r) {
				found(target, g)
			}
		}
	}
}

// checkCNAME warns when the host is an alias: RFC 2181 §10.3, an MX or SRV
// target must have its own address records.
func checkCNAME(v *verdict, r reply) {
	for _, g := range aliases(r) {
		v.add(CodeHostCNAME,
			"%s is an alias (CNAME) for %s on %s. A mail host named in MX and SRV records must not be an alias (RFC 2181 §10.3), and some senders refuse it. Replace the CNAME with A/AAAA records that hold the server's addresses.",
			r.q.Name, g.key, g.names)
	}
}

// checkAddresses compares one family's addresses with the configured ones.
func checkAddresses(v *verdict, cfg Config, r reply, want []netip.Addr) {
	rtype := dns.TypeToString[r.q.Type]
	with, without := split(r.ok, func(o verify.Observation) bool { return len(addresses(o, r.q.Type)) > 0 })
	switch {
	case len(want) > 0 && len(with) == 0 && hasCNAME(r):
		// The alias points out of the zone; the CNAME warning says it.
	case len(want) > 0 && len(with) == 0 && r.q.Type == dns.TypeAAAA:
		v.add(CodeHostMissingAAAA,
			"%s has no AAAA record on %s, but the server has the IPv6 address %s. Senders that use IPv6 will not find it; add %s.",
			r.q.Name, servers(without), joinAddrs(want), wantRecords(familyRecords(cfg, "AAAA")))
	case len(want) > 0 && len(with) == 0:
		v.add(CodeHostMissing,
			"%s has no A record on %s yet. Add %s.",
			r.q.Name, servers(without), wantRecords(familyRecords(cfg, "A")))
	case len(with) > 0 && len(without) > 0 && len(want) > 0:
		v.partial("The "+rtype+" record of "+r.q.Name, with, without)
	}
	wantKey := joinAddrs(want)
	for _, g := range groupBy(with, func(o verify.Observation) string { return joinAddrs(addresses(o, r.q.Type)) }) {
		switch {
		case g.key == wantKey:
		case proxied(addresses(g.obs[0], r.q.Type), cfg.IPs):
			v.add(CodeHostProxied,
				"%s has %s %s on %s: these are Cloudflare's addresses, so the record is proxied (the orange cloud is on), and mail cannot pass through Cloudflare's proxy. In the Cloudflare dashboard, set the record to \"DNS only\" (grey cloud); it must hold %s.",
				r.q.Name, rtype, g.key, g.names, orNone(wantKey))
		case len(want) == 0:
			family := "IPv4"
			if r.q.Type == dns.TypeAAAA {
				family = "IPv6"
			}
			v.add(CodeHostWrongAddress,
				"%s has %s %s on %s, but no %s address is configured for the server, so mail may go to a machine that is not yours. Remove the %s record, or add the server's %s address to mailwizard's settings.",
				r.q.Name, rtype, g.key, g.names, family, rtype, family)
		default:
			v.add(CodeHostWrongAddress,
				"%s has %s %s on %s; expected %s %s. Change the %s record to %s.",
				r.q.Name, rtype, g.key, g.names, rtype, wantKey, rtype, wantKey)
		}
	}
}

// orNone is "the server's address" when there is none of a family.
func orNone(addrs string) string {
	if addrs == "none" {
		return "the server's own address"
	}
	return addrs
}

// addresses returns the addresses of type qtype in a reply (behind a CNAME
// too), normalised and sorted, so that "2001:db8::1" and
// "2001:0db8:0:0::1" compare equal.
func addresses(o verify.Observation, qtype uint16) []netip.Addr {
	var out []netip.Addr
	for _, rr := range o.Answer {
		var ip netip.Addr
		switch rr := rr.(type) {
		case *dns.A:
			if qtype != dns.TypeA {
				continue
			}
			ip, _ = netip.AddrFromSlice(rr.A.To4())
		case *dns.AAAA:
			if qtype != dns.TypeAAAA {
				continue
			}
			ip, _ = netip.AddrFromSlice(rr.AAAA.To16())
		default:
			continue
		}
		if ip.IsValid() && !slices.Contains(out, ip) {
			out = append(out, ip)
		}
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return out
}

// joinAddrs renders addresses in order: "192.0.2.10 and 192.0.2.11".
func joinAddrs(ips []netip.Addr) string {
	sorted := slices.Clone(ips)
	slices.SortFunc(sorted, netip.Addr.Compare)
	parts := make([]string, len(sorted))
	for i, ip := range sorted {
		parts[i] = ip.String()
	}
	return list(parts)
}

// familyRecords are the host records of one type.
func familyRecords(cfg Config, rtype string) []Record {
	var out []Record
	for _, r := range hostRecords(cfg) {
		if r.Type == rtype {
			out = append(out, r)
		}
	}
	return out
}

// wantRecords renders records for a message: "mail.example.com. A 192.0.2.10".
func wantRecords(recs []Record) string {
	parts := make([]string, len(recs))
	for i, r := range recs {
		value := r.Value
		if r.Type == "TXT" {
			value = `"` + value + `"`
		}
		parts[i] = strings.Join([]string{r.Name, r.Type, value}, " ")
	}
	return list(parts)
}

// HostAddressQuestions are the questions that find what a host name
// resolves to at its authoritative servers: its A and AAAA records.
func HostAddressQuestions(host string) []verify.Question {
	return []verify.Question{verify.Q(host, dns.TypeA), verify.Q(host, dns.TypeAAAA)}
}

// HostAddresses returns the addresses that the first usable reply to each
// of HostAddressQuestions gave, IPv4 first; or an error when a question
// could not be asked at all.
func HostAddresses(known verify.Answers, host string) ([]netip.Addr, error) {
	var addrs []netip.Addr
	for _, q := range HostAddressQuestions(host) {
		ans, ok := known.Get(q)
		if !ok {
			continue
		}
		if ans.Err != nil {
			return nil, fmt.Errorf("look up %s: %w", q, ans.Err)
		}
		if i := slices.IndexFunc(ans.Servers, verify.Observation.OK); i >= 0 {
			addrs = append(addrs, addressesAt(ans.Servers[i], q)...)
		}
	}
	return addrs, nil
}

// addressesAt returns the addresses of a reply's records at the question's
// own name (not behind a CNAME), in the reply's order.
func addressesAt(o verify.Observation, q verify.Question) []netip.Addr {
	var out []netip.Addr
	for _, rr := range o.Records(q.Name, q.Type) {
		var ip netip.Addr
		switch rr := rr.(type) {
		case *dns.A:
			ip, _ = netip.AddrFromSlice(rr.A.To4())
		case *dns.AAAA:
			ip, _ = netip.AddrFromSlice(rr.AAAA.To16())
		}
		if ip.IsValid() {
			out = append(out, ip)
		}
	}
	return out
}
