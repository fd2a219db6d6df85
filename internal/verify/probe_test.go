package verify_test

import (
	"context"
	"crypto/x509"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailwizard/mailwizard/internal/probeserver"
	"github.com/mailwizard/mailwizard/internal/verify"
	"github.com/mailwizard/mailwizard/internal/verify/verifytest"
)

// mx is the address probes are pointed at; Routes sends it to the test
// servers.
var mx = netip.MustParseAddr("192.0.2.25")

// probeWorld is a test CA, routes to loopback servers and an engine that
// trusts the CA and connects only through the routes.
type probeWorld struct {
	t      *testing.T
	ca     *probeserver.CA
	routes *probeserver.Routes
	opts   verify.Options
}

func newProbeWorld(t *testing.T) *probeWorld {
	t.Helper()
	w := &probeWorld{t: t, ca: verifytest.StartCA(t), routes: &probeserver.Routes{}}
	w.opts = verify.Options{
		// Probes never ask the resolver; it only has to parse.
		Resolver:     "127.0.0.1:53",
		MapAddr:      w.routes.Map(nil),
		ProbeTimeout: time.Second,
	}
	w.opts.Roots = w.ca.Pool()
	return w
}

func (w *probeWorld) engine() *verify.Engine {
	w.t.Helper()
	e, err := verify.New(w.opts)
	if err != nil {
		w.t.Fatal(err)
	}
	return e
}

// cert issues a certificate for names valid now.
func (w *probeWorld) cert(names ...string) probeserver.Cert { return probeserver.Cert{Names: names} }

// mail starts a mail server with a certificate as c says and routes port
// of mx to it.
func (w *probeWorld) mail(port uint16, c probeserver.Cert, cfg probeserver.MailConfig) *probeserver.MailServer {
	w.t.Helper()
	if cfg.TLS != probeserver.NoTLS {
		cfg.Cert = verifytest.IssueCert(w.t, w.ca, c)
	}
	s := verifytest.StartMail(w.t, cfg)
	w.routes.Set(netip.AddrPortFrom(mx, port), s.Addr())
	return s
}

// ask puts one question in a fresh round.
func (w *probeWorld) ask(q verify.Question) verify.Answer {
	w.t.Helper()
	a := w.engine().Round().Ask(w.t.Context(), q)[q]
	if a.Probe != nil {
		w.t.Logf("%s:\n  %s", q, strings.Join(a.Probe.Transcript, "\n  "))
	}
	return a
}

func at(port uint16) netip.AddrPort { return netip.AddrPortFrom(mx, port) }

func TestProbeSMTP(t *testing.T) {
	w := newProbeWorld(t)
	srv := w.mail(25, w.cert("mail.example.com"), probeserver.MailConfig{
		Name:     "mail.example.com",
		Greeting: []string{"mail.example.com ESMTP", "no UCE, no bulk mail", "thank you"},
	})
	q := verify.ServiceProbe(at(25), "mail.example.com", verify.ProtoSMTP, verify.TLSStartTLS)
	a := w.ask(q)
	res := a.Probe
	switch {
	case a.Err != nil || res == nil:
		t.Fatalf("answer %+v", a)
	case res.Err != nil:
		t.Fatalf("probe failed: %v", res.Err)
	}
	if got := res.Greeting; got.Code != 220 || len(got.Lines) != 3 || got.Domain() != "mail.example.com" {
		t.Errorf("greeting %+v (domain %q), want the three lines of 220 naming mail.example.com", got, got.Domain())
	}
	if res.EHLO.Domain() != "mail.example.com" || !slices.Contains(res.EHLO.Keywords(), "STARTTLS") {
		t.Errorf("EHLO reply %v", res.EHLO.Lines)
	}
	if !res.StartTLSOffered || res.StartTLS.Code != 220 || res.TLS == nil {
		t.Fatalf("STARTTLS offered %v, reply %v, TLS %v", res.StartTLSOffered, res.StartTLS, res.TLS)
	}
	if res.TLS.TrustErr != nil || res.TLS.NameErr != nil || len(res.TLS.Chain) != 2 {
		t.Errorf("TLS trust %v, name %v, chain of %d", res.TLS.TrustErr, res.TLS.NameErr, len(res.TLS.Chain))
	}
	if len(res.TLS.SPKISHA256()) != 64 {
		t.Errorf("TLSA 3 1 1 data %q", res.TLS.SPKISHA256())
	}
	if res.From() != "127.0.0.1" || !res.Connected {
		t.Errorf("ran from %q (connected %v), want 127.0.0.1", res.From(), res.Connected)
	}
	if res.Timings.Total <= 0 || res.Timings.TLS <= 0 || res.Timings.Total < res.Timings.Connect {
		t.Errorf("timings %+v", res.Timings)
	}
	cmds := srv.Commands()
	if len(cmds) != 3 || !strings.HasPrefix(cmds[0], "EHLO [127.0.0.1]") || cmds[1] != "STARTTLS" || cmds[2] != "QUIT" {
		t.Errorf("the server heard %q, want EHLO with the address literal, STARTTLS, QUIT", cmds)
	}
	if q.String() != "SMTP STARTTLS mail.example.com. at 192.0.2.25:25" {
		t.Errorf("question %q", q)
	}
}

