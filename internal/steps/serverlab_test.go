package steps

import (
	"context"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/mailwizard/mailwizard/internal/probeserver"
	"github.com/mailwizard/mailwizard/internal/verify"
	"github.com/mailwizard/mailwizard/internal/verify/verifytest"
)

// serverLab is the server step against real servers in-process: the
// Config's records on two loopback nameservers and a whole mail host
// (probeserver.Host) standing in for the server's addresses.
type serverLab struct {
	t    *testing.T
	cfg  Config
	host *probeserver.Host
	opts verify.Options
}

// probeTimeout bounds each probe of the server lab.
const probeTimeout = 4 * time.Second

func newServerLab(t *testing.T) *serverLab {
	t.Helper()
	cfg := testConfig(t)
	cfg.Services = []string{ServiceSubmission, ServiceSubmissions, ServiceIMAPS}
	lab := verifytest.StartLab(t, verifytest.LabConfig{Zones: []string{
		verifytest.Zone("example.com."),
		verifytest.Zone("2.0.192.in-addr.arpa."),
		verifytest.Zone("8.b.d.0.1.0.0.2.ip6.arpa."),
	}})
	for _, s := range All() {
		for _, r := range s.Records(cfg) {
			if err := lab.Add(r.ZoneLines()...); err != nil {
				t.Fatal(err)
			}
		}
	}
	host := verifytest.StartHost(t, probeserver.HostConfig{Name: cfg.Host, Domain: cfg.Domain, Addrs: cfg.IPs, Autoconfig: []byte(AutoconfigXML(cfg)), MTASTSPolicy: []byte(MTASTSPolicy(cfg))})
	opts := lab.Options()
	// The timeout leaves room for TLS handshakes under the race detector
	// on a busy machine; the slow and silent peers wait longer still.
	opts.MapAddr, opts.Roots, opts.ProbeTimeout = host.Routes.Map(lab.MapAddr), host.CA.Pool(), probeTimeout
	return &serverLab{t: t, cfg: cfg, host: host, opts: opts}
}

// replace25 puts another SMTP server on port 25 of every address, with a
// certificate as c says (none for NoTLS).
func (l *serverLab) replace25(c probeserver.Cert, cfg probeserver.MailConfig) *probeserver.MailServer {
	l.t.Helper()
	if cfg.TLS != probeserver.NoTLS {
		cfg.Cert = verifytest.IssueCert(l.t, l.host.CA, c)
	}
	if cfg.Name == "" {
		cfg.Name = "mail.example.com"
	}
	cfg.Domains = []string{"example.com"}
	srv := verifytest.StartMail(l.t, cfg)
	l.route(25, srv.Addr())
	return srv
}

// route sends port of every address to addr.
func (l *serverLab) route(port uint16, addr string) {
	for _, ip := range l.cfg.IPs {
		l.host.Routes.Set(netip.AddrPortFrom(ip, port), addr)
	}
}

