package steps

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mailwizard/mailwizard/internal/verify"
)

// certProblem is one thing wrong with a served certificate.
type certProblem struct {
	code string
	// what completes "serves a certificate that …".
	what string
}

// certProblems judges the certificate of a TLS session for the names it
// must cover, at the time of the probe: expired, expiring within
// certWarning, not from a trusted authority, not valid for every name.
// smtp selects the words of the consequence.
func certProblems(res *verify.ProbeResult, names []string, smtp bool) []certProblem {
	ts := res.TLS
	leaf := ts.Leaf()
	if leaf == nil {
		return []certProblem{{CodeTLSCertUntrusted, "is missing: the server sent none"}}
	}
	var out []certProblem
	day := leaf.NotAfter.UTC().Format("2006-01-02")
	switch left := leaf.NotAfter.Sub(res.Start); {
	case left < 0:
		out = append(out, certProblem{CodeTLSCertExpired,
			fmt.Sprintf("expired on %s, %s before this check. Clients and senders that check certificates refuse it. Renew it (with Let's Encrypt: certbot renew) and reload the server", day, days(-left))})
	case left <= certWarning:
		out = append(out, certProblem{CodeTLSCertExpiring,
			fmt.Sprintf("expires on %s, in %s. Renew it before then; if renewal is automated (certbot, acme.sh), check that it ran: they renew 30 days ahead", day, days(left))})
	}
	if ts.TrustErr != nil {
		consequence := "Mail programs warn about it or refuse to connect."
		if smtp {
			consequence = "Senders that check certificates (MTA-STS, DANE) will not deliver, and the others cannot tell your server from an impostor."
		}
		out = append(out, certProblem{CodeTLSCertUntrusted,
			fmt.Sprintf("is %s. %s Use a certificate from a public authority such as Let's Encrypt, and serve the whole chain (Postfix: smtpd_tls_chain_files with the full-chain file)", trustProblem(ts), consequence)})
	}
	var missing []string
	for _, n := range names {
		if leaf.VerifyHostname(strings.TrimSuffix(n, ".")) != nil {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		out = append(out, certProblem{CodeTLSCertName,
			fmt.Sprintf("is for %s, not for %s. Clients check that the certificate names the host they asked for and refuse it otherwise (senders with MTA-STS too). Get a certificate that includes %s", certNames(leaf), list(missing), list(missing))})
	}
	return out
}

// judgeCert notes the problems of the certificate a probe saw and returns
// the row's status and a few words for it.
func (j *serverJudge) judgeCert(res *verify.ProbeResult, subject, place, from string, names []string, smtp bool) (Status, string) {
	leaf := res.TLS.Leaf()
	problems := certProblems(res, names, smtp)
	var flaws []string
	status := StatusPass
	for _, p := range problems {
		j.note(p.code, place, from, subject+" serves a certificate that "+p.what+".")
		flaws = append(flaws, strings.TrimPrefix(p.code, "tls-cert-"))
		if s := j.effect(p.code); s.rank() > status.rank() {
			status = s
		}
	}
	words := tls.VersionName(res.TLS.Version)
	switch {
	case leaf == nil:
		return status, words + " · no certificate"
	case slices.Contains(flaws, "name"):
		words += fmt.Sprintf(" · certificate for %s until %s", certNames(leaf), leaf.NotAfter.UTC().Format("2006-01-02"))
	default:
		words += " · certificate until " + leaf.NotAfter.UTC().Format("2006-01-02")
	}
	if len(flaws) > 0 {
		words += " (" + strings.Join(flaws, ", ") + ")"
	}
	return status, words
}

// effect is the status a code declared by the step gives.
func (j *serverJudge) effect(code string) Status {
	c, _ := declared(j.v.codes, code, "")
	return c.Effect
}

// trustProblem says why a chain is not trusted.
func trustProblem(ts *verify.TLSState) string {
	leaf := ts.Leaf()
	var unknown x509.UnknownAuthorityError
	switch {
	case bytes.Equal(leaf.RawIssuer, leaf.RawSubject) && leaf.CheckSignature(leaf.SignatureAlgorithm, leaf.RawTBSCertificate, leaf.Signature) == nil:
		return "self-signed: no authority vouches for it"
	case errors.As(ts.TrustErr, &unknown) && len(ts.Chain) == 1:
		return fmt.Sprintf("issued by %q, but the server sends no intermediate certificate and no trusted authority has that name (an incomplete chain, or a private authority)", clip(leaf.Issuer.String()))
	case errors.As(ts.TrustErr, &unknown):
		return fmt.Sprintf("issued by %q, which is not a trusted authority", clip(leaf.Issuer.String()))
	}
	return "not valid: " + clip(strings.TrimPrefix(ts.TrustErr.Error(), "x509: "))
}

// certNames lists the names a certificate is for: its DNS and IP names,
// or its common name when it has none.
func certNames(c *x509.Certificate) string {
	names := append([]string{}, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 {
		names = []string{c.Subject.CommonName}
	}
	for i, n := range names {
		names[i] = clip(n)
	}
	if len(names) > 4 {
		names = append(names[:4], fmt.Sprintf("%d other names", len(names)-4))
	}
	return list(names)
}

// days renders a duration in whole days, rounded: "3 days", "1 day".
func days(d time.Duration) string {
	n := int(d.Round(24*time.Hour) / (24 * time.Hour))
	return fmt.Sprintf("%d %s", n, plural(n, "day", "days"))
}
