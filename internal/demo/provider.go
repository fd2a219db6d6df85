package demo

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/steps"
	"github.com/mailwizard/mailwizard/internal/verify/dnsworld"
)

// The World is a DNS provider too (publish.Provider), so that the wizard
// publishes into it the way it publishes at a real one, after showing the
// plan: Records reads the zone from the first nameserver, the primary;
// Append and Delete change it there at once and on the second nameserver
// after the world's delay, in the order they were made.

// Records returns every record of zone as the first nameserver holds it.
func (w *World) Records(ctx context.Context, zone string) ([]steps.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil, ErrClosed
	}
	zones := w.lab.Servers[0].Zones()
	apex := dns.CanonicalName(zone)
	if !slices.Contains(zones.Apexes(), apex) {
		return nil, fmt.Errorf("the demo's DNS provider holds no zone %s", zone)
	}
	var out []steps.Record
	for _, rr := range zones.All(apex) {
		out = append(out, recordOf(rr))
	}
	return out, nil
}

// Append adds recs to zone and changes no other record.
func (w *World) Append(ctx context.Context, zone string, recs []steps.Record) error {
	return w.change(ctx, "append", recs, func(z *dnsworld.Zones, rrs []dns.RR) error { return z.AddRR(rrs...) })
}

// Delete removes exactly recs from zone.
func (w *World) Delete(ctx context.Context, zone string, recs []steps.Record) error {
	return w.change(ctx, "delete", recs, func(z *dnsworld.Zones, rrs []dns.RR) error {
		for _, rr := range rrs {
			if _, err := z.Remove(rr.String()); err != nil {
				return err
			}
		}
		return nil
	})
}

// change makes one change on the first server now and on the second after
// the delay, and keeps what the steps published in step with it.
func (w *World) change(ctx context.Context, what string, recs []steps.Record, apply func(*dnsworld.Zones, []dns.RR) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	rrs, err := toRRs(recs)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	if err := apply(w.lab.Servers[0].Zones(), rrs); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if what == "delete" {
		for id := range w.onFirst {
			w.onFirst[id] = without(w.onFirst[id], rrs)
		}
	}
	w.ops++
	w.laterLocked(fmt.Sprintf("change %d", w.ops), func(second *dnsworld.Zones) {
		if apply(second, rrs) == nil && what == "delete" {
			for id := range w.onSecond {
				w.onSecond[id] = without(w.onSecond[id], rrs)
			}
		}
	})
	return nil
}

// without is rrs less the records equal to one of drop (TTL aside).
func without(rrs, drop []dns.RR) []dns.RR {
	return slices.DeleteFunc(slices.Clone(rrs), func(rr dns.RR) bool {
		return slices.ContainsFunc(drop, func(d dns.RR) bool { return dns.IsDuplicate(rr, d) })
	})
}

// PublishElsewhere publishes what no record in the zone does: the reverse
// DNS of the ptr step at the demo's hosting provider, the demo's mail
// server put right for the server step, or signing switched on at the DNS
// provider with its DS record sent by the registrar for the dnssec step.
func (w *World) PublishElsewhere(stepID string) (string, error) {
	switch stepID {
	case steps.IDPTR, steps.IDServer, steps.IDDNSSEC:
		return w.Publish(stepID)
	}
	return "", fmt.Errorf("%s is published at the DNS provider, through its plan", stepID)
}

// Strays are the records the step's typical mistake put where publishing
// the step's plan neither replaces nor keeps them: not one of the step's
// records, and not a record the step owns at the name and type of one of
// its records (an MX record at example.com.example.com., a DMARC record
// at the apex, a CNAME in place of the mail host's addresses).
func (w *World) Strays(stepID string) []steps.Record {
	step, ok := steps.ByID(stepID)
	if !ok {
		return nil
	}
	want := step.Records(w.cfg)
	w.mu.Lock()
	published := slices.Clone(w.onFirst[stepID])
	w.mu.Unlock()
	var out []steps.Record
	for _, rr := range published {
		r := recordOf(rr)
		if !replacedBy(stepID, r, want) {
			out = append(out, r)
		}
	}
	return out
}

// replacedBy reports whether publishing the step's records want keeps or
// replaces r.
func replacedBy(stepID string, r steps.Record, want []steps.Record) bool {
	for _, q := range want {
		if !strings.EqualFold(dns.CanonicalName(q.Name), dns.CanonicalName(r.Name)) || q.Type != r.Type {
			continue
		}
		if q.Value == r.Value {
			return true
		}
		if o, ok := steps.Owner(stepID, r.Type); ok && o.Owns(r.Value) {
			return true
		}
	}
	return false
}

// recordOf is a record as publish sees it: the name absolute, TXT joined
// and unquoted, other data in presentation form.
func recordOf(rr dns.RR) steps.Record {
	h := rr.Header()
	r := steps.Record{Name: dns.CanonicalName(h.Name), Type: dns.TypeToString[h.Rrtype], TTL: h.Ttl}
	if t, ok := rr.(*dns.TXT); ok {
		r.Value = strings.Join(t.Txt, "")
	} else {
		r.Value = strings.TrimPrefix(rr.String(), h.String())
	}
	return r
}