func TestProbeTLSFaults(t *testing.T) {
	tests := map[string]struct {
		cert      func(w *probeWorld) probeserver.Cert
		fault     probeserver.Fault
		trust     bool // a TrustErr is expected
		name      bool // a NameErr is expected
		expired   bool
		stage     verify.Stage
		wantError string
	}{
		"healthy": {},
		"wrong name": {
			cert: func(w *probeWorld) probeserver.Cert { return w.cert("www.example.org") },
			name: true,
		},
		"expired": {
			cert: func(w *probeWorld) probeserver.Cert {
				return probeserver.Cert{Names: []string{"mail.example.com"}, NotBefore: time.Now().AddDate(0, -3, 0), NotAfter: time.Now().AddDate(0, 0, -2)}
			},
			expired: true,
		},
		"self-signed": {
			cert: func(w *probeWorld) probeserver.Cert {
				return probeserver.Cert{Names: []string{"mail.example.com"}, SelfSigned: true}
			},
			trust: true,
		},
		"handshake broken midway": {
			fault:     probeserver.Fault{BreakTLS: true},
			stage:     verify.StageTLS,
			wantError: "tls: ",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			w := newProbeWorld(t)
			c := w.cert("mail.example.com")
			if tc.cert != nil {
				c = tc.cert(w)
			}
			srv := w.mail(25, c, probeserver.MailConfig{})
			srv.SetFault(tc.fault)
			res := w.ask(verify.ServiceProbe(at(25), "mail.example.com.", verify.ProtoSMTP, verify.TLSStartTLS)).Probe
			if res.Stage != tc.stage {
				t.Fatalf("stopped at %q (%v), want %q", res.Stage, res.Err, tc.stage)
			}
			if tc.stage != "" {
				if res.Err == nil || !strings.Contains(res.Err.Error(), tc.wantError) || !res.StartTLSOffered {
					t.Errorf("error %v, want one saying %q after STARTTLS was offered", res.Err, tc.wantError)
				}
				return
			}
			if (res.TLS.TrustErr != nil) != tc.trust {
				t.Errorf("trust error %v", res.TLS.TrustErr)
			}
			if (res.TLS.NameErr != nil) != tc.name {
				t.Errorf("name error %v", res.TLS.NameErr)
			}
			if expired := res.TLS.Leaf().NotAfter.Before(res.Start); expired != tc.expired {
				t.Errorf("expired %v, want %v", expired, tc.expired)
			}
			var unknown x509.UnknownAuthorityError
			if tc.trust && !errors.As(res.TLS.TrustErr, &unknown) {
				t.Errorf("trust error %T, want an unknown authority", res.TLS.TrustErr)
			}
		})
	}
}

