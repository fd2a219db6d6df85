// Package dnsworld is a small DNS world served in-process on loopback, for
// the demo of mailwizard and for the tests of every package: authoritative
// servers, a recursive resolver that answers from the same zone data, fault
// injection per server (delay, drop, SERVFAIL, REFUSED, truncation, lame
// replies) and counters of the queries each server received. A
// ZoneSigner signs a zone's answers on the fly (DNSKEY at the apex, RRSIGs
// for the DO bit, with validity windows and corruption to order), and the
// parent a Lab serves answers the zone's DS.
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
// In a test, StartLab (and StartServer) do the same and close the lab when
// the test ends; they take a TB, which testing.TB is, so that this package
// does not import package testing and the product (the demo) can be built
// on it. Package verifytest has the same for testing.TB alone.
//
// Nothing in this package talks to anything but loopback, and it never
// reads the system's resolver configuration.
package dnsworld
