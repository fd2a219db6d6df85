package report

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// RecordGroup is one step's records to publish.
type RecordGroup struct {
	ID, Title string
	Where     steps.Where
	Records   []steps.Record
}

// Records returns the records to publish of every step cfg does not skip,
// in the wizard's order: what `mailwizard records` prints.
func Records(cfg steps.Config) []RecordGroup {
	var groups []RecordGroup
	for _, st := range steps.All() {
		if slices.Contains(cfg.Skip, st.ID) {
			continue
		}
		groups = append(groups, RecordGroup{ID: st.ID, Title: st.Title, Where: st.Where, Records: st.Records(cfg)})
	}
	return groups
}

// WriteZone writes the records as zone-file lines for the zone of domain,
// grouped by step. Records that belong elsewhere (reverse DNS at the
// hosting provider, a report authorization in another domain) are written
// as comments, so that the output can be appended to the zone file as it
// is.
func WriteZone(w io.Writer, domain string, groups []RecordGroup) error {
	var b strings.Builder
	fmt.Fprintf(&b, "; mailwizard: the records of the mail server of %s\n", domain)
	for _, g := range groups {
		if len(g.Records) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n; %s (%s)\n", g.Title, g.ID)
		for _, r := range g.Records {
			inZone := r.Name == domain || strings.HasSuffix(r.Name, "."+domain)
			switch {
			case !inZone && g.Where == steps.AtHostingProvider:
				b.WriteString("; at your hosting provider (reverse DNS), not in this zone:\n")
			case !inZone:
				fmt.Fprintf(&b, "; in the zone that holds %s, not in this one:\n", r.Name)
			case r.Optional:
				b.WriteString("; optional:\n")
			}
			for _, line := range r.ZoneLines() {
				if !inZone {
					line = "; " + line
				}
				b.WriteString(line + "\n")
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// RecordsJSON is what `mailwizard records --format json` prints. Like the
// check report, its field names are a contract: fields are only added.
type RecordsJSON struct {
	Domain string        `json:"domain"`
	Steps  []RecordsStep `json:"steps"`
}

// RecordsStep is one step's records in RecordsJSON.
type RecordsStep struct {
	ID      string         `json:"id"`
	Title   string         `json:"title"`
	Where   steps.Where    `json:"where"`
	Records []steps.Record `json:"records"`
}

// WriteRecordsJSON writes the records as RecordsJSON, indented.
func WriteRecordsJSON(w io.Writer, domain string, groups []RecordGroup) error {
	return writeRecordsJSON(w, domain, groups, "  ")
}

// WriteRecordsJSONLine writes the records as RecordsJSON on one line: the
// records of several domains are JSON Lines, one domain a line.
func WriteRecordsJSONLine(w io.Writer, domain string, groups []RecordGroup) error {
	return writeRecordsJSON(w, domain, groups, "")
}

func writeRecordsJSON(w io.Writer, domain string, groups []RecordGroup, indent string) error {
	out := RecordsJSON{Domain: domain, Steps: make([]RecordsStep, 0, len(groups))}
	for _, g := range groups {
		out.Steps = append(out.Steps, RecordsStep{ID: g.ID, Title: g.Title, Where: g.Where, Records: nonNil(g.Records)})
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	return enc.Encode(out)
}
