package steps

import (
	"errors"
	"fmt"
	"strings"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/dkimkey"
	"github.com/mailwizard/mailwizard/internal/verify"
)

// IDDKIM is the id of the dkim step: a public contract (JSON output,
// --skip, scripts).
const IDDKIM = "dkim"

// dkimStep is the public key the server signs with, at its selector.
func dkimStep() definition {
	return definition{
		id: IDDKIM, title: "DKIM key record", where: AtDNSProvider,
		records: dkimRecords, questions: dkimQuestions, judge: judgeDKIM,
		needs: needsSelector,
		// The selector's name holds one DKIM key: every TXT there is the
		// step's (RFC 6376 §3.6.2.2), and other selectors are other names.
		owns: []Ownership{{Type: "TXT", What: "DKIM key record",
			Note: "the TXT records of this selector are mailwizard's; other selectors stay"}},
		codes: []FindingCode{
			{Code: CodeDKIMMissing, Severity: SeverityError, Effect: StatusPending,
				Meaning: "no key record at the selector"},
			{Code: CodeDKIMSyntax, Severity: SeverityError, Effect: StatusFail,
				Meaning: "the key record does not parse"},
			{Code: CodeDKIMKeyMismatch, Severity: SeverityError, Effect: StatusFail,
				Meaning: "the published key is not the server's key"},
			{Code: CodeDKIMMangled, Severity: SeverityError, Effect: StatusFail,
				Meaning: "the value was damaged on the way in: zone-file quotes around it or inside `p=`, or cut at 255 characters. Quotes inside an `n=` note are legal (RFC 6376)"},
			{Code: CodeDKIMWeakKey, Severity: SeverityWarning, Effect: StatusWarn,
				Meaning: "RSA under 2048 bits"},
			{Code: CodeDKIMTesting, Severity: SeverityInfo, Effect: StatusPass,
				Meaning: "`t=y`"},
			{Code: CodeDKIMKeyUnverified, Severity: SeverityInfo, Effect: StatusPass,
				Meaning: "no private key given to compare with"},
			{Code: CodeDKIMMultiple, Severity: SeverityError, Effect: StatusFail,
				Meaning: "more than one TXT record at the selector"},
			{Code: CodeDKIMRevoked, Severity: SeverityError, Effect: StatusFail,
				Meaning: "empty `p=`"},
			{Code: CodeDKIMNoSelector, Severity: SeverityWarning, Effect: StatusError,
				Meaning: "no selector configured"},
		},
	}
}

// Finding codes of the dkim step.
const (
	CodeDKIMMissing       = "dkim-missing"
	CodeDKIMSyntax        = "dkim-syntax"
	CodeDKIMKeyMismatch   = "dkim-key-mismatch"
	CodeDKIMMangled       = "dkim-mangled"
	CodeDKIMWeakKey       = "dkim-weak-key"
	CodeDKIMTesting       = "dkim-testing"
	CodeDKIMKeyUnverified = "dkim-key-unverified"
	CodeDKIMMultiple      = "dkim-multiple"
	CodeDKIMRevoked       = "dkim-revoked"
	CodeDKIMNoSelector    = "dkim-no-selector"
)

// dkimStrongBits: RFC 8301 §3.2, signers should use RSA keys of 2048 bits.
const dkimStrongBits = 2048

// dkimName is where the key record of a selector lives (RFC 6376 §3.6.2.1).
func dkimName(cfg Config) string {
	return cfg.DKIMSelector + "._domainkey." + cfg.Domain
}

// dkimRecords is the key record, when a key is known.
func dkimRecords(cfg Config) []Record {
	if cfg.DKIMSelector == "" || cfg.Domain == "" || cfg.DKIMPublicKey == nil {
		return nil
	}
	value, err := dkimkey.RecordValue(cfg.DKIMPublicKey)
	if err != nil || value == "" {
		return nil
	}
	return []Record{{Name: dkimName(cfg), Type: "TXT", TTL: cfg.TTL, Value: value}}
}

func dkimQuestions(cfg Config, known verify.Answers) []verify.Question {
	if cfg.DKIMSelector == "" {
		return nil
	}
	q := verify.Q(dkimName(cfg), dns.TypeTXT)
	qs := append([]verify.Question{q}, doubledQuestions(cfg, known, q)...)
	return append(qs, wildcardQuestions(cfg, known, q)...)
}

func judgeDKIM(cfg Config, known verify.Answers, v *verdict) {
	if cfg.DKIMSelector == "" {
		v.add(CodeDKIMNoSelector,
			"No DKIM selector is configured, so mailwizard does not know where to look for the key. Give the selector your server signs with (the s= of its DKIM-Signature header), or create a key with \"mailwizard dkim generate\".")
		return
	}
	q := verify.Q(dkimName(cfg), dns.TypeTXT)
	if r, ok := v.follow(known, q, "The DKIM key record "+q.Name); ok {
		checkDKIM(v, cfg, r)
	}
	v.checkDoubled(cfg, known, q, "The DKIM key record")
	v.checkWildcard(cfg, known, q, "The DKIM key record "+q.Name)
	switch {
	case cfg.DKIMPublicKey == nil:
		v.add(CodeDKIMKeyUnverified,
			"No DKIM key was given, so mailwizard only checked that %s holds a valid key record, not that it matches the key your server signs with. Give the private key file (--dkim-key) to check that too.",
			q.Name)
	case cfg.DKIMKeyFile == "" && cfg.DKIMPublicKeyFile != "":
		v.add(CodeDKIMKeyUnverified,
			"The published key was compared with the public key in %s; without the private key file, mailwizard cannot tell whether it is the key your server signs with.",
			cfg.DKIMPublicKeyFile)
	}
}

