package ui

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"sync"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/mailwizard/mailwizard/assets"
	"github.com/mailwizard/mailwizard/internal/steps"
)

// formPage is where the form is: the domain and host, the lookups they
// allow, the rest of the questions, and writing the key.
type formPage int

const (
	pageIdentity formPage = iota
	pageLookup
	pageDetails
	pageFinishing
)

// lookedUpMsg carries what the host resolves to and who serves the zone.
type lookedUpMsg struct {
	addrs   []netip.Addr
	addrErr error
	ns      []string
}

// finishedMsg carries the completed, normalized Config, or what went wrong
// (a DKIM key that could not be written, a field that no longer validates).
type finishedMsg struct {
	cfg       steps.Config
	generated string // path of a key written by this run
	err       error
}

// formModel is the huh form, in two parts: the domain and host first, so
// that the second part can offer what the host resolves to and name the
// zone's DNS provider.
type formModel struct {
	sh      *shared
	be      backend
	a       *answers
	page    formPage
	form    *huh.Form
	problem string // why finishing failed, shown above the form
	// fixing is set when the form edits saved answers that need fixing:
	// the domain then does not resume its profile again.
	fixing bool
	w, h   int
}

func newFormModel(sh *shared, be backend, cfg steps.Config, keyDir string) formModel {
	f := formModel{sh: sh, be: be, a: newAnswers(cfg, keyDir)}
	f.form = f.newForm(f.fields().identityGroup())
	return f
}

func (f formModel) fields() fields {
	return fields{a: f.a, v: validators{a: f.a, readFile: f.be.readFile, exists: f.be.exists, load: f.be.load}}
}

// newForm wraps groups in a form with the wizard's theme and size.
func (f formModel) newForm(groups ...*huh.Group) *huh.Form {
	form := huh.NewForm(groups...).WithTheme(huh.ThemeFunc(huh.ThemeCharm)).WithShowHelp(true)
	if f.w > 0 {
		form = form.WithWidth(f.w)
	}
	return form
}

// Init starts the current form.
func (f formModel) Init() tea.Cmd { return f.form.Init() }

// SetSize gives the form its area.
func (f formModel) SetSize(w, h int) formModel {
	f.w, f.h = w, h
	f.form = f.form.WithWidth(w)
	return f
}

// Update forwards messages to huh and moves between the form's parts when
// one completes.
func (f formModel) Update(msg tea.Msg) (formModel, tea.Cmd) {
	switch m := msg.(type) {
	case lookedUpMsg:
		return f.lookedUp(m)
	case finishedMsg:
		return f.finishFailed(m)
	case tea.WindowSizeMsg:
		// The form gets the room under the header, not the window.
		msg = tea.WindowSizeMsg{Width: f.w, Height: max(f.h-len(f.head()), 6)}
	}
	if f.page == pageLookup || f.page == pageFinishing {
		return f, nil
	}
	fm, cmd := f.form.Update(msg)
	if form, ok := fm.(*huh.Form); ok {
		f.form = form
	}
	if f.form.State != huh.StateCompleted {
		return f, cmd
	}
	switch f.page {
	case pageIdentity:
		if saved, ok := savedProfile(f.be, f.a.domain); ok && !f.fixing {
			f.page = pageLookup
			return f, tea.Batch(cmd, prepare(saved, f.be.readFile), flash("Found your saved answers for "+trimDot(saved.Domain)+": re-checking every step."))
		}
		f.a.fillDefaults()
		f.page = pageLookup
		return f, tea.Batch(cmd, lookup(f.be.programContext(), f.be, f.a.config()))
	case pageDetails:
		f.page = pageFinishing
		return f, tea.Batch(cmd, finish(f.be, *f.a))
	}
	return f, cmd
}

// savedProfile returns the saved answers for domain, when there are some
// that load: a domain typed in the form resumes its profile rather than
// starting over and saving on top of it.
func savedProfile(be backend, domain string) (steps.Config, bool) {
	if be.load == nil {
		return steps.Config{}, false
	}
	cfg, found, err := be.load(strings.TrimSpace(domain))
	return cfg, found && err == nil
}

// prepare normalizes a saved profile (reading its key file) and hands it
// to the model as a preparedMsg.
func prepare(cfg steps.Config, readFile func(string) ([]byte, error)) tea.Cmd {
	return func() tea.Msg {
		err := cfg.Normalize(readFile)
		return preparedMsg{cfg: cfg, err: err}
	}
}

