package verify

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// ProbeKind says what a probe does.
type ProbeKind uint8

const (
	// NotProbe is the zero kind: the question is a DNS question.
	NotProbe ProbeKind = iota
	// ProbeService connects to a TCP service, speaks its protocol as far as
	// TLS (never further: no login, no mail), and leaves.
	ProbeService
	// ProbeHTTPS fetches one URL with an HTTPS GET, following no redirect.
	ProbeHTTPS
)

// Protocol is the protocol a service probe speaks.
type Protocol uint8

const (
	// ProtoTCP connects (and makes a TLS handshake when asked) and says
	// nothing.
	ProtoTCP Protocol = iota
	// ProtoSMTP reads the greeting and sends EHLO (RFC 5321).
	ProtoSMTP
	// ProtoIMAP reads the greeting and asks for the capabilities (RFC 9051).
	ProtoIMAP
	// ProtoPOP3 reads the greeting and asks for the capabilities (RFC 2449).
	ProtoPOP3
)

// String names the protocol: "SMTP", "IMAP", "POP3" or "TCP".
func (p Protocol) String() string {
	switch p {
	case ProtoSMTP:
		return "SMTP"
	case ProtoIMAP:
		return "IMAP"
	case ProtoPOP3:
		return "POP3"
	}
	return "TCP"
}

// TLSMode says how a service probe makes TLS.
type TLSMode uint8

const (
	// TLSNone makes no TLS.
	TLSNone TLSMode = iota
	// TLSImplicit makes the TLS handshake as soon as the connection is up
	// (ports 465, 993, 995, 443; RFC 8314).
	TLSImplicit
	// TLSStartTLS upgrades the connection when the server offers it: SMTP
	// STARTTLS (RFC 3207), IMAP STARTTLS (RFC 9051 §6.2.1), POP3 STLS
	// (RFC 2595 §4). A server that does not offer it is no failure of the
	// probe: ProbeResult.StartTLSOffered says so.
	TLSStartTLS
)

// String names the mode: "TLS", "STARTTLS" or "plain".
func (m TLSMode) String() string {
	switch m {
	case TLSImplicit:
		return "TLS"
	case TLSStartTLS:
		return "STARTTLS"
	}
	return "plain"
}

// Relay is the open-relay test of an SMTP probe: after EHLO (and TLS, when
// offered), MAIL FROM:<From>, then RCPT TO:<To> if the sender was taken;
// never DATA, then QUIT. Nothing is ever sent. The zero Relay makes no test.
type Relay struct {
	From, To string
}

// Probe is one connection a round makes: a comparable value, so that a
// round makes each distinct probe once.
type Probe struct {
	Kind ProbeKind
	// Addr is the address connected to, "192.0.2.25:25".
	Addr netip.AddrPort
	// Name is the server's name, absolute and lower-case
	// ("mail.example.com."): sent as TLS SNI and as the HTTP Host, and the
	// name the certificate is checked against. Empty for none.
	Name string
	// Path is the path of an HTTPS GET, "/mail/config-v1.1.xml".
	Path     string
	Protocol Protocol
	TLS      TLSMode
	// Relay, for SMTP, is the open-relay test to make.
	Relay Relay
}

// ServiceProbe is the question that connects to addr, speaks proto and
// makes TLS as mode says, with name as SNI and as the name the certificate
// must be valid for.
func ServiceProbe(addr netip.AddrPort, name string, proto Protocol, mode TLSMode) Question {
	return probeQuestion(Probe{Kind: ProbeService, Addr: addr, Name: probeName(name), Protocol: proto, TLS: mode})
}

// RelayProbe is the question that tests the SMTP server at addr for an
// open relay (see Relay), with STARTTLS first when the server offers it.
func RelayProbe(addr netip.AddrPort, name, from, to string) Question {
	return probeQuestion(Probe{Kind: ProbeService, Addr: addr, Name: probeName(name), Protocol: ProtoSMTP, TLS: TLSStartTLS,
		Relay: Relay{From: from, To: to}})
}

// HTTPSGet is the question that fetches https://host/path from addr,
// with host as SNI and Host header. path must start with "/".
func HTTPSGet(addr netip.AddrPort, host, path string) Question {
	return probeQuestion(Probe{Kind: ProbeHTTPS, Addr: addr, Name: probeName(host), Path: path, TLS: TLSImplicit})
}

func probeQuestion(p Probe) Question {
	return Question{Name: p.Name, Via: Direct, Probe: p}
}

