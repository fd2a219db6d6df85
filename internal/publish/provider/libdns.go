package provider

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/libdns/libdns"
	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/publish"
	"github.com/mailwizard/mailwizard/internal/steps"
)

var (
	errDeadline = context.DeadlineExceeded
	errCanceled = context.Canceled
)

// Zone is what publish needs of a libdns provider: read, append and
// delete. SetRecords is left out on purpose: it replaces every record of a
// name and type, and would delete the user's other TXT records.
type Zone interface {
	libdns.RecordGetter
	libdns.RecordAppender
	libdns.RecordDeleter
}

// Libdns is a libdns provider as a publish.Provider.
type Libdns struct {
	zone  Zone
	txt   TXTStyle
	scrub scrubber
	// zoneName is the zone's name as the module wants it.
	zoneName func(string) string

	mu sync.Mutex
	// read keeps the records as the provider returned them, by
	// recordKey, so that a deletion sends the provider's own record
	// (with its ID and its way of splitting TXT) back.
	read map[string]libdns.Record
}

// TXTStyle is how a provider's module wants a TXT value.
type TXTStyle int

// TXT styles.
const (
	// TXTWhole: the joined value; the module or the API splits it into
	// 255-octet strings itself.
	TXTWhole TXTStyle = iota
	// TXTQuoted: the value as quoted strings of at most 255 octets,
	// `"v=DKIM1; …" "…"`, because the API stores what it is given.
	TXTQuoted
	// TXTEscaped: the module joins the strings of a record it reads
	// without unescaping them (RFC 1035 §5.1 presentation form).
	TXTEscaped
)

// NewLibdns adapts zone. secrets are scrubbed from every error.
func NewLibdns(zone Zone, txt TXTStyle, secrets ...string) *Libdns {
	return &Libdns{zone: zone, txt: txt, scrub: newScrubber(secrets...), zoneName: func(z string) string { return z }}
}

// call runs f and returns its result, or the context's error as soon as
// the context ends, even when the module does not watch the context
// itself (f then finishes in the background, its result dropped).
func call[T any](ctx context.Context, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, fmt.Errorf("no answer: %w", ctx.Err())
	}
}

// Records reads the whole zone.
func (l *Libdns) Records(ctx context.Context, zone string) ([]steps.Record, error) {
	zone = dns.CanonicalName(zone)
	recs, err := call(ctx, func() ([]libdns.Record, error) { return l.zone.GetRecords(ctx, l.zoneName(zone)) })
	if err != nil {
		return nil, l.scrub.err(err)
	}
	out := make([]steps.Record, 0, len(recs))
	read := make(map[string]libdns.Record, len(recs))
	for _, rec := range recs {
		r := l.fromLibdns(rec.RR(), zone)
		out = append(out, r)
		read[recordKey(r)] = rec
	}
	l.mu.Lock()
	l.read = read
	l.mu.Unlock()
	return out, nil
}

// Append adds records.
func (l *Libdns) Append(ctx context.Context, zone string, recs []steps.Record) error {
	zone = dns.CanonicalName(zone)
	in := make([]libdns.Record, 0, len(recs))
	for _, r := range recs {
		rec, err := l.toLibdns(r, zone)
		if err != nil {
			return err
		}
		in = append(in, rec)
	}
	_, err := call(ctx, func() ([]libdns.Record, error) { return l.zone.AppendRecords(ctx, l.zoneName(zone), in) })
	return l.scrub.err(err)
}

// Delete removes records, each as the provider returned it when it was
// read.
func (l *Libdns) Delete(ctx context.Context, zone string, recs []steps.Record) error {
	zone = dns.CanonicalName(zone)
	in := make([]libdns.Record, 0, len(recs))
	l.mu.Lock()
	read := l.read
	l.mu.Unlock()
	for _, r := range recs {
		if rec, ok := read[recordKey(r)]; ok {
			in = append(in, rec)
			continue
		}
		rec, err := l.toLibdns(r, zone)
		if err != nil {
			return err
		}
		in = append(in, rec)
	}
	_, err := call(ctx, func() ([]libdns.Record, error) { return l.zone.DeleteRecords(ctx, l.zoneName(zone), in) })
	return l.scrub.err(err)
}

