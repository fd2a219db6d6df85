package steps

// CONTRACT STUB: the steps helper replaces the bodies (moving them to the
// files that own them); the signatures are what cmd and ui rely on.

import (
	"github.com/mailwizard/mailwizard/internal/verify"
)

// All returns every step in the wizard's order: host, mx, ptr, spf, dkim,
// dmarc, autoconfig, blocklist.
func All() []Step { return nil }

// ByID returns the step with the given id.
func ByID(id string) (Step, bool) { return Step{}, false }

// ValidationError lists every problem Normalize found.
type ValidationError struct {
	Problems []FieldError
}

func (e *ValidationError) Error() string { return "" }

// Normalize fills defaults (host, DMARC policy and address, services, DNSBL
// list, TTL), converts names to absolute punycode, loads the DKIM public key
// from DKIMKeyFile or DKIMPublicKeyFile through readFile, and validates
// every field. It returns a *ValidationError naming each bad field.
func (c *Config) Normalize(readFile func(name string) ([]byte, error)) error { return nil }

// Warnings lists problems that do not stop a check: private, loopback or
// documentation-range IPs. Tests and the demo ignore them.
func (c Config) Warnings() []FieldError { return nil }

// Planners returns one planner per step that is not skipped.
func Planners(cfg Config) []verify.Planner { return nil }

// JudgeAll judges every step (skipped ones as StatusSkipped) in order.
func JudgeAll(cfg Config, known verify.Answers) []Result { return nil }

// Overall folds step statuses into one: fail > pending > error > warn >
// pass; skipped steps do not count. An empty list is pass.
func Overall(results []Result) Status { return StatusPass }

// DefaultDNSBL is the default blocklist list.
func DefaultDNSBL() []string { return nil }

// ZoneLines renders the record as zone-file lines (TXT split into quoted
// ≤255-octet strings), valid for kzonecheck and named-checkzone.
func (r Record) ZoneLines() []string { return nil }

// Host is the provider-form Host field: the owner relative to zone, "@" for
// the apex.
func (r Record) Host(zone string) string { return "" }

// Strings splits a TXT value into ≤255-octet strings (RFC 1035 §3.3).
func (r Record) Strings() []string { return nil }
