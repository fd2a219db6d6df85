package demo

import (
	"fmt"
	"net/netip"

	"github.com/mailwizard/mailwizard/internal/probeserver"
)

// brokenName is what the demo's mail server calls itself while it shows
// its typical mistake.
const brokenName = "localhost.localdomain"

// serveMistake puts a typical mistake on the demo's mail server, at once:
// port 25 greets as localhost.localdomain and serves a self-signed
// certificate for that name (a server installed with its defaults). It
// returns a sentence saying so.
func (w *World) serveMistake() (string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return "", ErrClosed
	}
	if w.broken == nil {
		cert, err := w.host.CA.Issue(probeserver.Cert{Names: []string{brokenName}, SelfSigned: true})
		if err != nil {
			return "", fmt.Errorf("the demo's broken mail server: %w", err)
		}
		w.broken, err = probeserver.StartMail(probeserver.MailConfig{Name: brokenName, Cert: &cert, Domains: []string{Domain}})
		if err != nil {
			return "", fmt.Errorf("the demo's broken mail server: %w", err)
		}
	}
	w.route25(w.broken.Addr())
	return fmt.Sprintf("Put a typical mistake on the demo's mail server: port 25 now greets as %s and serves a self-signed certificate for that name, as a server installed with its defaults does. Publish the step again to fix it.", brokenName), nil
}

// fixServer puts the demo's mail server right again; it reports false
// when it was right already.
func (w *World) fixServer() (bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return false, ErrClosed
	}
	if w.broken == nil {
		return false, nil
	}
	w.route25(w.host.Mail[25].Addr())
	err := w.broken.Close()
	w.broken = nil
	return true, err
}

// route25 sends port 25 of the demo's addresses to the server at addr.
func (w *World) route25(addr string) {
	for _, ip := range IPs() {
		w.host.Routes.Set(netip.AddrPortFrom(ip, 25), addr)
	}
}