// dkimTXT is one TXT record at the selector: its strings and joined value.
type dkimTXT struct {
	raw   []string
	value string
}

func dkimTXTs(o verify.Observation, name string) []dkimTXT {
	var out []dkimTXT
	for _, rr := range typed[*dns.TXT](o.Records(name, dns.TypeTXT)) {
		raw := rawStrings(rr.Txt)
		out = append(out, dkimTXT{raw: raw, value: strings.Join(raw, "")})
	}
	return out
}

func checkDKIM(v *verdict, cfg Config, r reply) {
	want := "a TXT record with the key your server signs with (create one with \"mailwizard dkim generate\")"
	if recs := dkimRecords(cfg); len(recs) > 0 {
		want = fmt.Sprintf("%s TXT %q", r.q.Name, shortKey(recs[0].Value))
		if shortKey(recs[0].Value) != recs[0].Value {
			want += " (the whole value is shown with this step's records)"
		}
	}
	txts := func(o verify.Observation) []dkimTXT { return dkimTXTs(o, r.q.Name) }
	with, without := split(r.ok, func(o verify.Observation) bool { return len(txts(o)) > 0 })
	switch {
	case len(with) == 0 && r.q.Name != dkimName(cfg):
		v.add(CodeDKIMMissing,
			"%s is published as a CNAME to %s, but %s has no DKIM key record on %s yet, so receivers cannot check your server's signatures. The key is managed there: ask whoever runs %s (your mail provider) to publish it, or point the CNAME at the name they gave you.",
			dkimName(cfg), v.cnames[len(v.cnames)-1].Target, r.q.Name, servers(without), r.q.Name)
		return
	case len(with) == 0:
		v.add(CodeDKIMMissing,
			"%s has no DKIM key record on %s yet, so receivers cannot check your server's signatures. Add %s. If your server signs with another selector (the s= of its DKIM-Signature header), give that selector instead.",
			r.q.Name, servers(without), want)
		return
	case len(without) > 0:
		v.partial("The DKIM key record "+r.q.Name, with, without)
	}
	for _, g := range groupBy(with, func(o verify.Observation) string {
		var keys []string
		for _, t := range txts(o) {
			keys = append(keys, strings.Join(t.raw, "\x00"))
		}
		return strings.Join(keys, "\n")
	}) {
		ts := txts(g.obs[0])
		if len(ts) > 1 {
			v.add(CodeDKIMMultiple,
				"%s has %s TXT records on %s; receivers pick one at random or fail. Keep only %s.",
				r.q.Name, numberWord(len(ts)), g.names, want)
			continue
		}
		judgeDKIMValue(v, cfg, r.q.Name, g, ts[0], want)
	}
}

// judgeDKIMValue checks one published key record.
func judgeDKIMValue(v *verdict, cfg Config, name string, g group, t dkimTXT, want string) {
	rec, err := dkimkey.ParseRecord(t.value)
	var mangled *dkimkey.MangledError
	d, damaged := inspectTXT(t.raw)
	switch {
	case errors.As(err, &mangled):
		v.add(CodeDKIMMangled,
			"The DKIM key record %s on %s was damaged when it was entered: %s. Paste the value again: %s.",
			name, g.names, mangled.Problem, want)
		return
	case err != nil && damaged:
		v.add(CodeDKIMMangled,
			"The DKIM key record %s on %s %s. Enter the value without quotes, as one piece: %s.", name, g.names, d.what, want)
		return
	case err != nil:
		v.add(CodeDKIMSyntax,
			"The DKIM key record %s on %s does not parse: %v. Replace it with %s.", name, g.names, err, want)
		return
	case rec.Key == nil && rec.P == "":
		v.add(CodeDKIMRevoked,
			"The DKIM key record %s on %s has an empty p=, which means the key was revoked: receivers fail every signature made with it. Replace it with %s.",
			name, g.names, want)
		return
	case rec.Key == nil:
		v.add(CodeDKIMSyntax,
			"The DKIM key record %s on %s has a p= that is not a valid public key. Replace it with %s.", name, g.names, want)
		return
	}
	if cfg.DKIMPublicKey != nil && !dkimkey.Equal(rec.Key, cfg.DKIMPublicKey) {
		v.add(CodeDKIMKeyMismatch,
			"The key published at %s on %s (%s) is not the public half of the key your server signs with, so receivers reject its signatures. Replace the value with %s.",
			name, g.names, shortKey(t.value), want)
		return
	}
	if dkimkey.Algorithm(rec.Key) == dkimkey.RSA && dkimkey.Bits(rec.Key) < dkimStrongBits {
		v.add(CodeDKIMWeakKey,
			"The DKIM key at %s is a %d-bit RSA key; %d bits is the norm (RFC 8301 §3.2) and some receivers already distrust shorter keys. Make a new one with \"mailwizard dkim generate\" under a new selector.",
			name, dkimkey.Bits(rec.Key), dkimStrongBits)
	}
	if rec.Testing {
		v.add(CodeDKIMTesting,
			"The DKIM key record %s has t=y (testing), so receivers treat failed signatures as unsigned mail. Remove t=y once mail passes.", name)
	}
}

// shortKey shortens the p= of a key record for a message:
// "v=DKIM1; k=rsa; p=MIIBIjANBgkq…IDAQAB".
func shortKey(value string) string {
	i := strings.Index(value, "p=")
	if i < 0 || len(value)-i < 40 {
		return value
	}
	p := value[i+2:]
	end := ""
	if j := strings.IndexByte(p, ';'); j >= 0 {
		p, end = p[:j], p[j:]
	}
	if len(p) <= 24 {
		return value
	}
	return value[:i+2] + p[:12] + "…" + p[len(p)-6:] + end
}
