package main

import (
	"fmt"
	"io"
	"slices"

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
			l, err := cf.load(cmd.Flags(), e)
			if err != nil {
				return err
			}
			if err := cf.saveProfile(l, e); err != nil {
				return err
			}
			warn(e, l.cfg)
			if l.cfg.DKIMPublicKey == nil && !slices.Contains(l.cfg.Skip, steps.IDDKIM) {
				fmt.Fprintf(e.stderr, "mailwizard: note: no DKIM key was given, so the DKIM record is left out; give --%s with --%s (or --%s) to print it, or --%s dkim if it is not yours\n",
					flagDKIMSelector, flagDKIMKey, flagDKIMPublicKey, flagSkip)
			}
			return printRecords(e.stdout, format, l.cfg, e)
		},
	}
	cf.register(cmd.Flags())
	cmd.Flags().StringVar(&format, "format", formatTable, "table, zone, json, dnscontrol (a D() entry) or octodns (a zone's YAML)")
	return cmd
}

func printRecords(w io.Writer, format string, cfg steps.Config, e env) error {
	groups := report.Records(cfg)
	var err error
	switch format {
	case formatZone:
		err = report.WriteZone(w, cfg.Domain, groups)
	case formatJSON:
		err = report.WriteRecordsJSON(w, cfg.Domain, groups)
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
func exportGroups(groups []report.RecordGroup) []publish.ExportGroup {
	out := make([]publish.ExportGroup, len(groups))
	for i, g := range groups {
		out[i] = publish.ExportGroup{ID: g.ID, Title: g.Title, Where: g.Where, Records: g.Records}
	}
	return out
}
