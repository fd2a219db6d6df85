package publishtest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/libdns/libdns"
)

// Zone is one zone held in memory. Records have names relative to the
// zone ("@", "_dmarc"), as libdns wants. The zero value is an empty zone
// of any name; set Name to refuse calls for another zone.
type Zone struct {
	// Name, when set, is the only zone name the calls accept.
	Name string
	// Err, when set, fails every call, as a provider that refuses.
	Err error

	mu   sync.Mutex
	recs []libdns.RR
	// Calls counts the calls by method: "GetRecords", "AppendRecords",
	// "SetRecords", "DeleteRecords".
	calls map[string]int
}

// Load puts records into the zone as they are, whatever their names.
func (z *Zone) Load(recs ...libdns.RR) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.recs = append(z.recs, recs...)
}

// RRs returns a copy of the zone's records.
func (z *Zone) RRs() []libdns.RR {
	z.mu.Lock()
	defer z.mu.Unlock()
	return slices.Clone(z.recs)
}

// Calls is how many times method was called.
func (z *Zone) Calls(method string) int {
	z.mu.Lock()
	defer z.mu.Unlock()
	return z.calls[method]
}

func (z *Zone) enter(ctx context.Context, method, zone string) error {
	z.mu.Lock()
	if z.calls == nil {
		z.calls = map[string]int{}
	}
	z.calls[method]++
	z.mu.Unlock()
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case z.Err != nil:
		return z.Err
	case z.Name != "" && !strings.EqualFold(strings.TrimSuffix(zone, "."), strings.TrimSuffix(z.Name, ".")):
		return fmt.Errorf("no zone %q here", zone)
	}
	return nil
}

// GetRecords returns every record, parsed into libdns's types.
func (z *Zone) GetRecords(ctx context.Context, zone string) ([]libdns.Record, error) {
	if err := z.enter(ctx, "GetRecords", zone); err != nil {
		return nil, err
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	out := make([]libdns.Record, 0, len(z.recs))
	for _, rr := range z.recs {
		rec, err := rr.Parse()
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// AppendRecords adds the records; it never changes an existing one.
func (z *Zone) AppendRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	if err := z.enter(ctx, "AppendRecords", zone); err != nil {
		return nil, err
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	for _, r := range recs {
		rr := r.RR()
		if rr.Name == "" || strings.HasSuffix(rr.Name, ".") {
			return nil, fmt.Errorf("name %q is not relative to the zone", rr.Name)
		}
		if !slices.ContainsFunc(z.recs, func(q libdns.RR) bool { return same(q, rr, true) }) {
			z.recs = append(z.recs, rr)
		}
	}
	return recs, nil
}

// DeleteRecords removes the records that match exactly: name, type, TTL
// and data, where an empty type, a zero TTL or empty data match any.
func (z *Zone) DeleteRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	if err := z.enter(ctx, "DeleteRecords", zone); err != nil {
		return nil, err
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	var deleted []libdns.Record
	for _, r := range recs {
		rr := r.RR()
		z.recs = slices.DeleteFunc(z.recs, func(q libdns.RR) bool {
			match := same(q, rr, false)
			if match {
				deleted = append(deleted, q)
			}
			return match
		})
	}
	return deleted, nil
}

// SetRecords makes the records the only ones of their name and type: the
// call publish must never make, as it deletes what it does not own.
func (z *Zone) SetRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	if err := z.enter(ctx, "SetRecords", zone); err != nil {
		return nil, err
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	for _, r := range recs {
		rr := r.RR()
		z.recs = slices.DeleteFunc(z.recs, func(q libdns.RR) bool { return q.Name == rr.Name && q.Type == rr.Type })
	}
	for _, r := range recs {
		z.recs = append(z.recs, r.RR())
	}
	return recs, nil
}

// same matches q against the pattern rr: name always; type, TTL and data
// exactly when strict, else when set in rr.
func same(q, rr libdns.RR, strict bool) bool {
	if !strings.EqualFold(q.Name, rr.Name) {
		return false
	}
	if (strict || rr.Type != "") && q.Type != rr.Type {
		return false
	}
	if !strict && rr.TTL != 0 && q.TTL.Truncate(time.Second) != rr.TTL.Truncate(time.Second) {
		return false
	}
	return (!strict && rr.Data == "") || q.Data == rr.Data
}

// Interface guards.
var (
	_ libdns.RecordGetter   = (*Zone)(nil)
	_ libdns.RecordAppender = (*Zone)(nil)
	_ libdns.RecordDeleter  = (*Zone)(nil)
	_ libdns.RecordSetter   = (*Zone)(nil)
)
