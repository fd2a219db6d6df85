// Package verifytest is package dnsworld for tests: StartLab and
// StartServer build a loopback DNS world for a test and close it when the
// test ends, and the names of dnsworld a test needs (Lab, LabConfig, Fault,
// Zone, …) are here too, so that a test imports one package.
//
// Only tests import verifytest; the product (the demo) uses dnsworld,
// which does not import package testing.
package verifytest