func TestProbeConnectionFaults(t *testing.T) {
	tests := map[string]struct {
		setup     func(w *probeWorld)
		stage     verify.Stage
		orConnect bool
		connected bool
		says      string
	}{
		"refused": {
			setup: func(w *probeWorld) { w.routes.Refuse(at(25)) },
			stage: verify.StageConnect,
			says:  "connect: connection refused",
		},
		"port that drops every attempt": {
			setup: func(w *probeWorld) { w.routes.Set(at(25), verifytest.StartBlackhole(w.t).Addr()) },
			stage: verify.StageConnect,
			says:  "connect: i/o timeout after 1s",
		},
		"half-open peer": {
			setup: func(w *probeWorld) {
				w.mail(25, w.cert("mail.example.com"), probeserver.MailConfig{}).SetFault(probeserver.Fault{Silent: true})
			},
			stage:     verify.StageGreeting,
			connected: true,
			says:      "greeting: i/o timeout after 1s",
		},
		"slow greeting": {
			setup: func(w *probeWorld) {
				w.mail(25, w.cert("mail.example.com"), probeserver.MailConfig{}).SetFault(probeserver.Fault{Delay: 3 * time.Second})
			},
			stage:     verify.StageGreeting,
			connected: true,
			says:      "i/o timeout after 1s",
		},
		"reset at once": {
			setup: func(w *probeWorld) {
				w.mail(25, w.cert("mail.example.com"), probeserver.MailConfig{}).SetFault(probeserver.Fault{Reset: true})
			},
			// The reset may come before the dial has seen its handshake
			// complete.
			stage:     verify.StageGreeting,
			orConnect: true,
			connected: true,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newProbeWorld(t)
			tc.setup(w)
			start := time.Now()
			a := w.ask(verify.ServiceProbe(at(25), "mail.example.com", verify.ProtoSMTP, verify.TLSStartTLS))
			took := time.Since(start)
			res := a.Probe
			if a.Err != nil || res == nil {
				t.Fatalf("answer error %v: a failed probe is a result, not an error of the answer", a.Err)
			}
			var pe *verify.ProbeError
			if tc.orConnect && res.Stage == verify.StageConnect {
				tc.stage, tc.connected = verify.StageConnect, false
			}
			if res.Stage != tc.stage || !errors.As(res.Err, &pe) || pe.Stage != tc.stage {
				t.Fatalf("stopped at %q with %v, want %q", res.Stage, res.Err, tc.stage)
			}
			if !strings.Contains(res.Err.Error(), tc.says) || strings.Contains(res.Err.Error(), "127.0.0.1") {
				t.Errorf("error %q, want it to say %q and not name the loopback stand-in", res.Err, tc.says)
			}
			if res.Connected != tc.connected || res.From() != "127.0.0.1" {
				t.Errorf("connected %v from %q", res.Connected, res.From())
			}
			if took > 3*time.Second {
				t.Errorf("the probe took %s with a timeout of 1 s", took)
			}
		})
	}
}

func TestProbeRelay(t *testing.T) {
	for _, open := range []bool{false, true} {
		t.Run(map[bool]string{false: "closed", true: "open"}[open], func(t *testing.T) {
			w := newProbeWorld(t)
			srv := w.mail(25, w.cert("mail.example.com"), probeserver.MailConfig{Domains: []string{"example.com"}, OpenRelay: open})
			q := verify.RelayProbe(at(25), "mail.example.com", "probe@example.org", "probe@example.net")
			res := w.ask(q).Probe
			if res.Err != nil || !res.RelayTested {
				t.Fatalf("relay test: %v", res.Err)
			}
			if accepted := res.RcptTo.Code/100 == 2; accepted != open || res.MailFrom.Code != 250 {
				t.Errorf("MAIL FROM %v, RCPT TO %v", res.MailFrom, res.RcptTo)
			}
			cmds := srv.Commands()
			want := []string{"STARTTLS", "MAIL FROM:<probe@example.org>", "RCPT TO:<probe@example.net>", "QUIT"}
			if len(cmds) != 6 || !slices.Equal(cmds[1:2], want[:1]) || !slices.Equal(cmds[3:], want[1:]) {
				t.Errorf("the server heard %q, want EHLO, %s, EHLO, %s", cmds, want[0], want[1:])
			}
			for _, c := range cmds {
				if strings.HasPrefix(c, "DATA") || strings.HasPrefix(c, "AUTH") {
					t.Errorf("the probe sent %q", c)
				}
			}
		})
	}
}

