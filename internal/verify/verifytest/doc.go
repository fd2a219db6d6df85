// Package verifytest is a small DNS world served in-process on loopback, for
// the tests of every mailwizard package and for the demo: authoritative
// servers, a recursive resolver that answers from the same zone data, fault
// injection per server (delay, drop, SERVFAIL, REFUSED, truncation, lame
// replies) and counters of the queries each server received.
//
// The quickest start is a Lab, a whole world built in one call:
//
//	lab, err := verifytest.NewLab(verifytest.LabConfig{Zones: []string{
//		verifytest.Zone("example.com.",
//			"@ MX 10 mail",
//			"mail A 192.0.2.25",
//		),
//	}})
//	defer lab.Close()
//	eng, err := verify.New(lab.Options())
//
// In tests, StartLab does the same and closes the lab when the test ends.
//
// For probes (SMTP, IMAP, POP3, HTTPS), StartCA, StartMail, StartWeb and
// StartBlackhole start the servers of package probeserver for a test and
// close them when it ends; probeserver.Routes sends the probes' real
// addresses to them.
//
// Nothing in this package talks to anything but 127.0.0.1, and it never
// reads the system's resolver configuration. It is a normal package (not a
// _test one) because the demo world of the product is built on it; only
// testing.go imports package testing.
package verifytest
