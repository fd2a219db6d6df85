package ui

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/mailwizard/mailwizard/internal/report"
	"github.com/mailwizard/mailwizard/internal/steps"
)

// phase is where the wizard is.
type phase int

const (
	phaseLoading  phase = iota // checking a saved profile
	phaseForm                  // asking the questions
	phaseStep                  // one step's screen
	phaseOverview              // every step at a glance; the summary at the end
)

// model is the wizard: the only tea.Model. It owns the polling and the
// results; the screens are plain children.
type model struct {
	sh        *shared
	be        backend
	all       []steps.Step
	phase     phase
	exportDir string
	// domains are the mail domains of the mail host the wizard walks,
	// in order; the first one's steps include the host's own (shared)
	// steps, which are judged once for all. cur is the domain on view:
	// cfg is domains[cur] and results res[cur].
	domains []steps.Config
	res     []map[string]steps.Result
	cur     int
	cfg     steps.Config
	// show is the domain a saved profile's overview starts on.
	show string

	form formModel
	step stepScreen
	over overview

	results  map[string]steps.Result
	checkErr error
	watch    watch
	spin     spinner.Model
	help     help.Model
	showHelp bool
	clockOn  bool
	flash    string
	// flashUntil is the step whose turning green ends the flash (what it
	// announced has happened); "" ends it at the next key.
	flashUntil string
	// confirmSkip is the step on which s was pressed once: a second s
	// marks it as not mine.
	confirmSkip string
	// plan is a publish plan waiting for yes or no; planning is set while
	// the zone is read.
	plan     *planView
	planning bool
	// said are the report's notes about the network already said once.
	said map[string]bool

	interrupted bool // ctrl+c: Run returns ErrInterrupted
	quitting    bool
}

// config of a new model: what Run knows.
type modelConfig struct {
	cfg steps.Config
	// domains, when the profile holds several domains of the mail host,
	// are all of them (cfg is then the one to show first).
	domains     []steps.Config
	haveProfile bool
	keyDir      string
	exportDir   string
	interval    time.Duration
	look        look
}

// newModel returns the wizard at its start: the form, or, with a saved
// profile, the overview once the profile is checked.
func newModel(mc modelConfig, be backend, all []steps.Step) model {
	if be.now == nil {
		be.now = time.Now
	}
	if be.tick == nil {
		be.tick = tea.Tick
	}
	demo := be.publishing != nil && be.publishing.demo != nil
	sh := &shared{look: mc.look, styles: newStyles(mc.look), keys: newKeyMap(be.publishing != nil, demo), now: be.now}
	domains := mc.domains
	if len(domains) == 0 {
		domains = []steps.Config{mc.cfg}
	}
	show := mc.cfg.Domain
	res := make([]map[string]steps.Result, len(domains))
	for i := range res {
		res[i] = map[string]steps.Result{}
	}
	m := model{
		sh: sh, be: be, all: all, cfg: domains[0], exportDir: mc.exportDir,
		domains: domains, res: res, results: res[0], show: show,
		said:  map[string]bool{},
		watch: newWatch(mc.interval),
		spin:  spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(sh.styles.spinner)),
		help:  help.New(),
		form:  newFormModel(sh, be, mc.cfg, mc.keyDir),
		over:  newOverview(sh, all, mc.cfg),
	}
	m.help.Styles = sh.styles.help
	if mc.haveProfile {
		m.phase = phaseLoading
	} else {
		m.phase = phaseForm
	}
	return m
}

// preparedMsg is a saved profile, normalized (its key file read).
type preparedMsg struct {
	cfg steps.Config
	err error
	// cfgs are every domain of the profile, normalized, and show the
	// one to show first.
	cfgs []steps.Config
	show string
}

// savedMsg says whether the profile was written.
type savedMsg struct{ err error }

// exportedMsg says where the report went.
type exportedMsg struct {
	path string
	err  error
}

// Init asks for the background colour and starts the first phase.
func (m model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor}
	switch m.phase {
	case phaseLoading:
		cmds = append(cmds, prepareAll(m.domains, m.show, m.be.readFile))
	case phaseForm:
		cmds = append(cmds, m.form.Init())
	}
	return tea.Batch(cmds...)
}

