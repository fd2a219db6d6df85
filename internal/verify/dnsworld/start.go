package dnsworld

// TB is what the Start functions need of a test: testing.TB has it. The
// package names it itself so that the product, which builds on this
// package, does not link package testing.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Errorf(format string, args ...any)
	Cleanup(func())
}

// closer is a lab or a server.
type closer interface{ Close() error }

// Started fails the test when what could not start (err), and otherwise
// closes v when the test ends: "start the mail server: …", "close the mail
// server: …". The Start functions of this package and of verifytest use it.
func Started[T closer](tb TB, what string, v T, err error) T {
	tb.Helper()
	if err != nil {
		tb.Fatalf("start %s: %v", what, err)
	}
	tb.Cleanup(func() {
		if err := v.Close(); err != nil {
			tb.Errorf("close %s: %v", what, err)
		}
	})
	return v
}

// StartLab builds a lab for a test and closes it when the test ends; it
// fails the test if the lab cannot start.
func StartLab(tb TB, cfg LabConfig) *Lab {
	tb.Helper()
	l, err := NewLab(cfg)
	return Started(tb, "lab", l, err)
}

// StartServer starts a server with the given role and zone texts for a
// test and closes it when the test ends.
func StartServer(tb TB, role Role, zoneTexts ...string) *Server {
	tb.Helper()
	s, err := NewServerZones(role, zoneTexts...)
	return Started(tb, role.String()+" server", s, err)
}

// StartManyNameservers starts a hostile lab for a test (NewManyNameservers)
// and closes it when the test ends.
func StartManyNameservers(tb TB, n int, shared bool, zoneLines ...string) *Lab {
	tb.Helper()
	l, err := NewManyNameservers(n, shared, zoneLines...)
	return Started(tb, "hostile lab", l, err)
}
