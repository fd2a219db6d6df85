package verify_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/mailwizard/mailwizard/internal/verify"
	"github.com/mailwizard/mailwizard/internal/verify/verifytest"
)

// shortTimeout keeps fault tests fast.
const shortTimeout = 200 * time.Millisecond

// mailZone is a mail domain with everything published.
func mailZone() string {
	return verifytest.Zone("example.com.", mailLines()...)
}

// mailLines are the records of mailZone.
func mailLines() []string {
	return []string{
		"@ MX 10 mail",
		"@ TXT \"v=spf1 mx -all\"",
		"mail A 192.0.2.25",
		"mail AAAA 2001:db8::25",
		"mail TXT \"v=spf1 a -all\"",
		"mx2 CNAME mail",
		"_dmarc TXT \"v=DMARC1; p=none\"",
		"sel._domainkey TXT \"v=DKIM1; k=rsa; p=MIIB\"",
		"_submissions._tcp SRV 0 1 465 mail",
		"_submission._tcp SRV 0 1 587 mail",
		"_imaps._tcp SRV 0 1 993 mail",
		"_imap._tcp SRV 0 0 0 .",
		"_pop3s._tcp SRV 0 0 0 .",
		"_pop3._tcp SRV 0 0 0 .",
		"_autodiscover._tcp SRV 0 1 443 mail",
		"autoconfig CNAME mail",
		"autodiscover CNAME mail",
	}
}

// reverseZones are the reverse zones of mail.example.com.'s addresses.
func reverseZones() []string {
	return []string{
		verifytest.Zone("2.0.192.in-addr.arpa.", "25 PTR mail.example.com."),
		verifytest.Zone("8.b.d.0.1.0.0.2.ip6.arpa.", "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0 PTR mail.example.com."),
	}
}

// dnsblZone is a blocklist: 192.0.2.99 is listed, 192.0.2.98 refused,
// 192.0.2.97 answered outside 127/8.
func dnsblZone() string {
	return verifytest.Zone("dnsbl.example.org.",
		"99.2.0.192 A 127.0.0.2",
		"99.2.0.192 A 127.0.0.4",
		"99.2.0.192 TXT \"listed for spam\"",
		"99.2.0.192 TXT \"see https://dnsbl.example.org/\"",
		"98.2.0.192 A 127.255.255.254",
		"97.2.0.192 A 192.0.2.200",
	)
}

// world starts a lab with the mail, reverse and blocklist zones, and an
// engine pointed at it with a short timeout.
func world(t *testing.T, cfg verifytest.LabConfig) (*verifytest.Lab, *verify.Engine) {
	t.Helper()
	if cfg.Zones == nil {
		cfg.Zones = append([]string{mailZone(), dnsblZone()}, reverseZones()...)
	}
	lab := verifytest.StartLab(t, cfg)
	opts := lab.Options()
	opts.Timeout = shortTimeout
	return lab, engine(t, opts)
}

// engine returns an engine or fails the test.
func engine(t testing.TB, opts verify.Options) *verify.Engine {
	t.Helper()
	e, err := verify.New(opts)
	if err != nil {
		t.Fatalf("verify.New: %v", err)
	}
	return e
}

// mustAddr parses an IP address known to be valid.
func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }
