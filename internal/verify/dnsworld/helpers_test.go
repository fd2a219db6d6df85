package dnsworld

import "testing"

// startLab builds a lab for a test and closes it when the test ends.
func startLab(tb testing.TB, cfg LabConfig) *Lab {
	tb.Helper()
	l, err := NewLab(cfg)
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

// startServer starts a server for a test and closes it when the test ends.
func startServer(tb testing.TB, role Role, zoneTexts ...string) *Server {
	tb.Helper()
	s, err := NewServerZones(role, zoneTexts...)
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
