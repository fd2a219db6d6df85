package report

import (
	"bytes"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mailwizard/mailwizard/internal/lab"
	"github.com/mailwizard/mailwizard/internal/steps"
)

// hostileSPF is a TXT record a stranger may publish, made to turn into a
// link and an image when a report is pasted into a ticket.
const hostileSPF = `v=spf1 [pay](http://e.vil) <img src=x> -all`

// hostileReport holds strangers' data wherever a report shows some: record
// text with Markdown, HTML, backticks, pipes, line breaks and escape
// sequences, in records, server names, questions, errors and in the
// findings' messages.
func hostileReport() Report {
	records := []string{
		`example.com. 3600 IN TXT "` + hostileSPF + `"`,
		"a `` b ``` c `",
		"`leading and trailing`",
		"pipe | cell | break",
		"line\nbreak\r\n# heading\n<script>alert(1)</script>",
		"\x1b[31mred\u202egreen\u2028next",
		"www.e.vil x@e.vil https://e.vil/x mailto:y@e.vil",
		" spaced ",
		"",
		"not utf-8: \xff\xfe",
	}
	message := `The SPF record "` + hostileSPF + `" on ns1.e.vil. and "a \"quoted\" ` + "`tick`" + ` value" does not parse. ` +
		"Found www.e.vil, x@e.vil, http://e.vil/ and <script>alert(1)</script>; _emph_ *bold* [link](http://x) ![img](http://y) ~~gone~~ | pipe `tick` & &amp; #h \\ end\n# heading\n<b>bold</b>"
	return Report{
		Domain: "example.com.", Status: steps.StatusFail,
		CheckedAt: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		Steps: []Step{{
			ID: "spf", Title: "SPF | record", Status: steps.StatusFail,
			Expected: []steps.Record{{Name: "example.com.", Type: "TXT", TTL: 3600, Value: "v=spf1 ```~~~ <a href=x>" + "\n```"}},
			Observed: []Observation{{
				Question: "TXT e.vil.`x`.<b>|example.com.", Server: "ns1.e.vil|[x](http://e.vil).", Address: "192.0.2.1:53",
				Rcode: "NOERROR", Records: records,
			}, {
				Question: "TXT example.com.", Server: "ns2.e.vil.", Address: "192.0.2.2:53",
				Error: "query at ns2.e.vil.: <b>bold</b>\n- fake item [x](http://e.vil)",
			}},
			Findings: []steps.Finding{
				{Code: "spf-syntax", Severity: steps.SeverityError, Message: message, Hint: "Hint with\n<img src=x> and `code`."},
			},
		}},
	}
}

func TestMarkdownQuotesStrangersData(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, hostileReport()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	t.Log("\n" + out)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	inBlock, fence := false, ""
	records := 0
	for n, line := range lines {
		if inBlock {
			if strings.TrimRight(line, " ") == fence {
				inBlock = false
			}
			continue
		}
		if m := regexp.MustCompile("^(`{3,}|~{3,})$").FindString(line); m != "" {
			inBlock, fence = true, m
			continue
		}
		if strings.HasPrefix(line, "  - ") {
			records++
		}
		if strings.HasPrefix(line, "|") {
			if pipes := len(regexp.MustCompile(`(^|[^\\])\|`).FindAllString(line, -1)); pipes != 4 {
				t.Errorf("line %d: a table row of %d cells: %q", n+1, pipes-1, line)
			}
		}
		text := withoutCodeSpans(line)
		for _, bad := range []string{"<", ">", "[", "]", "@", "http", "www.", "&", "~~", "_", "\x1b", "\r", "\\x", "#"} {
			if bad == "#" && strings.HasPrefix(line, "#") {
				continue
			}
			if strings.Contains(text, bad) {
				t.Errorf("line %d: %q outside code: %q (from %q)", n+1, bad, text, line)
			}
		}
		if strings.Contains(strings.ReplaceAll(text, "**", ""), "*") {
			t.Errorf("line %d: emphasis outside code: %q", n+1, text)
		}
	}
	if inBlock {
		t.Error("a code block is never closed")
	}
	if records != len(hostileReport().Steps[0].Observed[0].Records) {
		t.Errorf("%d record lines, want one per record (%d): a line break got through", records, len(hostileReport().Steps[0].Observed[0].Records))
	}
	for _, want := range []string{
		"`" + `"` + hostileSPF + `"` + "`",      // the record in the message, quoted whole
		"`` `leading and trailing` ``",          // padded against its own backticks
		"```` a `` b ``` c ` ````",              // a fence longer than any run inside
		"`line\\x0abreak\\x0d\\x0a# heading",    // line breaks shown, not made
		"`\\x1b[31mred\\u202egreen\\u2028next`", // escape sequence, bidi override, line separator
		"`not utf-8: \\xff\\xfe`",
		"`ns1.e.vil.`", "`x@e.vil`", "`www.e.vil`", "`http://e.vil/`",
		"(empty)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %s", want)
		}
	}
}

