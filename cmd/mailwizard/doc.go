// Command mailwizard walks a person through every DNS record a mail server
// needs and watches the zone's authoritative nameservers until each one
// verifies. Run it without arguments for the wizard, `mailwizard demo` to
// try it without a domain, and `mailwizard check` in scripts and CI.
//
// This package only wires: flags become a steps.Config (over a saved
// profile), commands call ui, steps, verify and report, and every outcome
// becomes an exit code (report.Exit…, 130 after Ctrl+C). It holds no
// logic of its own about DNS or mail, and it never prints a stack trace:
// bad input is one line per problem naming the flag or the file.
package main
