package steps

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
)

// IDPTR is the id of the ptr step: a public contract (JSON output,
// --skip, scripts).
const IDPTR = "ptr"

// ptrStep is the reverse DNS of every server address, naming the mail
// host, set at the hosting provider.
func ptrStep() definition {
	return definition{
		id: IDPTR, title: "Reverse DNS (PTR)", where: AtHostingProvider,
		records: ptrRecords, questions: ptrQuestions, judge: judgePTR,
		shared: true, needs: needsAddrs | needsHost,
		codes: []FindingCode{
			{Code: CodePTRMissing, Severity: SeverityError, Effect: StatusPending,
				Meaning: "no reverse DNS for a server address"},
			{Code: CodePTRMismatch, Severity: SeverityError, Effect: StatusFail,
				Meaning: "reverse DNS names another host"},
			{Code: CodePTRNotConfirmed, Severity: SeverityError, Effect: StatusPending, variant: ptrHostPending,
				Meaning: "the reverse name has no address record of the address's family yet"},
			{Code: CodePTRNotConfirmed, Severity: SeverityError, Effect: StatusFail,
				Meaning: "the reverse name does not resolve back to the address"},
		},
	}
}

// Finding codes of the ptr step.
const (
	CodePTRMissing      = "ptr-missing"
	CodePTRMismatch     = "ptr-mismatch"
	CodePTRNotConfirmed = "ptr-not-forward-confirmed"
)

// ptrHostPending is the variant of ptr-not-forward-confirmed while the mail
// host has no address record of the family yet: pending, not fail.
const ptrHostPending = "host-pending"

// ReverseName is the PTR owner of ip: "10.2.0.192.in-addr.arpa." or the
// nibble form under ip6.arpa. (RFC 3596 §2.5); "" for an invalid address.
func ReverseName(ip netip.Addr) string {
	name, err := dns.ReverseAddr(ip.Unmap().String())
	if err != nil {
		return ""
	}
	return name
}

// ptrRecords are one PTR per server address, each naming the mail host.
func ptrRecords(cfg Config) []Record {
	var out []Record
	for _, ip := range cfg.IPs {
		if rev := ReverseName(ip); rev != "" && cfg.Host != "" {
			out = append(out, Record{Name: rev, Type: "PTR", TTL: cfg.TTL, Value: cfg.Host})
		}
	}
	return out
}

// ptrQuestions asks each address's PTR, and the mail host's address of
// the same family, to see whether the name leads back (forward-confirmed
// reverse DNS). The host step asks the same, so it costs nothing.
func ptrQuestions(cfg Config, _ verify.Answers) []verify.Question {
	var qs []verify.Question
	for _, ip := range cfg.IPs {
		if rev := ReverseName(ip); rev != "" {
			qs = append(qs, verify.Q(rev, dns.TypePTR), verify.Q(cfg.Host, addrType(ip)))
		}
	}
	return qs
}