func probeName(name string) string {
	if name == "" {
		return ""
	}
	return CanonicalName(name)
}

// String names the probe: "SMTP STARTTLS mail.example.com. at
// 192.0.2.25:25", "HTTPS GET https://autoconfig.example.com/mail/config-v1.1.xml
// at 192.0.2.25:443".
func (p Probe) String() string {
	if p.Kind == ProbeHTTPS {
		return fmt.Sprintf("HTTPS GET %s at %s", p.URL(), p.Addr)
	}
	s := p.Protocol.String()
	if p.TLS != TLSNone {
		s += " " + p.TLS.String()
	}
	if p.Relay != (Relay{}) {
		s += " relay test"
	}
	if p.Name != "" {
		s += " " + p.Name
	}
	return s + " at " + p.Addr.String()
}

// URL is the URL an HTTPS probe fetches.
func (p Probe) URL() string {
	return "https://" + strings.TrimSuffix(p.Name, ".") + p.Path
}

// check says what makes the probe impossible to make.
func (p Probe) check() error {
	switch {
	case p.Kind != ProbeService && p.Kind != ProbeHTTPS:
		return fmt.Errorf("unknown probe kind %d", p.Kind)
	case !p.Addr.IsValid() || p.Addr.Port() == 0:
		return errors.New("no address to connect to")
	case p.Kind == ProbeHTTPS && (p.Name == "" || !strings.HasPrefix(p.Path, "/")):
		return errors.New("an HTTPS GET needs a host name and a path starting with /")
	case p.Relay != (Relay{}) && p.Protocol != ProtoSMTP:
		return errors.New("an open-relay test needs SMTP")
	case strings.ContainsAny(p.Relay.From+p.Relay.To+p.Path+p.Name, "\r\n<> "):
		return errors.New("a name, path or address holds a space, a line break or an angle bracket")
	}
	return nil
}

// Stage is where a probe was when it stopped.
type Stage string

// Stages of a probe, in order.
const (
	StageConnect  Stage = "connect"
	StageGreeting Stage = "greeting"
	StageEHLO     Stage = "ehlo"
	StageCapa     Stage = "capabilities"
	StageStartTLS Stage = "starttls"
	StageTLS      Stage = "tls"
	StageRelay    Stage = "relay test"
	StageRequest  Stage = "request"
	StageResponse Stage = "response"
)

// ProbeError is the failure of a probe: which probe, at which stage, and
// why. Its text reads "SMTP STARTTLS mail.example.com. at 192.0.2.25:25:
// connect: connection refused".
type ProbeError struct {
	Probe Probe
	Stage Stage
	Err   error
}

// Error names the probe, the stage and the cause.
func (e *ProbeError) Error() string {
	return fmt.Sprintf("%s: %s: %v", e.Probe, e.Stage, e.Err)
}

// Unwrap returns the cause, for errors.Is and errors.As.
func (e *ProbeError) Unwrap() error { return e.Err }

// ErrProbesOff is the error of every probe of an engine made with
// Options.NoProbe.
var ErrProbesOff = errors.New("probes are turned off: DNS only")

// Reply is one reply of a server: every line of it (an SMTP reply may have
// many, "250-…" then "250 …"), as received with control characters and
// invalid UTF-8 escaped (\x1b), and its code (SMTP only; 0 otherwise).
type Reply struct {
	Code  int
	Lines []string
}

// Domain is the first word after the code of the first line: the name a
// server gives in its SMTP greeting (RFC 5321 §4.2: "220 " Domain) or in
// its EHLO reply ("250 " Domain); empty when there is none.
func (r Reply) Domain() string {
	if len(r.Lines) == 0 {
		return ""
	}
	line := r.Lines[0]
	if r.Code != 0 && len(line) >= 4 {
		line = line[4:]
	}
	word, _, _ := strings.Cut(strings.TrimSpace(line), " ")
	return word
}

// Keywords are the EHLO keywords of an SMTP EHLO reply, upper-cased:
// "PIPELINING", "SIZE", "STARTTLS", …
func (r Reply) Keywords() []string {
	var out []string
	for i, line := range r.Lines {
		if i == 0 || len(line) < 4 {
			continue
		}
		word, _, _ := strings.Cut(strings.TrimSpace(line[4:]), " ")
		if word != "" {
			out = append(out, strings.ToUpper(word))
		}
	}
	return out
}

// String is the reply's lines joined by " / ".
func (r Reply) String() string { return strings.Join(r.Lines, " / ") }

