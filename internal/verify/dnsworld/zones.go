package dnsworld

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/miekg/dns"
)

// Zones is the data a server answers from: a set of zones, each with its
// SOA and records. It is safe for concurrent use, and records may be added
// and removed while servers answer from it (the demo "publishes" this way).
// Owner names are kept lower-case and absolute.
type Zones struct {
	mu    sync.RWMutex
	zones map[string]*zone // by apex
}

// zone is one zone's data. Its SOA is kept apart so that removing records
// never leaves a zone without one.
type zone struct {
	apex  string
	soa   *dns.SOA
	names map[string][]dns.RR // owner → records, SOA excluded
	// signer signs the zone's answers; nil for an unsigned zone.
	signer *ZoneSigner
}

// NewZones returns an empty set of zones.
func NewZones() *Zones {
	return &Zones{zones: make(map[string]*zone)}
}

// AddZone parses text, a zone in RFC 1035 presentation format with absolute
// names or an $ORIGIN, and adds it. The zone's apex is the owner of its SOA
// record; text must hold exactly one. If the zone exists, its SOA is
// replaced and the records are added to it.
func (z *Zones) AddZone(text string) error {
	rrs, err := parseRRs(text)
	if err != nil {
		return err
	}
	var soas []*dns.SOA
	rest := rrs[:0:0]
	for _, rr := range rrs {
		if soa, ok := rr.(*dns.SOA); ok {
			soas = append(soas, soa)
			continue
		}
		rest = append(rest, rr)
	}
	if len(soas) != 1 {
		return fmt.Errorf("zone text has %d SOA records, want exactly one", len(soas))
	}
	if err := z.AddRR(soas[0]); err != nil {
		return err
	}
	return z.AddRR(rest...)
}

// Add parses each record (presentation format, absolute owner, e.g.
// "_dmarc.example.com. 300 IN TXT \"v=DMARC1; p=none\"") and adds it to the
// deepest zone that holds its owner. An SOA record creates its zone, or
// replaces the SOA of an existing one.
func (z *Zones) Add(rrs ...string) error {
	parsed, err := parseRRs(strings.Join(rrs, "\n"))
	if err != nil {
		return err
	}
	return z.AddRR(parsed...)
}

// AddRR adds records, like Add. A record equal to one already present (TTL
// aside) is not added twice. Either every record is added or, when one has
// no zone to go to, none.
func (z *Zones) AddRR(rrs ...dns.RR) error {
	z.mu.Lock()
	defer z.mu.Unlock()
	// SOAs first, so that a zone and its records can come in one call.
	pending := make(map[string]bool)
	for _, rr := range rrs {
		if rr == nil {
			return errors.New("nil record")
		}
		if rr.Header().Rrtype == dns.TypeSOA {
			pending[dns.CanonicalName(rr.Header().Name)] = true
		}
	}
	for _, rr := range rrs {
		owner := dns.CanonicalName(rr.Header().Name)
		if rr.Header().Rrtype == dns.TypeSOA || pending[owner] {
			continue
		}
		if z.enclosingLocked(owner) == nil && !enclosedBy(owner, pending) {
			return fmt.Errorf("no zone holds %s", rrString(rr))
		}
	}
	for _, rr := range rrs {
		rr = dns.Copy(rr)
		rr.Header().Name = dns.CanonicalName(rr.Header().Name)
		if soa, ok := rr.(*dns.SOA); ok {
			z.setSOALocked(soa)
		}
	}
	for _, rr := range rrs {
		if rr.Header().Rrtype == dns.TypeSOA {
			continue
		}
		rr = dns.Copy(rr)
		owner := dns.CanonicalName(rr.Header().Name)
		rr.Header().Name = owner
		zn := z.enclosingLocked(owner)
		if slices.ContainsFunc(zn.names[owner], func(old dns.RR) bool { return dns.IsDuplicate(old, rr) }) {
			continue
		}
		zn.names[owner] = append(zn.names[owner], rr)
	}
	return nil
}

// setSOALocked creates the zone of soa or replaces its SOA.
func (z *Zones) setSOALocked(soa *dns.SOA) {
	apex := soa.Hdr.Name
	if zn, ok := z.zones[apex]; ok {
		zn.soa = soa
		return
	}
	z.zones[apex] = &zone{apex: apex, soa: soa, names: make(map[string][]dns.RR)}
}

// enclosedBy reports whether name is at or below one of the apexes.
func enclosedBy(name string, apexes map[string]bool) bool {
	for apex := range apexes {
		if dns.IsSubDomain(apex, name) {
			return true
		}
	}
	return false
}

// Remove removes the records equal to rr (presentation format; the TTL is
// ignored) and returns how many were removed.
func (z *Zones) Remove(rr string) (int, error) {
	want, err := dns.NewRR(rr)
	if err != nil {
		return 0, fmt.Errorf("parse %q: %w", rr, err)
	}
	if want == nil {
		return 0, fmt.Errorf("parse %q: no record", rr)
	}
	owner := dns.CanonicalName(want.Header().Name)
	want.Header().Name = owner
	return z.removeWhere(owner, func(have dns.RR) bool { return dns.IsDuplicate(have, want) }), nil
}

// RemoveRRset removes every record of type qtype owned by name (dns.TypeANY:
// every record of name) and returns how many were removed. A zone's SOA is
// never removed.
func (z *Zones) RemoveRRset(name string, qtype uint16) int {
	return z.removeWhere(dns.CanonicalName(name), func(rr dns.RR) bool {
		return qtype == dns.TypeANY || rr.Header().Rrtype == qtype
	})
}

