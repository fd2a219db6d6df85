package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mailwizard/mailwizard/internal/buildinfo"
)

// The man page is written in roff from the command tree, the same texts as
// --help: each paragraph of a long text one roff paragraph (a source line
// is never a paragraph of its own), lists as indented items, examples as
// unfilled lines, and a short centre heading that leaves room for the
// page's name on both sides at 80 columns.

// manExitStatus is the EXIT STATUS section: the codes of README.md's exit
// codes table.
var manExitStatus = [][2]string{
	{"0", "Every step passes, or passes with a warning (skipped steps do not count)."},
	{"1", "At least one step is pending or failing; for the wizard, also when it ends before every step is verified or before its answers are complete."},
	{"2", "Bad input: a flag, a file or a profile; for the wizard, also input that ended before every question was answered (nothing is saved then)."},
	{"3", "Could not check: nothing is pending or failing, but some steps could not be checked, or the resolver is unreachable."},
	{"4", "Could not write: the report, the records or the profile could not be written."},
	{"130", "Interrupted (Ctrl+C)."},
}

// writeMan writes the man page of root.
func writeMan(out io.Writer, root *cobra.Command) error {
	var b strings.Builder
	fmt.Fprintf(&b, ".TH MAILWIZARD 1 \"\" %s \"User Commands\"\n", roffQuote("mailwizard "+buildinfo.Get().Version))
	// No hyphenation and a ragged right edge: a domain, an address or a
	// flag is never broken at the end of a line.
	b.WriteString(".nh\n.ad l\n")
	b.WriteString(".SH NAME\n")
	fmt.Fprintf(&b, "mailwizard \\- %s\n", roffText(lowerFirst(root.Short)))
	b.WriteString(".SH SYNOPSIS\n")
	b.WriteString(".B mailwizard\n[\\fIflags\\fR]\n.br\n.B mailwizard\n\\fICOMMAND\\fR [\\fIflags\\fR]\n")
	b.WriteString(".SH DESCRIPTION\n")
	writeRoffText(&b, root.Long)
	b.WriteString(".SH OPTIONS\n")
	writeRoffFlags(&b, root)
	b.WriteString(".SH COMMANDS\n")
	for _, c := range manCommands(root) {
		fmt.Fprintf(&b, ".SS %s\n", roffQuote(c.CommandPath()+" "+strings.TrimSpace(strings.TrimPrefix(c.Use, c.Name()))))
		writeRoffText(&b, longText(c))
		if c.Example != "" {
			b.WriteString(".PP\nExamples:\n.PP\n.RS 4\n.nf\n")
			writeRoffExamples(&b, c.Example)
			b.WriteString(".fi\n.RE\n")
		}
		if c.HasAvailableLocalFlags() {
			b.WriteString(".PP\nFlags:\n.RS 4\n")
			writeRoffFlags(&b, c)
			b.WriteString(".RE\n")
		}
	}
	b.WriteString(".SH EXIT STATUS\n")
	for _, e := range manExitStatus {
		fmt.Fprintf(&b, ".TP\n.B %s\n%s\n", e[0], roffText(e[1]))
	}
	b.WriteString(".SH FILES\n.TP\n.I $XDG_CONFIG_HOME/mailwizard/<domain>.toml\n")
	b.WriteString(roffText("The saved answers of a domain (its profile); ~/.config/mailwizard/<domain>.toml when XDG_CONFIG_HOME is not set.") + "\n")
	b.WriteString(".SH EXAMPLES\n.nf\n")
	writeRoffExamples(&b, root.Example)
	b.WriteString(".fi\n")
	_, err := io.WriteString(out, b.String())
	return err
}

// manExampleWidth is how wide an example's lines may be: man indents them
// by 11 columns and reads 80.
const manExampleWidth = 68

// writeRoffExamples writes examples as unfilled lines, a long command
// broken between words with a backslash, as a shell takes it.
func writeRoffExamples(b *strings.Builder, examples string) {
	for _, ex := range strings.Split(strings.TrimRight(examples, "\n"), "\n") {
		for _, l := range strings.Split(strings.TrimRight(commandLines(strings.TrimSpace(ex), "", manExampleWidth), "\n"), "\n") {
			b.WriteString(roffLine(l) + "\n")
		}
	}
}

// manCommands are every command under root the manual describes, depth
// first.
func manCommands(root *cobra.Command) []*cobra.Command {
	var out []*cobra.Command
	for _, c := range root.Commands() {
		if !c.IsAvailableCommand() {
			continue
		}
		if c.Runnable() {
			out = append(out, c)
		}
		out = append(out, manCommands(c)...)
	}
	return out
}

// writeRoffText writes a long text's paragraphs.
func writeRoffText(b *strings.Builder, text string) {
	for _, p := range paragraphs(text) {
		switch p.kind {
		case verbatim:
			b.WriteString(".PP\n.RS 4\n.nf\n")
			for _, l := range p.lines {
				b.WriteString(roffLine(strings.TrimSpace(l)) + "\n")
			}
			b.WriteString(".fi\n.RE\n")
		case item:
			b.WriteString(".IP \\(bu 2\n" + roffText(p.text()) + "\n")
		default:
			b.WriteString(".PP\n" + roffText(p.text()) + "\n")
		}
	}
}

// writeRoffFlags writes a command's flags as tagged paragraphs.
func writeRoffFlags(b *strings.Builder, c *cobra.Command) {
	c.LocalFlags().VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		tag := "\\fB\\-\\-" + roffEscape(f.Name) + "\\fR"
		if f.Shorthand != "" {
			tag = "\\fB\\-" + roffEscape(f.Shorthand) + "\\fR, " + tag
		}
		if v := valueName(f); v != "" {
			tag += " \\fI" + roffEscape(v) + "\\fR"
		}
		fmt.Fprintf(b, ".TP\n%s\n%s\n", tag, roffText(flagUsage(f)))
	})
}

// roffEscape escapes what roff would read as its own: the backslash and
// the hyphen (a minus sign in a flag's name).
func roffEscape(s string) string {
	return strings.NewReplacer(`\`, `\e`, "-", `\-`).Replace(s)
}

// roffText is running text for roff: escaped, with no line starting with
// a control character.
func roffText(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "--", `\-\-`)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

// roffLine is one line of unfilled text: every hyphen of a command line
// a hyphen-minus.
func roffLine(s string) string {
	s = roffEscape(s)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

// roffQuote is a macro argument in double quotes.
func roffQuote(s string) string {
	return `"` + strings.ReplaceAll(roffEscape(s), `"`, `\(dq`) + `"`
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
