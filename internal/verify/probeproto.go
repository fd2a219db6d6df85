package verify

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// converse speaks the probe's protocol over the open connection.
func (s *session) converse(ctx context.Context) error {
	if s.p.Kind == ProbeHTTPS {
		return s.https(ctx)
	}
	if s.p.TLS == TLSImplicit {
		if err := s.handshake(ctx); err != nil {
			return s.fail(StageTLS, err)
		}
	}
	switch s.p.Protocol {
	case ProtoSMTP:
		return s.smtp(ctx)
	case ProtoIMAP:
		return s.imap(ctx)
	case ProtoPOP3:
		return s.pop3(ctx)
	}
	return nil
}

// smtp reads the greeting, says EHLO, upgrades with STARTTLS when asked
// and offered, makes the open-relay test when asked, and says QUIT (RFC
// 5321, RFC 3207). It never sends DATA and never authenticates.
func (s *session) smtp(ctx context.Context) error {
	start := time.Now()
	greeting, err := s.smtpReply()
	s.res.Timings.Greeting = time.Since(start)
	s.res.Greeting = greeting
	switch {
	case err != nil:
		return s.fail(StageGreeting, err)
	case greeting.Code != 220:
		s.quitSMTP()
		return s.fail(StageGreeting, fmt.Errorf("the server greeted with %q, not 220", greeting.String()))
	}
	ehlo, err := s.ehlo()
	s.res.EHLO = ehlo
	if err != nil {
		return s.fail(StageEHLO, err)
	}
	if s.p.TLS == TLSStartTLS {
		s.res.StartTLSOffered = slices.Contains(ehlo.Keywords(), "STARTTLS")
	}
	if s.res.StartTLSOffered {
		reply, err := s.smtpCommand("STARTTLS")
		s.res.StartTLS = reply
		switch {
		case err != nil:
			return s.fail(StageStartTLS, err)
		case reply.Code != 220:
			s.quitSMTP()
			return s.fail(StageStartTLS, fmt.Errorf("STARTTLS was answered %q", reply.String()))
		}
		if err := s.handshake(ctx); err != nil {
			return s.fail(StageTLS, err)
		}
		if s.p.Relay != (Relay{}) {
			// RFC 3207 §4.2: after TLS the client starts over with EHLO.
			if _, err := s.ehlo(); err != nil {
				return s.fail(StageEHLO, err)
			}
		}
	}
	if s.p.Relay != (Relay{}) {
		if err := s.relay(); err != nil {
			return s.fail(StageRelay, err)
		}
	}
	s.quitSMTP()
	return nil
}

// ehlo says EHLO with the address literal of this end of the connection
// (RFC 5321 §4.1.3: a client without a meaningful name of its own).
func (s *session) ehlo() (Reply, error) {
	reply, err := s.smtpCommand("EHLO " + addressLiteral(s.res))
	if err == nil && reply.Code != 250 {
		err = fmt.Errorf("EHLO was answered %q", reply.String())
	}
	return reply, err
}

// addressLiteral is "[192.0.2.1]" or "[IPv6:2001:db8::1]" (RFC 5321
// §4.1.3) for where the probe runs from.
func addressLiteral(res *ProbeResult) string {
	a := res.Local.Addr()
	if a.Is6() {
		return "[IPv6:" + a.String() + "]"
	}
	return "[" + a.String() + "]"
}

// relay makes the open-relay test: MAIL FROM, then RCPT TO when the sender
// was taken. What the server answered is the result; a refusal is no
// failure of the probe.
func (s *session) relay() error {
	from, err := s.smtpCommand("MAIL FROM:<" + s.p.Relay.From + ">")
	s.res.MailFrom = from
	if err != nil {
		return err
	}
	if from.Code/100 == 2 {
		to, err := s.smtpCommand("RCPT TO:<" + s.p.Relay.To + ">")
		s.res.RcptTo = to
		if err != nil {
			return err
		}
	}
	s.res.RelayTested = true
	return nil
}

// quitSMTP says goodbye and waits briefly for the reply; a server that
// hangs up first is fine.
func (s *session) quitSMTP() {
	if s.send("QUIT") == nil {
		s.brief()
		_, _ = s.smtpReply()
	}
}

// brief shortens the deadline of a goodbye: its reply is only courtesy.
func (s *session) brief() {
	_ = s.nc.SetReadDeadline(time.Now().Add(time.Second))
}

// smtpCommand sends a command and reads its reply.
func (s *session) smtpCommand(line string) (Reply, error) {
	if err := s.send(line); err != nil {
		return Reply{}, err
	}
	return s.smtpReply()
}

// smtpReply reads one SMTP reply, every line of it: "250-…" lines up to
// the "250 …" line (RFC 5321 §4.2.1).
func (s *session) smtpReply() (Reply, error) {
	var r Reply
	for range maxReplyLines {
		line, err := s.readLine()
		if err != nil {
			return r, err
		}
		r.Lines = append(r.Lines, line)
		code, err := strconv.Atoi(prefix(line, 3))
		switch {
		case err != nil || len(line) < 3 || code < 100 || code > 599:
			return r, fmt.Errorf("%q is not an SMTP reply", line)
		case r.Code != 0 && code != r.Code:
			return r, fmt.Errorf("a reply whose lines have different codes (%d, then %d)", r.Code, code)
		}
		r.Code = code
		switch {
		case len(line) == 3 || line[3] == ' ':
			return r, nil
		case line[3] != '-':
			return r, fmt.Errorf("%q is not an SMTP reply line", line)
		}
	}
	return r, fmt.Errorf("a reply of more than %d lines", maxReplyLines)
}

