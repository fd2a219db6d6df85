// Package report turns one check round into what mailwizard prints: the
// JSON report of `mailwizard check --json` (a public contract: field names
// never change, fields are only added), the Markdown report to paste into a
// ticket, the status changes printed by --watch, and the exit code; and
// the records to publish of `mailwizard records` as zone-file lines and as
// JSON (a contract too).
//
// report is pure: it reads step results and the answers they rest on, takes
// the time of the round as an argument, and does no I/O beyond the writer it
// is given. It never sees a private key; a DKIM key appears only as the
// public record the steps expect.
package report