func recordKey(r steps.Record) string {
	return dns.CanonicalName(r.Name) + " " + r.Type + " " + r.Value
}

// fromLibdns is a record of the provider as a steps.Record: absolute name,
// TTL in seconds, TXT joined and unquoted.
func (l *Libdns) fromLibdns(rr libdns.RR, zone string) steps.Record {
	r := steps.Record{
		Name:  dns.CanonicalName(libdns.AbsoluteName(rr.Name, zone)),
		Type:  strings.ToUpper(rr.Type),
		TTL:   uint32(rr.TTL / time.Second),
		Value: rr.Data,
	}
	if r.Type == "TXT" {
		r.Value = l.txt.decode(rr.Data)
	}
	return r
}

// toLibdns is a record to send: name relative to the zone ("@" for the
// apex), TXT as the module wants it, parsed into libdns's own types
// (modules switch on them).
func (l *Libdns) toLibdns(r steps.Record, zone string) (libdns.Record, error) {
	name := dns.CanonicalName(r.Name)
	if !publishUnder(name, zone) {
		return nil, fmt.Errorf("%s is not in the zone %s", r.Name, zone)
	}
	rel := "@"
	if name != zone {
		rel = strings.TrimSuffix(name, "."+zone)
	}
	data := r.Value
	if r.Type == "TXT" {
		data = l.txt.encode(r.Value)
	}
	rec, err := libdns.RR{Name: rel, TTL: time.Duration(r.TTL) * time.Second, Type: r.Type, Data: data}.Parse()
	if err != nil {
		return nil, fmt.Errorf("record %s %s %q: %w", r.Name, r.Type, steps.Printable(r.Value), err)
	}
	return rec, nil
}

func publishUnder(name, zone string) bool {
	return zone == "." || name == zone || strings.HasSuffix(name, "."+zone)
}

// encode is a joined TXT value as the module wants it.
func (s TXTStyle) encode(value string) string {
	if s != TXTQuoted {
		return value
	}
	parts := steps.Record{Type: "TXT", Value: value}.Strings()
	for i, p := range parts {
		p = strings.ReplaceAll(p, `\`, `\\`)
		parts[i] = `"` + strings.ReplaceAll(p, `"`, `\"`) + `"`
	}
	return strings.Join(parts, " ")
}

// decode is the joined value of a TXT record as the module returned it.
// Modules return a long value in several shapes: `"a" "b"`, `a" "b` (the
// outer quotes taken off), or the strings run together in presentation
// form; all become the joined raw value.
func (s TXTStyle) decode(text string) string {
	if s == TXTEscaped {
		return steps.JoinTXT([]string{text})
	}
	t := strings.TrimSpace(text)
	wrapped := false
	if len(t) < 2 || t[0] != '"' || t[len(t)-1] != '"' {
		t, wrapped = `"`+t+`"`, true
	}
	parts, ok := quotedStrings(t)
	if !ok || wrapped && len(parts) < 2 {
		return text
	}
	return strings.Join(parts, "")
}

// quotedStrings parses `"a" "b\"c"` into its unescaped strings.
func quotedStrings(s string) ([]string, bool) {
	var out []string
	for i := 0; i < len(s); {
		switch s[i] {
		case ' ', '\t':
			i++
			continue
		case '"':
		default:
			return nil, false
		}
		var b strings.Builder
		i++
		for ; i < len(s) && s[i] != '"'; i++ {
			if s[i] == '\\' && i+1 < len(s) {
				i++
			}
			b.WriteByte(s[i])
		}
		if i >= len(s) {
			return nil, false
		}
		i++
		out = append(out, b.String())
	}
	return out, len(out) > 0
}

var _ publish.Provider = (*Libdns)(nil)