// Update routes a message: window and colour changes to everyone, polling
// messages to the watch, keys to the screen on view.
func (m model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if key.Matches(msg, m.sh.keys.Interrupt) {
			m.interrupted, m.quitting = true, true
			m.watch.stop()
			return m, tea.Quit
		}
	case tea.WindowSizeMsg:
		m.sh.width, m.sh.height = msg.Width, msg.Height
		m = m.resize()
		var cmd tea.Cmd
		if m.phase == phaseForm {
			m.form, cmd = m.form.Update(msg)
		}
		return m, cmd
	case tea.BackgroundColorMsg:
		m.sh.look.dark = msg.IsDark()
		m = m.restyle()
		var cmd tea.Cmd
		if m.phase == phaseForm {
			m.form, cmd = m.form.Update(msg)
		}
		return m, cmd
	case spinner.TickMsg:
		if !m.watch.checking {
			return m, nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case clockMsg:
		return m, tickClock(m.be.tick)
	case flashMsg:
		return m.say(string(msg)), nil
	case preparedMsg:
		return m.prepared(msg)
	case finishedMsg:
		if msg.err != nil {
			var cmd tea.Cmd
			m.form, cmd = m.form.Update(msg)
			return m, cmd
		}
		if msg.more {
			m.form.done = append(m.form.done, msg.cfg)
			m.domains = slices.Clone(m.form.done)
			m.cfg = m.domains[0]
			var cmd tea.Cmd
			m.form, cmd = m.form.further(m.form.done)
			m = m.resize()
			return m, tea.Batch(cmd, m.save(), flash("Saved the answers for "+trimDot(msg.cfg.Domain)+". Now the next domain of "+trimDot(msg.cfg.Host)+"."))
		}
		m = m.withDomains(append(slices.Clone(m.form.done), msg.cfg))
		cmds := []tea.Cmd{m.save()}
		switch {
		case msg.generated != "":
			cmds = append(cmds, flash("Wrote the new DKIM private key to "+msg.generated+"; point your mail server's DKIM signing at it."))
		case m.demo():
			cmds = append(cmds, flash("Demo: press p to publish a step's records (one nameserver gets them at once, the other a few seconds later), or m for a typical mistake."))
		}
		m, cmd := m.goStep(0)
		return m, tea.Batch(append(cmds, cmd)...)
	case pollMsg:
		if !m.watch.due(msg) {
			return m, nil
		}
		return m.checkNow()
	case checkedMsg:
		return m.checked(msg)
	case plannedMsg:
		return m.planned(msg)
	case appliedMsg:
		return m.applied(msg)
	case savedMsg:
		if msg.err != nil {
			m = m.say("Could not save the answers: " + msg.err.Error())
		}
		return m, nil
	case exportedMsg:
		if msg.err != nil {
			return m.say("Could not write the report: " + msg.err.Error()), nil
		}
		return m.say("Wrote the report to " + msg.path + "."), nil
	}
	switch m.phase {
	case phaseForm:
		var cmd tea.Cmd
		m.form, cmd = m.form.Update(msg)
		return m, cmd
	case phaseStep, phaseOverview:
		kp, ok := msg.(tea.KeyPressMsg)
		if !ok {
			return m, nil
		}
		if m.plan != nil && m.phase == phaseStep {
			return m.updatePlan(kp)
		}
		if m.flashUntil == "" {
			m = m.say("")
		}
		if next, cmd, ok := m.updateCommon(kp); ok {
			return next, cmd
		}
		if m.phase == phaseStep {
			return m.updateStep(kp)
		}
		return m.updateOverview(kp)
	}
	return m, nil
}

// prepared goes on from a checked profile: to the overview, re-verifying
// every step, or to the form when the profile no longer validates.
func (m model) prepared(msg preparedMsg) (tea.Model, tea.Cmd) {
	if msg.err != nil {
		m.phase = phaseForm
		m.form = newFormModel(m.sh, m.be, msg.cfg, m.form.a.keyDir).SetSize(m.areaWidth(), m.areaHeight())
		m.form.problem = "The saved answers need fixing: " + msg.err.Error()
		m.form.fixing = true
		return m, m.form.Init()
	}
	m = m.withDomains(msg.cfgs)
	if i := m.domainIndex(msg.show); i > 0 {
		m = m.toDomain(i)
	}
	return m.goOverview(false)
}

