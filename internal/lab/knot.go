package lab

import (
	"fmt"
	"net/netip"
	"strings"
)

// tsigAlgorithm is the TSIG algorithm of the lab's update key.
const tsigAlgorithm = "hmac-sha256"

// knotConfig is the configuration of one Knot instance: listening on addr
// port 53, with its PID file and control socket in runDir and its database
// in dir, serving zones from zoneDir, accepting updates signed with the
// lab's key. Updates stay in memory (no zone file sync, no journal).
func knotConfig(runDir, dir string, addr netip.Addr, zoneDir, keyName, secret string, zones []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `server:
    rundir: %q
    listen: %s@53
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1

log:
  - target: stderr
    any: info

database:
    storage: %q

key:
  - id: %s
    algorithm: %s
    secret: %s

acl:
  - id: lab-update
    key: %s
    action: update

template:
  - id: default
    storage: %q
    file: "%%s.zone"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    acl: lab-update

zone:
`, runDir, addr, dir, keyName, tsigAlgorithm, secret, keyName, zoneDir)
	for _, z := range zones {
		fmt.Fprintf(&b, "  - domain: %s\n", z)
	}
	return b.String()
}
