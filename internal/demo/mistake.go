package demo

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// mistake is a typical mistake for one step: the records published
// instead of the right ones, and what is wrong with them.
type mistake struct {
	records []steps.Record
	// what names the mistake, a sentence fragment after "Published a
	// typical mistake: ".
	what string
}

// errNoMistake is returned when the step's records leave no room for the
// step's typical mistake (an IPv6-only server has no IPv4 PTR, say).
var errNoMistake = errors.New("no typical mistake fits these records")

// mistakeFor derives the step's typical mistake from its right records,
// the way people make it.
func mistakeFor(stepID string, cfg steps.Config, records []steps.Record) (mistake, error) {
	derive := map[string]func(steps.Config, []steps.Record) (mistake, bool){
		steps.IDHost:       hostMistake,
		steps.IDMX:         mxMistake,
		steps.IDPTR:        ptrMistake,
		steps.IDSPF:        spfMistake,
		steps.IDDKIM:       dkimMistake,
		steps.IDDMARC:      dmarcMistake,
		steps.IDAutoconfig: autoconfigMistake,
		steps.IDMTASTS:     mtastsMistake,
		steps.IDTLSRPT:     tlsrptMistake,
		steps.IDDANE:       daneMistake,
	}[stepID]
	if derive == nil {
		return mistake{}, fmt.Errorf("no typical mistake for step %q", stepID)
	}
	// The transformations edit records in place: give them a copy.
	m, ok := derive(cfg, append([]steps.Record(nil), records...))
	if !ok {
		return mistake{}, errNoMistake
	}
	return m, nil
}

// hostMistake: a CNAME to another name instead of A/AAAA records at the
// mail host (RFC 2181 §10.3: MX and SRV targets must not be aliases).
func hostMistake(cfg steps.Config, records []steps.Record) (mistake, bool) {
	alias := "server1." + cfg.Domain
	var ttl uint32
	moved := false
	for i, r := range records {
		if (r.Type == "A" || r.Type == "AAAA") && strings.EqualFold(r.Name, cfg.Host) {
			records[i].Name = alias
			ttl, moved = r.TTL, true
		}
	}
	if !moved {
		return mistake{}, false
	}
	records = append(records, steps.Record{Name: cfg.Host, Type: "CNAME", TTL: ttl, Value: alias})
	return mistake{
		records: records,
		what:    fmt.Sprintf("%s is a CNAME to %s instead of having its own address records", cfg.Host, alias),
	}, true
}

// mxMistake: the whole name typed into a Host field that appends the
// zone, so the record sits at <domain>.<domain>.
func mxMistake(cfg steps.Config, records []steps.Record) (mistake, bool) {
	for i, r := range records {
		if r.Type != "MX" || !strings.EqualFold(r.Name, cfg.Domain) {
			continue
		}
		doubled := strings.TrimSuffix(r.Name, ".") + "." + cfg.Domain
		records[i].Name = doubled
		return mistake{
			records: records,
			what:    fmt.Sprintf("the MX record sits at %s, because the form appended the domain to a Host typed as the whole name", doubled),
		}, true
	}
	return mistake{}, false
}

// ptrMistake: the hosting provider's generic reverse name left in place
// for the first IPv4 address, in Hetzner's static.….clients.your-server.de.
// form.
func ptrMistake(cfg steps.Config, records []steps.Record) (mistake, bool) {
	for i, r := range records {
		reversed, ok := strings.CutSuffix(dns.CanonicalName(r.Name), ".in-addr.arpa.")
		if r.Type != "PTR" || !ok {
			continue
		}
		octets := strings.Split(reversed, ".")
		slices.Reverse(octets)
		generic := "static." + reversed + ".clients.your-server.de."
		records[i].Value = generic
		return mistake{
			records: records,
			what: fmt.Sprintf("the reverse DNS (PTR) of %s is still the hosting provider's generic name %s, not %s",
				strings.Join(octets, "."), generic, cfg.Host),
		}, true
	}
	return mistake{}, false
}

// spfMistake: a second SPF record on the domain, as a newsletter service
// asks its customers to add, next to the right one (RFC 7208 §3.2: both
// are then void).
func spfMistake(cfg steps.Config, records []steps.Record) (mistake, bool) {
	const second = "v=spf1 include:_spf.newsletter.example ~all"
	for _, r := range records {
		if r.Type == "TXT" && strings.EqualFold(r.Name, cfg.Domain) {
			records = append(records, steps.Record{Name: r.Name, Type: "TXT", TTL: r.TTL, Value: second})
			return mistake{
				records: records,
				what:    fmt.Sprintf("%s has a second SPF record, %q, next to the right one", r.Name, second),
			}, true
		}
	}
	return mistake{}, false
}

