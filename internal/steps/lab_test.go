package steps

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/probeserver"
	"github.com/mailwizard/mailwizard/internal/verify"
	"github.com/mailwizard/mailwizard/internal/verify/verifytest"
)

// startLab serves the Config's records from two authoritative servers on
// loopback, with an empty blocklist zone and the relay's SPF record, and
// returns an engine pointed at them.
func startLab(t *testing.T, cfg Config) (*verifytest.Lab, *verify.Engine) {
	t.Helper()
	lab := verifytest.StartLab(t, verifytest.LabConfig{Zones: []string{
		verifytest.Zone("example.com."),
		verifytest.Zone("2.0.192.in-addr.arpa."),
		verifytest.Zone("8.b.d.0.1.0.0.2.ip6.arpa."),
		verifytest.Zone("bl.example.org."),
	}})
	for _, s := range All() {
		for _, r := range s.Records(cfg) {
			if err := lab.Add(r.ZoneLines()...); err != nil {
				t.Fatalf("publish %s: %v", r.Name, err)
			}
		}
	}
	// The relay the Config includes publishes its own SPF record.
	if err := lab.Add(`_spf.relay.example.net. 3600 IN TXT "v=spf1 ip4:198.51.100.0/24 -all"`); err != nil {
		t.Fatal(err)
	}
	// The mail server itself, for the server step.
	host := verifytest.StartHost(t, probeserver.HostConfig{Name: cfg.Host, Domain: cfg.Domain, Addrs: cfg.IPs, Autoconfig: []byte(AutoconfigXML(cfg)), MTASTSPolicy: []byte(MTASTSPolicy(cfg))})
	opts := lab.Options()
	opts.Timeout = 2 * time.Second
	opts.MapAddr, opts.Roots = host.Routes.Map(lab.MapAddr), host.CA.Pool()
	eng, err := verify.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return lab, eng
}

// labConfig is the full Config with the lab's blocklist.
func labConfig(t *testing.T) Config {
	cfg := fullConfig(t, "rsa2048.pem")
	cfg.DNSBL = []string{"bl.example.org."}
	return cfg
}

func TestLabRoundOfACorrectZone(t *testing.T) {
	cfg := labConfig(t)
	_, eng := startLab(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	results := JudgeAll(cfg, eng.Round().Run(ctx, Planners(cfg)...))
	if len(results) != len(All()) {
		t.Fatalf("%d results, want one per step", len(results))
	}
	for _, r := range results {
		t.Logf("%s: %s\n%s", r.Step, r.Status, messages(r))
		if r.Status != StatusPass && r.Status != StatusWarn {
			t.Errorf("%s: %s\n%s", r.Step, r.Status, messages(r))
		}
	}
}

func TestLabMXOnOneServerOnly(t *testing.T) {
	cfg := labConfig(t)
	lab, eng := startLab(t, cfg)
	lab.Servers[1].Zones().RemoveRRset("example.com.", dns.TypeMX)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	mx, _ := ByID(IDMX)
	res := mx.Judge(cfg, eng.Round().Run(ctx, Planners(cfg)...))
	if res.Status != StatusPending || !slices.Contains(codes(res), CodePartialPropagation) {
		t.Fatalf("status %s, want pending with partial-propagation:\n%s", res.Status, messages(res))
	}
	f, _ := finding(res, CodePartialPropagation)
	if !strings.Contains(f.Message, "on ns1.example.net. but not yet on ns2.example.net.") {
		t.Errorf("message does not say which server has it: %s", f.Message)
	}
}

// TestLabMessagesOfFailures words the engine's own errors: one server
// that does not answer, and a resolver that does not answer the
// blocklist questions.
func TestLabMessagesOfFailures(t *testing.T) {
	cfg := labConfig(t)
	lab, _ := startLab(t, cfg)
	opts := lab.Options()
	opts.Timeout = 200 * time.Millisecond
	eng, err := verify.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	round := eng.Round()
	round.Run(ctx, Planners(cfg)...) // discovery, while the resolver answers
	lab.Servers[1].SetFault(verifytest.Fault{Drop: true})
	lab.Resolver.SetFault(verifytest.Fault{Drop: true})
	results := JudgeAll(cfg, round.Next().Run(ctx, Planners(cfg)...))
	for _, r := range results {
		for _, f := range r.Findings {
			for _, problem := range messageProblems(f.Message) {
				t.Errorf("%s: %s message %s:\n%s", r.Step, f.Code, problem, f.Message)
			}
		}
	}
	want := map[string]struct{ code, says string }{
		IDMX:        {CodeNSUnreachable, "ns2.example.net. gave no usable answer (i/o timeout (2 tries of 200ms))"},
		IDBlocklist: {CodeLookupError, "Could not check 192.0.2.10 on bl.example.org: the resolver " + lab.Resolver.Addr() + " gave no reply: i/o timeout (2 tries of 200ms)."},
	}
	for _, r := range results {
		w, ok := want[r.Step]
		if !ok {
			continue
		}
		if f, found := finding(r, w.code); !found || !strings.Contains(f.Message, w.says) {
			t.Errorf("%s: %s does not say %q:\n%s", r.Step, w.code, w.says, messages(r))
		}
	}
}