// updateStep handles a step screen's own keys.
func (m model) updateStep(kp tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.sh.keys
	confirming := m.confirmSkip == m.step.step.ID
	m.confirmSkip = ""
	switch {
	case key.Matches(kp, k.Next):
		d, i, ok := m.nextStop(m.step.index)
		if !ok {
			return m.goOverview(true)
		}
		return m.toDomain(d).goStep(i)
	case key.Matches(kp, k.Back):
		d, i, ok := m.prevStop(m.step.index)
		if !ok {
			return m.say("This is the first step."), nil
		}
		return m.toDomain(d).goStep(i)
	case key.Matches(kp, k.Overview):
		return m.goOverview(m.over.summary)
	case key.Matches(kp, k.Recheck):
		return m.checkNow()
	case key.Matches(kp, k.Skip):
		if confirming || isSkipped(m.cfg, m.step.step.ID) {
			return m.toggleSkip()
		}
		m.confirmSkip = m.step.step.ID
		return m.say("Press s again to mark " + m.step.step.Title + " as not yours: it is then not checked, and the summary leaves it out. Any other key keeps it."), nil
	case key.Matches(kp, k.Publish) && k.Publish.Enabled():
		return m.publish()
	case key.Matches(kp, k.Mistake) && k.Mistake.Enabled():
		return m.say("Publishing a typical mistake…"), demoDirect(m.step.step.ID, m.be.publishing.demo.PublishMistake)
	}
	if key.Matches(kp, k.Copy) && m.step.selectedProposed() {
		value, said := m.step.copyText()
		m, saved, kept := m.adoptProposals(m.step.step.ID)
		return m, tea.Batch(tea.SetClipboard(value), saved, flash(strings.TrimSpace(kept+" "+said)))
	}
	var cmd tea.Cmd
	m.step, cmd = m.step.Update(kp)
	return m, cmd
}

// updateCommon handles the keys that mean the same on every screen after
// the form: help and quit. ok is false for any other key.
func (m model) updateCommon(kp tea.KeyPressMsg) (next tea.Model, cmd tea.Cmd, ok bool) {
	switch {
	case key.Matches(kp, m.sh.keys.Help):
		m.showHelp = !m.showHelp
		return m.resize(), nil, true
	case key.Matches(kp, m.sh.keys.Quit):
		m.quitting = true
		m.watch.stop()
		return m, tea.Quit, true
	}
	return m, nil, false
}

// updateOverview handles the overview's own keys.
func (m model) updateOverview(kp tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.sh.keys
	switch {
	case m.several() && !m.over.zone && (kp.String() == "left" || kp.String() == "right"):
		d := 1
		if kp.String() == "left" {
			d = -1
		}
		m.over = m.over.moveGrid(0, d)
		return m, nil
	case key.Matches(kp, k.Open) && !m.over.zone && m.several():
		return m.toDomain(max(m.over.row-1, 0)).goStep(m.over.cursor)
	case key.Matches(kp, k.Open) && !m.over.zone:
		return m.goStep(m.over.cursor)
	case key.Matches(kp, k.Back), key.Matches(kp, k.Overview) && !m.over.zone:
		return m.goStep(m.step.index)
	case key.Matches(kp, k.Recheck):
		return m.checkNow()
	case key.Matches(kp, k.Export):
		return m, m.export()
	}
	var cmd tea.Cmd
	m.over, cmd = m.over.Update(kp)
	return m, cmd
}

// goStep shows step i and watches it alone.
func (m model) goStep(i int) (model, tea.Cmd) {
	if len(m.all) == 0 {
		return m.goOverview(true)
	}
	i = max(0, min(i, len(m.all)-1))
	m.phase = phaseStep
	m.plan, m.confirmSkip = nil, ""
	m.step = newStepScreen(m.sh, m.all, i, m.cfg)
	number, count := m.walkPlace(i)
	m.step = m.step.withPlace(number, count, m.afterStep(i), m.several() && m.all[i].Shared)
	if r, ok := m.results[m.all[i].ID]; ok && !isSkipped(m.cfg, m.all[i].ID) {
		m.step = m.step.withResult(r)
	}
	m = m.resize()
	ids := []string{m.all[i].ID}
	if isSkipped(m.cfg, ids[0]) {
		ids = nil
	}
	m.watch = m.watch.retarget(ids)
	next, cmd := m.checkNow()
	return next.startClock(cmd)
}

