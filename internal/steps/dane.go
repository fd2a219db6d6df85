package steps

import (
	"crypto/x509"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/dane"
	"github.com/mailwizard/mailwizard/internal/verify"
)

// IDDANE is the id of the dane step: a public contract (JSON output,
// --skip, scripts).
const IDDANE = "dane"

// Finding codes of the dane step.
const (
	CodeTLSAMissing      = "tlsa-missing"
	CodeTLSASyntax       = "tlsa-syntax"
	CodeTLSAMismatch     = "tlsa-mismatch"
	CodeTLSAUnsignedZone = "tlsa-unsigned-zone"
	CodeTLSANoRollover   = "tlsa-no-rollover"
	CodeTLSAUnverified   = "tlsa-unverified"
)

// daneStep is DANE for the MX host (RFC 7672): a TLSA record at
// _25._tcp.<mail host> in a signed zone that pins the key of the
// certificate the server presents on port 25.
func daneStep() definition {
	return definition{
		id: IDDANE, title: "DANE (TLSA record)", where: AtDNSProvider,
		records: daneRecords, questions: daneQuestions, judge: judgeDANE, derived: true,
		// The TLSA records belong to the mail host, whatever domains it
		// serves.
		shared: true, needs: needsHost,
		// RFC 6698 §3: the TLSA records of port 25 of the mail host.
		owns: []Ownership{{Type: "TLSA", What: "TLSA record",
			Note: "every TLSA record of port 25 of the mail host is mailwizard's"}},
		codes: []FindingCode{
			{Code: CodeTLSAMissing, Severity: SeverityInfo, Effect: StatusPass,
				Meaning: "no TLSA record for the mail host's port 25; DANE was not chosen, so this is information"},
			{Code: CodeTLSAMissing, Severity: SeverityError, Effect: StatusPending, variant: variantChosen,
				Meaning: "no TLSA record for the mail host's port 25 yet, and DANE was chosen (`--dane`); in an unsigned zone the message says to sign it first"},
			{Code: CodeTLSASyntax, Severity: SeverityError, Effect: StatusFail,
				Meaning: "a TLSA record senders cannot use: a usage other than 3 (DANE-EE) or 2 (DANE-TA), an unknown selector or matching type, a digest of the wrong length"},
			{Code: CodeTLSAMismatch, Severity: SeverityError, Effect: StatusFail,
				Meaning: "no TLSA record matches the certificate the server presents on port 25 (or `--tls-cert`): senders that check DANE refuse to deliver"},
			{Code: CodeTLSAUnsignedZone, Severity: SeverityWarning, Effect: StatusWarn,
				Meaning: "a TLSA record in a zone that is not signed (or has no DS at the parent): senders ignore it; sign the zone first"},
			{Code: CodeTLSANoRollover, Severity: SeverityWarning, Effect: StatusWarn,
				Meaning: "only one `3 1 1` record and no `2 1 1`: the next certificate with a new key breaks delivery until the record is changed"},
			{Code: CodeTLSAUnverified, Severity: SeverityWarning, Effect: StatusWarn,
				Meaning: "the TLSA records could not be compared with a certificate: port 25 cannot be reached from here and no `--tls-cert` was given"},
		},
	}
}

// tlsaName is where the TLSA records of port 25 of a host live (RFC 6698
// §3, RFC 7672 §2.2).
func tlsaName(host string) string { return "_25._tcp." + host }

// tlsaRecords are the TLSA records to publish for a certificate chain
// (leaf first): "3 1 1" of the leaf's key, and, when the chain holds the
// issuing authority, an optional "2 1 1" of it for rollovers.
func tlsaRecords(cfg Config, chain []*x509.Certificate) []Record {
	if len(chain) == 0 {
		return nil
	}
	name := tlsaName(cfg.Host)
	out := []Record{{Name: name, Type: "TLSA", TTL: cfg.TTL, Value: dane.EE(chain[0]).String()}}
	if len(chain) > 1 {
		out = append(out, Record{Name: name, Type: "TLSA", TTL: cfg.TTL, Value: dane.TA(chain[1]).String(), Optional: true})
	}
	return out
}

