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

// converse writes the greeting, then answers each command with answer
// until answer says the conversation ends or the connection fails. answer
// returns the lines to write (none after a TLS upgrade) and whether to end
// after them.
func (s *MailServer) converse(l *line, greeting []string, answer func(cmd string) (out []string, end bool)) {
	if l.write(greeting...) != nil {
		return
	}
	for {
		cmd, err := l.read()
		if err != nil {
			return
		}
		s.heard(cmd)
		out, end := answer(cmd)
		if (len(out) > 0 && l.write(out...) != nil) || end {
			return
		}
	}
}

// startTLS answers a STARTTLS (or STLS) command with ok and makes TLS, or
// breaks it as the fault says; it reports whether the conversation goes on.
func (s *MailServer) startTLS(l *line, broken bool, ok ...string) bool {
	return l.write(ok...) == nil && l.upgrade(s.cfg.Cert, broken)
}

func (s *MailServer) smtp(l *line, broken bool) {
	offer := s.cfg.TLS == StartTLS
	s.converse(l, reply(220, s.greeting("ESMTP")...), func(cmd string) ([]string, bool) {
		verb, arg, _ := strings.Cut(cmd, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			ext := []string{s.cfg.Name + " greets " + arg, "PIPELINING", "SIZE 10240000"}
			if offer {
				ext = append(ext, "STARTTLS")
			}
			return reply(250, append(ext, "8BITMIME")...), false
		case "HELO":
			return reply(250, s.cfg.Name), false
		case "STARTTLS":
			if !offer {
				return reply(502, "5.5.1 STARTTLS is not offered here"), false
			}
			offer = false
			return nil, !s.startTLS(l, broken, reply(220, "2.0.0 Ready to start TLS")...)
		case "MAIL":
			return reply(250, "2.1.0 Ok"), false
		case "RCPT":
			if s.cfg.OpenRelay || s.local(arg) {
				return reply(250, "2.1.5 Ok"), false
			}
			return reply(554, "5.7.1 Relay access denied"), false
		case "DATA":
			return reply(554, "5.5.1 This test server takes no mail"), false
		case "RSET", "NOOP":
			return reply(250, "2.0.0 Ok"), false
		case "QUIT":
			return reply(221, "2.0.0 Bye"), true
		}
		return reply(502, "5.5.2 Command not recognized"), false
	})
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
	s.converse(l, []string{"* OK " + strings.Join(s.greeting("ready"), " ")}, func(cmd string) ([]string, bool) {
		tag, rest, _ := strings.Cut(cmd, " ")
		verb, _, _ := strings.Cut(rest, " ")
		switch strings.ToUpper(verb) {
		case "CAPABILITY":
			return []string{"* CAPABILITY " + caps(), tag + " OK CAPABILITY completed"}, false
		case "STARTTLS":
			if !offer {
				return []string{tag + " BAD STARTTLS is not offered here"}, false
			}
			offer = false
			return nil, !s.startTLS(l, broken, tag+" OK Begin TLS negotiation now")
		case "LOGOUT":
			return []string{"* BYE Logging out", tag + " OK LOGOUT completed"}, true
		}
		return []string{tag + " BAD Command not recognized"}, false
	})
}

func (s *MailServer) pop3(l *line, broken bool) {
	offer := s.cfg.TLS == StartTLS
	s.converse(l, []string{"+OK " + strings.Join(s.greeting("ready"), " ")}, func(cmd string) ([]string, bool) {
		verb, _, _ := strings.Cut(cmd, " ")
		switch strings.ToUpper(verb) {
		case "CAPA":
			out := []string{"+OK Capability list follows", "TOP", "UIDL"}
			if offer {
				out = append(out, "STLS")
			}
			return append(out, "."), false
		case "STLS":
			if !offer {
				return []string{"-ERR STLS is not offered here"}, false
			}
			offer = false
			return nil, !s.startTLS(l, broken, "+OK Begin TLS negotiation")
		case "QUIT":
			return []string{"+OK Bye"}, true
		}
		return []string{"-ERR Command not recognized"}, false
	})
}
