package lab

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// tsigAlgorithm is the TSIG algorithm of the lab's update key.
const tsigAlgorithm = "hmac-sha256"

// knotRole makes a Knot instance a primary that notifies a secondary, or
// the secondary that transfers its zones from the primary (both with the
// lab's key). The zero value is a server on its own.
type knotRole struct {
	// primary is the address of the primary, set on the secondary.
	primary netip.Addr
	// notify is the address of the secondary, set on the primary.
	notify netip.Addr
	// signed are the zones the instance signs (automatic signing).
	signed []string
}

// knotConfig is the configuration of one Knot instance: listening on addr
// port 53, with its PID file and control socket in runDir and its database
// in dir, serving zones from zoneDir, accepting updates and zone transfers
// signed with the lab's key. Updates stay in memory (no zone file sync, no
// journal).
func knotConfig(runDir, dir string, addr netip.Addr, zoneDir, keyName, secret string, zones []string, roles ...knotRole) string {
	var role knotRole
	if len(roles) > 0 {
		role = roles[0]
	}
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
  - id: lab-transfer
    key: %s
    action: transfer
  - id: lab-notify
    key: %s
    action: notify
%s
template:
  - id: default
    storage: %q
    file: "%%s.zone"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    acl: [lab-update, lab-transfer, lab-notify]
%s%s
zone:
`, runDir, addr, dir, keyName, tsigAlgorithm, secret, keyName, keyName, keyName, role.remotes(keyName), zoneDir, role.zoneOptions(), role.policy())
	for _, z := range zones {
		fmt.Fprintf(&b, "  - domain: %s\n", z)
		if slices.Contains(role.signed, z) {
			b.WriteString("    dnssec-signing: on\n    dnssec-policy: lab\n")
		}
	}
	return b.String()
}

// policy is the signing policy of an instance that signs zones: ECDSA
// P-256 keys, signatures for 30 days renewed 14 days ahead (never within
// the week a check warns about), NSEC.
func (r knotRole) policy() string {
	if len(r.signed) == 0 {
		return ""
	}
	return `
policy:
  - id: lab
    algorithm: ecdsap256sha256
    rrsig-lifetime: 30d
    rrsig-refresh: 14d
    nsec3: off
`
}

// remotes is the remote section of a primary or a secondary.
func (r knotRole) remotes(keyName string) string {
	var b strings.Builder
	for _, rm := range []struct {
		id   string
		addr netip.Addr
	}{{"primary", r.primary}, {"secondary", r.notify}} {
		if rm.addr.IsValid() {
			if b.Len() == 0 {
				b.WriteString("\nremote:\n")
			}
			fmt.Fprintf(&b, "  - id: %s\n    address: %s@53\n    key: %s\n", rm.id, rm.addr, keyName)
		}
	}
	return b.String()
}

// zoneOptions are the template lines of a primary or a secondary.
func (r knotRole) zoneOptions() string {
	switch {
	case r.primary.IsValid():
		return "    master: primary\n"
	case r.notify.IsValid():
		return "    notify: secondary\n"
	}
	return ""
}
