package assets

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
)

// StepText explains one step to someone who has never heard of it. Its
// title is the step's own (internal/steps), declared once there.
type StepText struct {
	ID string
	// Why it matters, in two or three plain sentences.
	Why string
	// Where it is set, one sentence ("At your hosting provider, not at your
	// DNS provider: …").
	Where string
	// Pitfalls are the common mistakes, one sentence each.
	Pitfalls []string
}

// Step returns the text of the step with the given id.
func Step(id string) (StepText, bool) {
	if !fs.ValidPath(id) || strings.ContainsAny(id, "/.") {
		return StepText{}, false
	}
	texts, err := parsedSteps()
	if err != nil {
		return StepText{}, false
	}
	for _, t := range texts {
		if t.ID == id {
			return t.clone(), true
		}
	}
	return StepText{}, false
}

// Steps returns the text of every step, in file-name order, or an error
// naming the file that does not parse.
func Steps() ([]StepText, error) {
	texts, err := parsedSteps()
	if err != nil {
		return nil, err
	}
	out := make([]StepText, len(texts))
	for i, t := range texts {
		out[i] = t.clone()
	}
	return out, nil
}

// parsedSteps parses every step text once: the embedded files cannot
// change, and the wizard asks for titles on every screen it draws.
var parsedSteps = sync.OnceValues(loadSteps)

// clone copies t, its slice included.
func (t StepText) clone() StepText {
	t.Pitfalls = slices.Clone(t.Pitfalls)
	return t
}

// loadSteps reads and parses every steps/*.md, in file-name order.
func loadSteps() ([]StepText, error) {
	names, err := fs.Glob(files, "steps/*.md")
	if err != nil {
		return nil, fmt.Errorf("list step texts: %w", err)
	}
	out := make([]StepText, 0, len(names))
	for _, name := range names {
		text, err := loadStep(strings.TrimSuffix(path.Base(name), ".md"))
		if err != nil {
			return nil, err
		}
		out = append(out, text)
	}
	return out, nil
}

// loadStep reads and parses steps/<id>.md.
func loadStep(id string) (StepText, error) {
	name := "steps/" + id + ".md"
	data, err := files.ReadFile(name)
	if err != nil {
		return StepText{}, fmt.Errorf("read step text: %w", err)
	}
	text, err := parseStep(string(data))
	if err != nil {
		return StepText{}, fmt.Errorf("%s: %w", name, err)
	}
	if text.ID != id {
		return StepText{}, fmt.Errorf("%s: front matter id %q does not match the file name", name, text.ID)
	}
	return text, nil
}

// Section headings of a step text.
const (
	sectionWhy      = "Why"
	sectionWhere    = "Where"
	sectionPitfalls = "Pitfalls"
)

// parseStep parses a step text: a TOML front matter between "+++" lines
// (the id), then the sections "# Why", "# Where" and "# Pitfalls". Why
// and Where are paragraphs whose lines are joined with spaces; Pitfalls is
// a list of "- " items, each continued by indented lines.
func parseStep(data string) (StepText, error) {
	front, body, err := splitFrontMatter(data)
	if err != nil {
		return StepText{}, err
	}
	var meta struct {
		ID string `toml:"id"`
	}
	md, err := toml.Decode(front, &meta)
	if err != nil {
		return StepText{}, fmt.Errorf("front matter: %w", err)
	}
	if keys := md.Undecoded(); len(keys) > 0 {
		return StepText{}, fmt.Errorf("front matter: unknown key %q", keys[0].String())
	}
	if meta.ID == "" {
		return StepText{}, errors.New("front matter: id is required")
	}
	sections, err := splitSections(body)
	if err != nil {
		return StepText{}, err
	}
	text := StepText{
		ID:    meta.ID,
		Why:   paragraph(sections[sectionWhy]),
		Where: paragraph(sections[sectionWhere]),
	}
	if text.Why == "" || text.Where == "" {
		return StepText{}, errors.New("the sections Why and Where must not be empty")
	}
	text.Pitfalls, err = listItems(sections[sectionPitfalls])
	if err != nil {
		return StepText{}, err
	}
	if len(text.Pitfalls) == 0 {
		return StepText{}, errors.New("the section Pitfalls must list at least one item")
	}
	return text, nil
}

// splitFrontMatter separates the "+++" front matter from the body.
func splitFrontMatter(data string) (front, body string, err error) {
	const fence = "+++\n"
	data = strings.ReplaceAll(data, "\r\n", "\n")
	if !strings.HasPrefix(data, fence) {
		return "", "", errors.New("missing front matter: the file must start with a +++ line")
	}
	front, body, ok := strings.Cut(data[len(fence):], "\n"+fence)
	if !ok {
		return "", "", errors.New("front matter is not closed by a +++ line")
	}
	return front, body, nil
}

// splitSections maps each "# Heading" of body to its lines. Every section
// must appear exactly once; text before the first heading is an error.
func splitSections(body string) (map[string][]string, error) {
	sections := make(map[string][]string, 3)
	current := ""
	sc := bufio.NewScanner(strings.NewReader(body))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if heading, ok := strings.CutPrefix(line, "# "); ok {
			heading = strings.TrimSpace(heading)
			switch heading {
			case sectionWhy, sectionWhere, sectionPitfalls:
			default:
				return nil, fmt.Errorf("body line %d: unknown section %q", n, heading)
			}
			if _, dup := sections[heading]; dup {
				return nil, fmt.Errorf("body line %d: section %q appears twice", n, heading)
			}
			sections[heading] = []string{}
			current = heading
			continue
		}
		if current == "" {
			if strings.TrimSpace(line) != "" {
				return nil, fmt.Errorf("body line %d: text before the first section", n)
			}
			continue
		}
		sections[current] = append(sections[current], line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	for _, want := range []string{sectionWhy, sectionWhere, sectionPitfalls} {
		if _, ok := sections[want]; !ok {
			return nil, fmt.Errorf("missing section %q", want)
		}
	}
	return sections, nil
}

// paragraph joins lines into one line of text.
func paragraph(lines []string) string {
	return strings.Join(strings.Fields(strings.Join(lines, " ")), " ")
}

// listItems reads "- " items; an indented line continues the item above.
func listItems(lines []string) ([]string, error) {
	var items [][]string
	for _, line := range lines {
		switch {
		case strings.TrimSpace(line) == "":
		case strings.HasPrefix(line, "- "):
			items = append(items, []string{line[2:]})
		case strings.HasPrefix(line, " ") && len(items) > 0:
			last := len(items) - 1
			items[last] = append(items[last], line)
		default:
			return nil, fmt.Errorf("pitfalls: %q is neither a \"- \" item nor an indented continuation", line)
		}
	}
	out := make([]string, 0, len(items))
	for _, item := range items {
		text := paragraph(item)
		if text == "" {
			return nil, errors.New("pitfalls: empty item")
		}
		out = append(out, text)
	}
	return out, nil
}
