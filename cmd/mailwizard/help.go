package main

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Help is plain text wrapped to the terminal: paragraphs reflowed, lists
// and examples kept, every line within the width, nothing cut. The same
// source gives the man page (man.go).

// Help's width: $COLUMNS, else the terminal's, else this; never wider
// than maxHelpWidth, which keeps lines readable.
const (
	defaultHelpWidth = 80
	maxHelpWidth     = 100
	minHelpWidth     = 40
)

// helpWidth is the width help is wrapped to for out.
func helpWidth(e env, out io.Writer) int {
	w := 0
	if n, err := strconv.Atoi(e.getenv("COLUMNS")); err == nil && n > 0 {
		w = n
	} else if f, ok := out.(interface{ Fd() uintptr }); ok && term.IsTerminal(f.Fd()) {
		if tw, _, err := term.GetSize(f.Fd()); err == nil {
			w = tw
		}
	}
	if w == 0 {
		w = defaultHelpWidth
	}
	return max(min(w, maxHelpWidth), minHelpWidth)
}

// writeHelp writes the help of c, width columns wide.
func writeHelp(out io.Writer, c *cobra.Command, width int) {
	var b strings.Builder
	for i, p := range paragraphs(longText(c)) {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(p.render(width, ""))
	}
	b.WriteString("\nUsage:\n")
	b.WriteString(usageLine(c, width))
	if c.Example != "" {
		b.WriteString("\nExamples:\n")
		for _, ex := range strings.Split(strings.TrimRight(c.Example, "\n"), "\n") {
			b.WriteString(commandLines(strings.TrimSpace(ex), "  ", width))
		}
	}
	if cmds := visibleCommands(c); len(cmds) > 0 {
		b.WriteString("\nCommands:\n")
		nameW := 0
		for _, sc := range cmds {
			nameW = max(nameW, len(sc.Name()))
		}
		for _, sc := range cmds {
			b.WriteString(twoColumns("  "+sc.Name(), nameW+4, sc.Short, width))
		}
	}
	if flags := flagRows(c); len(flags) > 0 {
		b.WriteString("\nFlags:\n")
		leftW := 0
		for _, f := range flags {
			leftW = max(leftW, len(f[0]))
		}
		leftW = min(leftW+2, width/2)
		for _, f := range flags {
			b.WriteString(twoColumns(f[0], leftW, f[1], width))
		}
	}
	if c.HasAvailableSubCommands() {
		b.WriteString("\n")
		for _, l := range wrapWords(fmt.Sprintf("Run \"%s COMMAND --help\" for a command's own help, and \"mailwizard man | man -l -\" for the whole manual.", c.CommandPath()), width) {
			b.WriteString(l + "\n")
		}
	}
	_, _ = io.WriteString(out, b.String())
}

// longText is what help and the man page say of c: its long text, or
// else its short one as a sentence.
func longText(c *cobra.Command) string {
	if c.Long == "" {
		return c.Short + "."
	}
	return c.Long
}

// usageLine is how the command is run.
func usageLine(c *cobra.Command, width int) string {
	path := c.CommandPath()
	switch {
	case c.HasAvailableSubCommands() && c.Runnable():
		return commandLines(path+" [flags]", "  ", width) + commandLines(path+" COMMAND [flags]", "  ", width)
	case c.HasAvailableSubCommands():
		return commandLines(path+" COMMAND [flags]", "  ", width)
	}
	if rest := strings.TrimSpace(strings.TrimPrefix(c.Use, c.Name())); rest != "" {
		path += " " + rest
	}
	return commandLines(path+" [flags]", "  ", width)
}

// visibleCommands are c's subcommands that help lists.
func visibleCommands(c *cobra.Command) []*cobra.Command {
	var out []*cobra.Command
	for _, sc := range c.Commands() {
		if sc.IsAvailableCommand() || sc.Name() == "help" {
			out = append(out, sc)
		}
	}
	return out
}

// flagRows are c's flags as "  -h, --help" and what the flag does, with
// its default when it has one worth saying.
func flagRows(c *cobra.Command) [][2]string {
	var out [][2]string
	add := func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		left := "      --" + f.Name
		if f.Shorthand != "" {
			left = "  -" + f.Shorthand + ", --" + f.Name
		}
		if v := valueName(f); v != "" {
			left += " " + v
		}
		out = append(out, [2]string{left, flagUsage(f)})
	}
	c.LocalFlags().VisitAll(add)
	c.InheritedFlags().VisitAll(add)
	return out
}

// fileWord finds "file" as a word.
var fileWord = regexp.MustCompile(`\bfile\b`)

