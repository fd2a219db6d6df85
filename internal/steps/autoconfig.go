package steps

import (
	"fmt"
	"slices"
	"strings"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
)

// IDAutoconfig is the id of the autoconfig step: a public contract (JSON output,
// --skip, scripts).
const IDAutoconfig = "autoconfig"

// autoconfigStep is the SRV, autodiscover and autoconfig records that mail
// programs configure themselves from.
func autoconfigStep() definition {
	return definition{
		id: IDAutoconfig, title: "Mail client settings (SRV, autodiscover, autoconfig)", where: AtDNSProvider,
		records: autoconfigRecords, questions: autoconfigQuestions, judge: judgeAutoconfig,
		needs: needsHost,
		owns: []Ownership{
			{Type: "SRV", What: "SRV record", Note: "the SRV records of the services offered are mailwizard's"},
			{Type: "CNAME", What: "alias", Note: "the alias is mailwizard's; other records at this name conflict with it"},
		},
		codes: []FindingCode{
			{Code: CodeSRVMissing, Severity: SeverityError, Effect: StatusPending,
				Meaning: "an SRV record for an offered service is missing"},
			{Code: CodeSRVWrongTarget, Severity: SeverityError, Effect: StatusFail,
				Meaning: "an SRV record names another host"},
			{Code: CodeSRVWrongPort, Severity: SeverityError, Effect: StatusFail,
				Meaning: "an SRV record has another port"},
			{Code: CodeSRVTargetCNAME, Severity: SeverityWarning, Effect: StatusWarn,
				Meaning: "an SRV target is a CNAME"},
			{Code: CodeSRVUnexpected, Severity: SeverityWarning, Effect: StatusWarn,
				Meaning: "an SRV record for a service that is not offered"},
			{Code: CodeAutodiscoverMissing, Severity: SeverityWarning, Effect: StatusWarn,
				Meaning: "no `_autodiscover._tcp` SRV record"},
			{Code: CodeAutodiscoverWrongTarget, Severity: SeverityWarning, Effect: StatusWarn,
				Meaning: "`_autodiscover._tcp` names another host"},
			{Code: CodeAutodiscoverWrongPort, Severity: SeverityWarning, Effect: StatusWarn,
				Meaning: "`_autodiscover._tcp` has another port"},
			{Code: CodeAutoconfigMissing, Severity: SeverityInfo, Effect: StatusPass,
				Meaning: "no `autoconfig` name"},
			{Code: CodeAutoconfigWrongTarget, Severity: SeverityWarning, Effect: StatusWarn,
				Meaning: "`autoconfig` points elsewhere"},
		},
	}
}

// Finding codes of the autoconfig step.
const (
	CodeSRVMissing              = "srv-missing"
	CodeSRVWrongTarget          = "srv-wrong-target"
	CodeSRVWrongPort            = "srv-wrong-port"
	CodeSRVTargetCNAME          = "srv-target-cname"
	CodeSRVUnexpected           = "srv-unexpected"
	CodeAutodiscoverMissing     = "autodiscover-missing"
	CodeAutodiscoverWrongTarget = "autodiscover-wrong-target"
	CodeAutodiscoverWrongPort   = "autodiscover-wrong-port"
	CodeAutoconfigMissing       = "autoconfig-missing"
	CodeAutoconfigWrongTarget   = "autoconfig-wrong-target"
)

// mailService is a service offered to mail clients and its port.
type mailService struct {
	name string
	port uint16
	what string // for messages
}

// mailServices are the RFC 6186 and RFC 8314 services, in the order
// records are shown.
func mailServices() []mailService {
	return []mailService{
		{ServiceSubmission, 587, "sending mail (STARTTLS)"},
		{ServiceSubmissions, 465, "sending mail (TLS)"},
		{ServiceIMAP, 143, "IMAP (STARTTLS)"},
		{ServiceIMAPS, 993, "IMAP (TLS)"},
		{ServicePOP3, 110, "POP3 (STARTTLS)"},
		{ServicePOP3S, 995, "POP3 (TLS)"},
	}
}