// TLSState is the TLS session a probe made.
type TLSState struct {
	// Version and CipherSuite are as negotiated (crypto/tls constants).
	Version     uint16
	CipherSuite uint16
	// Chain is the chain the server sent, leaf first.
	Chain []*x509.Certificate
	// TrustErr is nil when the chain leads to a trusted root
	// (Options.Roots, or the system's), checked at the time of the probe,
	// or at the leaf's last valid second when the leaf has expired, so
	// that "expired" and "untrusted" are told apart: expiry is read from
	// the leaf's dates.
	TrustErr error
	// NameErr is nil when the leaf is valid for the probe's Name (always
	// nil without a Name).
	NameErr error
}

// Leaf is the server's own certificate, nil when none came.
func (s *TLSState) Leaf() *x509.Certificate {
	if s == nil || len(s.Chain) == 0 {
		return nil
	}
	return s.Chain[0]
}

// SPKISHA256 is the SHA-256 digest, in hex, of the leaf's public key
// (SubjectPublicKeyInfo): the data of a TLSA record with selector 1 and
// matching type 1 (RFC 6698 §2.1). Empty without a leaf.
func (s *TLSState) SPKISHA256() string {
	leaf := s.Leaf()
	if leaf == nil {
		return ""
	}
	sum := sha256.Sum256(leaf.RawSubjectPublicKeyInfo)
	return hex.EncodeToString(sum[:])
}

// HTTPResponse is what an HTTPS GET received.
type HTTPResponse struct {
	// Status is the status code; StatusLine the whole line
	// ("HTTP/1.1 200 OK").
	Status     int
	StatusLine string
	// Location and ContentType are those headers, escaped.
	Location    string
	ContentType string
	// Body is the body, at most maxBody bytes; Truncated is set when the
	// server sent more.
	Body      []byte
	Truncated bool
}

// Timings are how long the parts of a probe took.
type Timings struct {
	// Connect is the TCP handshake; Greeting the wait from connect to the
	// server's first line; TLS the TLS handshake; Total the whole probe.
	Connect, Greeting, TLS, Total time.Duration
}

// ProbeResult is what one probe saw. Fields are filled as far as the probe
// got; Err and Stage say where it stopped.
type ProbeResult struct {
	// Start is when the probe began.
	Start time.Time
	// Local is where the probe ran from: the local end of its connection,
	// or, when no connection was made, the source address this machine
	// would use towards the server (port 0). Invalid when not even that is
	// known (no route from here).
	Local netip.AddrPort
	// Connected is set once the TCP connection is up.
	Connected bool
	// NoRoute is set when this machine has no route to the address (no
	// network of that family, no source address): a fact about where the
	// probe ran, not about the server.
	NoRoute bool
	// Greeting is the server's first reply: every line of an SMTP "220"
	// greeting, IMAP "* OK …", POP3 "+OK …".
	Greeting Reply
	// EHLO is the SMTP server's reply to EHLO, before TLS.
	EHLO Reply
	// Capabilities are the IMAP CAPABILITY or POP3 CAPA lines.
	Capabilities []string
	// StartTLSOffered is set when the server offers STARTTLS (SMTP EHLO
	// keyword, IMAP capability, POP3 STLS); StartTLS is its reply to the
	// command.
	StartTLSOffered bool
	StartTLS        Reply
	// TLS is the TLS session, nil when none was made.
	TLS *TLSState
	// MailFrom and RcptTo are the replies of an open-relay test; RcptTo is
	// empty when MAIL FROM was refused. RelayTested is set once both
	// commands that were sent were answered.
	MailFrom, RcptTo Reply
	RelayTested      bool
	// HTTP is the response of an HTTPS GET, nil when none came.
	HTTP *HTTPResponse
	// Transcript is the conversation, one line each ("C: EHLO [192.0.2.1]",
	// "S: 250-mail.example.com"), TLS handshakes as "-- TLS …" lines, at
	// most maxTranscript lines.
	Transcript []string
	Timings    Timings
	// Stage is where the probe stopped, empty when it completed.
	Stage Stage
	// Err is a *ProbeError when the probe did not complete.
	Err error

	// cut is set when the round's context ended during the probe: its
	// failure says nothing about the server.
	cut bool
}

// From is the address the probe ran from, without the port: "192.0.2.1",
// or "" when unknown.
func (r *ProbeResult) From() string {
	if r == nil || !r.Local.IsValid() {
		return ""
	}
	return r.Local.Addr().String()
}