func ptrTargets(o verify.Observation, owner string) []string {
	var out []string
	for _, rr := range typed[*dns.PTR](o.Records(owner, dns.TypePTR)) {
		out = append(out, verify.CanonicalName(rr.Ptr))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// addrType is the record type that holds ip.
func addrType(ip netip.Addr) uint16 {
	if ip.Unmap().Is4() {
		return dns.TypeA
	}
	return dns.TypeAAAA
}

func judgePTR(cfg Config, known verify.Answers, v *verdict) {
	for _, ip := range cfg.IPs {
		rev := ReverseName(ip)
		if rev == "" {
			continue
		}
		r, ok := v.ask(known, verify.Q(rev, dns.TypePTR))
		if ok {
			checkPTR(v, cfg, known, ip, r)
		}
	}
}

// checkPTR judges the reverse DNS of one address.
func checkPTR(v *verdict, cfg Config, known verify.Answers, ip netip.Addr, r reply) {
	with, without := split(r.ok, func(o verify.Observation) bool { return len(ptrTargets(o, r.q.Name)) > 0 })
	switch {
	case len(with) == 0:
		v.add(CodePTRMissing,
			"%s has no reverse DNS: %s has no PTR record on %s. Reverse DNS is set at your hosting provider (whoever gave you the address), not at your DNS provider: in their control panel or by a support request, set the reverse DNS of %s to %s. Many receivers refuse mail from addresses without it.",
			ip, r.q.Name, servers(without), ip, cfg.Host)
		return
	case len(without) > 0:
		v.partial("The reverse DNS (PTR) of "+ip.String(), with, without)
	}
	confirm := false
	for _, g := range groupBy(with, func(o verify.Observation) string { return strings.Join(ptrTargets(o, r.q.Name), " ") }) {
		names := ptrTargets(g.obs[0], r.q.Name)
		if slices.Contains(names, cfg.Host) {
			confirm = true
			continue
		}
		v.add(CodePTRMismatch,
			"The reverse DNS of %s (%s) names %s on %s; expected %s. Receivers compare it with the name your server greets them with.%s Reverse DNS is set at your hosting provider, not at your DNS provider: set the reverse DNS of %s to %s there.",
			ip, r.q.Name, list(names), g.names, cfg.Host, genericHint(names, ip), ip, cfg.Host)
	}
	if confirm {
		checkForward(v, cfg, known, ip)
	}
}

// genericHint notes a provider's default reverse name, one that spells the
// address out ("static.10.2.0.192.clients.your-server.de.").
func genericHint(names []string, ip netip.Addr) string {
	if !ip.Is4() {
		return ""
	}
	octets := strings.Split(ip.String(), ".")
	for _, name := range names {
		seen := 0
		for _, o := range octets {
			if slices.Contains(strings.FieldsFunc(name, func(r rune) bool { return r == '.' || r == '-' }), o) {
				seen++
			}
		}
		if seen == len(octets) {
			return " " + name + " is the provider's default name for the address."
		}
	}
	return ""
}

// checkForward checks that the mail host's address records lead back to
// ip (forward-confirmed reverse DNS, RFC 8601 §3 "iprev").
func checkForward(v *verdict, cfg Config, known verify.Answers, ip netip.Addr) {
	qtype := addrType(ip)
	rf, ok := v.ask(known, verify.Q(cfg.Host, qtype))
	if !ok {
		return
	}
	rtype := dns.TypeToString[qtype]
	back, _ := split(rf.ok, func(o verify.Observation) bool { return slices.Contains(addresses(o, qtype), ip) })
	if len(back) > 0 {
		return
	}
	other, _ := split(rf.ok, func(o verify.Observation) bool { return len(addresses(o, qtype)) > 0 })
	if len(other) == 0 {
		v.addVariant(CodePTRNotConfirmed, ptrHostPending,
			"The reverse DNS of %s names %s, but %s has no %s record yet on %s, so the name does not lead back to %s. Add %s %s %s (see the host step).",
			ip, cfg.Host, cfg.Host, rtype, servers(rf.ok), ip, cfg.Host, rtype, ip)
		return
	}
	for _, g := range groupBy(other, func(o verify.Observation) string { return joinAddrs(addresses(o, qtype)) }) {
		v.add(CodePTRNotConfirmed,
			"The reverse DNS of %s names %s, but %s has %s %s on %s, not %s, so receivers cannot confirm the name. Make the %s record hold %s (see the host step).",
			ip, cfg.Host, cfg.Host, rtype, g.key, g.names, ip, rtype, ip)
	}
}

// PTRNames are the names the servers' reverse DNS records give in a
// result, in the order they were seen: the wizard recognises a hosting
// provider by its default reverse names.
func PTRNames(res Result) []string {
	var out []string
	for _, ans := range res.Observed {
		if ans.Question.Type != dns.TypePTR {
			continue
		}
		for _, obs := range ans.Servers {
			for _, rr := range typed[*dns.PTR](obs.Records(ans.Question.Name, dns.TypePTR)) {
				if !slices.Contains(out, rr.Ptr) {
					out = append(out, rr.Ptr)
				}
			}
		}
	}
	return out
}
