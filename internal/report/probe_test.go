package report

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/mailwizard/mailwizard/internal/probeserver"
	"github.com/mailwizard/mailwizard/internal/steps"
	"github.com/mailwizard/mailwizard/internal/verify"
)

// serverResult is a server step that probed port 25 of one address, and
// failed to reach IMAPS.
func serverResult(t *testing.T) steps.Result {
	t.Helper()
	ca, err := probeserver.NewCA("report test CA")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Issue(probeserver.Cert{Names: []string{"mail.example.com"}, NotAfter: time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	ip := netip.MustParseAddr("192.0.2.25")
	smtp := steps.SMTPProbe(steps.Config{Domain: "example.com"}, ip)
	imaps := verify.ServiceProbe(netip.AddrPortFrom(ip, 993), "mail.example.com", verify.ProtoIMAP, verify.TLSImplicit)
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	return steps.Result{
		Step:   steps.IDServer,
		Status: steps.StatusFail,
		Observed: []verify.Answer{
			{Question: smtp, Probe: &verify.ProbeResult{
				Start: start, Local: netip.MustParseAddrPort("198.51.100.7:40000"), Connected: true,
				Greeting:        verify.Reply{Code: 220, Lines: []string{"220-mail.example.com ESMTP", "220 hello"}},
				EHLO:            verify.Reply{Code: 250, Lines: []string{"250-mail.example.com", "250 STARTTLS"}},
				StartTLSOffered: true,
				TLS:             &verify.TLSState{Version: tls.VersionTLS13, CipherSuite: tls.TLS_AES_128_GCM_SHA256, Chain: []*x509.Certificate{cert.Leaf}},
				Timings:         verify.Timings{Connect: 3 * time.Millisecond, Greeting: 5 * time.Millisecond, TLS: 7 * time.Millisecond, Total: 20 * time.Millisecond},
				Transcript:      []string{"S: 220-mail.example.com ESMTP", "S: 220 hello", "C: EHLO [198.51.100.7]"},
			}},
			{Question: imaps, Probe: &verify.ProbeResult{
				Start: start, Local: netip.MustParseAddrPort("198.51.100.7:0"), Stage: verify.StageConnect,
				Err: &verify.ProbeError{Probe: imaps.Probe, Stage: verify.StageConnect, Err: errors.New("connection refused")},
			}},
		},
		Probes: []steps.ProbeRow{
			{Service: "smtp", Host: "mail.example.com.", Address: "192.0.2.25:25", From: "198.51.100.7", Status: steps.StatusPass, Detail: "greets as mail.example.com", TLSA: "3 1 1 ab"},
			{Service: "imaps", Host: "mail.example.com.", Address: "192.0.2.25:993", From: "198.51.100.7", Status: steps.StatusFail, Detail: "no connection: connection refused"},
		},
	}
}

func TestJSONProbes(t *testing.T) {
	r := Build("example.com.", []steps.Result{serverResult(t), mxResult(t)}, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	var buf bytes.Buffer
	if err := WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Steps []struct {
			Observed []map[string]any `json:"observed"`
			Probes   []map[string]any `json:"probes"`
		} `json:"steps"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	server, mx := doc.Steps[0], doc.Steps[1]
	if len(server.Observed) != 2 || len(server.Probes) != 2 {
		t.Fatalf("server step: %d observed, %d probes:\n%s", len(server.Observed), len(server.Probes), buf.String())
	}
	smtp := server.Observed[0]
	requireKeys(t, "probe observation", smtp, "question", "server", "address", "rcode", "records", "rtt_ms", "error", "probe")
	if smtp["question"] != "SMTP STARTTLS mail.example.com. at 192.0.2.25:25" || smtp["server"] != "mail.example.com." || smtp["address"] != "192.0.2.25:25" || smtp["rtt_ms"] != 20.0 {
		t.Errorf("common fields %v", smtp)
	}
	p := smtp["probe"].(map[string]any)
	requireKeys(t, "probe", p, "kind", "tls_mode", "from", "started_at", "connected", "greeting", "ehlo_name", "ehlo", "starttls", "tls", "timings_ms", "transcript")
	if p["kind"] != "smtp" || p["tls_mode"] != "starttls" || p["from"] != "198.51.100.7" || p["ehlo_name"] != "mail.example.com" || p["starttls"] != "offered" {
		t.Errorf("probe %v", p)
	}
	if g := p["greeting"].([]any); len(g) != 2 {
		t.Errorf("greeting %v, want both lines", g)
	}
	tlsObs := p["tls"].(map[string]any)
	requireKeys(t, "tls", tlsObs, "version", "cipher_suite", "names", "issuer", "not_before", "not_after", "trusted", "tlsa_3_1_1", "chain")
	if tlsObs["version"] != "TLS 1.3" || tlsObs["not_after"] != "2027-01-02T00:00:00Z" || !strings.HasPrefix(tlsObs["tlsa_3_1_1"].(string), "3 1 1 ") {
		t.Errorf("tls %v", tlsObs)
	}
	if tm := p["timings_ms"].(map[string]any); tm["connect"] != 3.0 || tm["greeting"] != 5.0 || tm["tls"] != 7.0 || tm["total"] != 20.0 {
		t.Errorf("timings %v", tm)
	}
	imaps := server.Observed[1]
	if imaps["error"] == "" || imaps["probe"].(map[string]any)["stage"] != "connect" || imaps["probe"].(map[string]any)["from"] != "198.51.100.7" {
		t.Errorf("failed probe %v", imaps)
	}
	requireKeys(t, "probe row", server.Probes[0], "service", "host", "address", "from", "status", "detail", "tlsa")
	if mx.Probes != nil || strings.Contains(buf.String()[strings.Index(buf.String(), `"id": "mx"`):], `"probe"`) {
		t.Error("a DNS step has probe fields")
	}
}

func TestMarkdownProbes(t *testing.T) {
	r := Build("example.com.", []steps.Result{serverResult(t)}, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, r); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"Server (per address and port):",
		"- fail `imaps` `192.0.2.25:993`: `mail.example.com.`, from `198.51.100.7`: no connection: connection refused",
		"Connections to the server:",
		"EHLO `mail.example.com`, STARTTLS offered,",
		"certificate for `mail.example.com` until 2027-01-02, from `198.51.100.7`, 20 ms",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Authoritative servers:") {
		t.Errorf("probes listed as authoritative servers:\n%s", out)
	}
}