func (l *serverLab) judge() Result {
	l.t.Helper()
	eng, err := verify.New(l.opts)
	if err != nil {
		l.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(l.t.Context(), 20*time.Second)
	defer cancel()
	s, _ := ByID(IDServer)
	return s.Judge(l.cfg, eng.Round().Run(ctx, func(known verify.Answers) []verify.Question { return s.Questions(l.cfg, known) }))
}

// TestLabServerCodes triggers every code of the server step against real
// servers on loopback: slow and half-open peers, multi-line greetings, a
// STARTTLS broken midway, certificates for the wrong name, expired and
// self-signed, a port that drops every connection attempt.
func TestLabServerCodes(t *testing.T) {
	mail := []string{"mail.example.com"}
	now := time.Now()
	tests := map[string]struct {
		setup  func(l *serverLab)
		status Status
		want   []string
	}{
		"healthy, with a multi-line greeting": {
			setup: func(l *serverLab) {
				l.replace25(probeserver.Cert{Names: mail}, probeserver.MailConfig{Greeting: []string{"mail.example.com ESMTP", "no UCE", "welcome"}})
			},
			status: StatusPass,
		},
		"port 25 refused at one address": {
			setup:  func(l *serverLab) { l.host.Routes.Refuse(netip.AddrPortFrom(l.cfg.IPs[1], 25)) },
			status: StatusFail, want: []string{CodeSMTPUnreachable},
		},
		"port 25 dropping every attempt": {
			setup: func(l *serverLab) {
				l.route(25, verifytest.StartBlackhole(l.t).Addr())
			},
			status: StatusError, want: []string{CodeSMTPPort25Blocked},
		},
		"a half-open peer on port 25": {
			setup: func(l *serverLab) {
				l.replace25(probeserver.Cert{Names: mail}, probeserver.MailConfig{}).SetFault(probeserver.Fault{Silent: true})
			},
			status: StatusFail, want: []string{CodeSMTPUnreachable},
		},
		"a slow greeting": {
			setup: func(l *serverLab) {
				l.replace25(probeserver.Cert{Names: mail}, probeserver.MailConfig{}).SetFault(probeserver.Fault{Delay: probeTimeout + 2*time.Second})
			},
			status: StatusFail, want: []string{CodeSMTPUnreachable},
		},
		"greeting as localhost": {
			setup: func(l *serverLab) {
				l.replace25(probeserver.Cert{Names: mail}, probeserver.MailConfig{Name: "localhost"})
			},
			status: StatusWarn, want: []string{CodeSMTPGreetingName},
		},
		"no STARTTLS": {
			setup:  func(l *serverLab) { l.replace25(probeserver.Cert{}, probeserver.MailConfig{TLS: probeserver.NoTLS}) },
			status: StatusFail, want: []string{CodeSMTPNoStartTLS},
		},
		"STARTTLS broken midway": {
			setup: func(l *serverLab) {
				l.replace25(probeserver.Cert{Names: mail}, probeserver.MailConfig{}).SetFault(probeserver.Fault{BreakTLS: true})
			},
			status: StatusFail, want: []string{CodeSMTPNoStartTLS},
		},
		"an open relay": {
			setup: func(l *serverLab) {
				l.replace25(probeserver.Cert{Names: mail}, probeserver.MailConfig{OpenRelay: true})
			},
			status: StatusFail, want: []string{CodeSMTPOpenRelay},
		},
		"a certificate for the wrong name": {
			setup: func(l *serverLab) {
				l.replace25(probeserver.Cert{Names: []string{"www.example.org"}}, probeserver.MailConfig{})
			},
			status: StatusFail, want: []string{CodeTLSCertName},
		},
		"an expired certificate": {
			setup: func(l *serverLab) {
				l.replace25(probeserver.Cert{Names: mail, NotBefore: now.AddDate(0, -3, 0), NotAfter: now.AddDate(0, 0, -1)}, probeserver.MailConfig{})
			},
			status: StatusFail, want: []string{CodeTLSCertExpired},
		},
		"a certificate expiring in a week": {
			setup: func(l *serverLab) {
				l.replace25(probeserver.Cert{Names: mail, NotAfter: now.AddDate(0, 0, 7)}, probeserver.MailConfig{})
			},
			status: StatusWarn, want: []string{CodeTLSCertExpiring},
		},
		"a self-signed certificate": {
			setup: func(l *serverLab) {
				l.replace25(probeserver.Cert{Names: mail, SelfSigned: true}, probeserver.MailConfig{})
			},
			status: StatusFail, want: []string{CodeTLSCertUntrusted},
		},
		"IMAPS refused": {
			setup:  func(l *serverLab) { l.host.Routes.Refuse(netip.AddrPortFrom(l.cfg.IPs[0], 993)) },
			status: StatusFail, want: []string{CodeServiceUnreachable},
		},
		"submission without TLS": {
			setup: func(l *serverLab) {
				srv := verifytest.StartMail(l.t, probeserver.MailConfig{TLS: probeserver.NoTLS})
				l.route(587, srv.Addr())
			},
			status: StatusFail, want: []string{CodeServiceTLS},
		},
		"autoconfig file missing": {
			setup: func(l *serverLab) {
				l.host.Web.SetPage(AutoconfigPath, probeserver.Page{Status: 404})
			},
			status: StatusWarn, want: []string{CodeAutoconfigEndpoint},
		},
		"autodiscover answering 500": {
			setup: func(l *serverLab) {
				l.host.Web.SetPage(autodiscoverPath, probeserver.Page{Status: 500})
			},
			status: StatusWarn, want: []string{CodeAutodiscoverEndpoint},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			l := newServerLab(t)
			tc.setup(l)
			res := l.judge()
			got := codes(res)
			t.Logf("%s:\n%s", res.Status, messages(res))
			if res.Status != tc.status {
				t.Errorf("status %s, want %s", res.Status, tc.status)
			}
			slices.Sort(got)
			if got = slices.Compact(got); !slices.Equal(got, tc.want) {
				t.Errorf("codes %v, want %v", got, tc.want)
			}
			for _, f := range res.Findings {
				checkContract(t, IDServer, f)
			}
		})
	}
}
