// Package probeserver runs, in-process on loopback, the servers that
// mailwizard's probes talk to: SMTP with STARTTLS, submission, IMAP and
// POP3 (STARTTLS or implicit TLS), and HTTPS, with certificates from a
// certificate authority made at run time (CA) and faults to inject: a slow
// or silent peer, a TLS handshake broken midway, a refused connection, a
// port that drops every connection attempt (Blackhole).
//
// Routes maps the real addresses a probe would connect to
// ("192.0.2.25:25") to the loopback servers standing in for them, for
// verify.Options.MapAddr, so that nothing ever leaves the machine.
//
// The demo world serves its mail server with it, and the tests of every
// package use it through the testing helpers of package verifytest; it
// never imports package testing. The servers take no mail: they answer
// DATA with a refusal and know no AUTH.
package probeserver