// goOverview shows every step and watches them all.
func (m model) goOverview(summary bool) (model, tea.Cmd) {
	m.phase = phaseOverview
	m = m.synced()
	m.over.cfg = m.cfg
	m.over.summary = summary
	m.over.zone = false
	m.over.cursor = m.step.index
	m.over.row = m.cur + 1
	switch {
	case m.step.sh == nil && m.cur > 0:
		// No step seen yet: the domain asked for, on its first own step.
		m.over.cursor = slices.IndexFunc(m.all, func(s steps.Step) bool { return !s.Shared })
	case m.all[m.step.index].Shared:
		m.over.row = 0
	}
	m.over = m.over.withResults(m.results).withDomains(m.domains, m.res)
	m = m.resize()
	m.watch = m.watch.retarget(m.activeIDs())
	m.watch.every = m.several()
	next, cmd := m.checkNow()
	return next.startClock(cmd)
}

// activeIDs are the steps that are not skipped, in order.
func (m model) activeIDs() []string {
	var ids []string
	for _, st := range m.all {
		if !isSkipped(m.cfg, st.ID) {
			ids = append(ids, st.ID)
		}
	}
	return ids
}

// startClock starts the once-a-second redraw of the timing line, once,
// alongside cmd.
func (m model) startClock(cmd tea.Cmd) (model, tea.Cmd) {
	if m.clockOn {
		return m, cmd
	}
	m.clockOn = true
	return m, tea.Batch(cmd, tickClock(m.be.tick))
}

// checkNow starts a round for the watched steps at once.
func (m model) checkNow() (model, tea.Cmd) {
	if len(m.watch.ids) == 0 {
		return m, nil
	}
	var cmd tea.Cmd
	m = m.synced()
	cfgs := []steps.Config{m.cfg}
	if m.watch.every {
		cfgs = m.domains
	}
	m.watch, cmd = m.watch.start(m.be, cfgs)
	m.spin = spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(m.sh.styles.spinner))
	return m, tea.Batch(cmd, m.spin.Tick)
}

// checked takes a round's results, unless they are stale.
func (m model) checked(msg checkedMsg) (tea.Model, tea.Cmd) {
	w, next, fresh := m.watch.done(msg, m.be.tick)
	if !fresh {
		return m, nil
	}
	m.watch = w
	m.checkErr = msg.err
	rounds := msg.domains
	if rounds == nil {
		rounds = []domainResults{{domain: m.cur, results: msg.results}}
	}
	var all []steps.Result
	for _, dr := range rounds {
		for _, r := range dr.results {
			all = append(all, r)
			for i := range m.res {
				// A shared step is the mail host's: the same for every
				// domain.
				if i == dr.domain || steps.IsShared(r.Step) {
					m.res[i][r.Step] = r
				}
			}
			if m.phase == phaseStep && dr.domain == m.cur && r.Step == m.step.step.ID {
				m.step = m.step.withResult(r)
			}
		}
	}
	notes := networkNotes(all)
	m.over = m.over.withResults(m.results).withDomains(m.domains, m.res).withNotes(notes)
	if r, ok := m.results[m.flashUntil]; ok && green(r.Status) {
		m.flashUntil = ""
		m = m.say("")
	}
	for _, n := range notes {
		if !m.said[n] {
			m.said[n] = true
			m = m.say(n)
		}
	}
	return m, next
}

// networkNotes are what the report says once about the network (no IPv6
// path, …), without resolver mode, which each step's screen says.
func networkNotes(results []steps.Result) []string {
	var out []string
	for _, n := range report.Build("", results, time.Time{}).Notes {
		if n != steps.ResolverModeText {
			out = append(out, n)
		}
	}
	return out
}

