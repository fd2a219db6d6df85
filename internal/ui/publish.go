package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mailwizard/mailwizard/internal/publish"
	"github.com/mailwizard/mailwizard/internal/steps"
)

// Demo is the demo's world as the wizard publishes into it: a DNS zone
// (publish.Provider) whose first nameserver takes a change at once and
// the second a few seconds later, and what a real zone does not have: a
// hosting provider for reverse DNS, a mail server that can be broken, and
// typical mistakes.
type Demo interface {
	publish.Provider
	// PublishElsewhere publishes what no DNS provider does: the step's
	// reverse DNS at the demo's hosting provider, for the server step the
	// demo's mail server put right, for the dnssec step the zone signed.
	// It says what it did in a sentence.
	PublishElsewhere(stepID string) (string, error)
	// PublishMistake publishes the step's typical mistake in place of its
	// records and says what it is in a sentence.
	PublishMistake(stepID string) (string, error)
	// Strays are records the step's typical mistake left where publishing
	// the step does not replace them (an MX record at
	// example.com.example.com.); the demo takes them back with the plan.
	Strays(stepID string) []steps.Record
}

// OpenProvider opens where the wizard publishes the records of cfg: the
// provider, the apex of the zone it holds and where that is in words
// ("Cloudflare", "rfc2136 at 192.0.2.53:53"). Its error says what is
// missing (no provider chosen, no credentials) in a sentence.
type OpenProvider func(ctx context.Context, cfg steps.Config) (prov publish.Provider, zone, where string, err error)

// publishing is where the publish key sends a step's records.
type publishing struct {
	open OpenProvider
	// demo is the demo's world, nil outside the demo.
	demo Demo
}

// publishTimeout bounds reading the zone and applying a plan.
const publishTimeout = time.Minute

// planView is a publish plan waiting for the user's yes or no.
type planView struct {
	step   string
	plan   publish.Plan
	strays []steps.Record
	prov   publish.Provider
	where  string
	// elsewhere is set for a demo step published outside the DNS zone
	// (reverse DNS at the demo's hosting provider).
	elsewhere bool
}

// changes reports whether confirming the plan changes anything.
func (p planView) changes() bool {
	return p.plan.Pending() || len(p.strays) > 0 || p.elsewhere
}

// lines are the plan as the publish command prints it, the demo's stray
// mistakes and the question.
func (p planView) lines() []string {
	out := []string{"Plan for the zone " + p.plan.Zone + " at " + p.where + ":", ""}
	out = append(out, publish.Lines(p.plan)...)
	if len(p.strays) > 0 {
		out = append(out, "", "The demo also takes back what its typical mistake left elsewhere:")
		for _, r := range p.strays {
			out = append(out, "- "+strings.Join(r.ZoneLines(), " "))
		}
	}
	out = append(out, "")
	switch {
	case p.elsewhere:
		out = append(out, "The demo's hosting provider can set it for you: y publishes it there, n cancels.")
	case p.changes():
		out = append(out, "Publish these changes at "+p.where+"? y publishes them, n cancels. Nothing else in the zone is touched.")
	default:
		out = append(out, "Nothing to change at "+p.where+". Press n or esc to close the plan.")
	}
	return out
}

// plannedMsg is a plan read from the provider, or why it could not be.
type plannedMsg struct {
	view planView
	err  error
}

// appliedMsg says what publishing a plan did.
type appliedMsg struct {
	step  string
	text  string
	err   error
	where string
}

// planStep reads the zone at the provider and plans the step's records,
// recs: the records its screen shows (a finding's proposal in place of
// the expected record).
func planStep(ctx context.Context, be backend, cfg steps.Config, st steps.Step, recs []steps.Record) tea.Cmd {
	pub := be.publishing
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, publishTimeout)
		defer cancel()
		prov, zone, where, err := pub.open(ctx, cfg)
		if err != nil {
			return plannedMsg{err: err}
		}
		want := []publish.StepRecords{{ID: st.ID, Where: st.Where, Records: recs}}
		current, err := prov.Records(ctx, zone)
		if err != nil {
			return plannedMsg{err: fmt.Errorf("could not read the zone %s from %s: %w", zone, where, err)}
		}
		v := planView{step: st.ID, prov: prov, where: where}
		if pub.demo != nil {
			v.strays = pub.demo.Strays(st.ID)
			current = slices.DeleteFunc(current, func(r steps.Record) bool { return containsRecord(v.strays, r) })
			v.elsewhere = st.Where == steps.AtHostingProvider
		}
		v.plan = publish.Compute(zone, want, current)
		return plannedMsg{view: v}
	}
}

// containsRecord reports whether recs hold r (name, type and value).
func containsRecord(recs []steps.Record, r steps.Record) bool {
	return slices.ContainsFunc(recs, func(q steps.Record) bool {
		return strings.EqualFold(q.Name, r.Name) && q.Type == r.Type && q.Value == r.Value
	})
}

// demoDirectSteps are the steps the demo publishes at once, without a plan,
// because what they publish is no record of the zone, with what the
// wizard says while it does: its mail server put right, its zone signed.
var demoDirectSteps = map[string]string{
	steps.IDServer: "Putting the demo's mail server right…",
	steps.IDDNSSEC: "Switching DNSSEC on at the demo's DNS provider…",
}

// demoWithoutPlan returns what the wizard says while the demo publishes
// step id at once, and whether it does: only in the demo, only for
// demoDirectSteps.
func demoWithoutPlan(be backend, id string) (string, bool) {
	if be.publishing.demo == nil {
		return "", false
	}
	say, ok := demoDirectSteps[id]
	return say, ok
}

// applyPlan sends a confirmed plan: the demo's strays taken back first,
// then the plan's additions and removals.
func applyPlan(ctx context.Context, be backend, v planView) tea.Cmd {
	demo := be.publishing.demo
	return func() tea.Msg {
		if v.elsewhere && demo != nil {
			text, err := demo.PublishElsewhere(v.step)
			return appliedMsg{step: v.step, text: text, err: err, where: v.where}
		}
		ctx, cancel := context.WithTimeout(ctx, publishTimeout)
		defer cancel()
		if len(v.strays) > 0 {
			if err := v.prov.Delete(ctx, v.plan.Zone, v.strays); err != nil {
				return appliedMsg{step: v.step, err: err, where: v.where}
			}
		}
		done, err := publish.Apply(ctx, v.prov, v.plan)
		if err != nil {
			return appliedMsg{step: v.step, err: fmt.Errorf("%w (%s added, %s removed before that; press p to see what is left)",
				err, plural(done.Added, "record", "records"), plural(done.Deleted, "record", "records")), where: v.where}
		}
		text := fmt.Sprintf("Published at %s: %s added.", v.where, plural(done.Added, "record", "records"))
		if removed := done.Deleted + len(v.strays); removed > 0 {
			text = fmt.Sprintf("Published at %s: %s added, %s removed.", v.where,
				plural(done.Added, "record", "records"), plural(removed, "record", "records"))
		}
		if demo != nil {
			text += " The first nameserver has it now, the second in a few seconds; watch the servers below."
		} else {
			text += " Watching the nameservers until they serve it."
		}
		return appliedMsg{step: v.step, text: text, where: v.where}
	}
}

// demoDirect runs one of the demo's own publications (a mistake, or the
// server put right), which need no plan.
func demoDirect(id string, do func(string) (string, error)) tea.Cmd {
	return func() tea.Msg {
		text, err := do(id)
		return appliedMsg{step: id, text: text, err: err}
	}
}
