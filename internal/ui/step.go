package ui

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mailwizard/mailwizard/assets"
	"github.com/mailwizard/mailwizard/internal/steps"
)

// stepScreen is the screen of one step: why it matters, where to set it,
// the records as the provider's form fields (or as zone-file lines), and
// the live status. It scrolls when the window is too short for all of it.
type stepScreen struct {
	sh       *shared
	index    int // 0-based position in all the steps
	step     steps.Step
	text     assets.StepText
	cfg      steps.Config
	provider assets.Provider
	records  []steps.Record
	// files are the files to serve with the records (the MTA-STS
	// policy), shown as cards after theirs.
	files   []steps.File
	cards   []card
	result  steps.Result
	checked bool // result holds a real answer
	zone    bool // zone-file view
	sel     int  // selected field, counted over every card
	offset  int  // first body line shown
	// plan, when set, is a publish plan shown in place of the body until
	// it is answered.
	plan []string
	// number and count are the step's place on its domain's walk, from
	// 1; after is where enter goes once it is green ("the next step",
	// "the summary"); forHost is set for a step of the mail host shared
	// by several domains.
	number, count int
	after         string
	forHost       bool
	live          live
	w, h          int
}

// live is the polling state the root model lends a screen for drawing.
type live struct {
	checking bool
	spinner  string
	timing   string
	err      error
}

// newStepScreen prepares the screen of all[index] for cfg.
func newStepScreen(sh *shared, all []steps.Step, index int, cfg steps.Config) stepScreen {
	st := all[index]
	s := stepScreen{sh: sh, index: index, step: st, cfg: cfg, provider: providerFor(cfg),
		number: index + 1, count: len(all), after: "the next step"}
	if index == len(all)-1 {
		s.after = "the summary"
	}
	s.text, _ = assets.Step(st.ID)
	if st.Records != nil {
		s.records = st.Records(cfg)
	}
	s.cards = cardsFor(s.records, cfg, s.provider)
	if st.Files != nil {
		s.files = st.Files(cfg)
		s.cards = append(s.cards, fileCards(s.files)...)
	}
	s.result = steps.Result{Step: st.ID, Status: steps.StatusPending, Expected: s.records}
	if isSkipped(cfg, st.ID) {
		s.result.Status = steps.StatusSkipped
	}
	return s
}

// SetSize gives the screen its area. The scroll position is brought in
// range where it is used (View, the scrolling keys), so that a resize
// lays nothing out.
func (s stepScreen) SetSize(w, h int) stepScreen {
	s.w, s.h = w, h
	return s
}

// withResult shows a round's verdict. A record its findings propose (an
// SPF record merged with a second one) takes the place of the expected
// one in the cards, so that what the card shows and c copies is the fix
// the finding gives.
func (s stepScreen) withResult(r steps.Result) stepScreen {
	s.result = r
	s.checked = true
	if s.step.Derived {
		// The round computed what to publish (or that nothing should be
		// published yet): show that.
		s.records = r.Expected
		s.cards = append(cardsFor(s.records, s.cfg, s.provider), fileCards(s.files)...)
		s.sel = min(s.sel, max(len(s.copyable())-1, 0))
		return s
	}
	if len(r.Expected) == 0 {
		s.result.Expected = s.records
	}
	s.records = withProposals(s.step.Records(s.cfg), r.Proposed)
	s.cards = cardsFor(s.records, s.cfg, s.provider)
	for i, rec := range s.records {
		if isProposed(rec, r.Proposed) && i < len(s.cards) {
			s.cards[i].notes = append(s.cards[i].notes, "The record the finding below proposes: yours merged with what the servers hold. Copying or publishing it keeps it in your answers when they can say it.")
		}
	}
	s.cards = append(s.cards, fileCards(s.files)...)
	return s
}

// withProposals replaces each record that a proposal is for (same name
// and type) with the proposal.
func withProposals(recs, proposed []steps.Record) []steps.Record {
	if len(proposed) == 0 {
		return recs
	}
	out := slices.Clone(recs)
	for i, r := range out {
		for _, p := range proposed {
			if strings.EqualFold(p.Name, r.Name) && p.Type == r.Type {
				out[i] = p
			}
		}
	}
	return out
}

// isProposed reports whether r is one of the proposals.
func isProposed(r steps.Record, proposed []steps.Record) bool {
	return slices.Contains(proposed, r)
}

// withPlace sets the step's place on its domain's walk and where enter
// goes once it is green; forHost marks a step of the mail host that
// several domains share.
func (s stepScreen) withPlace(number, count int, after string, forHost bool) stepScreen {
	s.number, s.count, s.after, s.forHost = number, count, after, forHost
	return s
}

