package ui

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// lineReader hands out its input one line per Read. huh's accessible
// prompts each wrap the input in a new bufio.Scanner; without this the
// first one would swallow the answers meant for the next.
type lineReader struct {
	r       *bufio.Reader
	pending []byte
	// emptyAs, when set, is read in place of an empty line: huh's
	// accessible multiple choice takes "0" for done, not an empty line.
	emptyAs string
	// exhausted is set once a read found no input left: a question was
	// asked that nobody can answer any more.
	exhausted bool
}

func newLineReader(r io.Reader) *lineReader { return &lineReader{r: bufio.NewReader(r)} }

func (l *lineReader) Read(p []byte) (int, error) {
	if len(l.pending) == 0 {
		line, err := l.r.ReadBytes('\n')
		if len(line) == 0 {
			l.exhausted = errors.Is(err, io.EOF)
			return 0, err
		}
		if l.emptyAs != "" && strings.TrimSpace(string(line)) == "" {
			line = []byte(l.emptyAs + "\n")
		}
		l.pending = line
	}
	n := copy(p, l.pending)
	l.pending = l.pending[n:]
	return n, nil
}

// accessible is the plain walk: huh's accessible prompts for the form,
// then each step as lines, checked on demand. No alternate screen, no
// colour, no redrawing.
type accessible struct {
	be     backend
	all    []steps.Step
	in     *lineReader
	out    io.Writer
	keyDir string
	export string
	// next is the domain whose steps follow this one's, "" for the last.
	next string
}

// errQuit ends the walk normally.
var errQuit = errors.New("quit")

// errNextDomain ends a domain's walk for the next domain's.
var errNextDomain = errors.New("next domain")

// ErrInputEnded is returned by Run when the input ran out before every
// question of the form was answered: huh would take the proposed answers
// for the rest (and, for the DKIM key, generate one), which nobody chose,
// so nothing is saved. The command exits 2.
var ErrInputEnded = errors.New("the input ended before every question was answered; nothing was saved")

// readLine reads one answer, or gives up when ctx ends.
func (a accessible) readLine(ctx context.Context) (string, error) {
	type result struct {
		line string
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		var buf [4096]byte
		n, err := a.in.Read(buf[:])
		ch <- result{line: strings.TrimSpace(string(buf[:n])), err: err}
	}()
	select {
	case <-ctx.Done():
		return "", ErrInterrupted
	case r := <-ch:
		if r.err != nil && r.line == "" {
			if errors.Is(r.err, io.EOF) {
				return "", errQuit
			}
			return "", fmt.Errorf("read the answer: %w", r.err)
		}
		return r.line, nil
	}
}

// runForm runs one accessible form; ctx ending interrupts it.
func (a accessible) runForm(ctx context.Context, groups ...*huh.Group) error {
	form := huh.NewForm(groups...).WithAccessible(true).WithInput(a.in).WithOutput(a.out).WithShowHelp(false)
	done := make(chan error, 1)
	go func() { done <- form.Run() }()
	select {
	case <-ctx.Done():
		return ErrInterrupted
	case err := <-done:
		if a.in.exhausted {
			return ErrInputEnded
		}
		if err != nil {
			return fmt.Errorf("ask: %w", err)
		}
		return nil
	}
}

// ask runs the whole form and returns the completed Config. When resume is
// set and the domain typed has saved answers that still hold, it returns
// those at once with resumed set. On an interruption it returns what was
// valid so far and ErrInterrupted.
func (a accessible) ask(ctx context.Context, cfg steps.Config, resume bool) (_ []steps.Config, resumed bool, _ error) {
	fmt.Fprintln(a.out, "mailwizard: set up the DNS of a mail server. Press Enter to keep a proposed answer.")
	first, more, resumed, err := a.askDomain(ctx, newAnswers(cfg, a.keyDir), resume)
	if err != nil || resumed {
		return []steps.Config{first}, resumed, err
	}
	cfgs := []steps.Config{first}
	for more {
		var next steps.Config
		next, more, _, err = a.askDomain(ctx, furtherAnswers(cfgs, a.keyDir), false)
		if err != nil {
			if strings.TrimSpace(next.Domain) != "" {
				cfgs = append(cfgs, next)
			}
			return cfgs, false, err
		}
		cfgs = append(cfgs, next)
	}
	return cfgs, false, nil
}

