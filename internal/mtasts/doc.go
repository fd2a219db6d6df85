// Package mtasts reads and writes the policies of SMTP MTA Strict Transport
// Security (MTA-STS, RFC 8461) and the record of its reporting companion,
// SMTP TLS Reporting (TLS-RPT, RFC 8460): the _mta-sts TXT record, the
// policy file served at https://mta-sts.<domain>/.well-known/mta-sts.txt,
// the matching of MX host names against the policy's mx: patterns, and the
// _smtp._tls TXT record. The two TXT records share one tag grammar.
//
// Parsing is strict, as senders parse: an error says where and what, in
// words a person can act on, and what senders then do (RFC 8461 §3.1: a
// record that does not parse counts as no record; §3.2: a policy that does
// not parse counts as no policy).
//
// The package is pure: no network, no clock, no state. Fetching the policy
// is verify's business; judging what was fetched is the steps'.
package mtasts
