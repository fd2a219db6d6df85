package ui

import (
	"regexp"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Characters that hold text together while it is wrapped: a no-break
// space where a line must not break, and a stand-in for the hyphen, which
// ansi.Wrap would otherwise break after (dmarc- / reports@example.com,
// -- / accessible). Both are put back once the text is wrapped.
const (
	glueSpace  = '\u00a0'
	glueHyphen = '\ue000'
)

// unitAfterNumber matches a number and the unit after it ("57 s", "2 min",
// "64 KiB", "14 days"), which stay on one line.
var unitAfterNumber = regexp.MustCompile(`(\d) (ms|s|min|h|days?|KiB|MiB|MB|GB|kB|bytes?|bits|%|records?|queries|lines?|steps?|servers?|nameservers?)\b`)

// quoted matches a double-quoted value, kept on one line when it fits.
var quoted = regexp.MustCompile(`"[^"\n]*"`)

// glue marks where text must not break: never inside a number and its
// unit, a name or an address with a hyphen, a flag, or a quoted value no
// wider than width.
func glue(text string, width int) string {
	text = strings.ReplaceAll(text, "-", string(glueHyphen))
	text = unitAfterNumber.ReplaceAllString(text, "$1"+string(glueSpace)+"$2")
	return quoted.ReplaceAllStringFunc(text, func(q string) string {
		if ansi.StringWidth(q) > width {
			return q
		}
		return strings.ReplaceAll(q, " ", string(glueSpace))
	})
}

// unglue puts back what glue replaced.
var unglue = strings.NewReplacer(string(glueSpace), " ", string(glueHyphen), "-")

// wrap breaks text into lines of at most width cells, at spaces when it
// can and inside long words (a DKIM key) when it must, never inside what
// glue holds together (unless it is wider than a line).
func wrap(text string, width int) []string {
	if width < 1 {
		width = 1
	}
	lines := strings.Split(ansi.Wrap(glue(text, width), width, ""), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(unglue.Replace(l), " ")
	}
	return lines
}

// hanging wraps text after a prefix and indents the following lines under
// the text: "✗ message…" with its continuation aligned.
func hanging(prefix, text string, width int) []string {
	pw := lipgloss.Width(prefix)
	lines := wrap(text, width-pw)
	pad := strings.Repeat(" ", pw)
	for i := range lines {
		if i == 0 {
			lines[i] = prefix + lines[i]
			continue
		}
		lines[i] = pad + lines[i]
	}
	return lines
}

// styled renders each line with style, so that wrapping never splits a
// style's escape codes.
func styled(style lipgloss.Style, lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		if l == "" {
			continue
		}
		out[i] = style.Render(l)
	}
	return out
}

// hangingStyled is hanging with the text (not the prefix) in style.
func hangingStyled(prefix, text string, style lipgloss.Style, width int) []string {
	lines := hanging(prefix, text, width)
	pw := lipgloss.Width(prefix)
	for i, l := range lines {
		head, body := prefix, strings.TrimPrefix(l, prefix)
		if i > 0 {
			head, body = l[:pw], l[pw:]
		}
		if body != "" {
			body = style.Render(body)
		}
		lines[i] = head + body
	}
	return lines
}

// atMost keeps wrapped lines to n, the last one ending with an ellipsis
// when something was left out.
func atMost(lines []string, n, width int) []string {
	if len(lines) <= n || n < 1 {
		return lines
	}
	out := slicesClone(lines[:n])
	out[n-1] = ellipsis(out[n-1], width)
	return out
}

// ellipsis ends a line that goes on elsewhere with one "…", within width.
func ellipsis(line string, width int) string {
	line = strings.TrimRight(line, " ")
	if strings.HasSuffix(ansi.Strip(line), "…") && ansi.StringWidth(line) <= width {
		return line
	}
	return cut(strings.TrimRight(strings.TrimSuffix(line, "…"), " ")+"…", width)
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

// spread puts left at the left edge and right at the right edge of width.
// When both do not fit on one line, right is left out: the callers give
// it a shorter form to try first.
func spread(left, right string, width int) string {
	gap := width - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return cut(left, width)
	}
	return left + strings.Repeat(" ", gap) + right
}

// spreadAny is spread with the first of rights that fits beside left.
func spreadAny(left string, width int, rights ...string) string {
	for _, r := range rights {
		if lipgloss.Width(left)+1+lipgloss.Width(r) <= width {
			return spread(left, r, width)
		}
	}
	return cut(left, width)
}

// cut shortens a line to width cells, with one ellipsis when it had to.
func cut(line string, width int) string {
	if ansi.StringWidth(line) <= width {
		return line
	}
	tail := "…"
	if strings.HasSuffix(ansi.Strip(ansi.Truncate(line, width, "")), "…") {
		tail = ""
	}
	return ansi.Truncate(line, width, tail)
}

// trimDot drops the trailing dot of an absolute name for headings.
func trimDot(name string) string { return strings.TrimSuffix(name, ".") }

// plural says a count with the right form of its noun: "1 line", "3
// lines".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