// askDomain asks one domain's questions (a further domain's own ones
// only) and says whether the mail host serves another.
func (a accessible) askDomain(ctx context.Context, ans *answers, resume bool) (_ steps.Config, more, resumed bool, _ error) {
	fs := fields{a: ans, v: validators{a: ans, readFile: a.be.readFile, exists: a.be.exists, load: a.be.load}, accessible: true}
	if err := a.runForm(ctx, fs.identityGroup()); err != nil {
		return ans.valid(a.be.readFile), false, false, err
	}
	if saved, ok := savedProfile(a.be, ans.domain); ok && resume && !ans.further {
		err := saved.Normalize(a.be.readFile)
		if err == nil {
			fmt.Fprintf(a.out, "Found your saved answers for %s: re-checking every step.\n", trimDot(saved.Domain))
			return saved, false, true, nil
		}
		fmt.Fprintf(a.out, "Your saved answers for %s need fixing: %v\n", trimDot(saved.Domain), err)
		*ans = *newAnswers(saved, a.keyDir)
	}
	ans.fillDefaults()
	learn(ans, lookup(ctx, a.be, ans.config())().(lookedUpMsg))
	for {
		for _, p := range fs.detailPages() {
			if p.hidden != nil && p.hidden() {
				continue
			}
			a.in.emptyAs = p.empty
			err := a.runForm(ctx, p.group)
			a.in.emptyAs = ""
			if err != nil {
				return ans.valid(a.be.readFile), false, false, err
			}
		}
		if ans.dkimMode == dkimGenerate {
			fmt.Fprintf(a.out, "Generating the DKIM key (%s)…\n", ans.newKeyPath)
		}
		msg := completeAnswers(a.be, ans)
		if msg.err == nil {
			if w := addressWarnings(ans.ips); w != "" {
				fmt.Fprintln(a.out, strings.TrimSpace(w))
			}
			if msg.generated != "" {
				fmt.Fprintf(a.out, "Wrote the new DKIM private key to %s; point your mail server's DKIM signing at it.\n", msg.generated)
			}
			return msg.cfg, msg.more, false, nil
		}
		fmt.Fprintf(a.out, "%v\nPlease answer again.\n", msg.err)
	}
}

// walk shows the steps one by one, keeping their results in results; it
// returns the Config as it ends (with any skips) and ErrInterrupted,
// errQuit or nil.
func (a accessible) walk(ctx context.Context, cfg steps.Config, startAtOverview bool, results map[string]steps.Result) (steps.Config, error) {
	i := 0
	if startAtOverview {
		i = len(a.all)
	}
	for {
		if i >= len(a.all) {
			next, err := a.overview(ctx, &cfg, results)
			if err != nil {
				return cfg, err
			}
			i = next
			continue
		}
		next, err := a.step(ctx, &cfg, results, i)
		if err != nil {
			return cfg, err
		}
		i = next
	}
}

// check runs one round for ids and records the results.
func (a accessible) check(ctx context.Context, cfg steps.Config, ids []string, results map[string]steps.Result) error {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	fmt.Fprintln(a.out, "Checking…")
	rs, err := a.be.check(ctx, cfg, ids)
	collectAfterRound()
	for _, r := range rs {
		results[r.Step] = r
	}
	return err
}