// withoutCodeSpans removes the code spans of a line the way CommonMark
// reads them (§6.1): a run of n backticks opens one, the next run of
// exactly n backticks closes it, and a run that is never closed is text.
func withoutCodeSpans(line string) string {
	var b strings.Builder
	for i := 0; i < len(line); {
		if line[i] != '`' {
			b.WriteByte(line[i])
			i++
			continue
		}
		n := 0
		for i+n < len(line) && line[i+n] == '`' {
			n++
		}
		end := -1
		for j := i + n; j < len(line); {
			if line[j] != '`' {
				j++
				continue
			}
			m := 0
			for j+m < len(line) && line[j+m] == '`' {
				m++
			}
			if m == n {
				end = j + m
				break
			}
			j += m
		}
		if end < 0 {
			b.WriteString(line[i : i+n])
			i += n
			continue
		}
		b.WriteString(" ")
		i = end
	}
	return b.String()
}

// TestMarkdownRenderedByCmarkGFM renders the hostile report with GitHub's
// Markdown renderer (cmark-gfm, with its table, autolink and strikethrough
// extensions and raw HTML allowed) and checks that strangers' data made no
// link, image, HTML element or extra table cell. It needs the cmark-gfm
// program (Debian package cmark-gfm), which it installs as the lab installs
// its servers, and like the lab's tests it skips without it unless
// MAILWIZARD_E2E=require.
func TestMarkdownRenderedByCmarkGFM(t *testing.T) {
	var log bytes.Buffer
	cmark, err := lab.EnsureTool(t.Context(), &log, "cmark-gfm", "cmark-gfm")
	if log.Len() > 0 {
		t.Log(log.String())
	}
	lab.Require(t, err)
	var md bytes.Buffer
	if err := WriteMarkdown(&md, hostileReport()); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(cmark, "--unsafe", "-e", "table", "-e", "autolink", "-e", "strikethrough", "-e", "tagfilter")
	cmd.Stdin = &md
	html, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + string(html))
	for _, bad := range []string{"<a ", "<img", "<script", "<b>", "<em>", "<del>", "<h1>", "<ul>\n<li>fake"} {
		if bytes.Contains(html, []byte(bad)) {
			t.Errorf("the rendered report holds %s", bad)
		}
	}
	for _, row := range regexp.MustCompile(`(?s)<tr>.*?</tr>`).FindAll(html, -1) {
		if cells := bytes.Count(row, []byte("<td")) + bytes.Count(row, []byte("<th")); cells != 3 {
			t.Errorf("a table row of %d cells: %s", cells, row)
		}
	}
	if !bytes.Contains(html, []byte("<code>&quot;v=spf1 [pay](http://e.vil) &lt;img src=x&gt; -all&quot;</code>")) {
		t.Error("the hostile record is not shown as code")
	}
}
