package lab

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/miekg/dns"
)

// Zone is a zone the lab serves. The lab adds its SOA and NS records.
type Zone struct {
	// Apex is the zone's name, "example.com.".
	Apex string
	// Records are zone-file lines with absolute owner names, served by
	// both nameservers.
	Records []string
	// FirstOnly are lines only the first nameserver serves, as if the
	// second had not caught up.
	FirstOnly []string
	// Presign, when set, turns the zone's lines (the SOA and NS records
	// the lab adds included) into the lines of its zone file: a zone
	// signed beforehand, with DNSKEY and RRSIG records, which the
	// nameservers serve as they are (a zone of Zones only).
	Presign func(lines []string) []string
}

// soaLine is the SOA of every lab zone. Its MINIMUM (and TTL), 3600 s, is
// the negative-caching time of a "no such name" (RFC 2308 §5).
func soaLine(apex, home string) string {
	return fmt.Sprintf("%s 3600 IN SOA ns1.%s hostmaster.%s 1 3600 600 86400 3600", apex, home, home)
}

// apartZoneText is the zone file of a zone ns3 serves alone: SOA, an NS
// record naming ns3 of home, then z's records.
func apartZoneText(z Zone, home string) string {
	apex := dns.CanonicalName(z.Apex)
	var b strings.Builder
	fmt.Fprintf(&b, "$TTL 3600\n%s\n%s 3600 IN NS ns3.%s\n", soaLine(apex, home), apex, home)
	for _, line := range z.Records {
		b.WriteString(line + "\n")
	}
	return b.String()
}

// zoneText is the zone file of z for one nameserver: SOA, NS records
// naming ns1 and ns2 of home, their addresses when z is home, then z's
// records (and its FirstOnly records when first is set).
func zoneText(z Zone, home string, ns []netip.Addr, first bool) string {
	apex := dns.CanonicalName(z.Apex)
	var b strings.Builder
	fmt.Fprintf(&b, "$TTL 3600\n%s\n", soaLine(apex, home))
	for i := range ns {
		fmt.Fprintf(&b, "%s 3600 IN NS ns%d.%s\n", apex, i+1, home)
	}
	if apex == home {
		for i, a := range ns {
			fmt.Fprintf(&b, "ns%d.%s 3600 IN A %s\n", i+1, home, a)
		}
	}
	for _, line := range z.Records {
		b.WriteString(line + "\n")
	}
	if first {
		for _, line := range z.FirstOnly {
			b.WriteString(line + "\n")
		}
	}
	if z.Presign == nil {
		return b.String()
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	return lines[0] + "\n" + strings.Join(z.Presign(lines[1:]), "\n") + "\n"
}
