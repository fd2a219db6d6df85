package ui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// zoneIndent is how far a zone record's continuation lines are indented.
const zoneIndent = "    "

// zoneText renders records as zone-file text no wider than w, for a screen
// from which it is selected with the mouse: a record that does not fit on
// one line is written in the ( … ) form zone files allow (RFC 1035 §5.1),
// its data on the lines after its name, type and "(", never broken inside
// a quoted string. A TXT value is cut into several quoted strings that
// each fit; receivers join a TXT record's strings without a separator
// (RFC 7208 §3.3, RFC 6376 §3.6.2.2), so the record means the same. cut
// reports whether a name wider than w had to be cut with "…", which
// makes that line wrong to copy.
func zoneText(recs []steps.Record, w int) (lines []string, cut bool) {
	for _, r := range recs {
		l, c := zoneRecord(r, w)
		lines = append(lines, l...)
		cut = cut || c
	}
	return lines, cut
}

// zoneRecord is one record as zoneText renders it.
func zoneRecord(r steps.Record, w int) ([]string, bool) {
	head := strings.Join([]string{r.Name, strconv.FormatUint(uint64(r.TTL), 10), "IN", r.Type}, " ")
	var data []string
	room := max(w-len(zoneIndent)-2, 8) // a data line keeps room for " )"
	if r.Type == "TXT" {
		for _, s := range r.Strings() {
			data = append(data, quoteChunks(s, room)...)
		}
	} else {
		data = strings.Fields(r.Value)
	}
	if one := head + " " + strings.Join(data, " "); ansi.StringWidth(one) <= w {
		return []string{one}, false
	}
	wasCut := false
	first := head + " ("
	if ansi.StringWidth(first) > w {
		first, wasCut = cutText(head, w-2)+" (", true
	}
	out := []string{first}
	line := ""
	for _, d := range data {
		if ansi.StringWidth(d) > room {
			d, wasCut = cutText(d, room), true
		}
		switch {
		case line == "":
			line = zoneIndent + d
		case ansi.StringWidth(line)+1+ansi.StringWidth(d) <= w-2:
			line += " " + d
		default:
			out = append(out, line)
			line = zoneIndent + d
		}
	}
	if line == "" {
		line = zoneIndent
	}
	return append(out, line+" )"), wasCut
}

// quoteChunks quotes s as zone-file strings of at most width cells each
// (quotes and escapes included).
func quoteChunks(s string, width int) []string {
	var out []string
	var b strings.Builder
	cells := 2
	flush := func() {
		out = append(out, `"`+b.String()+`"`)
		b.Reset()
		cells = 2
	}
	for _, r := range s {
		esc := string(r)
		switch {
		case r == '"' || r == '\\':
			esc = `\` + string(r)
		case r < 0x20 || r == 0x7f:
			esc = `\` + strconv.Itoa(int(r)/100) + strconv.Itoa(int(r)/10%10) + strconv.Itoa(int(r)%10)
		}
		wEsc := ansi.StringWidth(esc)
		if cells+wEsc > width && b.Len() > 0 {
			flush()
		}
		b.WriteString(esc)
		cells += wEsc
	}
	if b.Len() > 0 || len(out) == 0 {
		flush()
	}
	return out
}

// cutText is cut for plain text.
func cutText(s string, width int) string { return cut(s, max(width, 1)) }
