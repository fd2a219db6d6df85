// Package lab runs real DNS servers for mailwizard's end-to-end tests: two
// independent Knot DNS primaries (so one can serve records the other lacks)
// that accept TSIG-signed dynamic updates, and an Unbound recursive
// resolver with stub zones pointing at them and negative caching on.
//
// Every server listens on port 53 of its own loopback address
// (127.53.N.1, 127.53.N.2 and 127.53.N.10, N picked per lab), and the
// zones name those addresses in their NS glue, so mailwizard reaches the
// lab as it reaches the real world: no address mapping. Configs and zone
// files live in a temp folder; the servers are started with them, waited
// for until they answer, and stopped by PID when the test ends (and killed
// with the test process if it dies first).
//
// Ensure finds the programs (Debian packages knot, unbound, knot-dnsutils
// and knot-dnssecutils) and installs them with apt-get when they are
// missing and the process runs as root on Debian; Require turns a missing
// lab into a skipped test, or a failed one when MAILWIZARD_E2E=require.
//
// Config.Signed has Knot sign zones (automatic signing) and the DS of a
// signed zone written into its signed parent (Config.DS to break it);
// Unbound then validates, the signed parent's key its only trust anchor.
// Zone.Presign serves a zone signed beforehand (expired signatures).
//
// For the server step, StartPostfix runs a real Postfix (Debian package
// postfix, installed by EnsurePostfix) on a loopback address of its own,
// 127.25.N.1, ports 25, 587 and 465, with its own configuration, queue and
// a certificate given by the test; the system's Postfix is never touched.
//
// Nothing here talks to anything but loopback: Unbound's root is a stub
// to the lab, so a name outside the lab fails at once.
package lab