// toggleSkip marks the step on screen "not mine" (and moves on), or
// takes it back.
func (m model) toggleSkip() (tea.Model, tea.Cmd) {
	id := m.step.step.ID
	if i := slices.Index(m.cfg.Skip, id); i >= 0 {
		m.cfg.Skip = slices.Delete(slices.Clone(m.cfg.Skip), i, i+1)
		delete(m.results, id)
		next, cmd := m.goStep(m.step.index)
		return next, tea.Batch(cmd, m.save(), flash("Checking "+m.step.step.Title+" again."))
	}
	m.cfg.Skip = append(slices.Clone(m.cfg.Skip), id)
	m.results[id] = steps.Result{Step: id, Status: steps.StatusSkipped}
	m = m.synced()
	msg := flash("Skipped " + m.step.step.Title + ": marked as not yours. To take it back, open it again (o, then enter on it) and press s.")
	d, i, ok := m.nextStop(m.step.index)
	if !ok {
		next, cmd := m.goOverview(true)
		return next, tea.Batch(cmd, m.save(), msg)
	}
	next, cmd := m.toDomain(d).goStep(i)
	return next, tea.Batch(cmd, m.save(), msg)
}

// save writes the answers to the profile, when there is one.
func (m model) save() tea.Cmd {
	if m.be.save == nil {
		return nil
	}
	save, cfgs := m.be.save, m.synced().domains
	return func() tea.Msg { return savedMsg{err: save(cfgs)} }
}

// demo reports whether the wizard runs in the demo's world.
func (m model) demo() bool { return m.be.publishing != nil && m.be.publishing.demo != nil }

// publish starts publishing the step on screen: its plan is read from
// the provider and shown for a yes or no. In the demo, the server and
// dnssec steps publish no record: the demo does it at once
// (demoWithoutPlan).
func (m model) publish() (tea.Model, tea.Cmd) {
	st := m.step.step
	if m.planning {
		return m.say("Reading the zone for the plan…"), nil
	}
	if say, ok := demoWithoutPlan(m.be, st.ID); ok {
		return m.say(say), demoDirect(st.ID, m.be.publishing.demo.PublishElsewhere)
	}
	if len(m.step.records) == 0 {
		return m.say("Nothing to publish for " + st.Title + "."), nil
	}
	m.planning = true
	return m.say("Reading the zone to plan " + st.Title + "…"), planStep(m.be.programContext(), m.be, m.cfg, st, m.step.records)
}

// planned shows a plan read from the provider, on the step it is for.
func (m model) planned(msg plannedMsg) (tea.Model, tea.Cmd) {
	m.planning = false
	if msg.err != nil {
		return m.say("Could not publish: " + msg.err.Error()), nil
	}
	if m.phase != phaseStep || m.step.step.ID != msg.view.step {
		return m, nil
	}
	v := msg.view
	m.plan = &v
	m.step = m.step.withPlan(v.lines())
	if !v.changes() {
		return m.say("Nothing to change: the zone already holds what this step publishes there."), nil
	}
	return m.say("Publish at " + v.where + "? y publishes exactly this plan, n cancels."), nil
}

// updatePlan answers the plan's question; arrows scroll it.
func (m model) updatePlan(kp tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.sh.keys
	switch {
	case key.Matches(kp, k.Interrupt):
		return m, nil
	case key.Matches(kp, k.Confirm) && m.plan.changes():
		v := *m.plan
		m.plan = nil
		m.step = m.step.withPlan(nil)
		return m.say("Publishing at " + v.where + "…"), applyPlan(m.be.programContext(), m.be, v)
	case key.Matches(kp, k.Cancel), key.Matches(kp, k.Confirm), key.Matches(kp, k.Quit):
		m.plan = nil
		m.step = m.step.withPlan(nil)
		return m.say("Nothing was published."), nil
	}
	var cmd tea.Cmd
	m.step, cmd = m.step.Update(kp)
	return m, cmd
}

