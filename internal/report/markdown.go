package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// A Markdown report is pasted into tickets, where it is rendered; its DNS
// data comes from strangers (any zone's owner writes the TXT records, the
// NS names and the CNAME targets that a check meets). So every piece of text
// that is not mailwizard's own goes out as code, where no renderer makes
// links, images or HTML of it, and prose is written so that none of its
// words can become one either: see code and prose.

// WriteMarkdown writes r as a Markdown report to paste into a ticket: a
// summary table of every step, then, for each step that is not a plain
// pass or skipped, the records expected, what each server said and the
// findings.
func WriteMarkdown(w io.Writer, r Report) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "## mailwizard check of %s\n\n", prose(r.Domain))
	fmt.Fprintf(b, "**Status: %s**, checked %s\n\n", prose(string(r.Status)), r.CheckedAt.UTC().Format("2006-01-02 15:04:05 UTC"))
	for _, n := range r.Notes {
		fmt.Fprintf(b, "> %s\n\n", prose(n))
	}
	b.WriteString("| Step | Status | Findings |\n| --- | --- | --- |\n")
	for _, s := range r.Steps {
		codes := make([]string, 0, len(s.Findings))
		for _, f := range s.Findings {
			codes = append(codes, code(f.Code))
		}
		fmt.Fprintf(b, "| %s | %s | %s |\n", cell(prose(s.Title)+" ("+code(s.ID)+")"), cell(prose(string(s.Status))), cell(strings.Join(codes, ", ")))
	}
	for _, s := range r.Steps {
		if s.Status == steps.StatusSkipped || (s.Status == steps.StatusPass && len(s.ResolverNotes()) == 0) {
			continue
		}
		writeMarkdownStep(b, s)
	}
	if err := b.Flush(); err != nil {
		return fmt.Errorf("write markdown report: %w", err)
	}
	return nil
}

func writeMarkdownStep(b *bufio.Writer, s Step) {
	fmt.Fprintf(b, "\n### %s (%s): %s\n", prose(s.Title), code(s.ID), prose(string(s.Status)))
	if len(s.Expected) > 0 {
		var lines []string
		for _, rec := range s.Expected {
			for _, line := range rec.ZoneLines() {
				lines = append(lines, visible(line))
			}
		}
		fence := codeFence(strings.Join(lines, "\n"))
		fmt.Fprintf(b, "\nExpected:\n\n%s\n%s\n%s\n", fence, strings.Join(lines, "\n"), fence)
	}
	switch {
	case len(s.Probes) > 0:
		writeMarkdownProbes(b, s.Probes)
	case len(s.Servers) > 0:
		b.WriteString("\nServers:\n\n")
		for _, v := range s.Servers {
			fmt.Fprintf(b, "- %s %s: %s\n", prose(string(v.Verdict)), code(v.Server), prose(v.Detail))
		}
	}
	var dns, probes []Observation
	for _, o := range s.Observed {
		if o.Probe != nil {
			probes = append(probes, o)
		} else {
			dns = append(dns, o)
		}
	}
	writeMarkdownObservations(b, "Authoritative servers", dns)
	writeMarkdownObservations(b, "Connections to the server", probes)
	writeMarkdownObservations(b, "Second opinion (recursive resolvers)", s.Resolvers)
	if notes := s.ResolverNotes(); len(notes) > 0 {
		b.WriteString("\nNotes:\n\n")
		for _, n := range notes {
			fmt.Fprintf(b, "- %s\n", prose(n))
		}
	}
	if len(s.Findings) > 0 {
		b.WriteString("\nFindings:\n\n")
		for _, f := range s.Findings {
			fmt.Fprintf(b, "- **%s** %s: %s", prose(string(f.Severity)), code(f.Code), prose(f.Message))
			if f.Hint != "" {
				fmt.Fprintf(b, " %s", prose(f.Hint))
			}
			b.WriteString("\n")
		}
	}
}

// writeMarkdownProbes lists the server step's rows: what was found at
// each address and port, and where the check ran from.
func writeMarkdownProbes(b *bufio.Writer, rows []steps.ProbeRow) {
	b.WriteString("\nServer (per address and port):\n\n")
	for _, r := range rows {
		fmt.Fprintf(b, "- %s %s %s: %s, from %s: %s\n", prose(string(r.Status)), code(r.Service), code(r.Address), code(r.Host), code(r.From), prose(r.Detail))
	}
}