func TestProbeClientServices(t *testing.T) {
	tests := map[string]struct {
		port  uint16
		proto verify.Protocol
		mode  verify.TLSMode
		cfg   probeserver.MailConfig
		// offered: STARTTLS is offered (for STARTTLS modes)
		offered bool
	}{
		"submission STARTTLS":     {587, verify.ProtoSMTP, verify.TLSStartTLS, probeserver.MailConfig{Protocol: probeserver.SMTP}, true},
		"submissions implicit":    {465, verify.ProtoSMTP, verify.TLSImplicit, probeserver.MailConfig{Protocol: probeserver.SMTP, TLS: probeserver.Implicit}, false},
		"imap STARTTLS":           {143, verify.ProtoIMAP, verify.TLSStartTLS, probeserver.MailConfig{Protocol: probeserver.IMAP}, true},
		"imaps":                   {993, verify.ProtoIMAP, verify.TLSImplicit, probeserver.MailConfig{Protocol: probeserver.IMAP, TLS: probeserver.Implicit}, false},
		"pop3 STLS":               {110, verify.ProtoPOP3, verify.TLSStartTLS, probeserver.MailConfig{Protocol: probeserver.POP3}, true},
		"pop3s":                   {995, verify.ProtoPOP3, verify.TLSImplicit, probeserver.MailConfig{Protocol: probeserver.POP3, TLS: probeserver.Implicit}, false},
		"imap without STARTTLS":   {143, verify.ProtoIMAP, verify.TLSStartTLS, probeserver.MailConfig{Protocol: probeserver.IMAP, TLS: probeserver.NoTLS}, false},
		"pop3 without STLS":       {110, verify.ProtoPOP3, verify.TLSStartTLS, probeserver.MailConfig{Protocol: probeserver.POP3, TLS: probeserver.NoTLS}, false},
		"submission without TLS":  {587, verify.ProtoSMTP, verify.TLSStartTLS, probeserver.MailConfig{Protocol: probeserver.SMTP, TLS: probeserver.NoTLS}, false},
		"a bare TLS connection":   {993, verify.ProtoTCP, verify.TLSImplicit, probeserver.MailConfig{Protocol: probeserver.IMAP, TLS: probeserver.Implicit}, false},
		"a bare plain connection": {587, verify.ProtoTCP, verify.TLSNone, probeserver.MailConfig{Protocol: probeserver.SMTP}, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			w := newProbeWorld(t)
			w.mail(tc.port, w.cert("mail.example.com"), tc.cfg)
			res := w.ask(verify.ServiceProbe(at(tc.port), "mail.example.com", tc.proto, tc.mode)).Probe
			if res.Err != nil {
				t.Fatalf("probe failed: %v", res.Err)
			}
			wantTLS := tc.mode == verify.TLSImplicit || tc.offered
			if (res.TLS != nil) != wantTLS || res.StartTLSOffered != tc.offered {
				t.Errorf("TLS %v, STARTTLS offered %v", res.TLS != nil, res.StartTLSOffered)
			}
			if res.TLS != nil && (res.TLS.TrustErr != nil || res.TLS.NameErr != nil) {
				t.Errorf("TLS trust %v, name %v", res.TLS.TrustErr, res.TLS.NameErr)
			}
			if tc.proto != verify.ProtoTCP && len(res.Greeting.Lines) == 0 {
				t.Error("no greeting recorded")
			}
		})
	}
}

