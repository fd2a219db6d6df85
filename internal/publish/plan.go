package publish

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// Action is what a plan does about the records one step wants at one name
// and type.
type Action string

// Actions, with the mark the plan shows them with.
const (
	Add       Action = "add"       // + the name holds none of the step's records yet
	Replace   Action = "replace"   // ~ the step's records there are not (all) the wanted ones
	Keep      Action = "keep"      // = already right
	Conflict  Action = "conflict"  // ! something the step does not own is in the way: not touched
	Elsewhere Action = "elsewhere" // published elsewhere by the user: PTR at the hosting provider, another zone
)

// Change is the plan for the records one step wants at one name and type.
type Change struct {
	Step   string
	Action Action
	// Name (absolute) and Type of the records.
	Name, Type string
	// What names the records in words: "SPF record".
	What string
	// Want are the step's records at Name and Type.
	Want []steps.Record
	// Add are the wanted records the zone lacks; Remove are the records
	// the step owns there that are not wanted (current records, as the
	// provider returned them).
	Add, Remove []steps.Record
	// Why says why a conflict is not touched, or where a record is
	// published instead. It holds strangers' data: escape it before
	// printing (Lines does).
	Why string
	// Optional is set when every wanted record is optional: a conflict
	// then leaves them out and does not count.
	Optional bool
}

// StepRecords are the records one step wants, as steps.Step.Records
// returns them.
type StepRecords struct {
	ID      string
	Where   steps.Where
	Records []steps.Record
}

// Plan is what publishing the steps' records into one zone would change.
type Plan struct {
	// Zone is the apex, "example.com.".
	Zone string
	// Changes are in the order of the steps and of their records.
	Changes []Change
}

// Wanted returns the records of every step of cfg that is not skipped
// (all of them when ids is empty, else those named), ready for Compute.
func Wanted(cfg steps.Config, ids ...string) []StepRecords {
	var out []StepRecords
	for _, st := range steps.All() {
		if slices.Contains(cfg.Skip, st.ID) || len(ids) > 0 && !slices.Contains(ids, st.ID) {
			continue
		}
		if recs := st.Records(cfg); len(recs) > 0 {
			out = append(out, StepRecords{ID: st.ID, Where: st.Where, Records: recs})
		}
	}
	return out
}

// Compute plans the wanted records into zone, whose records are current.
// It is pure: the same input gives the same plan, and a plan computed from
// a zone that already holds every wanted record has nothing to change.
func Compute(zone string, want []StepRecords, current []steps.Record) Plan {
	zone = canonical(zone)
	z := newZoneIndex(zone, current)
	p := Plan{Zone: zone}
	for _, sr := range want {
		for _, g := range groupRecords(sr.Records) {
			p.Changes = append(p.Changes, z.plan(sr, g))
		}
	}
	return p
}

// group are a step's records at one name and type.
type group struct {
	name, rtype string
	recs        []steps.Record
}

// groupRecords groups records by name and type, in their order, dropping
// duplicates.
func groupRecords(recs []steps.Record) []group {
	var out []group
	for _, r := range recs {
		name := canonical(r.Name)
		i := slices.IndexFunc(out, func(g group) bool { return g.name == name && g.rtype == r.Type })
		if i < 0 {
			out = append(out, group{name: name, rtype: r.Type})
			i = len(out) - 1
		}
		if !slices.ContainsFunc(out[i].recs, func(q steps.Record) bool { return sameRecord(q, r) }) {
			out[i].recs = append(out[i].recs, r)
		}
	}
	return out
}

// zoneIndex is the zone's current records by name.
type zoneIndex struct {
	zone   string
	byName map[string][]steps.Record
	// cuts are the names below the apex that hold NS records: the zone
	// does not hold what lies at or under them.
	cuts []string
}

func newZoneIndex(zone string, current []steps.Record) zoneIndex {
	z := zoneIndex{zone: zone, byName: map[string][]steps.Record{}}
	for _, r := range current {
		name := canonical(r.Name)
		r.Name = name
		z.byName[name] = append(z.byName[name], r)
		if r.Type == "NS" && name != zone && !slices.Contains(z.cuts, name) {
			z.cuts = append(z.cuts, name)
		}
	}
	return z
}

