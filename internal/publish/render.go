package publish

import (
	"fmt"
	"strings"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// Marks of the actions in the plan's lines.
var marks = map[Action]string{Add: "+", Replace: "~", Keep: "=", Conflict: "!", Elsewhere: "·"}

// Lines renders the plan as plain lines, one or more per change, in the
// order of the steps: "+ mail.example.com.\t3600\tIN\tA\t192.0.2.25
// (host)", a replacement as its "- " and "+ " records under a "~" line, a
// conflict with why it is not touched, then what stays for the user to do
// elsewhere and a count. Strangers' data is escaped.
func Lines(p Plan) []string {
	var out, elsewhere []string
	for _, c := range p.Changes {
		tag := fmt.Sprintf("  (%s: %s)", c.Step, c.What)
		switch c.Action {
		case Add, Keep:
			for _, r := range c.Want {
				mark := marks[Keep]
				if contains(c.Add, r) {
					mark = marks[Add]
				}
				out = append(out, mark+" "+zoneLine(r)+tag)
			}
		case Replace:
			out = append(out, fmt.Sprintf("~ %s %s%s: replace", c.Name, c.Type, tag))
			for _, r := range c.Remove {
				out = append(out, "    - "+zoneLine(r))
			}
			for _, r := range c.Want {
				mark := "="
				if contains(c.Add, r) {
					mark = "+"
				}
				out = append(out, "    "+mark+" "+zoneLine(r))
			}
		case Conflict:
			verdict := "conflict, not touched"
			if c.Optional {
				verdict = "optional, left out"
			}
			out = append(out, fmt.Sprintf("! %s %s%s: %s", c.Name, c.Type, tag, verdict))
			for _, r := range c.Want {
				out = append(out, "    wanted: "+zoneLine(r))
			}
			out = append(out, "    "+steps.Printable(c.Why))
		case Elsewhere:
			for _, r := range c.Want {
				elsewhere = append(elsewhere, "· "+zoneLine(r)+tag)
			}
			elsewhere = append(elsewhere, "    "+steps.Printable(c.Why))
		}
	}
	if len(elsewhere) > 0 {
		out = append(out, "", "For you to publish elsewhere (publish never sends these):")
		out = append(out, elsewhere...)
	}
	return append(out, "", Summary(p))
}

// Summary counts the plan in one sentence: "2 to add, 1 to replace, 5
// already right, 1 conflict not touched."
func Summary(p Plan) string {
	if len(p.Changes) == 0 {
		return "No records to publish."
	}
	parts := []string{
		fmt.Sprintf("%d to add", p.Count(Add)),
		fmt.Sprintf("%d to replace", p.Count(Replace)),
		fmt.Sprintf("%d already right", p.Count(Keep)),
	}
	if n := p.Count(Conflict); n > 0 {
		parts = append(parts, plural(n, "conflict", "conflicts")+" not touched")
	}
	if n := p.Count(Elsewhere); n > 0 {
		parts = append(parts, fmt.Sprintf("%d for you to publish elsewhere", n))
	}
	return strings.Join(parts, ", ") + "."
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// zoneLine is a record as one zone-file line, TXT split into quoted
// strings; the renderer escapes what does not print.
func zoneLine(r steps.Record) string {
	return steps.Printable(strings.ReplaceAll(strings.Join(r.ZoneLines(), " "), "\t", " "))
}

func contains(recs []steps.Record, r steps.Record) bool {
	for _, q := range recs {
		if sameRecord(q, r) {
			return true
		}
	}
	return false
}
