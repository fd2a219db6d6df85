package verifytest

import (
	"crypto/tls"
	"testing"

	"github.com/mailwizard/mailwizard/internal/probeserver"
	"github.com/mailwizard/mailwizard/internal/verify/dnsworld"
)

// StartCA makes a certificate authority for a test (probeserver.NewCA); its
// Pool goes into verify.Options.Roots.
func StartCA(tb testing.TB) *probeserver.CA {
	tb.Helper()
	ca, err := probeserver.NewCA("mailwizard test CA")
	if err != nil {
		tb.Fatalf("make the test CA: %v", err)
	}
	return ca
}

// IssueCert issues a server certificate from ca for a test.
func IssueCert(tb testing.TB, ca *probeserver.CA, c probeserver.Cert) *tls.Certificate {
	tb.Helper()
	cert, err := ca.Issue(c)
	if err != nil {
		tb.Fatalf("issue a certificate for %v: %v", c.Names, err)
	}
	return &cert
}

// StartMail starts an SMTP, IMAP or POP3 server for a test and closes it
// when the test ends.
func StartMail(tb testing.TB, cfg probeserver.MailConfig) *probeserver.MailServer {
	tb.Helper()
	s, err := probeserver.StartMail(cfg)
	return dnsworld.Started(tb, "the mail server", s, err)
}

// StartWeb starts an HTTPS server for a test and closes it when the test
// ends.
func StartWeb(tb testing.TB, cert *tls.Certificate, pages map[string]probeserver.Page) *probeserver.WebServer {
	tb.Helper()
	s, err := probeserver.StartWeb(cert, pages)
	return dnsworld.Started(tb, "the web server", s, err)
}

// StartBlackhole opens a port that drops every connection attempt for a
// test, or skips the test where there is none (only Linux has one).
func StartBlackhole(tb testing.TB) *probeserver.Blackhole {
	tb.Helper()
	b, err := probeserver.StartBlackhole()
	if err != nil {
		tb.Skipf("no black hole here: %v", err)
	}
	tb.Cleanup(func() {
		if err := b.Close(); err != nil {
			tb.Errorf("close the black hole: %v", err)
		}
	})
	return b
}

// StartHost starts a healthy stand-in for a whole mail host (see
// probeserver.StartHost) for a test and closes it when the test ends.
// Point an engine at it with host.Routes.Map and host.CA.Pool.
func StartHost(tb testing.TB, cfg probeserver.HostConfig) *probeserver.Host {
	tb.Helper()
	h, err := probeserver.StartHost(cfg)
	return dnsworld.Started(tb, "the mail host", h, err)
}