// dkimMistake: the value pasted from a zone file into a form that keeps
// quotes, so the " " between the file's 255-character strings sits inside
// p=.
func dkimMistake(_ steps.Config, records []steps.Record) (mistake, bool) {
	for i, r := range records {
		p := strings.Index(r.Value, "p=")
		if r.Type != "TXT" || p < 0 || len(r.Value)-p < 4 {
			continue
		}
		// Where the zone file splits the value; for a value that fits one
		// string (Ed25519), halfway through the key.
		cut := 255
		if len(r.Value) <= cut {
			cut = p + 2 + (len(r.Value)-p-2)/2
		}
		records[i].Value = r.Value[:cut] + `" "` + r.Value[cut:]
		return mistake{
			records: records,
			what:    fmt.Sprintf(`the DKIM record %s holds the quotes and space of a pasted zone file (" ") at character %d, inside p=`, r.Name, cut+1),
		}, true
	}
	return mistake{}, false
}

// dmarcMistake: the record published on the domain itself, where it does
// nothing, instead of at _dmarc.
func dmarcMistake(cfg steps.Config, records []steps.Record) (mistake, bool) {
	for i, r := range records {
		if r.Type != "TXT" || !strings.EqualFold(r.Name, "_dmarc."+cfg.Domain) {
			continue
		}
		records[i].Name = cfg.Domain
		return mistake{
			records: records,
			what:    fmt.Sprintf("the DMARC record sits on %s itself instead of at %s", cfg.Domain, r.Name),
		}, true
	}
	return mistake{}, false
}

// autoconfigMistake: an SRV record with the port of the neighbouring
// service (587 for 465, 143 for 993, …), preferring _submissions._tcp.
func autoconfigMistake(_ steps.Config, records []steps.Record) (mistake, bool) {
	best := -1
	for i, r := range records {
		if _, ok := wrongPort(r); !ok {
			continue
		}
		if best < 0 || strings.HasPrefix(r.Name, "_submissions._tcp.") {
			best = i
		}
	}
	if best < 0 {
		return mistake{}, false
	}
	r := records[best]
	fields := strings.Fields(r.Value)
	wrong, _ := wrongPort(r)
	records[best].Value = strings.Join([]string{fields[0], fields[1], wrong, fields[3]}, " ")
	return mistake{
		records: records,
		what:    fmt.Sprintf("the SRV record %s points mail apps at port %s instead of %s", r.Name, wrong, fields[2]),
	}, true
}

// wrongPort returns the port people confuse with the SRV record's port,
// for an SRV record that offers a service.
func wrongPort(r steps.Record) (string, bool) {
	fields := strings.Fields(r.Value)
	if r.Type != "SRV" || len(fields) != 4 || fields[3] == "." {
		return "", false
	}
	port, err := strconv.Atoi(fields[2])
	if err != nil {
		return "", false
	}
	confused := map[int]int{465: 587, 587: 465, 993: 143, 143: 993, 995: 110, 110: 995, 443: 80}[port]
	if confused == 0 {
		return "", false
	}
	return strconv.Itoa(confused), true
}

// mtastsMistake: a policy id written as a date with dashes, which RFC
// 8461 does not allow (letters and digits only).
func mtastsMistake(_ steps.Config, records []steps.Record) (mistake, bool) {
	for i, r := range records {
		if r.Type == "TXT" && strings.HasPrefix(r.Value, "v=STSv1;") {
			records[i].Value = "v=STSv1; id=2026-03-01"
			return mistake{
				records: records,
				what:    fmt.Sprintf("the MTA-STS record %s has the id 2026-03-01, with dashes, which senders do not accept", r.Name),
			}, true
		}
	}
	return mistake{}, false
}

// tlsrptMistake: the report address without mailto:, as DMARC habits
// suggest.
func tlsrptMistake(_ steps.Config, records []steps.Record) (mistake, bool) {
	for i, r := range records {
		addr, ok := strings.CutPrefix(r.Value, "v=TLSRPTv1; rua=mailto:")
		if r.Type != "TXT" || !ok {
			continue
		}
		records[i].Value = "v=TLSRPTv1; rua=" + addr
		return mistake{
			records: records,
			what:    fmt.Sprintf("the TLS-RPT record %s names the report address without mailto:", r.Name),
		}, true
	}
	return mistake{}, false
}

// daneMistake: the TLSA record of the previous certificate's key alone,
// as after a renewal that made a new key (certbot's default).
func daneMistake(_ steps.Config, records []steps.Record) (mistake, bool) {
	for _, r := range records {
		if r.Type != "TLSA" || !strings.HasPrefix(r.Value, "3 1 1 ") {
			continue
		}
		old := r
		old.Value = "3 1 1 " + strings.Repeat("0e1d", 16)
		return mistake{
			records: []steps.Record{old},
			what:    fmt.Sprintf("the TLSA record %s pins the key of the previous certificate: the renewal made a new key", r.Name),
		}, true
	}
	return mistake{}, false
}

// Mistake returns the records of the step's typical mistake for cfg in
// place of the step's own, and names the mistake in a sentence fragment:
// what PublishMistake publishes for a step with records. Tests use it to
// show every mistake without a running world.
func Mistake(stepID string, cfg steps.Config) ([]steps.Record, string, error) {
	step, ok := steps.ByID(stepID)
	if !ok {
		return nil, "", fmt.Errorf("no step %q", stepID)
	}
	m, err := mistakeFor(stepID, cfg, step.Records(cfg))
	if err != nil {
		return nil, "", err
	}
	return m.records, m.what, nil
}
