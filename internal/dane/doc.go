// Package dane computes and matches the TLSA records of DANE for SMTP
// (RFC 6698, RFC 7671, RFC 7672): the record that pins a mail server's
// certificate or its issuing authority, whether a published record is
// usable by senders, and whether it matches the chain a server presents.
// It also reads certificate chains from PEM files.
//
// The package is pure: no network and no clock. It never holds or prints a
// private key: a file that holds one is refused by its type alone.
package dane