// daneRecords are the TLSA records of --tls-cert when DANE is chosen;
// otherwise none, and none without a certificate to compute them from
// (a check computes them from the certificate the server presents).
func daneRecords(cfg Config) []Record {
	if !cfg.DANE || cfg.Domain == "" {
		return nil
	}
	return tlsaRecords(cfg, cfg.TLSCert)
}

func daneQuestions(cfg Config, known verify.Answers) []verify.Question {
	q := verify.Q(tlsaName(cfg.Host), dns.TypeTLSA)
	qs := []verify.Question{q}
	if zone := zoneOfAnswer(cfg, known, q); zone != "" {
		qs = append(qs, keysQuestion(zone), verify.ParentDS(zone))
	}
	if !cfg.NoProbe {
		for _, ip := range cfg.IPs {
			qs = append(qs, SMTPProbe(cfg, ip))
		}
	}
	return qs
}

// servedChain is the certificate chain the server presents on port 25,
// from one address.
type servedChain struct {
	addr  netip.Addr
	chain []*x509.Certificate
}

// chains are the chains port 25 of each address presented in the round,
// and the reasons the others gave none.
func chains(cfg Config, known verify.Answers, v *verdict) ([]servedChain, []string) {
	if cfg.NoProbe {
		return nil, []string{"--no-probe keeps mailwizard to DNS"}
	}
	var out []servedChain
	var why []string
	for _, ip := range cfg.IPs {
		a, ok := v.observe(known, SMTPProbe(cfg, ip))
		if !ok {
			why = append(why, fmt.Sprintf("port 25 at %s has not been checked yet", ip))
			continue
		}
		switch {
		case a.Err != nil || a.Probe == nil:
			why = append(why, fmt.Sprintf("port 25 at %s could not be checked", ip))
		case a.Probe.TLS != nil && a.Probe.TLS.Leaf() != nil:
			out = append(out, servedChain{addr: ip, chain: a.Probe.TLS.Chain})
		case a.Probe.NoRoute:
			why = append(why, fmt.Sprintf("this machine has no route to %s", ip))
		default:
			why = append(why, fmt.Sprintf("port 25 at %s gave no certificate (%s)", ip, stageText(a.Probe)))
		}
	}
	return out, why
}