// lookedUp builds the second part with what the lookups found.
func (f formModel) lookedUp(msg lookedUpMsg) (formModel, tea.Cmd) {
	if f.page != pageLookup {
		return f, nil
	}
	learn(f.a, msg)
	f.page = pageDetails
	f.form = f.newForm(f.fields().detailGroups()...)
	return f, f.form.Init()
}

// learn records the lookups' findings in the answers: the addresses are
// offered when none were typed, the provider is preselected when none was
// chosen.
func learn(a *answers, msg lookedUpMsg) {
	a.resolved, a.nsNames = msg.addrs, msg.ns
	if msg.addrErr != nil {
		a.lookupErr = msg.addrErr.Error()
	}
	if strings.TrimSpace(a.ips) == "" {
		a.ips = joinAddrs(msg.addrs)
	}
	if p, ok := assets.DetectProvider(msg.ns); ok {
		a.detected = p.ID
	}
	if a.provider == "" {
		a.provider = cmpOr(a.detected, "other")
	}
}

// finishFailed shows why the answers could not be completed and asks the
// second part again.
func (f formModel) finishFailed(msg finishedMsg) (formModel, tea.Cmd) {
	if msg.generated != "" {
		f.a.dkimMode, f.a.keyPath = dkimExisting, msg.generated
	}
	f.problem = msg.err.Error()
	f.page = pageDetails
	f.form = f.newForm(f.fields().detailGroups()...)
	return f, f.form.Init()
}

// head is the form's title, rule and demo note.
func (f formModel) head() []string {
	st := f.sh.styles
	head := []string{
		st.brand.Render("mailwizard") + st.subtle.Render(" · set up the DNS of a mail server"),
		st.rule.Render(strings.Repeat("─", max(f.w, 1))),
	}
	if f.be.publishing != nil && f.be.publishing.demo != nil {
		head = append(head, hanging(st.flash.Render("Demo: "), st.flash.Render("every answer is filled in for the demo's mail server; press enter to keep each one."), f.w)...)
	}
	return head
}

// View draws the current part, or what the form is waiting for.
func (f formModel) View() string {
	st := f.sh.styles
	head := f.head()
	switch f.page {
	case pageLookup:
		host := strings.TrimSuffix(f.a.host, ".")
		head = append(head, st.subtle.Render("Looking up "+host+" and the nameservers of "+strings.TrimSuffix(f.a.domain, ".")+"…"))
	case pageFinishing:
		what := "Checking the answers…"
		if f.a.dkimMode == dkimGenerate {
			what = "Generating the DKIM key (" + f.a.newKeyPath + ")…"
		}
		head = append(head, st.subtle.Render(what))
	default:
		if f.problem != "" {
			head = append(head, hanging(st.fail.Render("✗ "), f.problem, f.w)...)
		}
		head = append(head, f.form.View())
	}
	return strings.Join(head, "\n")
}

// lookup asks what the host resolves to and who serves the zone, in
// parallel and with a deadline within ctx.
func lookup(ctx context.Context, be backend, cfg steps.Config) tea.Cmd {
	_ = cfg.Normalize(nil) // names become absolute; problems show in the form
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
		defer cancel()
		var (
			msg lookedUpMsg
			wg  sync.WaitGroup
		)
		wg.Go(func() {
			if be.lookupAddrs != nil {
				msg.addrs, msg.addrErr = be.lookupAddrs(ctx, cfg.Host)
			}
		})
		wg.Go(func() {
			if be.lookupNS != nil {
				msg.ns, _ = be.lookupNS(ctx, cfg.Domain)
			}
		})
		wg.Wait()
		return msg
	}
}

// finish writes a new DKIM key when one was asked for (never over an
// existing file) and normalizes the whole Config.
func finish(be backend, a answers) tea.Cmd {
	return func() tea.Msg { return completeAnswers(be, &a) }
}

// completeAnswers is finish's work, shared with the accessible walk.
func completeAnswers(be backend, a *answers) finishedMsg {
	var generated string
	if a.dkimMode == dkimGenerate {
		path := strings.TrimSpace(a.newKeyPath)
		if err := be.makeKey(path); err != nil {
			return finishedMsg{err: fmt.Errorf("could not write the new DKIM key: %w", err)}
		}
		generated = path
		a.dkimMode, a.keyPath = dkimExisting, path
	}
	cfg := a.config()
	if err := cfg.Normalize(be.readFile); err != nil {
		return finishedMsg{generated: generated, err: fmt.Errorf("some answers need fixing: %w", err)}
	}
	return finishedMsg{cfg: cfg, generated: generated}
}
