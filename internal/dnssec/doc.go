// Package dnssec checks DNSSEC-signed DNS data (RFC 4033, RFC 4034, RFC
// 4035) the way a validating resolver does, one link at a time: which DS
// records of the parent match which DNSKEYs of the zone, and whether the
// RRSIGs on an RRset verify with the zone's keys and are valid at a given
// time. Cryptography is miekg/dns's (DNSKEY.ToDS, RRSIG.Verify).
//
// The package is pure: no network, no clock (every check is given the
// time), no state. It decides what the data says, in words a person can
// act on; what that means for a mail domain is the steps' business.
package dnssec
