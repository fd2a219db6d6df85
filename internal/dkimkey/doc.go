// Package dkimkey makes, stores, loads and renders DKIM keys, and parses
// the DKIM key records (RFC 6376 §3.6.1) that strangers publish.
//
// Keys are RSA or Ed25519 (RFC 8463). The only file I/O is WritePrivate,
// which never overwrites a file; the package holds no state and never
// talks to the network. Errors never quote key bytes, so they can be shown
// to a person and logged.
//
// Parsing a published record also recognizes the ways a record gets damaged
// between the person's clipboard and the DNS: zone-file quotes or
// backslashes pasted with the value, a key split by whitespace that no
// longer decodes, and a value cut at 255 characters, the length of one TXT
// string. These are *MangledError, so that a wizard can say exactly where
// the damage is.
package dkimkey