func TestProbeHTTPS(t *testing.T) {
	const xml = `<?xml version="1.0"?><clientConfig version="1.1"/>`
	tests := map[string]struct {
		cert      []string
		page      *probeserver.Page
		path      string
		status    int
		location  string
		truncated bool
		nameErr   bool
		bodyLen   int
	}{
		"file served": {
			page: &probeserver.Page{ContentType: "text/xml", Body: []byte(xml)}, status: 200, bodyLen: len(xml),
		},
		"not found": {status: 404, bodyLen: len("not found\n")},
		"redirect not followed": {
			page:   &probeserver.Page{Status: 301, Location: "https://elsewhere.example.net/config.xml"},
			status: 301, location: "https://elsewhere.example.net/config.xml",
		},
		"body cut at 64 KiB": {
			page: &probeserver.Page{Body: []byte(strings.Repeat("x", 70000))}, status: 200, truncated: true, bodyLen: 64 << 10,
		},
		"certificate for another name": {
			cert: []string{"www.example.net"}, page: &probeserver.Page{Body: []byte(xml)}, status: 200, nameErr: true, bodyLen: len(xml),
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			w := newProbeWorld(t)
			names := tc.cert
			if names == nil {
				names = []string{"autoconfig.example.com"}
			}
			pages := map[string]probeserver.Page{}
			if tc.page != nil {
				pages["/mail/config-v1.1.xml"] = *tc.page
			}
			web := verifytest.StartWeb(t, verifytest.IssueCert(t, w.ca, w.cert(names...)), pages)
			w.routes.Set(at(443), web.Addr())
			q := verify.HTTPSGet(at(443), "autoconfig.example.com", "/mail/config-v1.1.xml")
			res := w.ask(q).Probe
			if res.Err != nil || res.HTTP == nil {
				t.Fatalf("probe failed: %v", res.Err)
			}
			h := res.HTTP
			if h.Status != tc.status || h.Location != tc.location || h.Truncated != tc.truncated || len(h.Body) != tc.bodyLen {
				t.Errorf("status %d, location %q, truncated %v, %d bytes", h.Status, h.Location, h.Truncated, len(h.Body))
			}
			if (res.TLS.NameErr != nil) != tc.nameErr {
				t.Errorf("name error %v", res.TLS.NameErr)
			}
			if web.Connections() != 1 {
				t.Errorf("%d connections, want 1", web.Connections())
			}
			if q.String() != "HTTPS GET https://autoconfig.example.com/mail/config-v1.1.xml at 192.0.2.25:443" {
				t.Errorf("question %q", q)
			}
		})
	}
}