// removeWhere removes the records of owner for which drop holds and
// returns how many it removed.
func (z *Zones) removeWhere(owner string, drop func(dns.RR) bool) int {
	z.mu.Lock()
	defer z.mu.Unlock()
	zn := z.enclosingLocked(owner)
	if zn == nil {
		return 0
	}
	rrs := zn.names[owner]
	kept := slices.DeleteFunc(slices.Clone(rrs), drop)
	zn.setLocked(owner, kept)
	return len(rrs) - len(kept)
}

// setLocked replaces the records of owner.
func (zn *zone) setLocked(owner string, rrs []dns.RR) {
	if len(rrs) == 0 {
		delete(zn.names, owner)
		return
	}
	zn.names[owner] = rrs
}

// Records returns copies of the records of type qtype owned by name
// (dns.TypeANY: all of them, the SOA included at an apex).
func (z *Zones) Records(name string, qtype uint16) []dns.RR {
	owner := dns.CanonicalName(name)
	z.mu.RLock()
	defer z.mu.RUnlock()
	zn := z.enclosingLocked(owner)
	if zn == nil {
		return nil
	}
	return copyRRs(zn.rrsetLocked(owner, qtype))
}

// All returns copies of every record of the zone whose apex is apex, its
// SOA first; none when there is no such zone.
func (z *Zones) All(apex string) []dns.RR {
	z.mu.RLock()
	defer z.mu.RUnlock()
	zn, ok := z.zones[dns.CanonicalName(apex)]
	if !ok {
		return nil
	}
	owners := make([]string, 0, len(zn.names))
	for owner := range zn.names {
		owners = append(owners, owner)
	}
	slices.Sort(owners)
	out := []dns.RR{dns.Copy(zn.soa)}
	for _, owner := range owners {
		out = append(out, copyRRs(zn.names[owner])...)
	}
	return out
}

// Apexes returns the apex of every zone, sorted.
func (z *Zones) Apexes() []string {
	z.mu.RLock()
	defer z.mu.RUnlock()
	out := make([]string, 0, len(z.zones))
	for apex := range z.zones {
		out = append(out, apex)
	}
	slices.Sort(out)
	return out
}

// Clone returns an independent copy of the zones.
func (z *Zones) Clone() *Zones {
	z.mu.RLock()
	defer z.mu.RUnlock()
	out := NewZones()
	for apex, zn := range z.zones {
		cp := &zone{apex: apex, soa: dns.Copy(zn.soa).(*dns.SOA), names: make(map[string][]dns.RR, len(zn.names)), signer: zn.signer}
		for owner, rrs := range zn.names {
			cp.names[owner] = copyRRs(rrs)
		}
		out.zones[apex] = cp
	}
	return out
}

// depth is the number of labels of the deepest zone that holds name, -1
// when none does.
func (z *Zones) depth(name string) int {
	z.mu.RLock()
	defer z.mu.RUnlock()
	zn := z.enclosingLocked(name)
	if zn == nil {
		return -1
	}
	return dns.CountLabel(zn.apex)
}

// enclosingLocked returns the deepest zone that holds name, or nil.
func (z *Zones) enclosingLocked(name string) *zone {
	for n, ok := name, true; ok; n, ok = parent(n) {
		if zn, found := z.zones[n]; found {
			return zn
		}
	}
	return nil
}

// parent is name without its first label ("." above a top-level name); it
// reports false for the root.
func parent(name string) (string, bool) {
	i, end := dns.NextLabel(name, 0)
	if end {
		return "", false
	}
	if p := name[i:]; p != "" {
		return p, true
	}
	return ".", true
}

// rrsetLocked returns the zone's records of type qtype owned by name.
func (zn *zone) rrsetLocked(name string, qtype uint16) []dns.RR {
	var out []dns.RR
	if name == zn.apex && (qtype == dns.TypeSOA || qtype == dns.TypeANY) {
		out = append(out, zn.soa)
	}
	for _, rr := range zn.names[name] {
		if qtype == dns.TypeANY || rr.Header().Rrtype == qtype {
			out = append(out, rr)
		}
	}
	return out
}

// existsLocked reports whether name exists in the zone: it owns records or
// is an empty non-terminal (RFC 8020: then the answer is NODATA, not
// NXDOMAIN).
func (zn *zone) existsLocked(name string) bool {
	if name == zn.apex || len(zn.names[name]) > 0 {
		return true
	}
	// Names are kept lower-case and absolute: a name below name ends in
	// "." + name.
	below := "." + name
	for owner := range zn.names {
		if strings.HasSuffix(owner, below) {
			return true
		}
	}
	return false
}

// defaultTTL is the TTL of records written without one.
const defaultTTL = "$TTL 3600\n"

// parseRRs parses presentation-format records; those without a TTL get
// 3600 s unless text sets its own $TTL.
func parseRRs(text string) ([]dns.RR, error) {
	zp := dns.NewZoneParser(strings.NewReader(defaultTTL+text), "", "")
	var out []dns.RR
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		out = append(out, rr)
	}
	if err := zp.Err(); err != nil {
		return nil, fmt.Errorf("parse records: %w", err)
	}
	return out, nil
}

// copyRRs deep-copies records.
func copyRRs(rrs []dns.RR) []dns.RR {
	if len(rrs) == 0 {
		return nil
	}
	out := make([]dns.RR, len(rrs))
	for i, rr := range rrs {
		out[i] = dns.Copy(rr)
	}
	return out
}

// rrString renders a record for an error message, tabs as spaces.
func rrString(rr dns.RR) string {
	return strings.ReplaceAll(rr.String(), "\t", " ")
}
