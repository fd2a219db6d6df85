package probeserver

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// HostConfig describes a whole mail host to stand in for.
type HostConfig struct {
	// Name is the host's name, "mail.example.com": its greeting and its
	// certificate's first name.
	Name string
	// Domain is the mail domain, "example.com": the domain its SMTP server
	// takes mail for, and the autoconfig. and autodiscover. names its
	// certificate also covers.
	Domain string
	// Addrs are the real addresses it stands in for (192.0.2.25,
	// 2001:db8::25): Routes sends their ports to its servers.
	Addrs []netip.Addr
	// CA issues its certificate; nil makes a new one.
	CA *CA
	// Autoconfig is the file served at /mail/config-v1.1.xml.
	Autoconfig []byte
	// MTASTSPolicy, when set, is the MTA-STS policy served as text/plain
	// at /.well-known/mta-sts.txt, and the certificate covers
	// mta-sts.<Domain> too: the host is also the policy's web server.
	MTASTSPolicy []byte
}

// Host is a healthy mail host on loopback: SMTP on 25 (STARTTLS),
// submission on 587 (STARTTLS) and 465 (TLS), IMAP on 143 (STARTTLS) and
// 993 (TLS), POP3 on 110 (STARTTLS) and 995 (TLS), and HTTPS on 443
// serving the autoconfig file and an autodiscover answer; Routes sends the
// real addresses' ports to them. Change a server's behaviour with its
// SetFault, or Routes.Refuse a port.
type Host struct {
	CA *CA
	// Cert is the certificate every server of the host presents, with
	// the CA's certificate after its own (what a DANE record pins).
	Cert   tls.Certificate
	Routes *Routes
	// Mail are the mail servers by port (25, 587, 465, 143, 993, 110, 995).
	Mail map[uint16]*MailServer
	Web  *WebServer
}

// StartHost starts a mail host; Close it when done.
func StartHost(cfg HostConfig) (*Host, error) {
	name := strings.TrimSuffix(cfg.Name, ".")
	domain := strings.TrimSuffix(cfg.Domain, ".")
	h := &Host{CA: cfg.CA, Routes: &Routes{}, Mail: map[uint16]*MailServer{}}
	if h.CA == nil {
		ca, err := NewCA("mailwizard stand-in CA")
		if err != nil {
			return nil, err
		}
		h.CA = ca
	}
	names := []string{name, "autoconfig." + domain, "autodiscover." + domain}
	if cfg.MTASTSPolicy != nil {
		names = append(names, "mta-sts."+domain)
	}
	cert, err := h.CA.Issue(Cert{Names: names})
	if err != nil {
		return nil, err
	}
	h.Cert = cert
	servers := []struct {
		port uint16
		cfg  MailConfig
	}{
		{25, MailConfig{Protocol: SMTP, TLS: StartTLS}},
		{587, MailConfig{Protocol: SMTP, TLS: StartTLS}},
		{465, MailConfig{Protocol: SMTP, TLS: Implicit}},
		{143, MailConfig{Protocol: IMAP, TLS: StartTLS}},
		{993, MailConfig{Protocol: IMAP, TLS: Implicit}},
		{110, MailConfig{Protocol: POP3, TLS: StartTLS}},
		{995, MailConfig{Protocol: POP3, TLS: Implicit}},
	}
	for _, s := range servers {
		s.cfg.Name, s.cfg.Cert, s.cfg.Domains = name, &cert, []string{domain}
		srv, err := StartMail(s.cfg)
		if err != nil {
			return nil, errors.Join(fmt.Errorf("port %d: %w", s.port, err), h.Close())
		}
		h.Mail[s.port] = srv
		h.route(s.port, srv.Addr(), cfg.Addrs)
	}
	pages := map[string]Page{
		"/mail/config-v1.1.xml":          {ContentType: "text/xml", Body: cfg.Autoconfig},
		"/autodiscover/autodiscover.xml": {ContentType: "text/xml", Body: []byte(`<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"/>`)},
	}
	if cfg.MTASTSPolicy != nil {
		pages["/.well-known/mta-sts.txt"] = Page{ContentType: "text/plain", Body: cfg.MTASTSPolicy}
	}
	h.Web, err = StartWeb(&cert, pages)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("port 443: %w", err), h.Close())
	}
	h.route(443, h.Web.Addr(), cfg.Addrs)
	return h, nil
}

func (h *Host) route(port uint16, to string, addrs []netip.Addr) {
	for _, a := range addrs {
		h.Routes.Set(netip.AddrPortFrom(a, port), to)
	}
}

// Close stops every server of the host.
func (h *Host) Close() error {
	var errs []error
	for _, s := range h.Mail {
		errs = append(errs, s.Close())
	}
	if h.Web != nil {
		errs = append(errs, h.Web.Close())
	}
	return errors.Join(errs...)
}
