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
// addr port 53, iterating (no DNSSEC validation), a stub zone per lab zone
// pointing at the Knot instances, and the root as a stub to the first one
// so that no name outside the lab ever leaves the machine. Unbound's
// built-in local zones (documentation and private reverse ranges) would
// answer for the lab's reverse zones; nodefault switches them off.
func unboundConfig(dir string, addr netip.Addr, knots []netip.Addr, zones []string) string {
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
    module-config: "iterator"
    qname-minimisation: no
    cache-max-negative-ttl: %d
`, addr, dir, maxNegativeTTL)
	for _, z := range zones {
		fmt.Fprintf(&b, "    local-zone: %q nodefault\n", z)
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
