package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mailwizard/mailwizard/internal/publish"
	"github.com/mailwizard/mailwizard/internal/report"
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
			ls, err := cf.loadAll(cmd.Flags(), e)
			if err != nil {
				return err
			}
			if len(ls) > 1 && format == formatOctoDNS {
				return badInput("--format octodns writes the zone file of one domain; run records once per --%s", flagDomain)
			}
			if err := cf.saveProfiles(ls, e); err != nil {
				return err
			}
			for i, l := range ls {
				warn(e, l.cfg)
				if l.cfg.DKIMPublicKey == nil && !slices.Contains(l.cfg.Skip, steps.IDDKIM) {
					fmt.Fprintf(e.stderr, "mailwizard: note: %s: no DKIM key was given, so the DKIM record is left out; give --%s with --%s (or --%s) to print it, or --%s dkim if it is not yours\n",
						strings.TrimSuffix(l.cfg.Domain, "."), flagDKIMSelector, flagDKIMKey, flagDKIMPublicKey, flagSkip)
				}
				if i > 0 && format != formatJSON {
					fmt.Fprintln(e.stdout)
				}
				if err := printRecords(e.stdout, format, l.cfg, len(ls) > 1, e); err != nil {
					return err
				}
			}
			return nil
		},
	}
	cf.register(cmd.Flags())
	cmd.Flags().StringVar(&format, "format", formatTable, "table, zone, json, dnscontrol (a D() entry) or octodns (a zone's YAML)")
	return cmd
}

// printRecords prints the records of cfg's domain. One of several
// domains is a JSON line with --format json, and its table has the domain
// above it.
func printRecords(w io.Writer, format string, cfg steps.Config, several bool, e env) error {
	groups := report.Records(cfg)
	var err error
	switch {
	case format == formatZone:
		err = report.WriteZone(w, cfg.Domain, groups)
	case format == formatJSON && several:
		err = report.WriteRecordsJSONLine(w, cfg.Domain, groups)
	case format == formatJSON:
		err = report.WriteRecordsJSON(w, cfg.Domain, groups)
	case format == formatDNSControl:
		err = publish.WriteDNSControl(w, cfg.Domain, exportGroups(groups))
	case format == formatOctoDNS:
		err = publish.WriteOctoDNS(w, cfg.Domain, exportGroups(groups))
	default:
		if several {
			_, err = fmt.Fprintf(w, "%s\n\n", cfg.Domain)
		}
		if err == nil {
			err = ui.WriteRecords(w, cfg.Domain, groups, ui.TableOptions{Env: e.environ})
		}
	}
	if err != nil {
		return couldNotWrite(fmt.Errorf("could not print the records: %w", err))
	}
	return nil
}

// exportGroups are the record groups for publish's exports.
func exportGroups(groups []report.RecordGroup) []publish.ExportGroup {
	out := make([]publish.ExportGroup, len(groups))
	for i, g := range groups {
		out[i] = publish.ExportGroup{ID: g.ID, Title: g.Title, Where: g.Where, Records: g.Records, Files: g.Files}
	}
	return out
}
