package ui

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"charm.land/huh/v2"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// lineReader hands out its input one line per Read. huh's accessible
// prompts each wrap the input in a new bufio.Scanner; without this the
// first one would swallow the answers meant for the next.
type lineReader struct {
	r       *bufio.Reader
	pending []byte
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
}

// errQuit ends the walk normally.
var errQuit = errors.New("quit")

// errInputEnded ends the form when the input ran out before every question
// was answered: huh would take the proposed answers for the rest (and, for
// the DKIM key, generate one), which nobody chose.
var errInputEnded = errors.New("the input ended before every question was answered")

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
			return errInputEnded
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
func (a accessible) ask(ctx context.Context, cfg steps.Config, resume bool) (_ steps.Config, resumed bool, _ error) {
	ans := newAnswers(cfg, a.keyDir)
	fs := fields{a: ans, v: validators{a: ans, readFile: a.be.readFile, exists: a.be.exists, load: a.be.load}, accessible: true}
	fmt.Fprintln(a.out, "mailwizard: set up the DNS of a mail server. Press Enter to keep a proposed answer.")
	if err := a.runForm(ctx, fs.identityGroup()); err != nil {
		return ans.valid(a.be.readFile), false, err
	}
	if saved, ok := savedProfile(a.be, ans.domain); ok && resume {
		err := saved.Normalize(a.be.readFile)
		if err == nil {
			fmt.Fprintf(a.out, "Found your saved answers for %s: re-checking every step.\n", trimDot(saved.Domain))
			return saved, true, nil
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
			if err := a.runForm(ctx, p.group); err != nil {
				return ans.valid(a.be.readFile), false, err
			}
		}
		if ans.dkimMode == dkimGenerate {
			fmt.Fprintf(a.out, "Generating the DKIM key (%s)…\n", ans.newKeyPath)
		}
		msg := completeAnswers(a.be, ans)
		if msg.err == nil {
			if msg.generated != "" {
				fmt.Fprintf(a.out, "Wrote the new DKIM private key to %s; point your mail server's DKIM signing at it.\n", msg.generated)
			}
			return msg.cfg, false, nil
		}
		fmt.Fprintf(a.out, "%v\nPlease answer again.\n", msg.err)
	}
}

// walk shows the steps one by one; it returns the Config as it ends (with
// any skips) and ErrInterrupted, errQuit or nil.
func (a accessible) walk(ctx context.Context, cfg steps.Config, startAtOverview bool) (steps.Config, error) {
	results := map[string]steps.Result{}
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
	for _, r := range rs {
		results[r.Step] = r
	}
	return err
}

// step shows step i until the person moves on; it returns the next index.
func (a accessible) step(ctx context.Context, cfg *steps.Config, results map[string]steps.Result, i int) (int, error) {
	sh := &shared{styles: newStyles(look{noColor: true}), keys: newKeyMap(a.be.publisher != nil), now: a.be.now, width: 80, height: 24}
	zone := false
	id := a.all[i].ID
	for {
		screen := newStepScreen(sh, a.all, i, *cfg)
		plainStep(a.out, screen, zone)
		var checkErr error
		if !isSkipped(*cfg, id) {
			checkErr = a.check(ctx, *cfg, []string{id}, results)
		}
		if r, ok := results[id]; ok && !isSkipped(*cfg, id) {
			screen = screen.withResult(r)
		}
		plainStatus(a.out, screen, checkErr)
		prompt := "Enter checks again; n next, b back, s skip (not mine), z zone-file lines, o overview, q quit"
		if a.be.publisher != nil {
			prompt += "; demo: p publish, m publish a mistake"
		}
		fmt.Fprintln(a.out, prompt+".")
		line, err := a.readLine(ctx)
		if err != nil {
			return i, err
		}
		switch strings.ToLower(line) {
		case "":
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
		case "s":
			toggleSkipIn(cfg, id)
			a.saveConfig(*cfg)
			if isSkipped(*cfg, id) {
				fmt.Fprintf(a.out, "Skipped %s: marked as not yours.\n", a.all[i].Title)
				return i + 1, nil
			}
		case "p", "m":
			a.publish(id, line == "m")
		default:
			fmt.Fprintf(a.out, "%q is not one of the choices.\n", line)
		}
	}
}

// overview checks every step and lists them; it returns the index of the
// step to open.
func (a accessible) overview(ctx context.Context, cfg *steps.Config, results map[string]steps.Result) (int, error) {
	sh := &shared{styles: newStyles(look{noColor: true}), keys: newKeyMap(false), now: a.be.now, width: 80, height: 24}
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
		fmt.Fprintf(a.out, "Type a step number to open it; Enter checks again, e exports a Markdown report, z shows the zone snippet, q quits.\n")
		line, err := a.readLine(ctx)
		if err != nil {
			return 0, err
		}
		switch strings.ToLower(line) {
		case "":
			show()
		case "q":
			return 0, errQuit
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

func (a accessible) saveConfig(cfg steps.Config) {
	if a.be.save == nil {
		return
	}
	if err := a.be.save(cfg); err != nil {
		fmt.Fprintf(a.out, "Could not save the answers: %v\n", err)
	}
}

func (a accessible) publish(id string, mistake bool) {
	p := a.be.publisher
	if p == nil {
		fmt.Fprintln(a.out, "Publishing is only possible in the demo.")
		return
	}
	publish := p.Publish
	if mistake {
		publish = p.PublishMistake
	}
	text, err := publish(id)
	if err != nil {
		fmt.Fprintf(a.out, "Could not publish: %v\n", err)
		return
	}
	fmt.Fprintln(a.out, text)
}

func (a accessible) exportReport(cfg steps.Config, results map[string]steps.Result) {
	if a.be.report == nil || a.be.writeFile == nil {
		fmt.Fprintln(a.out, "Exporting a report is not available here.")
		return
	}
	path, err := a.be.writeFile(reportName(a.export, cfg), a.be.report(cfg, inOrder(a.all, results)))
	if err != nil {
		fmt.Fprintf(a.out, "Could not write the report: %v\n", err)
		return
	}
	fmt.Fprintf(a.out, "Wrote the report to %s.\n", path)
}
