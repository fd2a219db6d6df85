package steps

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// RR builds the resource record. It fails only for a Record whose type or
// value does not parse.
func (r Record) RR() (dns.RR, error) {
	if r.Type == "TXT" {
		txt := &dns.TXT{
			Hdr: dns.RR_Header{Name: dns.Fqdn(r.Name), Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: r.TTL},
		}
		for _, s := range r.Strings() {
			txt.Txt = append(txt.Txt, escapeTXT(s))
		}
		return txt, nil
	}
	rr, err := dns.NewRR(fmt.Sprintf("%s %d IN %s %s", dns.Fqdn(r.Name), r.TTL, r.Type, r.Value))
	if err != nil {
		return nil, fmt.Errorf("record %s %s %q: %w", r.Name, r.Type, r.Value, err)
	}
	if rr == nil {
		return nil, fmt.Errorf("record %s %s %q: empty", r.Name, r.Type, r.Value)
	}
	return rr, nil
}

// ZoneLines renders the record as zone-file lines (TXT split into quoted
// ≤255-octet strings), valid for kzonecheck and named-checkzone. A Record
// that does not parse renders as a comment saying so.
func (r Record) ZoneLines() []string {
	rr, err := r.RR()
	if err != nil {
		return []string{"; " + strings.ReplaceAll(err.Error(), "\n", " ")}
	}
	return []string{rr.String()}
}

// Host is the provider-form Host field: the owner relative to zone, "@" for
// the apex, and the absolute name (with its dot) when the owner is outside
// the zone, as for a PTR record.
func (r Record) Host(zone string) string {
	name, zone := dns.CanonicalName(r.Name), dns.CanonicalName(zone)
	switch {
	case name == zone:
		return "@"
	case zone != "." && strings.HasSuffix(name, "."+zone):
		return strings.TrimSuffix(name, "."+zone)
	}
	return name
}

// Strings splits a TXT value into ≤255-octet strings (RFC 1035 §3.3). Other
// types give their value as the only string.
func (r Record) Strings() []string {
	if r.Type != "TXT" {
		return []string{r.Value}
	}
	return splitTXT(r.Value)
}

// Form is a record as a DNS provider's web form asks for it: the name
// relative to the zone and the value without quotes, with MX and SRV data
// also in the separate fields most forms have.
type Form struct {
	// Host is the owner relative to the zone, "@" for the apex (see
	// Record.Host).
	Host string `json:"host"`
	// Type is the record type: "MX", "TXT", …
	Type string `json:"type"`
	// Value is the whole value as one string, TXT without quotes.
	Value string `json:"value"`
	// TTL is in seconds.
	TTL uint32 `json:"ttl"`
	// Priority, Weight, Port and Target are set for MX (Priority, Target)
	// and SRV (all four).
	Priority *uint16 `json:"priority,omitempty"`
	Weight   *uint16 `json:"weight,omitempty"`
	Port     *uint16 `json:"port,omitempty"`
	Target   string  `json:"target,omitempty"`
}

// Form renders the record for a provider whose zone is zone.
func (r Record) Form(zone string) Form {
	f := Form{Host: r.Host(zone), Type: r.Type, Value: r.Value, TTL: r.TTL}
	fields := strings.Fields(r.Value)
	switch {
	case r.Type == "MX" && len(fields) == 2:
		if p, ok := parseUint16(fields[0]); ok {
			f.Priority, f.Target = &p, fields[1]
		}
	case r.Type == "SRV" && len(fields) == 4:
		p, ok1 := parseUint16(fields[0])
		w, ok2 := parseUint16(fields[1])
		port, ok3 := parseUint16(fields[2])
		if ok1 && ok2 && ok3 {
			f.Priority, f.Weight, f.Port, f.Target = &p, &w, &port, fields[3]
		}
	}
	return f
}

func parseUint16(s string) (uint16, bool) {
	n, err := strconv.ParseUint(s, 10, 16)
	return uint16(n), err == nil
}

// CommentLines renders the file for a zone or configuration file whose
// comments start with prefix ("; ", "// ", "# "): a line saying where to
// serve it, then its content, each line commented. The content comes
// from the Config, never from a stranger.
func (f File) CommentLines(prefix string) []string {
	out := []string{fmt.Sprintf("%snot a DNS record: serve this file at %s (%s):", prefix, f.URL, f.ContentType)}
	for _, line := range strings.Split(strings.TrimSuffix(f.Body, "\n"), "\n") {
		out = append(out, prefix+"  "+line)
	}
	return out
}
