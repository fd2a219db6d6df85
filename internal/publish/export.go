package publish

import (
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// ExportGroup is one step's records for an export: its id, title, where
// they are published, and the records.
type ExportGroup struct {
	ID, Title string
	Where     steps.Where
	Records   []steps.Record
	// Files are files to serve with the records, written as comments.
	Files []steps.File
}

// exported is a record ready for an export: its name relative to the
// domain ("@" for the apex), or why it is left out.
type exported struct {
	rec   steps.Record
	rel   string
	note  string
	other string // not in this zone: where it goes instead
}

// exportRecords lays the groups' records out relative to domain, each
// with its ownership note.
func exportRecords(domain string, groups []ExportGroup) []exported {
	domain = canonical(domain)
	var out []exported
	for _, g := range groups {
		for _, r := range g.Records {
			e := exported{rec: r, rel: r.Host(domain), note: OwnershipNote(g.ID, r.Type)}
			switch {
			case g.Where == steps.AtHostingProvider:
				e.other = "reverse DNS, set at your hosting provider"
			case !under(canonical(r.Name), domain):
				e.other = "in the zone that holds " + canonical(r.Name)
			}
			out = append(out, e)
		}
	}
	return out
}

// WriteDNSControl writes the records as a DNSControl D() entry for the
// domain, with what mailwizard owns as comments; records that belong
// elsewhere are comments too.
func WriteDNSControl(w io.Writer, domain string, groups []ExportGroup) error {
	var b strings.Builder
	apex := strings.TrimSuffix(canonical(domain), ".")
	fmt.Fprintf(&b, "// mailwizard: the records of the mail server of %s, for dnsconfig.js.\n", apex)
	b.WriteString("// Declare your registrar and DNS provider first, e.g.\n")
	b.WriteString("//   var REG = NewRegistrar(\"none\");\n//   var DSP = NewDnsProvider(\"…\");\n")
	fmt.Fprintf(&b, "// When dnsconfig.js already has D(%q, …), add these lines to it (or use D_EXTEND).\n", apex)
	fmt.Fprintf(&b, "D(%q, REG, DnsProvider(DSP),\n", apex)
	var lastNote string
	for _, e := range exportRecords(domain, groups) {
		line, ok := dnscontrolLine(e.rec, e.rel)
		switch {
		case e.other != "":
			fmt.Fprintf(&b, "\t// %s: %s\n", e.other, zoneLine(e.rec))
			continue
		case !ok:
			fmt.Fprintf(&b, "\t// cannot be written for DNSControl: %s\n", zoneLine(e.rec))
			continue
		}
		if e.note != "" && e.note != lastNote {
			fmt.Fprintf(&b, "\t// %s\n", e.note)
			lastNote = e.note
		}
		b.WriteString("\t" + line + ",\n")
	}
	for _, f := range exportFiles(groups) {
		b.WriteString(strings.Join(f.CommentLines("\t// "), "\n") + "\n")
	}
	b.WriteString(");\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// exportFiles are the files of every group, in order.
func exportFiles(groups []ExportGroup) []steps.File {
	var out []steps.File
	for _, g := range groups {
		out = append(out, g.Files...)
	}
	return out
}

// dnscontrolLine is one record as a DNSControl record function.
func dnscontrolLine(r steps.Record, rel string) (string, bool) {
	ttl := fmt.Sprintf("TTL(%d)", r.TTL)
	f := r.Form("")
	switch r.Type {
	case "A", "AAAA", "CNAME", "TXT":
		return fmt.Sprintf("%s(%s, %s, %s)", r.Type, js(rel), js(r.Value), ttl), true
	case "MX":
		if f.Priority != nil {
			return fmt.Sprintf("MX(%s, %d, %s, %s)", js(rel), *f.Priority, js(f.Target), ttl), true
		}
	case "SRV":
		if f.Port != nil {
			return fmt.Sprintf("SRV(%s, %d, %d, %d, %s, %s)", js(rel), *f.Priority, *f.Weight, *f.Port, js(f.Target), ttl), true
		}
	case "TLSA":
		if t, ok := tlsaOf(r); ok {
			return fmt.Sprintf("TLSA(%s, %d, %d, %d, %s, %s)", js(rel), t.Usage, t.Selector, t.MatchingType, js(t.Certificate), ttl), true
		}
	}
	return "", false
}

// tlsaOf is r as a TLSA record, when it is one whose value parses and
// holds association data.
func tlsaOf(r steps.Record) (*dns.TLSA, bool) {
	rr, err := r.RR()
	t, ok := rr.(*dns.TLSA)
	return t, err == nil && ok && t.Certificate != ""
}

// js is s as a JavaScript string literal (JSON's quoting is valid
// JavaScript).
func js(s string) string {
	out, _ := json.Marshal(s)
	return string(out)
}

// WriteOctoDNS writes the records as an OctoDNS zone file (YAML) for the
// domain: names relative to it, an empty name for the apex, with what mailwizard
// owns as comments; records that belong elsewhere are comments too.
func WriteOctoDNS(w io.Writer, domain string, groups []ExportGroup) error {
	var b strings.Builder
	apex := strings.TrimSuffix(canonical(domain), ".")
	fmt.Fprintf(&b, "---\n# mailwizard: the records of the mail server of %s, for OctoDNS (%s.yaml).\n", apex, apex)
	b.WriteString("# Merge them into the zone's file: OctoDNS manages the whole zone.\n")
	type nameType struct{ name, rtype string }
	var order []string
	byName := map[string][]nameType{}
	recs := map[nameType][]exported{}
	for _, e := range exportRecords(domain, groups) {
		if e.other != "" {
			fmt.Fprintf(&b, "# %s: %s\n", e.other, zoneLine(e.rec))
			continue
		}
		name := e.rel
		if name == "@" {
			name = ""
		}
		k := nameType{name, e.rec.Type}
		if !slices.Contains(order, name) {
			order = append(order, name)
		}
		if !slices.Contains(byName[name], k) {
			byName[name] = append(byName[name], k)
		}
		recs[k] = append(recs[k], e)
	}
	for _, f := range exportFiles(groups) {
		b.WriteString(strings.Join(f.CommentLines("# "), "\n") + "\n")
	}
	for _, name := range order {
		fmt.Fprintf(&b, "%s:\n", yamlString(name))
		for _, k := range byName[name] {
			es := recs[k]
			if es[0].note != "" {
				fmt.Fprintf(&b, "  # %s\n", es[0].note)
			}
			fmt.Fprintf(&b, "  - type: %s\n    ttl: %d\n", k.rtype, es[0].rec.TTL)
			if k.rtype == "CNAME" {
				// An alias has one value (RFC 1034 §3.6.2).
				fmt.Fprintf(&b, "    value: %s\n", yamlString(es[0].rec.Value))
				continue
			}
			b.WriteString("    values:\n")
			for _, e := range es {
				b.WriteString(octodnsValue(e.rec))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// octodnsValue is one value of an OctoDNS record, as a YAML list item.
func octodnsValue(r steps.Record) string {
	f := r.Form("")
	switch {
	case r.Type == "MX" && f.Priority != nil:
		return fmt.Sprintf("      - exchange: %s\n        preference: %d\n", yamlString(f.Target), *f.Priority)
	case r.Type == "SRV" && f.Port != nil:
		return fmt.Sprintf("      - priority: %d\n        weight: %d\n        port: %d\n        target: %s\n", *f.Priority, *f.Weight, *f.Port, yamlString(f.Target))
	case r.Type == "TLSA":
		if t, ok := tlsaOf(r); ok {
			return fmt.Sprintf("      - certificate_usage: %d\n        selector: %d\n        matching_type: %d\n        certificate_association_data: %s\n",
				t.Usage, t.Selector, t.MatchingType, yamlString(t.Certificate))
		}
	case r.Type == "TXT":
		// OctoDNS wants semicolons in TXT values escaped.
		return "      - " + yamlString(strings.ReplaceAll(r.Value, ";", `\;`)) + "\n"
	case r.Type == "A" || r.Type == "AAAA":
		if ip, err := netip.ParseAddr(r.Value); err == nil {
			return "      - " + yamlString(ip.String()) + "\n"
		}
	}
	return "      - " + yamlString(r.Value) + "\n"
}

// yamlString is s as a YAML single-quoted scalar, where only the quote
// itself is escaped (by doubling it).
func yamlString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
