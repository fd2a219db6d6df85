package steps

import (
	"crypto/x509"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/mtasts"
	"github.com/mailwizard/mailwizard/internal/probeserver"
	"github.com/mailwizard/mailwizard/internal/verify"
	"github.com/mailwizard/mailwizard/internal/verify/verifytest"
)

// mtastsConfig is testConfig with a stamped policy id.
func mtastsConfig(t testing.TB) Config {
	cfg := testConfig(t)
	cfg.MTASTSID = "20260301T120000Z"
	return cfg
}

func TestMTASTSRecord(t *testing.T) {
	const want = `"v=STSv1; id=20260301T120000Z"`
	runStepCases(t, IDMTASTS, mtastsConfig, map[string]stepCase{
		"published": {
			status: StatusPass,
			not:    []string{CodeMTASTSMissing, CodeMTASTSMultiple, CodeMTASTSSyntax},
		},
		"another id": {
			world:  func(w *world) { w.replace(`_mta-sts TXT "v=STSv1; id=abc123"`) },
			status: StatusPass,
			not:    []string{CodeMTASTSSyntax},
		},
		"absent everywhere": {
			world:  func(w *world) { w.remove("_mta-sts", dns.TypeTXT) },
			status: StatusPending,
			want:   []string{CodeMTASTSMissing},
			says:   []string{"_mta-sts.example.com. has no MTA-STS record", "https://mta-sts.example.com/.well-known/mta-sts.txt", want},
		},
		"two records": {
			world: func(w *world) {
				w.add("ns1.example.net.", `_mta-sts TXT "v=STSv1; id=2"`).add("ns2.example.net.", `_mta-sts TXT "v=STSv1; id=2"`)
			},
			status: StatusFail,
			want:   []string{CodeMTASTSMultiple},
			says:   []string{"two MTA-STS records on ns1.example.net. and ns2.example.net.", "as if the domain had no policy", "Keep one: " + want},
		},
		"an id with dashes": {
			world:  func(w *world) { w.replace(`_mta-sts TXT "v=STSv1; id=2026-03-01"`) },
			status: StatusFail,
			want:   []string{CodeMTASTSSyntax},
			says:   []string{`"v=STSv1; id=2026-03-01"`, "only letters and digits", "Replace it with " + want},
		},
		"semicolon missing": {
			world:  func(w *world) { w.replace(`_mta-sts TXT "v=STSv1 id=1"`) },
			status: StatusFail,
			want:   []string{CodeMTASTSSyntax},
			says:   []string{`";" is missing`},
		},
		"no id": {
			world:  func(w *world) { w.replace(`_mta-sts TXT "v=STSv1;"`) },
			status: StatusFail,
			want:   []string{CodeMTASTSSyntax},
		},
	})
}

// TestMTASTSRecords: the records and the policy file mailwizard proposes.
func TestMTASTSRecords(t *testing.T) {
	cfg := mtastsConfig(t)
	cfg.MTASTSMode = "enforce"
	s, _ := ByID(IDMTASTS)
	recs := s.Records(cfg)
	if len(recs) != 2 || recs[0].Value != "v=STSv1; id=20260301T120000Z" || recs[1].Type != "CNAME" || recs[1].Value != "mail.example.com." || !recs[1].Optional {
		t.Fatalf("records %+v", recs)
	}
	files := s.Files(cfg)
	if len(files) != 1 || files[0].URL != "https://mta-sts.example.com/.well-known/mta-sts.txt" || files[0].ContentType != "text/plain" {
		t.Fatalf("files %+v", files)
	}
	const body = "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n"
	if files[0].Body != body {
		t.Errorf("policy %q, want %q", files[0].Body, body)
	}
	if _, err := mtasts.ParsePolicy([]byte(files[0].Body)); err != nil {
		t.Errorf("the proposed policy does not parse: %v", err)
	}
	// A Config nobody stamped gets an id made from its policy.
	cfg.MTASTSID = ""
	id := strings.TrimPrefix(s.Records(cfg)[0].Value, "v=STSv1; id=")
	cfg.MTASTSMode = "testing"
	if other := strings.TrimPrefix(s.Records(cfg)[0].Value, "v=STSv1; id="); mtasts.CheckID(id) != nil || other == id {
		t.Errorf("unstamped ids %q and %q: want valid ids that differ with the policy", id, other)
	}
}

// policyProbe matches the fetches of the MTA-STS policy.
func policyProbe(p verify.Probe) bool { return p.Kind == verify.ProbeHTTPS && p.Path == mtasts.Path }

// serve makes the policy's web server answer body as text/plain.
func serve(body string) func(*world) {
	return func(w *world) {
		w.onProbe(policyProbe, func(r *verify.ProbeResult) {
			r.HTTP.ContentType, r.HTTP.Body = "text/plain; charset=utf-8", []byte(body)
		})
	}
}

// enforce chooses the enforce mode.
func enforce(c *Config) { c.MTASTSMode = "enforce" }