// autodiscover is Outlook's SRV record (MS-OXDSCLI §3.1.5.2), at 443.
func autodiscover() mailService {
	return mailService{name: "autodiscover", port: 443, what: "Outlook's settings lookup"}
}

func lookupService(name string) (mailService, bool) {
	for _, s := range mailServices() {
		if s.name == name {
			return s, true
		}
	}
	return mailService{}, false
}

func serviceNames() []string {
	var out []string
	for _, s := range mailServices() {
		out = append(out, s.name)
	}
	return out
}

// owner is the SRV owner name: "_submissions._tcp.example.com.".
func (s mailService) owner(domain string) string {
	return "_" + s.name + "._tcp." + domain
}

// srvValue is the SRV data pointing the service at host (RFC 2782).
func (s mailService) srvValue(host string) string {
	return fmt.Sprintf("0 1 %d %s", s.port, host)
}

// nullSRV says a service is not offered (RFC 6186 §3.4).
const nullSRV = "0 0 0 ."

func autodiscoverName(domain string) string { return "autodiscover." + domain }
func autoconfigName(domain string) string   { return "autoconfig." + domain }

func autoconfigRecords(cfg Config) []Record {
	if cfg.Domain == "" || cfg.Host == "" {
		return nil
	}
	var out []Record
	for _, s := range mailServices() {
		switch {
		case slices.Contains(cfg.Services, s.name):
			out = append(out, Record{Name: s.owner(cfg.Domain), Type: "SRV", TTL: cfg.TTL, Value: s.srvValue(cfg.Host)})
		case cfg.NullUnoffered:
			out = append(out, Record{Name: s.owner(cfg.Domain), Type: "SRV", TTL: cfg.TTL, Value: nullSRV, Optional: true})
		}
	}
	ad := autodiscover()
	return append(out,
		Record{Name: ad.owner(cfg.Domain), Type: "SRV", TTL: cfg.TTL, Value: ad.srvValue(cfg.Host)},
		Record{Name: autodiscoverName(cfg.Domain), Type: "CNAME", TTL: cfg.TTL, Value: cfg.Host},
		Record{Name: autoconfigName(cfg.Domain), Type: "CNAME", TTL: cfg.TTL, Value: cfg.Host, Optional: true},
	)
}

// srvQuestions are the SRV questions of every known service, offered or
// not (a record for a service not offered misleads clients).
func srvQuestions(cfg Config) []verify.Question {
	var qs []verify.Question
	for _, s := range append(mailServices(), autodiscover()) {
		qs = append(qs, verify.Q(s.owner(cfg.Domain), dns.TypeSRV))
	}
	return qs
}

// srvTargets lists the distinct host names the SRV records point at, on
// any server, leaving out ".".
func srvTargets(cfg Config, known verify.Answers) []string {
	var targets []string
	for _, q := range srvQuestions(cfg) {
		r, _ := peek(known, q)
		for _, o := range r.ok {
			for _, srv := range srvRecords(o, q.Name) {
				t := verify.CanonicalName(srv.Target)
				if t != "." && !slices.Contains(targets, t) && len(targets) < maxFollowedTargets {
					targets = append(targets, t)
				}
			}
		}
	}
	return targets
}

// autoconfigQuestions asks for every SRV record, each target's address to
// see whether it is an alias, and the autodiscover and autoconfig names.
func autoconfigQuestions(cfg Config, known verify.Answers) []verify.Question {
	var qs []verify.Question
	for _, q := range srvQuestions(cfg) {
		qs = append(qs, q)
		if s, _ := lookupService(srvService(q.Name)); slices.Contains(cfg.Services, s.name) || strings.HasPrefix(q.Name, "_autodiscover.") {
			qs = append(qs, doubledQuestions(cfg, known, q)...)
			qs = append(qs, wildcardQuestions(cfg, known, q)...)
		}
	}
	for _, t := range srvTargets(cfg, known) {
		qs = append(qs, verify.Q(t, dns.TypeA))
	}
	for _, name := range []string{autodiscoverName(cfg.Domain), autoconfigName(cfg.Domain)} {
		q := verify.Q(name, dns.TypeA)
		qs = append(qs, q)
		qs = append(qs, doubledQuestions(cfg, known, q)...)
		qs = append(qs, wildcardQuestions(cfg, known, q)...)
	}
	return qs
}