func writeMarkdownObservations(b *bufio.Writer, heading string, obs []Observation) {
	if len(obs) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s:\n\n", heading)
	for _, o := range obs {
		who := code(o.Server)
		if o.Address != "" && o.Address != o.Server {
			who += " (" + code(o.Address) + ")"
		}
		fmt.Fprintf(b, "- %s at %s: %s\n", code(o.Question), who, prose(o.Summary()))
		for _, rec := range o.Records {
			fmt.Fprintf(b, "  - %s\n", code(rec))
		}
	}
}

// code renders s as an inline code span, inside which Markdown makes no
// link, image or HTML: the fence is one backtick longer than the longest
// run of backticks in s, and a space pads s where it starts or ends with a
// backtick or with a space that CommonMark would strip (§6.1). Line breaks
// and other invisible characters are shown as escapes first, so that s
// stays on its line and cannot end the list item or the table row.
func code(s string) string {
	s = visible(s)
	if s == "" {
		return "(empty)"
	}
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if s[0] == '`' || s[len(s)-1] == '`' || s[0] == ' ' && s[len(s)-1] == ' ' && strings.Trim(s, " ") != "" {
		s = " " + s + " "
	}
	return fence + s + fence
}

// codeFence is a fence for a code block holding text: three backticks, or
// more than text's longest run of them.
func codeFence(text string) string {
	return strings.Repeat("`", max(3, longestRun(text, '`')+1))
}

func longestRun(s string, c byte) int {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}

// prose renders a sentence of mailwizard's (a finding, a note) that may
// quote strangers' data, on one line. Quoted values ("…", as %q writes
// them) become code spans whole. Every other word stays text only when it
// is made of letters, digits and punctuation that no renderer reads as
// Markdown, a link or an address; any other word (a name with dots, an
// address, anything with a bracket, an angle bracket, a backtick, an
// underscore, a pipe…) becomes a code span, so that "www.e.vil",
// "x@e.vil" and "<img>" are shown, never followed.
func prose(s string) string {
	var out []string
	for {
		s = strings.TrimLeftFunc(s, unicode.IsSpace)
		if s == "" {
			return strings.Join(out, " ")
		}
		quoted := strings.TrimLeft(s, "(")
		if end := closingQuote(quoted); end > 0 {
			lead := s[:len(s)-len(quoted)]
			rest := quoted[end+1:]
			after := rest[:len(rest)-len(strings.TrimLeft(rest, ".,;:?!)"))]
			out = append(out, lead+code(quoted[:end+1])+after)
			s = rest[len(after):]
			continue
		}
		end := strings.IndexFunc(s, unicode.IsSpace)
		if end < 0 {
			end = len(s)
		}
		out = append(out, proseWord(s[:end]))
		s = s[end:]
	}
}

// closingQuote returns the index of the quote that closes the Go-quoted
// string s starts with (backslash escapes skipped), or -1 when s does not
// start with one.
func closingQuote(s string) int {
	if !strings.HasPrefix(s, `"`) {
		return -1
	}
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

// proseWord renders one word of a sentence: as it is when it is plain,
// else as code, with an opening parenthesis and closing punctuation left
// outside the code span (and a final dot inside, where it ends a name).
func proseWord(w string) string {
	core := strings.TrimLeft(w, "(")
	lead := w[:len(w)-len(core)]
	core = strings.TrimRight(core, ".,;:?!)")
	trail := w[len(lead)+len(core):]
	if plainWord(core) {
		return w
	}
	if strings.HasPrefix(trail, ".") && strings.Contains(core, ".") {
		core, trail = core+".", trail[1:]
	}
	return lead + code(core) + trail
}

// plainWord reports whether w is made only of letters, digits and
// punctuation without a meaning in Markdown, GFM's autolinks or
// linkifiers: no dot, colon or at sign inside it (names, URLs, addresses),
// nothing that opens a link, an image, HTML, code, emphasis or a table cell.
func plainWord(w string) bool {
	for _, r := range w {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
		case strings.ContainsRune("'’-–—/%=+§…“”‘→×", r):
		default:
			return false
		}
	}
	return true
}

// cell keeps rendered text inside its table cell: GFM splits a row at
// every pipe that is not escaped, code spans included.
func cell(s string) string {
	return strings.ReplaceAll(s, "|", `\|`)
}

// visible escapes what must not reach a Markdown document raw: control
// characters but the tab (a line break ends a list item or a table row), format
// characters such as bidi overrides, line and paragraph separators, and
// bytes that are not UTF-8, as \x0a, \u202e or \xff.
func visible(s string) string {
	hidden := func(r rune) bool {
		return r == utf8.RuneError || unicode.IsControl(r) && r != '\t' || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
	}
	if !strings.ContainsFunc(s, hidden) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case hidden(r) && r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case hidden(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}
