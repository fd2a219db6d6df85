package dnsworld

import (
	"fmt"
	"strings"

	"github.com/miekg/dns"
)

// Zone returns the text of a zone at apex: an $ORIGIN, a default TTL of
// 3600, an SOA whose MINIMUM (the negative-caching TTL) is 3600, then lines
// as given, which may use names relative to apex and "@":
//
//	dnsworld.Zone("example.com.",
//		"@ MX 10 mail",
//		"mail A 192.0.2.25",
//		`_dmarc TXT "v=DMARC1; p=none"`,
//	)
func Zone(apex string, lines ...string) string {
	apex = dns.CanonicalName(apex)
	var b strings.Builder
	fmt.Fprintf(&b, "$ORIGIN %s\n$TTL 3600\n", apex)
	fmt.Fprintf(&b, "@ IN SOA ns1.%s hostmaster.%s 1 7200 3600 1209600 3600\n", apex, apex)
	for _, line := range lines {
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}