// plan decides what to do with one group of a step's records.
func (z zoneIndex) plan(sr StepRecords, g group) Change {
	c := Change{Step: sr.ID, Name: g.name, Type: g.rtype, Want: g.recs, Optional: allOptional(g.recs)}
	r, ok := ruleFor(sr.ID, g.rtype)
	c.What = r.What
	if c.What == "" {
		c.What = g.rtype + " record"
	}
	switch {
	case sr.Where == steps.AtHostingProvider:
		c.Action, c.Why = Elsewhere, "Reverse DNS is set by whoever hosts the IP address (your hosting provider), not in your DNS zone."
		return c
	case sr.Where != steps.AtDNSProvider:
		c.Action, c.Why = Elsewhere, "Nothing to publish in DNS."
		return c
	case !under(g.name, z.zone):
		c.Action, c.Why = Elsewhere, fmt.Sprintf("%s is not in the zone %s: publish it in the zone that holds it.", g.name, z.zone)
		return c
	}
	if cut := z.cutAbove(g.name); cut != "" {
		c.Action, c.Why = Elsewhere, fmt.Sprintf("%s lies in the zone delegated at %s, not in %s: publish it there.", g.name, cut, z.zone)
		return c
	}
	if !ok {
		c.Action, c.Why = Conflict, fmt.Sprintf("mailwizard has no rule saying which %s records at %s the %s step owns, so it changes none.", g.rtype, g.name, sr.ID)
		return c
	}
	here := z.byName[g.name]
	if why := z.blocked(g, here); why != "" {
		c.Action, c.Why = Conflict, why
		return c
	}
	var owned []steps.Record
	for _, cur := range here {
		if cur.Type == g.rtype && r.Owns(cur.Value) {
			owned = append(owned, cur)
		}
	}
	if len(owned) == 1 && allAnyValid(g.recs) && r.Valid(owned[0].Value) {
		// One of many equally right values is published already.
		c.Action, c.Want = Keep, owned
		return c
	}
	for _, w := range g.recs {
		if !slices.ContainsFunc(owned, func(cur steps.Record) bool { return sameRecord(cur, w) }) {
			c.Add = append(c.Add, w)
		}
	}
	for _, cur := range owned {
		if !slices.ContainsFunc(g.recs, func(w steps.Record) bool { return sameRecord(cur, w) }) {
			c.Remove = append(c.Remove, cur)
		}
	}
	switch {
	case len(c.Add) == 0 && len(c.Remove) == 0:
		c.Action = Keep
	case len(c.Remove) == 0:
		c.Action = Add
	default:
		c.Action = Replace
	}
	return c
}

// blocked says what stands in the way of the group at its name: an alias
// (CNAME) where other records are wanted, or other records where an alias
// is wanted (RFC 1034 §3.6.2: an alias has no other data). "" when
// nothing does.
func (z zoneIndex) blocked(g group, here []steps.Record) string {
	var others []string
	for _, cur := range here {
		switch {
		case g.rtype != "CNAME" && cur.Type == "CNAME":
			return fmt.Sprintf("%s is an alias (CNAME) for %s, and an alias cannot have a %s record beside it. Remove the alias first if %s should hold the record itself.",
				g.name, cur.Value, g.rtype, g.name)
		case g.rtype == "CNAME" && cur.Type != "CNAME" && !dnssecType(cur.Type) && !slices.Contains(others, cur.Type):
			others = append(others, cur.Type)
		}
	}
	if len(others) > 0 {
		return fmt.Sprintf("%s already has %s records, and an alias (CNAME) cannot sit beside other records. Keep them, or remove them to publish the alias.",
			g.name, strings.Join(others, " and "))
	}
	return ""
}

// cutAbove is the delegation point at or above name inside the zone, ""
// when the zone itself holds name.
func (z zoneIndex) cutAbove(name string) string {
	for _, cut := range z.cuts {
		if under(name, cut) {
			return cut
		}
	}
	return ""
}

func dnssecType(t string) bool {
	switch t {
	case "RRSIG", "NSEC", "NSEC3", "NSEC3PARAM", "DNSKEY", "CDS", "CDNSKEY":
		return true
	}
	return false
}

func allAnyValid(recs []steps.Record) bool {
	return !slices.ContainsFunc(recs, func(r steps.Record) bool { return !r.AnyValid })
}

func allOptional(recs []steps.Record) bool {
	return !slices.ContainsFunc(recs, func(r steps.Record) bool { return !r.Optional })
}

// under reports whether name is zone or lies below it.
func under(name, zone string) bool {
	return zone == "." || name == zone || strings.HasSuffix(name, "."+zone)
}

// canonical is name absolute and in lower case.
func canonical(name string) string {
	return dns.CanonicalName(name)
}

// sameRecord reports whether two records hold the same data, whatever
// their TTL and the case of the names in them.
func sameRecord(a, b steps.Record) bool {
	if canonical(a.Name) != canonical(b.Name) || !strings.EqualFold(a.Type, b.Type) {
		return false
	}
	ra, errA := a.RR()
	rb, errB := b.RR()
	if errA != nil || errB != nil {
		return a.Value == b.Value
	}
	return dns.IsDuplicate(ra, rb)
}

// Additions are every record the plan adds, in order.
func (p Plan) Additions() []steps.Record {
	var out []steps.Record
	for _, c := range p.Changes {
		if c.Action == Add || c.Action == Replace {
			out = append(out, c.Add...)
		}
	}
	return out
}

// Deletions are every record the plan removes, in order.
func (p Plan) Deletions() []steps.Record {
	var out []steps.Record
	for _, c := range p.Changes {
		if c.Action == Replace {
			out = append(out, c.Remove...)
		}
	}
	return out
}

// Count is how many changes have the action. Conflicts over optional
// records do not count.
func (p Plan) Count(a Action) int {
	n := 0
	for _, c := range p.Changes {
		if c.Action == a && !(a == Conflict && c.Optional) {
			n++
		}
	}
	return n
}

// Pending reports whether applying the plan would change the zone.
func (p Plan) Pending() bool {
	return p.Count(Add)+p.Count(Replace) > 0
}

// Steps is the plan of the named steps only.
func (p Plan) Steps(ids ...string) Plan {
	out := Plan{Zone: p.Zone}
	for _, c := range p.Changes {
		if slices.Contains(ids, c.Step) {
			out.Changes = append(out.Changes, c)
		}
	}
	return out
}

// Read computes the plan of want against the zone as prov holds it now.
func Read(ctx context.Context, prov Provider, zone string, want []StepRecords) (Plan, error) {
	current, err := prov.Records(ctx, zone)
	if err != nil {
		return Plan{}, err
	}
	return Compute(zone, want, current), nil
}