// valueName is what a flag's value is called in help: "FILE",
// "HOST:PORT", "LIST"; "" for a switch.
func valueName(f *pflag.Flag) string {
	name, usage := pflag.UnquoteUsage(f)
	switch {
	case name == "" || name == "bool":
		return ""
	case name == "strings" || name == "stringSlice":
		return "LIST"
	case name == "duration":
		return "DURATION"
	case name == "int" || name == "uint32":
		return "N"
	case strings.Contains(f.Name, "server") || strings.Contains(usage, "host:port"):
		return "HOST:PORT"
	case fileWord.MatchString(usage) || f.Name == "out":
		return "FILE"
	case name == "string":
		return strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
	}
	return strings.ToUpper(name)
}

// flagUsage is what a flag does, with its default when it has one worth
// saying that the text does not say already.
func flagUsage(f *pflag.Flag) string {
	_, usage := pflag.UnquoteUsage(f)
	if d := f.DefValue; d != "" && d != "0" && d != "0s" && d != "false" && d != "[]" && !strings.Contains(usage, "default") {
		usage += " (default " + d + ")"
	}
	return usage
}

// twoColumns writes left, padded to leftW, and text wrapped beside it; a
// left column wider than leftW puts the text on the next line.
func twoColumns(left string, leftW int, text string, width int) string {
	pad := strings.Repeat(" ", leftW)
	lines := wrapWords(text, width-leftW)
	var b strings.Builder
	if len(left)+1 > leftW {
		b.WriteString(left + "\n")
		for _, l := range lines {
			b.WriteString(pad + l + "\n")
		}
		return b.String()
	}
	for i, l := range lines {
		if i == 0 {
			b.WriteString(left + strings.Repeat(" ", leftW-len(left)) + l + "\n")
			continue
		}
		b.WriteString(pad + l + "\n")
	}
	return b.String()
}

// commandLines writes a command line as a shell would take it: broken
// between words with a backslash at the end of each line but the last,
// never cut.
func commandLines(line, indent string, width int) string {
	words := strings.Fields(line)
	var b strings.Builder
	cur := indent
	for i, w := range words {
		switch {
		case i == 0:
			cur += w
		case ansi.StringWidth(cur)+1+ansi.StringWidth(w)+2 <= width:
			cur += " " + w
		default:
			b.WriteString(cur + " \\\n")
			cur = indent + "    " + w
		}
	}
	return b.String() + cur + "\n"
}

// wrapWords wraps text at spaces into lines of at most width cells; a
// word longer than that stands alone on its line.
func wrapWords(text string, width int) []string {
	var lines []string
	cur := ""
	for _, w := range strings.Fields(text) {
		switch {
		case cur == "":
			cur = w
		case ansi.StringWidth(cur)+1+ansi.StringWidth(w) <= width:
			cur += " " + w
		default:
			lines = append(lines, cur)
			cur = w
		}
	}
	return append(lines, cur)
}

// paragraph is a block of a command's long text: words to reflow, a list
// item, or lines kept as they are (indented in the source).
type paragraph struct {
	kind  paragraphKind
	lines []string
}

type paragraphKind int

const (
	prose paragraphKind = iota
	item
	verbatim
)

// paragraphs splits a long text into paragraphs at blank lines; in a
// paragraph, a line starting with "- " starts a list item and an indented
// line is kept as it is.
func paragraphs(text string) []paragraph {
	var out []paragraph
	for _, block := range strings.Split(strings.TrimSpace(text), "\n\n") {
		var cur *paragraph
		start := func(kind paragraphKind) {
			out = append(out, paragraph{kind: kind})
			cur = &out[len(out)-1]
		}
		for _, l := range strings.Split(block, "\n") {
			switch {
			case strings.HasPrefix(l, "- "):
				start(item)
			case cur != nil && cur.kind == item && strings.HasPrefix(l, "  "):
			case strings.HasPrefix(l, "  "):
				if cur == nil || cur.kind != verbatim {
					start(verbatim)
				}
			case cur == nil || cur.kind != prose:
				start(prose)
			}
			cur.lines = append(cur.lines, l)
		}
	}
	return out
}

// text is the paragraph's words, its list mark taken off.
func (p paragraph) text() string {
	t := strings.Join(p.lines, " ")
	return strings.Join(strings.Fields(strings.TrimPrefix(t, "- ")), " ")
}

// render writes the paragraph for a terminal width columns wide.
func (p paragraph) render(width int, indent string) string {
	var b strings.Builder
	switch p.kind {
	case verbatim:
		for _, l := range p.lines {
			b.WriteString(indent + l + "\n")
		}
	case item:
		for i, l := range wrapWords(p.text(), width-len(indent)-2) {
			mark := "- "
			if i > 0 {
				mark = "  "
			}
			b.WriteString(indent + mark + l + "\n")
		}
	default:
		for _, l := range wrapWords(p.text(), width-len(indent)) {
			b.WriteString(indent + l + "\n")
		}
	}
	return b.String()
}
