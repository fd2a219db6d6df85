package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mailwizard/mailwizard/internal/publish"
	"github.com/mailwizard/mailwizard/internal/steps"
	"github.com/mailwizard/mailwizard/internal/ui"
)

// Formats of `records --format`.
const (
	formatTable = "table"
	formatZone  = "zone"
	formatJSON  = "json"
	// Formats of infrastructure-as-code tools.
	formatDNSControl = "dnscontrol"
	formatOctoDNS    = "octodns"
)

func newRecordsCmd(e env) *cobra.Command {
	var cf configFlags
	var format string
	cmd := &cobra.Command{
		Use:   "records",
		Short: "Print the records to publish",
		Long: `Records prints every DNS record the mail server needs: as the fields of a
DNS provider's form (table, the default), as zone-file lines (zone), or as
JSON. Nothing is looked up.`,
		Example: `  mailwizard records --domain example.com --ip 192.0.2.25
  mailwizard records --domain example.com --format zone >> example.com.zone`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch format {
			case formatTable, formatZone, formatJSON, formatDNSControl, formatOctoDNS:
			default:
				return badInput("--format %q: use table, zone, json, dnscontrol or octodns", steps.Clip(format))
			}
			l, err := cf.load(cmd.Flags(), e)
			if err != nil {
				return err
			}
			if err := cf.saveProfile(l, e); err != nil {
				return err
			}
			warn(e, l.cfg)
			return printRecords(e.stdout, format, l.cfg, e)
		},
	}
	cf.register(cmd.Flags())
	cmd.Flags().StringVar(&format, "format", formatTable, "table, zone, json, dnscontrol (a D() entry) or octodns (a zone's YAML)")
	return cmd
}

// recordGroups are the records of every step that is not skipped.
func recordGroups(cfg steps.Config) []ui.RecordGroup {
	var groups []ui.RecordGroup
	for _, st := range steps.All() {
		if isSkipped(cfg, st.ID) {
			continue
		}
		groups = append(groups, ui.RecordGroup{ID: st.ID, Title: st.Title, Where: st.Where, Records: st.Records(cfg)})
	}
	return groups
}

func isSkipped(cfg steps.Config, id string) bool {
	return slices.Contains(cfg.Skip, id)
}

func printRecords(w io.Writer, format string, cfg steps.Config, e env) error {
	groups := recordGroups(cfg)
	var err error
	switch format {
	case formatZone:
		err = writeZone(w, cfg.Domain, groups)
	case formatJSON:
		err = writeRecordsJSON(w, cfg.Domain, groups)
	case formatDNSControl:
		err = publish.WriteDNSControl(w, cfg.Domain, exportGroups(groups))
	case formatOctoDNS:
		err = publish.WriteOctoDNS(w, cfg.Domain, exportGroups(groups))
	default:
		err = ui.WriteRecords(w, cfg.Domain, groups, ui.TableOptions{Env: e.environ})
	}
	if err != nil {
		return couldNotWrite(fmt.Errorf("could not print the records: %w", err))
	}
	return nil
}

// exportGroups are the record groups for publish's exports.
func exportGroups(groups []ui.RecordGroup) []publish.ExportGroup {
	out := make([]publish.ExportGroup, len(groups))
	for i, g := range groups {
		out[i] = publish.ExportGroup{ID: g.ID, Title: g.Title, Where: g.Where, Records: g.Records}
	}
	return out
}

// writeZone writes the records as zone-file lines for the zone of domain,
// grouped by step. Records that belong elsewhere (reverse DNS at the
// hosting provider, a report authorization in another domain) are written
// as comments, so that the output can be appended to the zone file as it
// is.
func writeZone(w io.Writer, domain string, groups []ui.RecordGroup) error {
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

// recordsJSON is the JSON form of `records --format json`.
type recordsJSON struct {
	Domain string            `json:"domain"`
	Steps  []recordsJSONStep `json:"steps"`
}

type recordsJSONStep struct {
	ID      string         `json:"id"`
	Title   string         `json:"title"`
	Where   steps.Where    `json:"where"`
	Records []steps.Record `json:"records"`
}

func writeRecordsJSON(w io.Writer, domain string, groups []ui.RecordGroup) error {
	out := recordsJSON{Domain: domain, Steps: make([]recordsJSONStep, 0, len(groups))}
	for _, g := range groups {
		recs := g.Records
		if recs == nil {
			recs = []steps.Record{}
		}
		out.Steps = append(out.Steps, recordsJSONStep{ID: g.ID, Title: g.Title, Where: g.Where, Records: recs})
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
