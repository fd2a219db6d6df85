package ui

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// wrap breaks text into lines of at most width cells, at spaces when it
// can and inside long words (a DKIM key) when it must.
func wrap(text string, width int) []string {
	if width < 1 {
		width = 1
	}
	return strings.Split(ansi.Wrap(text, width, ""), "\n")
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

// spread puts left at the left edge and right at the right edge of width;
// when both do not fit, right goes below.
func spread(left, right string, width int) string {
	gap := width - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return left + "\n" + right
	}
	return left + strings.Repeat(" ", gap) + right
}

// cut shortens a line to width cells.
func cut(line string, width int) string {
	return ansi.Truncate(line, width, "…")
}

// trimDot drops the trailing dot of an absolute name for headings.
func trimDot(name string) string { return strings.TrimSuffix(name, ".") }
