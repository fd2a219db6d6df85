package ui

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"

	"charm.land/bubbles/v2/key"
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
	// more is set when the mail host serves another domain, whose
	// answers the form asks next.
	more bool
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
	// filtering is set while a choice's list is filtered ("/"), until
	// enter or esc.
	filtering bool
	// done are the domains of the mail host answered so far, when the
	// form asks for another.
	done []steps.Config
	w, h int
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
	// The key bar is the wizard's own, at the bottom of the window
	// (model.footer), not huh's, which would float under the fields.
	form := huh.NewForm(groups...).WithTheme(formTheme(f.sh.look)).WithShowHelp(false)
	if f.w > 0 {
		form = form.WithWidth(f.w).WithHeight(max(f.h-len(f.head())-f.problemHeight(), 6))
	}
	return form
}

// Init starts the current form.
func (f formModel) Init() tea.Cmd { return f.form.Init() }

// SetSize gives the form its area.
func (f formModel) SetSize(w, h int) formModel {
	f.w, f.h = w, h
	f.form = f.form.WithWidth(w).WithHeight(max(h-len(f.head())-f.problemHeight(), 6))
	return f
}

// problemHeight is how many lines the problem above the form takes.
func (f formModel) problemHeight() int {
	if f.problem == "" {
		return 0
	}
	return len(hanging("✗ ", f.problem, f.w))
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
	var pre tea.Cmd
	if kp, ok := msg.(tea.KeyPressMsg); ok {
		f, pre = f.beforeKey(kp)
	}
	fm, cmd := f.form.Update(msg)
	cmd = tea.Batch(pre, cmd)
	if form, ok := fm.(*huh.Form); ok {
		f.form = form
	}
	if f.form.State != huh.StateCompleted {
		return f, cmd
	}
	switch f.page {
	case pageIdentity:
		if saved, ok := savedProfile(f.be, f.a.domain); ok && !f.fixing && !f.a.further {
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

// beforeKey works around huh's filter of a choice, which keeps the
// cursor's place in the list: filtering from the last option ("Other")
// would pick the last match ("/cloud" picks OVHcloud, not Cloudflare).
// Going to the top first makes the first match the one under the cursor.
func (f formModel) beforeKey(kp tea.KeyPressMsg) (formModel, tea.Cmd) {
	switch kp.String() {
	case "/":
		if _, ok := f.form.GetFocusedField().(*huh.Select[string]); ok && !f.filtering {
			f.filtering = true
			fm, cmd := f.form.Update(tea.KeyPressMsg{Code: tea.KeyHome})
			if form, ok := fm.(*huh.Form); ok {
				f.form = form
			}
			return f, cmd
		}
	case "enter", "esc", "tab", "shift+tab":
		f.filtering = false
	}
	return f, nil
}

// keyBinds are the keys of the focused field, for the key bar.
func (f formModel) keyBinds() []key.Binding {
	if f.page != pageIdentity && f.page != pageDetails {
		return nil
	}
	return f.form.KeyBinds()
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
	return prepareAll([]steps.Config{cfg}, cfg.Domain, readFile)
}

// prepareAll normalizes the saved domains of a mail host and hands them to
// the model, with the domain to show first; the first that does not
// normalize any more is the preparedMsg's cfg, with why.
func prepareAll(cfgs []steps.Config, show string, readFile func(string) ([]byte, error)) tea.Cmd {
	cfgs = slices.Clone(cfgs)
	return func() tea.Msg {
		for i := range cfgs {
			if err := cfgs[i].Normalize(readFile); err != nil {
				return preparedMsg{cfg: cfgs[i], err: err}
			}
		}
		return preparedMsg{cfg: cfgs[0], cfgs: cfgs, show: show}
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
		a.lookupErr = lookupProblem(msg.addrErr)
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

// lookupProblem says in a few words why the mail host could not be looked
// up: the innermost cause of the error chain ("no NS records at x."),
// which is what a person can act on, not the chain of what was being done.
func lookupProblem(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			break
		}
		err = next
	}
	text := err.Error()
	if i := strings.LastIndex(text, ": "); i >= 0 {
		text = text[i+2:]
	}
	return strings.TrimSuffix(steps.Printable(text), ".")
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
	if a.dkimMode == dkimPublic && looksLikeKey(a.pubPath) {
		// A public key pasted into the field is kept in a file of its
		// own, as a profile names keys by their path.
		if be.writeFile == nil {
			return finishedMsg{err: fmt.Errorf("a pasted public key cannot be kept here; give the path of a file that holds it")}
		}
		path, err := be.writeFile(a.pastedKeyPath(), []byte(strings.TrimSpace(a.pubPath)+"\n"))
		if err != nil {
			return finishedMsg{err: fmt.Errorf("could not keep the pasted public key: %w", err)}
		}
		a.pubPath = path
	}
	cfg := a.config()
	if err := cfg.Normalize(be.readFile); err != nil {
		return finishedMsg{generated: generated, err: fmt.Errorf("some answers need fixing: %w", err)}
	}
	// The MTA-STS policy keeps the id it had while it stays the same.
	var prev *steps.Config
	if base := a.base; base.Domain != "" {
		_ = base.Normalize(nil)
		prev = &base
	}
	if be.now != nil {
		cfg.StampMTASTS(prev, be.now(), be.save != nil)
	}
	return finishedMsg{cfg: cfg, generated: generated, more: a.another}
}

// further goes on with a further domain of the mail host, after the
// domains answered so far (done, the first one's host and addresses
// shared by all).
func (f formModel) further(done []steps.Config) (formModel, tea.Cmd) {
	f.a = furtherAnswers(done, f.a.keyDir)
	f.page, f.problem = pageIdentity, ""
	f.form = f.newForm(f.fields().identityGroup())
	return f, f.form.Init()
}
