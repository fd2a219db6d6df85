package steps

import (
	"slices"
	"testing"
)

// contractSeverities are the severities each finding code may have: those
// of issue 3's table for the codes it names, and the ones chosen for the
// codes added since. Users script against codes and severities, so a code
// must not change weight, and a code missing here is a code nobody agreed
// on. spf-too-many-lookups is a warning from 8 lookups and an error over 10.
func contractSeverities() map[string][]Severity {
	e, w, i := SeverityError, SeverityWarning, SeverityInfo
	return map[string][]Severity{
		// host
		"host-missing":       {e},
		"host-wrong-address": {e},
		"host-cname":         {w},
		"host-missing-aaaa":  {w},
		"host-proxied":       {e},
		// mx
		"mx-missing":      {e},
		"mx-wrong-target": {e},
		"mx-target-cname": {e},
		"mx-target-ip":    {e},
		"mx-extra-host":   {w},
		"mx-null":         {e},
		// ptr
		"ptr-missing":               {e},
		"ptr-mismatch":              {e},
		"ptr-not-forward-confirmed": {e},
		// spf
		"spf-missing":           {e},
		"spf-multiple":          {e},
		"spf-syntax":            {e},
		"spf-ip-not-authorized": {e},
		"spf-too-many-lookups":  {e, w},
		"spf-void-lookups":      {e},
		"spf-plus-all":          {e},
		"spf-soft-all":          {i},
		"spf-neutral-all":       {w},
		"spf-helo-missing":      {w},
		// dkim
		"dkim-missing":        {e},
		"dkim-syntax":         {e},
		"dkim-key-mismatch":   {e},
		"dkim-mangled":        {e},
		"dkim-weak-key":       {w},
		"dkim-testing":        {i},
		"dkim-key-unverified": {i},
		"dkim-multiple":       {e},
		"dkim-revoked":        {e},
		"dkim-no-selector":    {w},
		// dmarc
		"dmarc-missing":          {e},
		"dmarc-multiple":         {e},
		"dmarc-syntax":           {e},
		"dmarc-policy-none":      {i},
		"dmarc-rua-unauthorized": {w},
		"dmarc-at-apex":          {w},
		"dmarc-no-rua":           {i},
		// autoconfig
		"srv-missing":               {e},
		"srv-wrong-target":          {e},
		"srv-wrong-port":            {e},
		"srv-target-cname":          {w},
		"srv-unexpected":            {w},
		"autodiscover-missing":      {w},
		"autodiscover-wrong-target": {w},
		"autodiscover-wrong-port":   {w},
		"autoconfig-missing":        {i},
		"autoconfig-wrong-target":   {w},
		// blocklist
		"blocklist-listed":  {e},
		"blocklist-refused": {w},
		// server: what the server itself says. Port 25 blocked from the
		// network the check runs in is "could not check" (a warning, status
		// error), never a failure; the web endpoints are advice, like the
		// autodiscover and autoconfig records.
		"smtp-unreachable":         {e},
		"smtp-port25-blocked-here": {w},
		"smtp-greeting-name":       {w},
		"smtp-no-starttls":         {e},
		"smtp-open-relay":          {e},
		"tls-cert-name":            {e},
		"tls-cert-expired":         {e},
		"tls-cert-expiring":        {w},
		"tls-cert-untrusted":       {e},
		"service-unreachable":      {e},
		"service-tls":              {e},
		"autoconfig-endpoint":      {w},
		"autodiscover-endpoint":    {w},
		// every step
		"partial-propagation": {w},
		"doubled-domain":      {e},
		"lookup-error":        {w},
		"ns-unreachable":      {w},
	}
}

// checkContract fails t when a finding has a code outside the contract or
// a severity its code must not have.
func checkContract(t testing.TB, step string, f Finding) {
	t.Helper()
	allowed, ok := contractSeverities()[f.Code]
	switch {
	case !ok:
		t.Errorf("%s: finding code %q is not in the contract", step, f.Code)
	case !slices.Contains(allowed, f.Severity):
		t.Errorf("%s: %s has severity %s, the contract says %v:\n%s", step, f.Code, f.Severity, allowed, f.Message)
	}
}
