// Package demo is mailwizard's built-in DNS world: two authoritative
// servers and a recursive resolver on loopback, served in-process, where a
// key "publishes" the wizard's records (or a typical mistake) so that red,
// amber and green can be shown without a domain.
//
// The world serves the demo domain example.com. and the reverse zones of
// its mail server (192.0.2.25 and 2001:db8::25) from
// internal/verify/dnsworld, starting from the zones in assets/demo: SOA
// and NS only, so every step starts pending. A published record reaches the
// first nameserver at once and the second after a delay, so partial
// propagation shows before green.
//
// The demo's mail server answers too, in-process (internal/probeserver):
// SMTP with STARTTLS on port 25, submission, IMAP and POP3, and the
// autoconfig and autodiscover endpoints, with a certificate from a
// certificate authority made at start that only the demo's engine
// trusts, so the server step can be shown.
//
// Nothing in it touches real DNS or the user's files: every address the
// engine would query or connect to is mapped to loopback, and the generated
// DKIM key lives in a temporary folder that Close removes.
package demo