func TestMTASTSPolicy(t *testing.T) {
	const url = "https://mta-sts.example.com/.well-known/mta-sts.txt"
	policy := func(mode, maxAge string, mx ...string) string {
		s := "version: STSv1\nmode: " + mode + "\n"
		for _, m := range mx {
			s += "mx: " + m + "\n"
		}
		return s + "max_age: " + maxAge + "\n"
	}
	runStepCases(t, IDMTASTS, mtastsConfig, map[string]stepCase{
		"served as proposed": {
			status: StatusPass,
			not: []string{CodeMTASTSPolicyUnreachable, CodeMTASTSPolicyInvalid, CodeMTASTSCertInvalid, CodeMTASTSMXNotCovered,
				CodeMTASTSPatternUnused, CodeMTASTSModeMismatch, CodeMTASTSMaxAgeShort, CodeLookupError},
		},
		"not found": {
			world: func(w *world) {
				w.onProbe(policyProbe, func(r *verify.ProbeResult) { r.HTTP.Status, r.HTTP.StatusLine = 404, "HTTP/1.1 404 Not Found" })
			},
			status: StatusFail,
			want:   []string{CodeMTASTSPolicyUnreachable},
			says:   []string{"The policy of mta-sts.example.com. at " + url, "192.0.2.10 and 2001:db8::10", `"HTTP/1.1 404 Not Found"`, "/.well-known/mta-sts.txt"},
		},
		"a redirect": {
			world: func(w *world) {
				w.onProbe(policyProbe, func(r *verify.ProbeResult) {
					r.HTTP.Status, r.HTTP.StatusLine, r.HTTP.Location = 301, "HTTP/1.1 301 Moved Permanently", "https://www.example.com/.well-known/mta-sts.txt"
				})
			},
			status: StatusFail,
			want:   []string{CodeMTASTSPolicyUnreachable},
			says:   []string{"a redirect to \"https://www.example.com/.well-known/mta-sts.txt\"", "no redirect"},
		},
		"connection refused": {
			world:  func(w *world) { w.fail(policyProbe, verify.StageConnect, syscall.ECONNREFUSED) },
			status: StatusFail,
			want:   []string{CodeMTASTSPolicyUnreachable},
			says:   []string{"cannot be fetched: no connection: connection refused"},
		},
		"no address for mta-sts": {
			world:  func(w *world) { w.remove("mta-sts", dns.TypeCNAME) },
			status: StatusFail,
			want:   []string{CodeMTASTSPolicyUnreachable},
			says:   []string{"mta-sts.example.com. has no address", "mta-sts.example.com. CNAME mail.example.com."},
		},
		"its own web server": {
			world: func(w *world) {
				w.remove("mta-sts", dns.TypeCNAME)
				w.replace("mta-sts A 203.0.113.80")
			},
			status: StatusPass,
			not:    []string{CodeMTASTSPolicyUnreachable},
		},
		"no answer in time from here": {
			world:  func(w *world) { w.fail(policyProbe, verify.StageConnect, fmt.Errorf("%w after 5s", verify.ErrTimeout)) },
			status: StatusError,
			want:   []string{CodeLookupError},
			not:    []string{CodeMTASTSPolicyUnreachable},
			says:   []string{"could not be fetched from this machine", "says nothing about the web server"},
		},
		"no route from here": {
			world: func(w *world) {
				w.onProbe(policyProbe, func(r *verify.ProbeResult) {
					verifytest.FailAt(r, verify.StageConnect, syscall.ENETUNREACH)
					r.NoRoute = true
				})
			},
			status: StatusError,
			want:   []string{CodeLookupError},
			not:    []string{CodeMTASTSPolicyUnreachable},
		},
		"not fetched": {
			cfg:    func(c *Config) { c.NoProbe = true },
			status: StatusPass,
			want:   []string{CodeMTASTSPolicyUnreachable},
			says:   []string{"was not fetched: --no-probe"},
		},
		"served as HTML": {
			world: func(w *world) {
				w.onProbe(policyProbe, func(r *verify.ProbeResult) {
					r.HTTP.ContentType, r.HTTP.Body = "text/html", []byte(MTASTSPolicy(mtastsConfig(t)))
				})
			},
			status: StatusFail,
			want:   []string{CodeMTASTSPolicyInvalid},
			says:   []string{`is served as "text/html"`, "text/plain"},
		},
		"too large": {
			world: func(w *world) {
				w.onProbe(policyProbe, func(r *verify.ProbeResult) {
					r.HTTP.ContentType, r.HTTP.Body, r.HTTP.Truncated = "text/plain", []byte(strings.Repeat("x", 10)), true
				})
			},
			status: StatusFail,
			want:   []string{CodeMTASTSPolicyInvalid},
			says:   []string{"over 64 KiB"},
		},
		"does not parse": {
			world:  serve("version: STSv1\nmode: enforcing\nmx: mail.example.com\nmax_age: 604800\n"),
			status: StatusFail,
			want:   []string{CodeMTASTSPolicyInvalid},
			says:   []string{"does not parse: line 2", "enforce, testing or none"},
		},
		"certificate for another name": {
			world:  func(w *world) { w.leaf(policyProbe, probeserver.Cert{Names: []string{"www.example.com"}}, nil) },
			status: StatusFail,
			want:   []string{CodeMTASTSCertInvalid},
			not:    []string{CodeMTASTSPolicyInvalid},
			says:   []string{"is for www.example.com, not for mta-sts.example.com.", "RFC 8461 §3.3"},
		},
		"self-signed certificate": {
			world: func(w *world) {
				w.leaf(policyProbe, probeserver.Cert{Names: []string{"mta-sts.example.com"}, SelfSigned: true}, x509.UnknownAuthorityError{})
			},
			status: StatusFail,
			want:   []string{CodeMTASTSCertInvalid},
		},
		"certificate expiring soon": {
			world: func(w *world) {
				w.leaf(policyProbe, probeserver.Cert{Names: []string{"mta-sts.example.com"}, NotBefore: time.Now().AddDate(0, -2, 0), NotAfter: time.Now().AddDate(0, 0, 5)}, nil)
			},
			status: StatusPass,
			not:    []string{CodeMTASTSCertInvalid},
		},
		"an MX host left out, enforce": {
			cfg:    enforce,
			world:  serve(policy("enforce", "604800", "mx.example.net")),
			status: StatusFail,
			want:   []string{CodeMTASTSMXNotCovered, CodeMTASTSPatternUnused},
			says:   []string{"(mode enforce) matches no mx: line for the MX host mail.example.com.", "deliver no mail to it", "Add an mx: line for mail.example.com"},
		},
		"an MX host left out, testing": {
			world:    serve(policy("testing", "604800", "mx.example.net")),
			status:   StatusWarn,
			want:     []string{CodeMTASTSMXNotCovered},
			severity: SeverityWarning,
			says:     []string{"(mode testing)", "senders only report it"},
		},
		"a second MX host left out": {
			cfg: enforce,
			world: func(w *world) {
				w.add("ns1.example.net.", "@ MX 20 backup.example.net.").add("ns2.example.net.", "@ MX 20 backup.example.net.")
			},
			status: StatusFail,
			want:   []string{CodeMTASTSMXNotCovered},
			says:   []string{"backup.example.net."},
		},
		"a wildcard covers the MX host": {
			cfg:    enforce,
			world:  serve(policy("enforce", "604800", "*.example.com")),
			status: StatusPass,
			not:    []string{CodeMTASTSMXNotCovered, CodeMTASTSPatternUnused},
		},
		"mode none covers nothing": {
			world:  serve(policy("none", "86400")),
			status: StatusWarn,
			want:   []string{CodeMTASTSModeMismatch},
			not:    []string{CodeMTASTSMXNotCovered},
		},
		"a web name as an mx line": {
			world:  serve(policy("testing", "604800", "mail.example.com", "mta-sts.example.com")),
			status: StatusWarn,
			want:   []string{CodeMTASTSPatternUnused},
			says:   []string{`"mta-sts.example.com"`, "not web names such as mta-sts"},
		},
		"enforce served, testing chosen": {
			world:  serve(policy("enforce", "604800", "mail.example.com")),
			status: StatusWarn,
			want:   []string{CodeMTASTSModeMismatch},
			says:   []string{"says mode: enforce, but the chosen mode is testing", "20260301T120000Z"},
		},
		"testing served, enforce chosen": {
			cfg:    enforce,
			world:  serve(policy("testing", "604800", "mail.example.com")),
			status: StatusWarn,
			want:   []string{CodeMTASTSModeMismatch},
		},
		"an hour's max_age in enforce": {
			cfg:    enforce,
			world:  serve(policy("enforce", "3600", "mail.example.com")),
			status: StatusWarn,
			want:   []string{CodeMTASTSMaxAgeShort},
			says:   []string{"max_age: 3600 (1 h)", "max_age: 604800"},
		},
		"an hour's max_age in testing": {
			world:  serve(policy("testing", "3600", "mail.example.com")),
			status: StatusPass,
			not:    []string{CodeMTASTSMaxAgeShort},
		},
		"no record, policy not served": {
			world: func(w *world) {
				w.remove("_mta-sts", dns.TypeTXT)
				w.onProbe(policyProbe, func(r *verify.ProbeResult) { r.HTTP.Status, r.HTTP.StatusLine = 404, "HTTP/1.1 404 Not Found" })
			},
			status: StatusPending,
			want:   []string{CodeMTASTSMissing},
			not:    []string{CodeMTASTSPolicyUnreachable},
			says:   []string{"The policy is not ready yet either", "404"},
		},
		"no record, policy served": {
			world:  func(w *world) { w.remove("_mta-sts", dns.TypeTXT) },
			status: StatusPending,
			want:   []string{CodeMTASTSMissing},
			says:   []string{"The policy is already served as it should be."},
		},
	})
}
