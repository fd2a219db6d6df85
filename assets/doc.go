// Package assets holds mailwizard's embedded text and data: the
// explanation of each step, the DNS and hosting providers' form
// conventions, and the demo world's zone. Text lives in files here, not in
// strings scattered in code.
//
// The files are embedded at build time and parsed when a function is
// called; the package keeps no state of its own. The provider facts come
// from shared/PROVIDERS.md: where it says a fact is unverified, the data
// says "unknown" (or stays empty) and the wizard falls back to the generic
// instruction and the zone-file form. assets does no I/O beyond reading
// its own embedded files and never prints.
package assets
