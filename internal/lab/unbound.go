package lab

import (
	"fmt"
	"net/netip"
	"strings"
)

// maxNegativeTTL caps how long Unbound caches "no such name": the lab's
// SOA minimum, so a negative answer stays cached for the whole test.
const maxNegativeTTL = 3600

// unboundConfig is the configuration of the lab's resolver: listening on
// addr port 53, iterating (no DNSSEC validation, unless trust anchors are
// given: DNSKEY records, as zone-file lines, of the lab's signed top zone),
// a stub zone per lab zone pointing at the Knot instances, and the root as
// a stub to the first one so that no name outside the lab ever leaves the
// machine. Unbound's built-in local zones (documentation and private
// reverse ranges) would answer for the lab's reverse zones; nodefault
// switches them off.
func unboundConfig(dir string, addr netip.Addr, knots []netip.Addr, zones []string, anchors ...string) string {
	modules := "iterator"
	if len(anchors) > 0 {
		modules = "validator iterator"
	}
	var b strings.Builder
	fmt.Fprintf(&b, `server:
    interface: %s
    port: 53
    do-daemonize: no
    username: ""
    chroot: ""
    directory: %q
    pidfile: ""
    use-syslog: no
    logfile: ""
    verbosity: 1
    num-threads: 1
    access-control: 127.0.0.0/8 allow
    do-not-query-localhost: no
    do-ip6: no
    module-config: "%s"
    qname-minimisation: no
    cache-max-negative-ttl: %d
`, addr, dir, modules, maxNegativeTTL)
	for _, z := range zones {
		fmt.Fprintf(&b, "    local-zone: %q nodefault\n", z)
	}
	if len(anchors) > 0 {
		// Validation, rooted in the lab's own signed zone; names outside
		// it are insecure, as they would be without a root anchor.
		b.WriteString("    val-log-level: 2\n")
		for _, a := range anchors {
			fmt.Fprintf(&b, "    trust-anchor: %q\n", strings.Join(strings.Fields(a), " "))
		}
	}
	b.WriteString("\nremote-control:\n    control-enable: no\n")
	for _, z := range zones {
		fmt.Fprintf(&b, "\nstub-zone:\n    name: %q\n", z)
		for _, k := range knots {
			fmt.Fprintf(&b, "    stub-addr: %s@53\n", k)
		}
	}
	fmt.Fprintf(&b, "\nstub-zone:\n    name: \".\"\n    stub-addr: %s@53\n", knots[0])
	return b.String()
}
