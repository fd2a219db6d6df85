package probeserver

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
)

// Protocol is what a MailServer speaks.
type Protocol uint8

// Protocols.
const (
	SMTP Protocol = iota
	IMAP
	POP3
)

// TLS is how a MailServer offers TLS.
type TLS uint8

// TLS modes.
const (
	// StartTLS offers STARTTLS (STLS for POP3).
	StartTLS TLS = iota
	// Implicit makes the handshake as soon as a client connects.
	Implicit
	// NoTLS offers no TLS at all.
	NoTLS
)

// MailConfig describes a MailServer.
type MailConfig struct {
	Protocol Protocol
	TLS      TLS
	// Name is the name the server gives in its greeting and EHLO reply,
	// "mail.example.com".
	Name string
	// Greeting are the lines of the greeting after the code; default
	// "<Name> ESMTP" for SMTP, "<Name> ready" for IMAP and POP3. Several
	// lines make a multi-line SMTP greeting.
	Greeting []string
	// Cert is the certificate served; nil with NoTLS.
	Cert *tls.Certificate
	// Domains are the domains an SMTP server takes mail for: RCPT TO
	// another domain is refused ("Relay access denied") unless OpenRelay.
	Domains   []string
	OpenRelay bool
}

// MailServer is an SMTP, IMAP or POP3 server on loopback. It takes no mail
// (DATA is refused) and knows no login.
type MailServer struct {
	base
	cfg MailConfig

	heardMu  sync.Mutex
	commands []string
}

// StartMail starts a mail server; Close it when done.
func StartMail(cfg MailConfig) (*MailServer, error) {
	if cfg.TLS != NoTLS && cfg.Cert == nil {
		return nil, errors.New("a mail server with TLS needs a certificate")
	}
	if cfg.Name == "" {
		cfg.Name = "mail.example.com"
	}
	cfg.Name = strings.TrimSuffix(cfg.Name, ".")
	s := &MailServer{cfg: cfg}
	if err := s.listen(s.serve); err != nil {
		return nil, err
	}
	return s, nil
}

// Commands are the commands the server received, in order, from every
// connection.
func (s *MailServer) Commands() []string {
	s.heardMu.Lock()
	defer s.heardMu.Unlock()
	return slices.Clone(s.commands)
}

func (s *MailServer) heard(cmd string) {
	s.heardMu.Lock()
	defer s.heardMu.Unlock()
	s.commands = append(s.commands, cmd)
}

func (s *MailServer) serve(c net.Conn) {
	l := newLine(c)
	broken := s.Fault().BreakTLS
	if s.cfg.TLS == Implicit && !l.upgrade(s.cfg.Cert, broken) {
		return
	}
	switch s.cfg.Protocol {
	case IMAP:
		s.imap(l, broken)
	case POP3:
		s.pop3(l, broken)
	default:
		s.smtp(l, broken)
	}
}

// greeting is the configured greeting, or the default.
func (s *MailServer) greeting(def string) []string {
	if len(s.cfg.Greeting) > 0 {
		return s.cfg.Greeting
	}
	return []string{s.cfg.Name + " " + def}
}

// reply renders an SMTP reply: "250-…" lines, then "250 …".
func reply(code int, lines ...string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		sep := "-"
		if i == len(lines)-1 {
			sep = " "
		}
		out[i] = fmt.Sprintf("%d%s%s", code, sep, l)
	}
	return out
}