// withPlan shows a publish plan in place of the body, or the body again
// for nil.
func (s stepScreen) withPlan(lines []string) stepScreen {
	s.plan = lines
	s.offset = 0
	return s
}

// keys says which keys do something on the screen; asking is set while a
// question waits for its answer.
func (s stepScreen) keys(asking bool) stepKeys {
	k := s.sh.keys
	server := s.step.ID == steps.IDServer
	demo := k.Mistake.Enabled()
	return stepKeys{
		fields:  len(s.copyable()) > 0 && !s.zone,
		zone:    len(s.records) > 0,
		publish: k.Publish.Enabled() && (len(s.records) > 0 || demo && server),
		mistake: demo && (len(s.records) > 0 || server),
		asking:  asking,
	}
}

// withLive lends the screen the polling state for one frame.
func (s stepScreen) withLive(l live) stepScreen {
	s.live = l
	return s
}

// selectedProposed reports whether the selected field belongs to a record
// a finding proposes.
func (s stepScreen) selectedProposed() bool {
	if s.zone {
		return len(s.result.Proposed) > 0
	}
	i := 0
	for j, c := range s.cards {
		if s.sel < i+len(c.fields) {
			return j < len(s.records) && isProposed(s.records[j], s.result.Proposed)
		}
		i += len(c.fields)
	}
	return false
}

// copyable lists the fields that can be selected and copied.
func (s stepScreen) copyable() []field {
	var out []field
	for _, c := range s.cards {
		out = append(out, c.fields...)
	}
	return out
}

// Update handles the screen's own keys: field selection, copy, the
// zone-file view and scrolling. Moving between screens is the root's.
func (s stepScreen) Update(msg tea.Msg) (stepScreen, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return s, nil
	}
	k := s.sh.keys
	fields := s.copyable()
	switch {
	case key.Matches(kp, k.NextField) && len(fields) > 0 && !s.zone:
		s.sel = (s.sel + 1) % len(fields)
		s.offset = s.reveal()
	case key.Matches(kp, k.PrevField) && len(fields) > 0 && !s.zone:
		s.sel = (s.sel + len(fields) - 1) % len(fields)
		s.offset = s.reveal()
	case key.Matches(kp, k.Copy):
		return s, s.copySelected()
	case key.Matches(kp, k.Zone):
		s.zone = !s.zone
		s.offset = 0
	case key.Matches(kp, k.Down):
		s.offset = s.scrolled(1, 0)
	case key.Matches(kp, k.Up):
		s.offset = s.scrolled(-1, 0)
	case key.Matches(kp, k.PageDown):
		s.offset = s.scrolled(0, 1)
	case key.Matches(kp, k.PageUp):
		s.offset = s.scrolled(0, -1)
	}
	return s, nil
}

// copySelected sends the selected field (or, in the zone-file view, the
// step's zone lines) to the terminal's clipboard through OSC 52, and says
// so, with how to get the value when the terminal ignores it.
func (s stepScreen) copySelected() tea.Cmd {
	value, said := s.copyText()
	if value == "" {
		return flash(said)
	}
	return tea.Batch(tea.SetClipboard(value), flash(said))
}

// copyText is what the copy key sends and what it says; value is "" when
// there is nothing to send.
func (s stepScreen) copyText() (value, said string) {
	if s.zone {
		text := strings.Join(zoneLines(s.records), "\n")
		if text == "" {
			return "", "This step has nothing to publish."
		}
		return text, clipboardSent("the zone-file lines", "select them on screen instead")
	}
	fields := s.copyable()
	if len(fields) == 0 {
		return "", "This step has nothing to copy."
	}
	f := fields[min(s.sel, len(fields)-1)]
	if f.value == "" {
		return "", f.label + ": leave it empty, there is nothing to copy."
	}
	return f.value, clipboardSent(f.label+" ("+steps.Elide(f.value, 32)+")", "press z and select it in the zone-file lines")
}

// clipboardSent says what the copy key did: it sent a value to the
// terminal's clipboard (OSC 52), which some terminals ignore (tmux does
// unless set-clipboard is on); otherwise says how to get it then.
func clipboardSent(what, otherwise string) string {
	return "Sent " + what + " to the terminal's clipboard. Not there? Your terminal may ignore it (in tmux: set -g set-clipboard on); " + otherwise + "."
}

// zoneLines renders records as zone-file lines.
func zoneLines(recs []steps.Record) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r.ZoneLines()...)
	}
	return out
}

// isSkipped reports whether the user marked the step "not mine".
func isSkipped(cfg steps.Config, id string) bool {
	return slices.Contains(cfg.Skip, id)
}

// flashMsg is a short confirmation shown above the help line until the
// next key ("copied").
type flashMsg string

func flash(text string) tea.Cmd {
	return func() tea.Msg { return flashMsg(text) }
}