func judgeDANE(cfg Config, known verify.Answers, v *verdict) {
	q := verify.Q(tlsaName(cfg.Host), dns.TypeTLSA)
	r, ok := v.follow(known, q, "The TLSA record "+q.Name)
	if !ok {
		return
	}
	secure, why := zoneSecure(known, v, zoneOfAnswer(cfg, known, q))
	served, unreached := chains(cfg, known, v)
	// What to compare with: the certificates served now, else the file.
	var want []Record
	source := ""
	for _, s := range served {
		for _, rec := range tlsaRecords(cfg, s.chain) {
			if !slices.Contains(want, rec) {
				want = append(want, rec)
			}
		}
		if source == "" {
			source = fmt.Sprintf("the certificate %s presents on port 25 at %s", cfg.Host, s.addr)
		}
	}
	if len(served) == 0 && len(cfg.TLSCert) > 0 {
		want = tlsaRecords(cfg, cfg.TLSCert)
		served = []servedChain{{chain: cfg.TLSCert}}
		source = "the certificate in " + cfg.TLSCertFile
	}
	// The wizard never suggests a TLSA record in a zone that is not
	// signed: there it would do nothing.
	v.expectedSet = true
	if secure && cfg.DANE {
		v.expected = want
	}
	with, without := split(r.ok, func(o verify.Observation) bool { return len(o.Records(r.q.Name, dns.TypeTLSA)) > 0 })
	if len(with) == 0 {
		daneMissing(v, cfg, r, secure, why, want, source, unreached)
		return
	}
	if len(without) > 0 {
		v.partial("The TLSA record "+r.q.Name, with, without)
	}
	if !secure {
		v.add(CodeTLSAUnsignedZone,
			"%s has TLSA records on %s, but %s. Senders use TLSA records only from a signed zone they can validate, so these do nothing yet. Sign the zone first (see the DNSSEC step); the records start to count once the DS is at the parent.",
			r.q.Name, servers(with), why)
	}
	for _, g := range groupBy(with, func(o verify.Observation) string { return canonicalKey(o.Records(r.q.Name, dns.TypeTLSA)) }) {
		recs := tlsaOf(g.obs[0], r.q.Name)
		usable := checkTLSASyntax(v, r.q.Name, g, recs)
		switch {
		case len(usable) == 0:
			continue
		case len(served) == 0:
			v.add(CodeTLSAUnverified,
				"%s has %s on %s, but mailwizard could not compare %s with the certificate the server presents: %s. Give the certificate file (--tls-cert, the full chain your mail server uses) to compare with it, or run the check from a machine that reaches port 25.",
				r.q.Name, show(g.obs[0].Records(r.q.Name, dns.TypeTLSA)), g.names, plural(len(usable), "it", "them"), strings.Join(unreached, "; "))
		default:
			checkTLSAMatch(v, cfg, r.q.Name, g, usable, served, source, want)
		}
		if !dane.Rollover(usable) {
			advice := "publish a second 3 1 1 record for the key of the next certificate before the certificate changes (with certbot, --reuse-key keeps the key across renewals instead)"
			if len(want) > 1 {
				advice += ", or add a 2 1 1 record of the authority that issues it: " + r.q.Name + " TLSA " + want[1].Value + " (with Let's Encrypt, one for each intermediate it may issue from)"
			} else {
				advice += ", or add a 2 1 1 record of the authority that issues it (with Let's Encrypt, one for each intermediate it may issue from)"
			}
			v.add(CodeTLSANoRollover,
				"%s has one 3 1 1 record and nothing else on %s. When the certificate is renewed with a new key (certbot makes a new key by default), senders that check DANE refuse all mail until the record is changed. To renew safely, %s.",
				r.q.Name, g.names, advice)
		}
	}
}

// daneMissing judges a mail host with no TLSA record on any server.
func daneMissing(v *verdict, cfg Config, r reply, secure bool, why string, want []Record, source string, unreached []string) {
	if !cfg.DANE {
		advice := "It needs a signed zone: " + why + "."
		if secure {
			advice = "The zone is signed, so DANE is one record away: choose DANE (--dane) to have mailwizard compute it."
		}
		v.add(CodeTLSAMissing, "%s has no TLSA record on %s. DANE is optional: with it, senders that check DANE deliver only to a server presenting your certificate. %s",
			r.q.Name, servers(r.ok), advice)
		return
	}
	switch {
	case !secure:
		v.addVariant(CodeTLSAMissing, variantChosen,
			"%s has no TLSA record on %s, and it should not have one yet: %s. Sign the zone first (see the DNSSEC step); once its DS is at the parent, this step shows the TLSA record to publish.",
			r.q.Name, servers(r.ok), why)
	case len(want) == 0:
		v.addVariant(CodeTLSAMissing, variantChosen,
			"%s has no TLSA record on %s yet, and mailwizard cannot compute it: %s. Give the certificate file your mail server uses (--tls-cert), or run the check from a machine that reaches port 25.",
			r.q.Name, servers(r.ok), strings.Join(unreached, "; "))
	default:
		v.addVariant(CodeTLSAMissing, variantChosen,
			"%s has no TLSA record on %s yet. Add %s TLSA %s, computed from %s: senders that check DANE then deliver only to a server presenting that key.",
			r.q.Name, servers(r.ok), r.q.Name, want[0].Value, source)
	}
}

// SignedZoneQuestions are the questions SignedZone reads: the zone's
// DNSKEY records and its parent's DS.
func SignedZoneQuestions(zone string) []verify.Question {
	zone = verify.CanonicalName(zone)
	return []verify.Question{keysQuestion(zone), verify.ParentDS(zone)}
}

