package demo

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/steps"
	"github.com/mailwizard/mailwizard/internal/verify/dnsworld"
)

// ErrClosed is returned by Publish and PublishMistake after Close.
var ErrClosed = errors.New("the demo world is closed")

// pending is a change on its way to the second server.
type pending struct {
	timer *time.Timer
	// apply makes the change on the second server's zones, with the
	// world locked.
	apply func(second *dnsworld.Zones)
}

// Publish puts the step's records on the first server now and on the
// second after the world's delay, in place of whatever the step published
// before (a mistake, say): the second server keeps the old records until
// then. It returns a sentence saying what it did. A step with nothing to
// publish (blocklist) publishes nothing and says so; for the server step it
// puts the demo's mail server right after PublishMistake.
func (w *World) Publish(stepID string) (string, error) {
	step, ok := steps.ByID(stepID)
	if !ok {
		return "", fmt.Errorf("publish: unknown step %q", stepID)
	}
	if stepID == steps.IDServer {
		if fixed, err := w.fixServer(); fixed || err != nil {
			return fmt.Sprintf("Fixed the demo's mail server: port 25 greets as %s again, with its certificate from the demo's authority.", Host), err
		}
	}
	if stepID == steps.IDDNSSEC {
		return w.sign(false)
	}
	records := step.Records(w.cfg)
	if step.Where == steps.Nowhere || len(records) == 0 {
		return nothingToPublish(step, w.cfg), nil
	}
	rrs, err := toRRs(records)
	if err != nil {
		return "", fmt.Errorf("publish %s: %w", stepID, err)
	}
	if err := w.publish(stepID, rrs, nil); err != nil {
		return "", fmt.Errorf("publish %s: %w", stepID, err)
	}
	first, second := w.nameservers()
	where := ""
	if step.Where == steps.AtHostingProvider {
		where = " in the hosting provider's reverse zones"
	}
	return fmt.Sprintf("Published %s%s on %s now; %s follows in %s.",
		describe(rrs), where, first, second, w.delay), nil
}

// PublishMistake publishes a typical mistake for the step instead of its
// records, the same way as Publish; a later Publish replaces it. It returns
// a sentence naming the mistake. For the server step the mistake is on the
// demo's mail server itself, at once.
func (w *World) PublishMistake(stepID string) (string, error) {
	step, ok := steps.ByID(stepID)
	if !ok {
		return "", fmt.Errorf("publish a mistake: unknown step %q", stepID)
	}
	if stepID == steps.IDServer {
		return w.serveMistake()
	}
	if stepID == steps.IDDNSSEC {
		return w.sign(true)
	}
	records := step.Records(w.cfg)
	if step.Where == steps.Nowhere || len(records) == 0 {
		return nothingToPublish(step, w.cfg), nil
	}
	m, err := mistakeFor(stepID, w.cfg, records)
	if err != nil {
		return "", fmt.Errorf("publish a mistake for %s: %w", stepID, err)
	}
	rrs, err := toRRs(m.records)
	if err != nil {
		return "", fmt.Errorf("publish a mistake for %s: %w", stepID, err)
	}
	// The right records may have come through a plan, which the step
	// does not track: they make way for the mistake too.
	right, err := toRRs(records)
	if err != nil {
		return "", fmt.Errorf("publish a mistake for %s: %w", stepID, err)
	}
	if err := w.publish(stepID, rrs, right); err != nil {
		return "", fmt.Errorf("publish a mistake for %s: %w", stepID, err)
	}
	first, second := w.nameservers()
	return fmt.Sprintf("Published a typical mistake: %s It is on %s now; %s follows in %s. Publish the step again to put the right records in its place.",
		endSentence(m.what), first, second, w.delay), nil
}

// nothingToPublish says why a step publishes nothing.
func nothingToPublish(step steps.Step, cfg steps.Config) string {
	if step.ID == steps.IDBlocklist {
		ips := make([]string, len(cfg.IPs))
		for i, ip := range cfg.IPs {
			ips[i] = ip.String()
		}
		return fmt.Sprintf("Nothing to publish for %s: the demo's resolver finds %s on none of the lists.",
			step.Title, strings.Join(ips, " and "))
	}
	if step.ID == steps.IDServer {
		return fmt.Sprintf("Nothing to publish for %s: it checks the demo's mail server itself, which runs inside mailwizard.", step.Title)
	}
	return fmt.Sprintf("Nothing to publish for %s.", step.Title)
}

// publish replaces the step's records, and the records also given: on the
// first server at once, on the second when the delay has passed.
func (w *World) publish(stepID string, rrs, also []dns.RR) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	first := w.lab.Servers[0].Zones()
	if err := replace(first, append(slices.Clone(w.onFirst[stepID]), also...), rrs); err != nil {
		return err
	}
	w.onFirst[stepID] = rrs
	w.laterLocked(stepID, func(second *dnsworld.Zones) {
		// The records went onto the first server, whose zones are the
		// same, so they fit the second one too; should they not, the
		// second server keeps the old records and the step shows partial
		// propagation.
		if err := replace(second, append(slices.Clone(w.onSecond[stepID]), also...), rrs); err == nil {
			w.onSecond[stepID] = rrs
		}
	})
	return nil
}