// step shows step i until the person moves on; it returns the next index.
// A check again prints only what changed, so that a screen reader is not
// read the whole step each time.
func (a accessible) step(ctx context.Context, cfg *steps.Config, results map[string]steps.Result, i int) (int, error) {
	sh := a.shared()
	zone := false
	id := a.all[i].ID
	var last []string
	show := func(full bool) error {
		screen := newStepScreen(sh, a.all, i, *cfg)
		if full {
			plainStep(a.out, screen, zone)
		}
		var checkErr error
		if !isSkipped(*cfg, id) {
			checkErr = a.check(ctx, *cfg, []string{id}, results)
		}
		if r, ok := results[id]; ok && !isSkipped(*cfg, id) {
			screen = screen.withResult(r)
		}
		lines := plainStatus(screen, checkErr)
		switch {
		case full || last == nil:
			printLines(a.out, lines)
		case slices.Equal(lines, last):
			fmt.Fprintf(a.out, "No change: %s\n", lines[0])
		default:
			printLines(a.out, changedLines(last, lines))
		}
		last = lines
		return nil
	}
	if err := show(true); err != nil {
		return i, err
	}
	k := newStepScreen(sh, a.all, i, *cfg).keys(false)
	prompt := "Enter checks again; n next, b back, s skip (not mine), z zone-file lines, o overview, q quit"
	if k.publish {
		prompt += "; p publish"
	}
	if k.mistake {
		prompt += "; m publish a typical mistake (demo)"
	}
	for {
		fmt.Fprintln(a.out, prompt+".")
		line, err := a.readLine(ctx)
		if err != nil {
			return i, err
		}
		switch strings.ToLower(line) {
		case "":
			if err := show(false); err != nil {
				return i, err
			}
		case "n":
			return i + 1, nil
		case "b":
			return max(i-1, 0), nil
		case "o":
			return len(a.all), nil
		case "q":
			return i, errQuit
		case "z":
			zone = !zone
			last = nil
			if err := show(true); err != nil {
				return i, err
			}
		case "s":
			if !isSkipped(*cfg, id) {
				fmt.Fprintf(a.out, "Mark %s as not yours? It is then not checked, and the summary leaves it out. Type y to confirm, anything else keeps it.\n", a.all[i].Title)
				answer, err := a.readLine(ctx)
				if err != nil {
					return i, err
				}
				if !strings.EqualFold(answer, "y") {
					fmt.Fprintln(a.out, "Kept.")
					continue
				}
			}
			toggleSkipIn(cfg, id)
			a.save(*cfg)
			if isSkipped(*cfg, id) {
				fmt.Fprintf(a.out, "Skipped %s: marked as not yours. To take it back, open it again and type s.\n", a.all[i].Title)
				return i + 1, nil
			}
			fmt.Fprintf(a.out, "Checking %s again.\n", a.all[i].Title)
			last = nil
		case "p":
			if !k.publish {
				fmt.Fprintln(a.out, "There is nothing to publish for this step here.")
				continue
			}
			if err := a.publish(ctx, *cfg, a.all[i]); err != nil {
				return i, err
			}
		case "m":
			if !k.mistake {
				fmt.Fprintln(a.out, "Typical mistakes are only in the demo.")
				continue
			}
			text, err := a.be.publishing.demo.PublishMistake(id)
			if err != nil {
				fmt.Fprintf(a.out, "Could not publish: %v\n", err)
				continue
			}
			fmt.Fprintln(a.out, text)
		default:
			fmt.Fprintf(a.out, "%q is not one of the choices.\n", line)
		}
	}
}

// shared is the screens' shared state for plain lines.
func (a accessible) shared() *shared {
	demo := a.be.publishing != nil && a.be.publishing.demo != nil
	return &shared{styles: newStyles(look{noColor: true}), keys: newKeyMap(a.be.publishing != nil, demo), now: a.be.now, width: 80, height: 24}
}

func printLines(w io.Writer, lines []string) {
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
}

// changedLines is the status line and every line that was not there
// before.
func changedLines(before, now []string) []string {
	out := []string{"Now: " + now[0]}
	for _, l := range now[1:] {
		if !slices.Contains(before, l) {
			out = append(out, l)
		}
	}
	return out
}

