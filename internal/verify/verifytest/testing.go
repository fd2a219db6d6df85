package verifytest

import (
	"testing"

	"github.com/mailwizard/mailwizard/internal/verify/dnsworld"
)

// StartLab builds a lab for a test and closes it when the test ends; it
// fails the test if the lab cannot start.
func StartLab(tb testing.TB, cfg LabConfig) *Lab {
	tb.Helper()
	l, err := dnsworld.NewLab(cfg)
	if err != nil {
		tb.Fatalf("start lab: %v", err)
	}
	tb.Cleanup(func() {
		if err := l.Close(); err != nil {
			tb.Errorf("close lab: %v", err)
		}
	})
	return l
}

// StartManyNameservers starts a hostile lab for a test (see
// dnsworld.NewManyNameservers: the zone example.com., with zoneLines, names
// n nameservers, all at one address when shared) and closes it when the
// test ends.
func StartManyNameservers(tb testing.TB, n int, shared bool, zoneLines ...string) *Lab {
	tb.Helper()
	l, err := dnsworld.NewManyNameservers(n, shared, zoneLines...)
	if err != nil {
		tb.Fatalf("start hostile lab: %v", err)
	}
	tb.Cleanup(func() {
		if err := l.Close(); err != nil {
			tb.Errorf("close hostile lab: %v", err)
		}
	})
	return l
}

// StartServer starts a server with the given role and zone texts for a
// test and closes it when the test ends.
func StartServer(tb testing.TB, role Role, zoneTexts ...string) *Server {
	tb.Helper()
	s, err := dnsworld.NewServerZones(role, zoneTexts...)
	if err != nil {
		tb.Fatalf("start %s server: %v", role, err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("close %s server: %v", role, err)
		}
	})
	return s
}
