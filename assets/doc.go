// Package assets holds mailwizard's embedded text and data: the
// explanation of each step, the DNS and hosting providers' form
// conventions, and the demo world's zone. Text lives in files here, not in
// strings scattered in code.
//
// The files are embedded at build time and parsed once, on first use; the
// parsed catalogue never changes and every caller gets its own copy, so the
// package keeps no state that anyone can change. The provider facts come
// from public documentation, each with its source listed in the data file:
// where a fact is unverified, the data says "unknown" (or stays empty) and
// the wizard falls back to the generic instruction and the zone-file form.
// assets does no I/O beyond reading its own embedded files and never
// prints.
package assets