// applied says what publishing did and checks again at once; the
// message stays until the step turns green.
func (m model) applied(msg appliedMsg) (tea.Model, tea.Cmd) {
	if msg.err != nil {
		where := msg.where
		if where == "" {
			where = "the demo's world"
		}
		m.flashUntil = ""
		return m.say("Could not publish at " + where + ": " + msg.err.Error()), nil
	}
	m, saved, kept := m.adoptProposals(msg.step)
	m = m.say(strings.TrimSpace(msg.text + " " + kept))
	m.flashUntil = msg.step
	next, cmd := m.checkNow()
	return next, tea.Batch(cmd, saved)
}

// adoptProposals keeps in the answers what makes the step's records the
// ones its findings propose (the SPF includes and addresses of a merged
// record), so that records and publish give them too, and says so. Nothing
// changes when the answers cannot say it.
func (m model) adoptProposals(id string) (_ model, save tea.Cmd, said string) {
	r, ok := m.results[id]
	if !ok || id != steps.IDSPF {
		return m, nil, ""
	}
	cfg := m.cfg
	for _, p := range r.Proposed {
		if next, ok := steps.SPFAnswers(cfg, p.Value); ok && strings.EqualFold(p.Name, cfg.Domain) {
			cfg = next
		}
	}
	if slices.Equal(cfg.SPFIncludes, m.cfg.SPFIncludes) && slices.Equal(cfg.SPFIPs, m.cfg.SPFIPs) {
		return m, nil, ""
	}
	m.cfg = cfg
	m.step.cfg, m.over.cfg = cfg, cfg
	return m, m.save(), "Kept the merged SPF record in your answers, so records and publish give it too."
}

// export writes the Markdown report next to the profile (or in the
// current folder).
func (m model) export() tea.Cmd {
	if m.be.report == nil || m.be.writeFile == nil {
		return flash("Exporting a report is not available here.")
	}
	cfg, be := m.cfg, m.be
	results := inOrder(m.all, cfg, m.results)
	name := reportName(m.exportDir, cfg, m.demo())
	return func() tea.Msg {
		path, err := be.writeFile(name, be.report(cfg, results))
		return exportedMsg{path: path, err: err}
	}
}

// restyle rebuilds the styles for the current look.
func (m model) restyle() model {
	m.sh.styles = newStyles(m.sh.look)
	m.help.Styles = m.sh.styles.help
	m.spin.Style = m.sh.styles.spinner
	return m
}

// footer is the flash line and the key bar (or every key, with ?).
func (m model) footer() string {
	width := m.areaWidth()
	var short, full []key.Binding
	switch m.phase {
	case phaseStep:
		c := m.step.keys(m.plan != nil)
		short, full = m.sh.keys.stepShort(width, c), m.sh.keys.stepFull(c)
	case phaseOverview:
		short, full = m.sh.keys.overviewShort(width), m.sh.keys.overviewFull()
	case phaseForm:
		short = append(m.form.keyBinds(), m.sh.keys.Interrupt)
		full = short
	default:
		return ""
	}
	h := m.help
	h.SetWidth(width)
	help := []string{h.ShortHelpView(short)}
	if m.showHelp {
		help = flowHelp(h, full, width)
	}
	return strings.Join(append(m.flashLines(), help...), "\n")
}

// flashLines are the flash message in at most two lines (one blank line
// when there is none).
func (m model) flashLines() []string {
	w := m.areaWidth()
	return styled(m.sh.styles.flash, atMost(wrap(m.flash, w), 2, w))
}

// say shows a flash message above the help line until the next key; the
// screens make room for it.
func (m model) say(text string) model {
	if text == m.flash {
		return m
	}
	if text == "" {
		m.flashUntil = ""
	}
	m.flash = text
	return m.resize()
}

// areaWidth and areaHeight are the room the screens get inside the
// padding and above the footer.
func (m model) areaWidth() int { return m.sh.bodyWidth() }

func (m model) areaHeight() int {
	top := m.sh.styles.gap
	return max(m.sh.height-top-lipgloss.Height(m.footer()), 3)
}

// resize passes the area on to the screens.
func (m model) resize() model {
	w, h := m.areaWidth(), m.areaHeight()
	if m.phase == phaseForm {
		m.form = m.form.SetSize(w, h)
	}
	m.step = m.step.SetSize(w, h)
	m.over = m.over.SetSize(w, h)
	return m
}