// TestProbeRound: probes are questions of the round like DNS ones: one
// connection per distinct probe whoever asks, planners that depend on a
// probe's answer, a round's deadline, and no probe at all when turned off.
func TestProbeRound(t *testing.T) {
	w := newProbeWorld(t)
	srv := w.mail(25, w.cert("mail.example.com"), probeserver.MailConfig{})
	q := verify.ServiceProbe(at(25), "mail.example.com", verify.ProtoSMTP, verify.TLSStartTLS)
	relay := verify.RelayProbe(at(25), "mail.example.com", "a@example.org", "b@example.net")

	t.Run("one connection per distinct probe", func(t *testing.T) {
		before := srv.Connections()
		var mu sync.Mutex
		var seen []string
		same := func(verify.Answers) []verify.Question { return []verify.Question{q, q} }
		dependent := func(known verify.Answers) []verify.Question {
			a, ok := known.Get(q)
			if !ok || a.Probe == nil {
				return []verify.Question{q}
			}
			mu.Lock()
			seen = append(seen, a.Probe.Greeting.Domain())
			mu.Unlock()
			return []verify.Question{q, relay}
		}
		r := w.engine().Round()
		known := r.Run(t.Context(), same, same, dependent)
		if got := srv.Connections() - before; got != 2 {
			t.Errorf("%d connections for one probe asked by three planners and one relay test, want 2", got)
		}
		if r.Stats().Probes != 2 || r.Stats().Queries != 0 {
			t.Errorf("stats %+v", r.Stats())
		}
		if _, ok := known.Get(relay); !ok || len(seen) == 0 || seen[0] != "mail.example.com" {
			t.Errorf("the dependent planner saw %q and its relay question answered %v", seen, ok)
		}
	})

	t.Run("Next reuses recent probes", func(t *testing.T) {
		before := srv.Connections()
		r := w.engine().Round()
		r.Ask(t.Context(), q, relay)
		next := r.Next()
		a := next.Ask(t.Context(), q, relay)
		if got := srv.Connections() - before; got != 2 || a[q].Probe == nil || a[relay].Probe == nil {
			t.Errorf("%d connections for two rounds, want 2 (the second reuses the first's)", got)
		}
		if next.Stats().Probes != 0 {
			t.Errorf("the second round made %d probes", next.Stats().Probes)
		}
	})

	t.Run("reuse turned off", func(t *testing.T) {
		w.opts.ProbeReuse, w.opts.RelayReuse = -1, -1
		defer func() { w.opts.ProbeReuse, w.opts.RelayReuse = 0, 0 }()
		before := srv.Connections()
		r := w.engine().Round()
		r.Ask(t.Context(), q)
		r.Next().Ask(t.Context(), q)
		if got := srv.Connections() - before; got != 2 {
			t.Errorf("%d connections, want 2", got)
		}
	})

	t.Run("turned off", func(t *testing.T) {
		w.opts.NoProbe = true
		defer func() { w.opts.NoProbe = false }()
		before := srv.Connections()
		a := w.ask(q)
		if !errors.Is(a.Err, verify.ErrProbesOff) || a.Probe != nil || srv.Connections() != before {
			t.Errorf("answer %+v with probes off; %d connections", a, srv.Connections()-before)
		}
	})

	t.Run("round deadline", func(t *testing.T) {
		slow := w.mail(2525, w.cert("mail.example.com"), probeserver.MailConfig{})
		slow.SetFault(probeserver.Fault{Silent: true})
		w.opts.ProbeTimeout = 10 * time.Second
		defer func() { w.opts.ProbeTimeout = time.Second }()
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		defer cancel()
		r := w.engine().Round()
		start := time.Now()
		q := verify.ServiceProbe(at(2525), "mail.example.com", verify.ProtoSMTP, verify.TLSStartTLS)
		a := r.Ask(ctx, q)[q]
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("the probe took %s after a 200 ms deadline", took)
		}
		if !errors.Is(a.Err, context.DeadlineExceeded) {
			t.Errorf("answer error %v, want the round's deadline", a.Err)
		}
		next := r.Next()
		ctx, cancel = context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		next.Ask(ctx, q)
		if next.Stats().Probes != 1 {
			t.Error("a probe cut short by the deadline was reused")
		}
	})

	t.Run("bad probes are errors of the answer", func(t *testing.T) {
		for _, q := range []verify.Question{
			verify.HTTPSGet(at(443), "", "/x"),
			verify.HTTPSGet(at(443), "autoconfig.example.com", "x"),
			verify.ServiceProbe(netip.AddrPort{}, "mail.example.com", verify.ProtoSMTP, verify.TLSNone),
			verify.RelayProbe(at(25), "mail.example.com", "a@example.org\r\nDATA", "b@example.net"),
		} {
			if a := w.ask(q); a.Err == nil || a.Probe != nil {
				t.Errorf("%s: answer %+v, want an error", q, a)
			}
		}
	})
}

// BenchmarkProbeSMTP is one probe of a healthy SMTP server on loopback:
// connect, greeting, EHLO, STARTTLS, TLS 1.3 handshake, certificate
// checks, QUIT, in a fresh round each time.
func BenchmarkProbeSMTP(b *testing.B) {
	ca, err := probeserver.NewCA("bench CA")
	if err != nil {
		b.Fatal(err)
	}
	cert, err := ca.Issue(probeserver.Cert{Names: []string{"mail.example.com"}})
	if err != nil {
		b.Fatal(err)
	}
	srv, err := probeserver.StartMail(probeserver.MailConfig{Cert: &cert})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Close() })
	routes := &probeserver.Routes{}
	routes.Set(at(25), srv.Addr())
	e, err := verify.New(verify.Options{Resolver: "127.0.0.1:53", MapAddr: routes.Map(nil), Roots: ca.Pool()})
	if err != nil {
		b.Fatal(err)
	}
	q := verify.ServiceProbe(at(25), "mail.example.com", verify.ProtoSMTP, verify.TLSStartTLS)
	for b.Loop() {
		if a := e.Round().Ask(b.Context(), q)[q]; a.Probe == nil || a.Probe.Err != nil {
			b.Fatalf("probe: %+v", a)
		}
	}
}