// overview checks every step and lists them; it returns the index of the
// step to open.
func (a accessible) overview(ctx context.Context, cfg *steps.Config, results map[string]steps.Result) (int, error) {
	sh := a.shared()
	var ids []string
	for _, st := range a.all {
		if !isSkipped(*cfg, st.ID) {
			ids = append(ids, st.ID)
		}
	}
	o := newOverview(sh, a.all, *cfg)
	show := func() {
		checkErr := a.check(ctx, *cfg, ids, results)
		o = o.withResults(results)
		plainOverview(a.out, o)
		if checkErr != nil {
			fmt.Fprintf(a.out, "Could not run the check: %v\n", checkErr)
		}
	}
	show()
	for {
		next := ""
		if a.next != "" {
			next = " n goes on to " + a.next + "'s steps,"
		}
		fmt.Fprintf(a.out, "Type a step number to open it; Enter checks again,%s e exports a Markdown report, z shows the zone snippet, q quits.\n", next)
		line, err := a.readLine(ctx)
		if err != nil {
			return 0, err
		}
		switch strings.ToLower(line) {
		case "":
			show()
		case "q":
			return 0, errQuit
		case "n":
			if a.next == "" {
				fmt.Fprintf(a.out, "%q is not one of the choices.\n", line)
				continue
			}
			return 0, errNextDomain
		case "z":
			plainZone(a.out, o)
		case "e":
			a.exportReport(*cfg, results)
		default:
			n, err := strconv.Atoi(line)
			if err == nil && n >= 1 && n <= len(a.all) {
				return n - 1, nil
			}
			fmt.Fprintf(a.out, "%q is not one of the choices.\n", line)
		}
	}
}

func toggleSkipIn(cfg *steps.Config, id string) {
	for i, s := range cfg.Skip {
		if s == id {
			cfg.Skip = append(cfg.Skip[:i:i], cfg.Skip[i+1:]...)
			return
		}
	}
	cfg.Skip = append(cfg.Skip, id)
}

// save saves the answers of the domains given, and says when it could
// not.
func (a accessible) save(cfgs ...steps.Config) {
	if a.be.save == nil {
		return
	}
	if err := a.be.save(cfgs); err != nil {
		fmt.Fprintf(a.out, "Could not save the answers: %v\n", err)
	}
}

// publish shows the step's plan and publishes it once confirmed.
func (a accessible) publish(ctx context.Context, cfg steps.Config, st steps.Step) error {
	var msg tea.Msg
	if say, ok := demoWithoutPlan(a.be, st.ID); ok {
		fmt.Fprintln(a.out, say)
		msg = demoDirect(st.ID, a.be.publishing.demo.PublishElsewhere)()
	} else {
		fmt.Fprintln(a.out, "Reading the zone…")
		planned := planStep(ctx, a.be, cfg, st, st.Records(cfg))().(plannedMsg)
		if planned.err != nil {
			fmt.Fprintf(a.out, "Could not publish: %v\n", planned.err)
			return nil
		}
		v := planned.view
		printLines(a.out, v.lines())
		if !v.changes() {
			return nil
		}
		answer, err := a.readLine(ctx)
		if err != nil {
			return err
		}
		if !strings.EqualFold(answer, "y") {
			fmt.Fprintln(a.out, "Nothing was published.")
			return nil
		}
		msg = applyPlan(ctx, a.be, v)()
	}
	applied := msg.(appliedMsg)
	if applied.err != nil {
		fmt.Fprintf(a.out, "Could not publish: %v\n", applied.err)
		return nil
	}
	fmt.Fprintln(a.out, applied.text+" Press Enter to check again.")
	return nil
}

func (a accessible) exportReport(cfg steps.Config, results map[string]steps.Result) {
	if a.be.report == nil || a.be.writeFile == nil {
		fmt.Fprintln(a.out, "Exporting a report is not available here.")
		return
	}
	path, err := a.be.writeFile(reportName(a.export, cfg, a.be.publishing != nil && a.be.publishing.demo != nil), a.be.report(cfg, inOrder(a.all, cfg, results)))
	if err != nil {
		fmt.Fprintf(a.out, "Could not write the report: %v\n", err)
		return
	}
	fmt.Fprintf(a.out, "Wrote the report to %s.\n", path)
}