func (s *MailServer) smtp(l *line, broken bool) {
	offer := s.cfg.TLS == StartTLS
	if l.write(reply(220, s.greeting("ESMTP")...)...) != nil {
		return
	}
	for {
		cmd, err := l.read()
		if err != nil {
			return
		}
		s.heard(cmd)
		verb, arg, _ := strings.Cut(cmd, " ")
		var out []string
		switch strings.ToUpper(verb) {
		case "EHLO":
			ext := []string{s.cfg.Name + " greets " + arg, "PIPELINING", "SIZE 10240000"}
			if offer {
				ext = append(ext, "STARTTLS")
			}
			out = reply(250, append(ext, "8BITMIME")...)
		case "HELO":
			out = reply(250, s.cfg.Name)
		case "STARTTLS":
			if !offer {
				out = reply(502, "5.5.1 STARTTLS is not offered here")
				break
			}
			if l.write(reply(220, "2.0.0 Ready to start TLS")...) != nil || !l.upgrade(s.cfg.Cert, broken) {
				return
			}
			offer = false
			continue
		case "MAIL":
			out = reply(250, "2.1.0 Ok")
		case "RCPT":
			out = reply(554, "5.7.1 Relay access denied")
			if s.cfg.OpenRelay || s.local(arg) {
				out = reply(250, "2.1.5 Ok")
			}
		case "DATA":
			out = reply(554, "5.5.1 This test server takes no mail")
		case "RSET", "NOOP":
			out = reply(250, "2.0.0 Ok")
		case "QUIT":
			_ = l.write(reply(221, "2.0.0 Bye")...)
			return
		default:
			out = reply(502, "5.5.2 Command not recognized")
		}
		if l.write(out...) != nil {
			return
		}
	}
}

// local reports whether "TO:<x@domain>" is at one of the server's domains.
func (s *MailServer) local(arg string) bool {
	_, addr, _ := strings.Cut(arg, "<")
	addr, _, _ = strings.Cut(addr, ">")
	_, domain, ok := strings.Cut(addr, "@")
	return ok && slices.ContainsFunc(s.cfg.Domains, func(d string) bool { return strings.EqualFold(strings.TrimSuffix(d, "."), domain) })
}

func (s *MailServer) imap(l *line, broken bool) {
	offer := s.cfg.TLS == StartTLS
	caps := func() string {
		if offer {
			return "IMAP4rev1 STARTTLS LOGINDISABLED"
		}
		return "IMAP4rev1 LOGINDISABLED"
	}
	if l.write("* OK "+strings.Join(s.greeting("ready"), " ")) != nil {
		return
	}
	for {
		cmd, err := l.read()
		if err != nil {
			return
		}
		s.heard(cmd)
		tag, rest, _ := strings.Cut(cmd, " ")
		verb, _, _ := strings.Cut(rest, " ")
		var out []string
		switch strings.ToUpper(verb) {
		case "CAPABILITY":
			out = []string{"* CAPABILITY " + caps(), tag + " OK CAPABILITY completed"}
		case "STARTTLS":
			if !offer {
				out = []string{tag + " BAD STARTTLS is not offered here"}
				break
			}
			if l.write(tag+" OK Begin TLS negotiation now") != nil || !l.upgrade(s.cfg.Cert, broken) {
				return
			}
			offer = false
			continue
		case "LOGOUT":
			_ = l.write("* BYE Logging out", tag+" OK LOGOUT completed")
			return
		default:
			out = []string{tag + " BAD Command not recognized"}
		}
		if l.write(out...) != nil {
			return
		}
	}
}

func (s *MailServer) pop3(l *line, broken bool) {
	offer := s.cfg.TLS == StartTLS
	if l.write("+OK "+strings.Join(s.greeting("ready"), " ")) != nil {
		return
	}
	for {
		cmd, err := l.read()
		if err != nil {
			return
		}
		s.heard(cmd)
		verb, _, _ := strings.Cut(cmd, " ")
		var out []string
		switch strings.ToUpper(verb) {
		case "CAPA":
			out = []string{"+OK Capability list follows", "TOP", "UIDL"}
			if offer {
				out = append(out, "STLS")
			}
			out = append(out, ".")
		case "STLS":
			if !offer {
				out = []string{"-ERR STLS is not offered here"}
				break
			}
			if l.write("+OK Begin TLS negotiation") != nil || !l.upgrade(s.cfg.Cert, broken) {
				return
			}
			offer = false
			continue
		case "QUIT":
			_ = l.write("+OK Bye")
			return
		default:
			out = []string{"-ERR Command not recognized"}
		}
		if l.write(out...) != nil {
			return
		}
	}
}
