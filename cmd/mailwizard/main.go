// Command mailwizard walks a person through every DNS record a mail server
// needs and watches the zone's authoritative nameservers until each one
// verifies. Run it without arguments for the wizard, `mailwizard demo` to
// try it without a domain, and `mailwizard check` in scripts and CI.
package main

import (
	"context"
	"os"
	"time"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], env{
		stdin:    os.Stdin,
		stdout:   os.Stdout,
		stderr:   os.Stderr,
		getenv:   os.Getenv,
		environ:  os.Environ(),
		now:      time.Now,
		readFile: os.ReadFile,
	}))
}
