package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// TestWrapKeepsTogether: a line never breaks inside a number and its unit,
// an address with a hyphen, a flag or a short quoted value, and never runs
// past its width.
func TestWrapKeepsTogether(t *testing.T) {
	t.Parallel()
	text := `Resolvers may keep saying it for up to 57 s; reports go to dmarc-reports@example.com; run it with --accessible; publish "v=spf1 mx -all" at the apex, then wait 2 min.`
	// From the width of the longest word (the address and its ";"): a
	// word wider than a line has to break.
	for w := 26; w <= 80; w++ {
		lines := wrap(text, w)
		joined := strings.Join(lines, "\n")
		for _, keep := range []string{"57 s", "dmarc-reports@example.com", "--accessible", `"v=spf1 mx -all"`, "2 min."} {
			if !strings.Contains(joined, keep) {
				t.Errorf("at %d columns %q is broken:\n%s", w, keep, joined)
			}
		}
		for _, l := range lines {
			if ansi.StringWidth(l) > w {
				t.Errorf("at %d columns a line is %d wide: %q", w, ansi.StringWidth(l), l)
			}
		}
	}
}

// TestEllipsisOnce: a line cut where it already ends with an ellipsis
// keeps one.
func TestEllipsisOnce(t *testing.T) {
	t.Parallel()
	for _, line := range []string{"returned \"v=DKIM1; k=rsa; p=M…\"", "the value goes on…", "a plain line that is long"} {
		for w := 5; w < 30; w++ {
			got := ellipsis(line, w)
			if strings.Contains(got, "……") || ansi.StringWidth(got) > w {
				t.Errorf("ellipsis(%q, %d) = %q", line, w, got)
			}
		}
	}
	if got := plural(1, "line", "lines"); got != "1 line" {
		t.Errorf("plural(1) = %q", got)
	}
}

// TestZoneText: a record too long for the window is written in the ( … )
// form, its TXT value cut into quoted strings that each fit, so that the
// lines selected are a zone file's record with the same value.
func TestZoneText(t *testing.T) {
	t.Parallel()
	long := "v=DKIM1; k=rsa; p=" + strings.Repeat("MIIBIjANBgkqhkiG9w0BAQEF", 16)
	rec := steps.Record{Name: "mail._domainkey.example.com.", Type: "TXT", TTL: 3600, Value: long}
	for _, w := range []int{48, 60, 76, 118} {
		lines, cut := zoneText([]steps.Record{rec}, w)
		if cut {
			t.Errorf("at %d columns a name was cut", w)
		}
		if !strings.HasSuffix(lines[0], " (") || !strings.HasSuffix(lines[len(lines)-1], " )") {
			t.Errorf("at %d columns not in the ( … ) form:\n%s", w, strings.Join(lines, "\n"))
		}
		var value strings.Builder
		for _, l := range lines[1:] {
			l = strings.TrimSuffix(strings.TrimSpace(l), " )")
			if ansi.StringWidth(l)+len(zoneIndent) > w {
				t.Errorf("at %d columns a line is too wide: %q", w, l)
			}
			if strings.Count(l, `"`)%2 != 0 {
				t.Fatalf("at %d columns a string is broken across lines: %q", w, l)
			}
			for _, q := range quoted.FindAllString(l, -1) {
				value.WriteString(strings.Trim(q, `"`))
			}
		}
		if value.String() != long {
			t.Errorf("at %d columns the strings do not join to the value:\n%s", w, strings.Join(lines, "\n"))
		}
	}
	if _, cut := zoneText([]steps.Record{rec}, 40); !cut {
		t.Error("at 40 columns the name does not fit, and zoneText does not say it cut it")
	}
	short := steps.Record{Name: "example.com.", Type: "MX", TTL: 3600, Value: "10 mail.example.com."}
	if lines, _ := zoneText([]steps.Record{short}, 80); len(lines) != 1 || lines[0] != "example.com. 3600 IN MX 10 mail.example.com." {
		t.Errorf("a short record: %q", lines)
	}
}
