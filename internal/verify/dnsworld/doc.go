// Package dnsworld is a small DNS world served in-process on loopback, for
// the demo of mailwizard and for the tests of every package: authoritative
// servers, a recursive resolver that answers from the same zone data, fault
// injection per server (delay, drop, SERVFAIL, REFUSED, truncation, lame
// replies) and counters of the queries each server received.
//
// The quickest start is a Lab, a whole world built in one call:
//
//	lab, err := dnsworld.NewLab(dnsworld.LabConfig{Zones: []string{
//		dnsworld.Zone("example.com.",
//			"@ MX 10 mail",
//			"mail A 192.0.2.25",
//		),
//	}})
//	defer lab.Close()
//	eng, err := verify.New(lab.Options())
//
// Nothing in this package talks to anything but loopback, and it never
// reads the system's resolver configuration. It does not import package
// testing, so the product (the demo) can be built on it; tests use
// package verifytest, which wraps it for testing.TB.
package dnsworld
