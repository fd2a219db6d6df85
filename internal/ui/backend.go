package ui

import (
	"context"
	"net/netip"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// backend is everything the wizard does outside its own memory: DNS
// checks and lookups, files, the profile, the DNS provider it publishes
// through and the demo world. Run wires the
// real ones; tests inject fakes, so no test needs the network.
type backend struct {
	// ctx is the program's context: the wizard's lookups and check rounds
	// end with it, each within its own deadline. nil means none, as in
	// most tests.
	ctx context.Context
	// check runs one check round for the steps with the given ids and
	// returns their results in the order of ids.
	check func(ctx context.Context, cfg steps.Config, ids []string) ([]steps.Result, error)
	// lookupAddrs returns what the mail host resolves to today.
	lookupAddrs func(ctx context.Context, host string) ([]netip.Addr, error)
	// lookupNS returns the names of the zone's nameservers.
	lookupNS func(ctx context.Context, domain string) ([]string, error)
	// readFile reads a key file (for Config.Normalize).
	readFile func(name string) ([]byte, error)
	// exists reports whether a file is already there (a generated key never
	// overwrites one).
	exists func(name string) bool
	// makeKey generates a DKIM key and writes its private half to path,
	// never overwriting a file.
	makeKey func(path string) error
	// writeFile writes an exported report to a new file: name, or
	// name-2, name-3, … when that exists (nothing is ever overwritten). It
	// returns the name it wrote.
	writeFile func(name string, data []byte) (string, error)
	// report renders the Markdown report of a check.
	report func(cfg steps.Config, results []steps.Result) []byte
	// save persists the answers of the mail host's domains, the first
	// first; nil when there is no profile (the demo).
	save func([]steps.Config) error
	// load reads the saved profile of a domain typed in the form: found is
	// false when there is none, err non-nil when one exists but does not
	// load. nil when there are no profiles (the demo).
	load func(domain string) (cfg steps.Config, found bool, err error)
	// publishing is where the publish key sends a step's records; nil
	// when there is nowhere (the key is then not offered).
	publishing *publishing
	// now is the clock.
	now func() time.Time
	// tick schedules a message (tea.Tick); tests stop time with a tick
	// that never fires.
	tick func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd
}

// programContext is the context the wizard's lookups and check rounds
// derive theirs from.
func (be backend) programContext() context.Context {
	if be.ctx == nil {
		return context.Background()
	}
	return be.ctx
}

// Deadlines of the wizard's own lookups and of one check round.
const (
	lookupTimeout = 4 * time.Second
	checkTimeout  = 20 * time.Second
)
