package probeserver

import (
	"bufio"
	"crypto/tls"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestRoutes(t *testing.T) {
	var r Routes
	r.Set(netip.MustParseAddrPort("192.0.2.25:25"), "127.0.0.1:2525")
	r.Refuse(netip.MustParseAddrPort("[2001:db8::25]:25"))
	next := func(addr string) string { return "next:" + addr }
	tests := map[string]struct {
		next func(string) string
		want string
	}{
		"192.0.2.25:25":          {next, "127.0.0.1:2525"},
		"[::ffff:192.0.2.25]:25": {next, "127.0.0.1:2525"},
		"[2001:db8::25]:25":      {next, closedPort},
		"192.0.2.25:587":         {next, "next:192.0.2.25:587"},
		"192.0.2.53:53":          {nil, closedPort},
		"not an address":         {nil, closedPort},
	}
	for addr, tc := range tests {
		if got := r.Map(tc.next)(addr); got != tc.want {
			t.Errorf("Map(%q) = %q, want %q", addr, got, tc.want)
		}
	}
}

func TestIssue(t *testing.T) {
	ca, err := NewCA("test CA")
	if err != nil {
		t.Fatal(err)
	}
	c, err := ca.Issue(Cert{Names: []string{"mail.example.com.", "192.0.2.25"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Leaf.VerifyHostname("mail.example.com"); err != nil {
		t.Error(err)
	}
	if len(c.Certificate) != 2 || len(c.Leaf.IPAddresses) != 1 {
		t.Errorf("chain of %d, %d IP names", len(c.Certificate), len(c.Leaf.IPAddresses))
	}
	self, err := ca.Issue(Cert{Names: []string{"mail.example.com"}, SelfSigned: true})
	if err != nil || len(self.Certificate) != 1 || self.Leaf.Issuer.String() != self.Leaf.Subject.String() {
		t.Errorf("self-signed: %v %v", self.Leaf, err)
	}
	if _, err := ca.Issue(Cert{}); err == nil {
		t.Error("a certificate without a name was issued")
	}
	chain, key, err := PEM(c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tls.X509KeyPair(chain, key); err != nil {
		t.Errorf("PEM does not load back: %v", err)
	}
}

// TestMailServerTakesNoMail: DATA is refused, and the commands are kept.
func TestMailServerTakesNoMail(t *testing.T) {
	s, err := StartMail(MailConfig{TLS: NoTLS, Greeting: []string{"one", "two"}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := net.DialTimeout("tcp", s.Addr(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(c)
	var got []string
	for _, cmd := range []string{"", "DATA", "QUIT"} {
		if cmd != "" {
			if _, err := c.Write([]byte(cmd + "\r\n")); err != nil {
				t.Fatal(err)
			}
		}
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, strings.TrimSpace(line))
			if len(line) > 3 && line[3] == ' ' {
				break
			}
		}
	}
	want := "220-one|220 two|554 5.5.1 This test server takes no mail|221 2.0.0 Bye"
	if strings.Join(got, "|") != want {
		t.Errorf("replies %q, want %q", got, want)
	}
	if cmds := s.Commands(); len(cmds) != 2 || s.Connections() != 1 {
		t.Errorf("commands %q over %d connections", cmds, s.Connections())
	}
}

func TestBlackhole(t *testing.T) {
	b, err := StartBlackhole()
	if err != nil {
		t.Skip(err)
	}
	defer b.Close()
	start := time.Now()
	if c, err := net.DialTimeout("tcp", b.Addr(), 300*time.Millisecond); err == nil {
		c.Close()
		t.Fatal("the black hole took a connection")
	}
	if took := time.Since(start); took < 250*time.Millisecond {
		t.Errorf("the connection attempt ended after %s, want it to hang until its timeout", took)
	}
}

// TestStartWebAt: the server listens where it is told, on loopback only.
func TestStartWebAt(t *testing.T) {
	ca, err := NewCA("test CA")
	if err != nil {
		t.Fatal(err)
	}
	c, err := ca.Issue(Cert{Names: []string{"mta-sts.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := StartWebAt(netip.MustParseAddrPort("192.0.2.1:443"), &c, nil); err == nil {
		t.Error("an HTTPS server outside loopback was started")
	}
	at := netip.MustParseAddrPort("127.0.0.1:0")
	s, err := StartWebAt(at, &c, map[string]Page{"/": {Body: []byte("hi")}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := netip.ParseAddrPort(s.Addr())
	if err != nil || got.Addr() != at.Addr() || got.Port() == 0 {
		t.Errorf("listening at %s (%v), want a free port of %s", s.Addr(), err, at.Addr())
	}
}
