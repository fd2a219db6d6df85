package dnsworld

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/miekg/dns"
)

// HostileDomain is the zone of the hostile worlds, with the mail records of
// a complete domain.
const HostileDomain = "example.com."

// hostileNSDomain holds the hostile worlds' nameserver names.
const hostileNSDomain = "hostile.example.net."

// NewManyNameservers builds a lab whose zone example.com. (a complete mail
// domain) names n nameservers, ns1.hostile.example.net. to
// ns<n>.hostile.example.net., as a hostile zone's owner may. With shared
// they all have the address 198.18.0.1; otherwise each has its own
// (198.18.0.1, 198.18.0.2, …). The resolver gives no glue, so that every
// address the asker wants is looked up. The lab's first server answers on
// every one of the addresses; the lab's own nameservers serve the rest.
func NewManyNameservers(n int, shared bool, zoneLines ...string) (*Lab, error) {
	if n < 1 || n > 1<<16 {
		return nil, fmt.Errorf("hostile nameservers %d: want 1 to 65536", n)
	}
	lab, err := NewLab(LabConfig{Zones: []string{Zone(HostileDomain, zoneLines...)}, MinimalResponses: true})
	if err != nil {
		return nil, err
	}
	lab.RemoveRRset(HostileDomain, dns.TypeNS)
	rrs := make([]string, 0, 2*n)
	addrs := make([]netip.Addr, 0, n)
	for i := range n {
		a := netip.AddrFrom4([4]byte{198, 18, byte((i + 1) >> 8), byte(i + 1)})
		if shared {
			a = netip.AddrFrom4([4]byte{198, 18, 0, 1})
		}
		name := fmt.Sprintf("ns%d.%s", i+1, hostileNSDomain)
		rrs = append(rrs, fmt.Sprintf("%s 3600 IN NS %s", HostileDomain, name), fmt.Sprintf("%s 3600 IN A %s", name, a))
		addrs = append(addrs, a)
	}
	if err := lab.Add(rrs...); err != nil {
		return nil, errors.Join(fmt.Errorf("hostile nameservers: %w", err), lab.Close())
	}
	lab.Route(lab.Servers[0], addrs...)
	return lab, nil
}