// laterLocked schedules a change of the second server after the delay,
// under key: a newer change under the same key replaces one still on its
// way (a step published again).
func (w *World) laterLocked(key string, apply func(second *dnsworld.Zones)) {
	if p, ok := w.pending[key]; ok {
		p.timer.Stop()
		delete(w.pending, key)
	}
	p := &pending{apply: apply}
	p.timer = time.AfterFunc(w.delay, func() { w.propagate(key, p) })
	w.pending[key] = p
}

// propagate brings the change p to the second server, unless a newer one
// replaced it or the world is closed.
func (w *World) propagate(key string, p *pending) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed || w.pending[key] != p {
		return
	}
	delete(w.pending, key)
	p.apply(w.lab.Servers[1].Zones())
}

// replace removes the old records from zones and adds the new ones; when
// the new ones do not fit, the old ones stay.
func replace(zones *dnsworld.Zones, old, rrs []dns.RR) error {
	if err := zones.AddRR(rrs...); err != nil {
		return err
	}
	keep := make(map[string]bool, len(rrs))
	for _, rr := range rrs {
		keep[rr.String()] = true
	}
	for _, rr := range old {
		if keep[rr.String()] {
			continue
		}
		if _, err := zones.Remove(rr.String()); err != nil {
			return fmt.Errorf("withdraw %s: %w", rr, err)
		}
	}
	return nil
}

// toRRs builds the resource records of records.
func toRRs(records []steps.Record) ([]dns.RR, error) {
	out := make([]dns.RR, 0, len(records))
	for _, r := range records {
		rr, err := r.RR()
		if err != nil {
			return nil, err
		}
		out = append(out, rr)
	}
	return out, nil
}

// endSentence ends s with a full stop, unless it already ends with one (a
// name such as mail.example.com. does).
func endSentence(s string) string {
	if strings.HasSuffix(s, ".") {
		return s
	}
	return s + "."
}

// describe names the records in a sentence: "MX example.com." or "A
// mail.example.com. and AAAA mail.example.com.", or a count and the types
// when there are many: "6 records (SRV, CNAME)".
func describe(rrs []dns.RR) string {
	if len(rrs) > 3 {
		var types []string
		for _, rr := range rrs {
			if t := dns.TypeToString[rr.Header().Rrtype]; !slices.Contains(types, t) {
				types = append(types, t)
			}
		}
		return fmt.Sprintf("%d records (%s)", len(rrs), strings.Join(types, ", "))
	}
	names := make([]string, len(rrs))
	for i, rr := range rrs {
		h := rr.Header()
		names[i] = dns.TypeToString[h.Rrtype] + " " + h.Name
	}
	return strings.Join(names, " and ")
}

// sign switches DNSSEC on at the demo's DNS provider: both nameservers
// sign the zone at once, with the demo's key, and the DS record the
// registrar sends reaches the parent zone after the world's delay. With
// stale (the typical mistake), the parent serves the DS of a key the zone
// does not sign with, left from before, at once.
func (w *World) sign(stale bool) (string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return "", ErrClosed
	}
	if p, ok := w.pending[steps.IDDNSSEC]; ok {
		p.timer.Stop()
		delete(w.pending, steps.IDDNSSEC)
	}
	w.lab.Sign(Domain, w.signer)
	first, second := w.nameservers()
	parent := w.parent.Zones()
	setDS := func(ds *dns.DS) error {
		parent.RemoveRRset(Domain, dns.TypeDS)
		return parent.AddRR(ds)
	}
	if stale {
		old, err := dnsworld.NewZoneSigner(Domain)
		if err != nil {
			return "", fmt.Errorf("publish a mistake for dnssec: %w", err)
		}
		if err := setDS(old.DS()); err != nil {
			return "", fmt.Errorf("publish a mistake for dnssec: %w", err)
		}
		return fmt.Sprintf("Published a typical mistake: %s and %s sign %s, but the parent zone still has the DS record of a key the zone no longer signs with (DS %d), as after moving to another DNS provider. Publish the step again to send the right DS record.",
			first, second, Domain, old.DS().KeyTag), nil
	}
	ds := w.signer.DS()
	w.laterLocked(steps.IDDNSSEC, func(*dnsworld.Zones) { _ = setDS(ds) })
	return fmt.Sprintf("Switched DNSSEC on at the demo's DNS provider: %s and %s sign %s now. The registrar sends its DS record (%s DS %d %d %d) to the parent zone, where it arrives in %s.",
		first, second, Domain, Domain, ds.KeyTag, ds.Algorithm, ds.DigestType, w.delay), nil
}
