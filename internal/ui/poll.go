package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// Polling intervals.
const (
	defaultInterval = 5 * time.Second
	maxInterval     = 60 * time.Second
	// calmRounds is how many unchanged rounds in a row double the interval.
	calmRounds = 3
)

// pollMsg says it is time to check the watched steps again. A pollMsg of
// an older generation is dropped.
type pollMsg struct{ gen int }

// checkedMsg carries one check round's results for the watched steps.
type checkedMsg struct {
	gen     int
	ids     []string
	results []steps.Result
	// domains, for a round of several domains, are each one's results
	// (results is then empty).
	domains []domainResults
	err     error
	at      time.Time
}

// clockMsg redraws the "checked 2 s ago" line once a second.
type clockMsg struct{}

// watch is the polling state: which steps are watched, the generation that
// makes older answers stale, and the backing-off interval.
type watch struct {
	gen       int
	ids       []string
	base      time.Duration
	interval  time.Duration
	calm      int // unchanged rounds in a row
	checking  bool
	checkedAt time.Time
	nextAt    time.Time
	last      string // signature of the last results
	cancel    context.CancelFunc
	// every is set when every domain of the mail host is watched (the
	// overview of several domains), not only the one on view.
	every bool
}

func newWatch(base time.Duration) watch {
	if base <= 0 {
		base = defaultInterval
	}
	return watch{base: base, interval: base}
}

// retarget watches other steps: a new generation, so answers in flight for
// the old set are dropped, and the interval back at its base.
func (w watch) retarget(ids []string) watch {
	w.stop()
	w.gen++
	w.ids = ids
	w.interval = w.base
	w.calm = 0
	w.checking = false
	w.checkedAt = time.Time{}
	w.nextAt = time.Time{}
	w.last = ""
	w.every = false
	return w
}

// stop cancels a round in flight.
func (w watch) stop() {
	if w.cancel != nil {
		w.cancel()
	}
}

// start begins a round now: it returns the watch and the command that runs
// the round (in its own goroutine, with a deadline within the program's
// context) and reports back.
func (w watch) start(be backend, cfgs []steps.Config) (watch, tea.Cmd) {
	w.stop()
	w.gen++
	ctx, cancel := context.WithTimeout(be.programContext(), checkTimeout)
	w.cancel = cancel
	w.checking = true
	gen, ids, check, now := w.gen, w.ids, be.check, be.now
	return w, func() tea.Msg {
		defer cancel()
		defer collectAfterRound()
		if len(cfgs) > 1 {
			domains, err := checkDomains(ctx, be, cfgs, ids)
			return checkedMsg{gen: gen, ids: ids, domains: domains, err: err, at: now()}
		}
		results, err := check(ctx, cfgs[0], ids)
		return checkedMsg{gen: gen, ids: ids, results: results, err: err, at: now()}
	}
}

// done takes a round's answer: it returns false for a stale one. On a
// fresh one it adjusts the interval (back to the base on any change,
// doubling up to a minute after calmRounds unchanged rounds) and returns
// the command that schedules the next round.
func (w watch) done(msg checkedMsg, tick func(time.Duration, func(time.Time) tea.Msg) tea.Cmd) (watch, tea.Cmd, bool) {
	if msg.gen != w.gen {
		return w, nil, false
	}
	w.checking = false
	w.cancel = nil
	w.checkedAt = msg.at
	results := msg.results
	for _, d := range msg.domains {
		results = append(results, d.results...)
	}
	sig := signature(results, msg.err)
	switch {
	case sig != w.last:
		w.interval, w.calm = w.base, 0
	default:
		w.calm++
		if w.calm >= calmRounds {
			w.interval, w.calm = min(2*w.interval, maxInterval), 0
		}
	}
	w.last = sig
	w.nextAt = msg.at.Add(w.interval)
	gen := w.gen
	return w, tick(w.interval, func(time.Time) tea.Msg { return pollMsg{gen: gen} }), true
}

// due reports whether a pollMsg is for the current generation and no
// round is running.
func (w watch) due(msg pollMsg) bool { return msg.gen == w.gen && !w.checking }

// timing says when the last round was and when the next one is:
// "checked 2 s ago · next in 3 s".
func (w watch) timing(now time.Time) string {
	switch {
	case w.checking:
		return "checking…"
	case w.checkedAt.IsZero():
		return "not checked yet"
	}
	ago := now.Sub(w.checkedAt).Round(time.Second)
	next := max(w.nextAt.Sub(now).Round(time.Second), 0)
	return fmt.Sprintf("checked %s ago · next in %s", seconds(ago), seconds(next))
}

// seconds renders a duration as "3 s" or "2 min".
func seconds(d time.Duration) string {
	if d >= 2*time.Minute {
		return fmt.Sprintf("%d min", int(d.Minutes()))
	}
	return fmt.Sprintf("%d s", int(d.Seconds()))
}

// signature summarises results so that a change can be noticed.
func signature(results []steps.Result, err error) string {
	var b strings.Builder
	if err != nil {
		b.WriteString(err.Error())
	}
	for _, r := range results {
		fmt.Fprintf(&b, "|%s=%s", r.Step, r.Status)
		for _, f := range r.Findings {
			b.WriteString(";" + f.Code + ":" + f.Message)
		}
		for _, a := range r.Observed {
			for _, o := range a.Servers {
				fmt.Fprintf(&b, ";%s:%d:%d", o.Server, o.Rcode, len(o.Answer))
				for _, rr := range o.Answer {
					b.WriteString(rr.String())
				}
			}
		}
	}
	return b.String()
}

// tickClock schedules the next clockMsg.
func tickClock(tick func(time.Duration, func(time.Time) tea.Msg) tea.Cmd) tea.Cmd {
	return tick(time.Second, func(time.Time) tea.Msg { return clockMsg{} })
}