// srvService is the service label of an SRV owner: "submissions" for
// "_submissions._tcp.example.com.".
func srvService(owner string) string {
	label, _, _ := strings.Cut(owner, ".")
	return strings.TrimPrefix(label, "_")
}

func judgeAutoconfig(cfg Config, known verify.Answers, v *verdict) {
	for _, s := range mailServices() {
		q := verify.Q(s.owner(cfg.Domain), dns.TypeSRV)
		r, ok := v.ask(known, q)
		switch {
		case !ok:
		case slices.Contains(cfg.Services, s.name):
			checkSRV(v, cfg, r, s, requiredSRV())
			v.checkDoubled(cfg, known, q, "The SRV record for "+s.what)
			v.checkWildcard(cfg, known, q, "The SRV record for "+s.what+" "+q.Name)
		default:
			checkUnoffered(v, r, s)
		}
	}
	ad := autodiscover()
	q := verify.Q(ad.owner(cfg.Domain), dns.TypeSRV)
	if r, ok := v.ask(known, q); ok {
		checkSRV(v, cfg, r, ad, advisedSRV())
	}
	v.checkDoubled(cfg, known, q, "The autodiscover SRV record")
	v.checkWildcard(cfg, known, q, "The autodiscover SRV record "+q.Name)
	for _, name := range []string{autodiscoverName(cfg.Domain), autoconfigName(cfg.Domain)} {
		v.checkWildcard(cfg, known, verify.Q(name, dns.TypeA), "The name "+name)
	}
	checkSRVCNAMEs(v, known, cfg)
	checkAlias(v, cfg, known, autodiscoverName(cfg.Domain), CodeAutodiscoverMissing, CodeAutodiscoverWrongTarget,
		"Outlook looks there for the server settings")
	checkAlias(v, cfg, known, autoconfigName(cfg.Domain), CodeAutoconfigMissing, CodeAutoconfigWrongTarget,
		"Thunderbird looks there for the server settings")
}

func srvRecords(o verify.Observation, owner string) []*dns.SRV {
	return typed[*dns.SRV](o.Records(owner, dns.TypeSRV))
}

// srvRules say which codes an SRV record's problems get: an offered
// service's records are required (srv-* codes, errors), the autodiscover
// record is advice (autodiscover-* codes, warnings).
type srvRules struct {
	missingCode string
	targetCode  string // a wrong target
	portCode    string // a wrong port
}

func requiredSRV() srvRules {
	return srvRules{CodeSRVMissing, CodeSRVWrongTarget, CodeSRVWrongPort}
}

func advisedSRV() srvRules {
	return srvRules{CodeAutodiscoverMissing, CodeAutodiscoverWrongTarget, CodeAutodiscoverWrongPort}
}

