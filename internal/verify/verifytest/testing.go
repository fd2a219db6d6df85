package verifytest

import (
	"testing"

	"github.com/mailwizard/mailwizard/internal/verify/dnsworld"
)

// StartLab builds a lab for a test and closes it when the test ends; it
// fails the test if the lab cannot start.
func StartLab(tb testing.TB, cfg LabConfig) *Lab {
	tb.Helper()
	return dnsworld.StartLab(tb, cfg)
}

// StartServer starts a server with the given role and zone texts for a
// test and closes it when the test ends.
func StartServer(tb testing.TB, role Role, zoneTexts ...string) *Server {
	tb.Helper()
	return dnsworld.StartServer(tb, role, zoneTexts...)
}

// StartManyNameservers starts a hostile lab for a test (see
// dnsworld.NewManyNameservers: the zone example.com., with zoneLines, names
// n nameservers, all at one address when shared) and closes it when the
// test ends.
func StartManyNameservers(tb testing.TB, n int, shared bool, zoneLines ...string) *Lab {
	tb.Helper()
	return dnsworld.StartManyNameservers(tb, n, shared, zoneLines...)
}