// SignedZone says whether zone is signed with a DS at its parent, as the
// answers to SignedZoneQuestions tell, and, when not, why in words. TLSA
// records go only into such a zone: elsewhere senders ignore them. The
// verdict zoneSecure asks through is thrown away: it declares no codes.
func SignedZone(zone string, known verify.Answers) (bool, string) {
	return zoneSecure(known, judging(nil), verify.CanonicalName(zone))
}

// zoneSecure says whether a zone is signed with a DS at the parent, as far
// as the round knows, and, when not, why in words.
func zoneSecure(known verify.Answers, v *verdict, zone string) (bool, string) {
	if zone == "" {
		return false, "its zone is not known"
	}
	keys, ok := v.ask(known, keysQuestion(zone))
	if !ok {
		return false, "whether its zone is signed could not be checked"
	}
	if !servesKeys(keys, zone) {
		return false, "the zone " + zone + " is not signed (no DNSKEY)"
	}
	ds, ok := v.ask(known, verify.ParentDS(zone))
	if !ok {
		return false, "whether the parent has a DS for " + zone + " could not be checked"
	}
	if !slices.ContainsFunc(ds.ok, func(o verify.Observation) bool { return len(o.Records(zone, dns.TypeDS)) > 0 }) {
		return false, "the zone " + zone + " is signed but its parent has no DS record, so no resolver validates it"
	}
	return true, ""
}

// tlsaOf reads the TLSA records at name in a reply.
func tlsaOf(o verify.Observation, name string) []dane.Record {
	var out []dane.Record
	for _, rr := range typed[*dns.TLSA](o.Records(name, dns.TypeTLSA)) {
		out = append(out, dane.FromRR(rr))
	}
	return out
}

// checkTLSASyntax reports the records senders cannot use, and returns
// those they can.
func checkTLSASyntax(v *verdict, name string, g group, recs []dane.Record) []dane.Record {
	var usable []dane.Record
	for _, rec := range recs {
		if p := rec.Problem(); p != "" {
			v.add(CodeTLSASyntax, "%s has the TLSA record %q on %s: %s. Senders skip it.", name, clip(rec.String()), g.names, p)
			continue
		}
		usable = append(usable, rec)
	}
	if len(usable) == 0 && len(recs) > 0 {
		v.add(CodeTLSASyntax, "None of the TLSA records of %s on %s is usable, so senders that check DANE treat the host as having none. Publish a 3 1 1 record of the server's key.", name, g.names)
	}
	return usable
}

// checkTLSAMatch checks that for every chain served, some usable record
// matches.
func checkTLSAMatch(v *verdict, cfg Config, name string, g group, usable []dane.Record, served []servedChain, source string, want []Record) {
	for _, s := range served {
		if slices.ContainsFunc(usable, func(rec dane.Record) bool { return rec.Match(s.chain) >= 0 }) {
			continue
		}
		from := source
		if s.addr.IsValid() {
			from = fmt.Sprintf("the certificate %s presents on port 25 at %s", cfg.Host, s.addr)
		}
		fix := ""
		if len(want) > 0 {
			fix = fmt.Sprintf(" Publish %s TLSA %s, and remove the old record once it is everywhere.", name, want[0].Value)
		}
		v.add(CodeTLSAMismatch,
			"None of the TLSA records of %s on %s (%s) matches %s, whose key is %s. Senders that check DANE refuse to deliver mail to it: this is how a renewal with a new key stops mail.%s",
			name, g.names, clip(recordsText(usable)), from, dane.EE(s.chain[0]).String(), fix)
	}
}

// recordsText renders TLSA data for a message: "3 1 1 ab12…, 2 1 1 …".
func recordsText(recs []dane.Record) string {
	parts := make([]string, len(recs))
	for i, r := range recs {
		parts[i] = Elide(r.String(), 24)
	}
	return strings.Join(parts, ", ")
}