func prefix(s string, n int) string {
	if len(s) < n {
		return s
	}
	return s[:n]
}

// imap reads the greeting, asks for the capabilities and upgrades with
// STARTTLS when asked and offered, then says LOGOUT (RFC 9051 §6.2.1). It
// never logs in.
func (s *session) imap(ctx context.Context) error {
	ok := func(line string) bool {
		upper := strings.ToUpper(line)
		return strings.HasPrefix(upper, "* OK") || strings.HasPrefix(upper, "* PREAUTH")
	}
	if err := s.lineGreeting(ok, "* OK"); err != nil {
		return err
	}
	if s.p.TLS == TLSStartTLS {
		caps, err := s.imapCommand("A1", "CAPABILITY")
		s.res.Capabilities = caps
		if err != nil {
			return s.fail(StageCapa, err)
		}
		s.res.StartTLSOffered = slices.ContainsFunc(caps, func(l string) bool {
			return slices.Contains(strings.Fields(strings.ToUpper(l)), "STARTTLS")
		})
	}
	if s.res.StartTLSOffered {
		reply, err := s.imapCommand("A2", "STARTTLS")
		s.res.StartTLS = Reply{Lines: reply}
		if err != nil {
			return s.fail(StageStartTLS, err)
		}
		if err := s.handshake(ctx); err != nil {
			return s.fail(StageTLS, err)
		}
	}
	if s.send("A3 LOGOUT") == nil {
		s.brief()
		_, _ = s.imapTagged("A3")
	}
	return nil
}

// lineGreeting reads the one-line greeting of IMAP or POP3, which ok must
// accept; want names what was expected.
func (s *session) lineGreeting(ok func(string) bool, want string) error {
	start := time.Now()
	line, err := s.readLine()
	s.res.Timings.Greeting = time.Since(start)
	if err != nil {
		return s.fail(StageGreeting, err)
	}
	s.res.Greeting = Reply{Lines: []string{line}}
	if !ok(line) {
		return s.fail(StageGreeting, fmt.Errorf("the server greeted with %q, not %s", line, want))
	}
	return nil
}

// imapCommand sends a tagged command and returns every line up to its
// tagged reply, which must be OK.
func (s *session) imapCommand(tag, command string) ([]string, error) {
	if err := s.send(tag + " " + command); err != nil {
		return nil, err
	}
	lines, err := s.imapTagged(tag)
	if err != nil {
		return lines, err
	}
	last := lines[len(lines)-1]
	if !strings.HasPrefix(strings.ToUpper(last), tag+" OK") {
		return lines, fmt.Errorf("%s was answered %q", command, last)
	}
	return lines, nil
}

// imapTagged reads lines up to the one tagged tag.
func (s *session) imapTagged(tag string) ([]string, error) {
	var lines []string
	for range maxReplyLines {
		line, err := s.readLine()
		if err != nil {
			return lines, err
		}
		lines = append(lines, line)
		if strings.HasPrefix(strings.ToUpper(line), tag+" ") {
			return lines, nil
		}
	}
	return lines, fmt.Errorf("a reply of more than %d lines", maxReplyLines)
}

// pop3 reads the greeting, asks for the capabilities and upgrades with STLS
// when asked and offered, then says QUIT (RFC 2449, RFC 2595 §4). It never
// logs in.
func (s *session) pop3(ctx context.Context) error {
	ok := func(line string) bool { return strings.HasPrefix(line, "+OK") }
	if err := s.lineGreeting(ok, "+OK"); err != nil {
		return err
	}
	if s.p.TLS == TLSStartTLS {
		caps, err := s.pop3Capabilities()
		s.res.Capabilities = caps
		if err != nil {
			return s.fail(StageCapa, err)
		}
		s.res.StartTLSOffered = slices.ContainsFunc(caps, func(l string) bool { return strings.EqualFold(strings.TrimSpace(l), "STLS") })
	}
	if s.res.StartTLSOffered {
		if err := s.send("STLS"); err != nil {
			return s.fail(StageStartTLS, err)
		}
		reply, err := s.readLine()
		s.res.StartTLS = Reply{Lines: []string{reply}}
		switch {
		case err != nil:
			return s.fail(StageStartTLS, err)
		case !strings.HasPrefix(reply, "+OK"):
			return s.fail(StageStartTLS, fmt.Errorf("STLS was answered %q", reply))
		}
		if err := s.handshake(ctx); err != nil {
			return s.fail(StageTLS, err)
		}
	}
	if s.send("QUIT") == nil {
		s.brief()
		_, _ = s.readLine()
	}
	return nil
}

// pop3Capabilities says CAPA and reads the list up to its "." line; a
// server without CAPA ("-ERR") has none.
func (s *session) pop3Capabilities() ([]string, error) {
	if err := s.send("CAPA"); err != nil {
		return nil, err
	}
	first, err := s.readLine()
	if err != nil || !strings.HasPrefix(first, "+OK") {
		return nil, err
	}
	var caps []string
	for range maxReplyLines {
		line, err := s.readLine()
		if err != nil {
			return caps, err
		}
		if line == "." {
			return caps, nil
		}
		caps = append(caps, line)
	}
	return caps, fmt.Errorf("a capability list of more than %d lines", maxReplyLines)
}