// checkSRV checks the SRV record of a service: present, at the mail host,
// on the service's port.
func checkSRV(v *verdict, cfg Config, r reply, s mailService, rules srvRules) {
	want := r.q.Name + " SRV " + s.srvValue(cfg.Host)
	with, without := split(r.ok, func(o verify.Observation) bool { return len(srvRecords(o, r.q.Name)) > 0 })
	switch {
	case len(with) == 0:
		v.add(rules.missingCode,
			"%s has no SRV record on %s yet, so mail programs cannot find the server for %s by themselves. Add %s.",
			r.q.Name, servers(without), s.what, want)
		return
	case len(without) > 0:
		v.partial("The SRV record "+r.q.Name, with, without)
	}
	rrs := func(o verify.Observation) []dns.RR { return o.Records(r.q.Name, dns.TypeSRV) }
	for _, g := range groupBy(with, func(o verify.Observation) string { return canonicalKey(rrs(o)) }) {
		srvs := srvRecords(g.obs[0], r.q.Name)
		var ours []*dns.SRV
		for _, srv := range srvs {
			if verify.CanonicalName(srv.Target) == cfg.Host {
				ours = append(ours, srv)
			}
		}
		switch {
		case len(ours) == 0 && len(srvs) == 1 && srvs[0].Target == ".":
			v.add(rules.targetCode,
				"%s has SRV %s on %s, which tells mail programs there is no %s service, but you offer it. Replace it with %s.",
				r.q.Name, nullSRV, g.names, s.what, want)
		case len(ours) == 0:
			target := verify.CanonicalName(srvs[0].Target)
			v.add(rules.targetCode,
				"%s has %s on %s; expected %s. Change the target to %s.%s",
				r.q.Name, show(rrs(g.obs[0])), g.names, want, cfg.Host, appendedHint(target, cfg.Host, cfg.Domain))
		case !slices.ContainsFunc(ours, func(srv *dns.SRV) bool { return srv.Port == s.port }):
			v.add(rules.portCode,
				"%s has port %d on %s; %s uses port %d. Change the port to %d.",
				r.q.Name, ours[0].Port, g.names, s.what, s.port, s.port)
		}
	}
}

// checkUnoffered warns about an SRV record that points clients at a
// service the user does not offer.
func checkUnoffered(v *verdict, r reply, s mailService) {
	for _, g := range groupBy(r.ok, func(o verify.Observation) string {
		var live []dns.RR
		for _, srv := range srvRecords(o, r.q.Name) {
			if srv.Target != "." {
				live = append(live, srv)
			}
		}
		return show(live)
	}) {
		if g.key == "nothing" {
			continue
		}
		v.add(CodeSRVUnexpected,
			"%s has %s on %s, which sends mail programs to %s, a service you did not say you offer. If you do not offer it, remove the record or replace it with SRV %s (\"not available\"); if you do, add %s to the services.",
			r.q.Name, g.key, g.names, s.what, nullSRV, s.name)
	}
}

// checkSRVCNAMEs warns about SRV targets that are aliases: RFC 2782 says
// the target must have its own address records.
func checkSRVCNAMEs(v *verdict, known verify.Answers, cfg Config) {
	aliasedTargets(known, srvTargets(cfg, known), func(target string, g group) {
		v.add(CodeSRVTargetCNAME,
			"The SRV target %s is an alias (CNAME) for %s on %s. SRV targets must not be aliases (RFC 2782) and some mail programs give up on them. Point the SRV records at %s and give that name A/AAAA records.",
			target, g.key, g.names, cfg.Host)
	})
}

// checkAlias checks autodiscover.<domain> or autoconfig.<domain>: a CNAME
// to the mail host, or A records holding the server's addresses.
func checkAlias(v *verdict, cfg Config, known verify.Answers, name, missingCode, wrongCode, why string) {
	q := verify.Q(name, dns.TypeA)
	r, ok := v.ask(known, q)
	if !ok {
		return
	}
	want := name + " CNAME " + cfg.Host
	with, without := split(r.ok, func(o verify.Observation) bool { return hasAddress(q, o) })
	switch {
	case len(with) == 0:
		v.add(missingCode, "%s does not exist on %s yet; %s. Add %s.", name, servers(without), why, want)
		return
	case len(without) > 0:
		v.partial(name, with, without)
	}
	for _, g := range groupBy(with, func(o verify.Observation) string {
		if target, ok := o.CNAME(name); ok {
			return "CNAME " + target
		}
		return "A " + joinAddrs(addresses(o, dns.TypeA))
	}) {
		if g.key == "CNAME "+cfg.Host || len(cfg.v4()) > 0 && g.key == "A "+joinAddrs(cfg.v4()) {
			continue
		}
		v.add(wrongCode,
			"%s is %s on %s; %s, so it should lead to your server. Change it to %s, unless another service answers there for you.",
			name, g.key, g.names, why, want)
	}
	v.checkDoubled(cfg, known, q, "The record "+name)
}