// live is the polling state for drawing.
func (m model) live() live {
	return live{checking: m.watch.checking, spinner: m.spin.View(), timing: m.watch.timing(m.sh.now()), err: m.checkErr}
}

// View draws the phase on screen in the alternate screen.
func (m model) View() tea.View {
	v := tea.NewView(m.content())
	v.AltScreen = true
	v.WindowTitle = "mailwizard"
	if d := trimDot(m.cfg.Domain); d != "" {
		v.WindowTitle += " · " + d
	}
	return v
}

// content is the screen as text.
func (m model) content() string {
	st := m.sh.styles
	if m.quitting {
		return ""
	}
	if m.sh.tooSmall() {
		var lines []string
		for _, l := range []string{
			fmt.Sprintf("The window is %d×%d.", m.sh.width, m.sh.height),
			fmt.Sprintf("mailwizard needs at least %d×%d.", minWidth, minHeight),
			"Make the window larger, or use --accessible for plain lines.",
		} {
			lines = append(lines, wrap(l, max(m.sh.width-2, 10))...)
		}
		return strings.Join(lines, "\n")
	}
	var body string
	switch m.phase {
	case phaseLoading:
		body = st.brand.Render("mailwizard") + st.subtle.Render(" · reading the saved answers…")
	case phaseForm:
		body = m.form.View()
	case phaseStep:
		body = m.step.withLive(m.live()).View()
	case phaseOverview:
		body = m.over.withLive(m.live()).View()
	}
	if f := m.footer(); f != "" {
		area := max(m.sh.height-st.gap-lipgloss.Height(f), 3)
		gapLines := max(area-lipgloss.Height(body), 0)
		body += strings.Repeat("\n", gapLines) + "\n" + f
	}
	// The screen's padding: blank lines above, spaces on the left.
	lines := strings.Split(body, "\n")
	left := strings.Repeat(" ", st.padX)
	for i, l := range lines {
		if l != "" {
			lines[i] = left + l
		}
	}
	return strings.Repeat("\n", st.gap) + strings.Join(lines, "\n")
}

// config is the answers as they stand, for saving on the way out: every
// domain's completed Config after the form, or, in the form, the domains
// answered and the valid part of the one being answered.
func (m model) config() ([]steps.Config, bool) {
	switch m.phase {
	case phaseLoading:
		return m.domains, false
	case phaseForm:
		c := m.form.a.valid(m.be.readFile)
		if strings.TrimSpace(c.Domain) == "" {
			return m.form.done, len(m.form.done) > 0
		}
		return append(slices.Clone(m.form.done), c), true
	default:
		return m.synced().domains, true
	}
}

// inOrder lists the results of every step in the wizard's order; a step
// not checked yet is pending, one cfg skips is skipped.
func inOrder(all []steps.Step, cfg steps.Config, results map[string]steps.Result) []steps.Result {
	out := make([]steps.Result, 0, len(all))
	for _, st := range all {
		r, ok := results[st.ID]
		switch {
		case isSkipped(cfg, st.ID):
			r = steps.Result{Step: st.ID, Status: steps.StatusSkipped}
		case !ok:
			r = steps.Result{Step: st.ID, Status: steps.StatusPending}
		}
		out = append(out, r)
	}
	return out
}

// exitCode is what the wizard exits with: what check would for the last
// results (0 when every step is verified, 1 while one is pending or
// failing, 3 when the rest could not be checked), 1 when the answers are
// not complete yet.
func (m model) exitCode() int {
	if m.phase == phaseForm || m.phase == phaseLoading {
		return report.ExitProblems
	}
	m = m.synced()
	codes := make([]int, len(m.domains))
	for i, c := range m.domains {
		codes[i] = report.ExitCode(report.Build(c.Domain, inOrder(m.all, c, m.res[i]), time.Time{}))
	}
	return report.WorstExit(codes...)
}

// reportName is where an exported report of cfg goes in dir; the demo's
// is named as the demo's.
func reportName(dir string, cfg steps.Config, demo bool) string {
	name := "mailwizard-" + trimDot(cfg.Domain) + ".md"
	if demo {
		name = "mailwizard-demo-report-" + trimDot(cfg.Domain) + ".md"
	}
	return filepath.Join(dir, name)
}
