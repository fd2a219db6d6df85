package steps

import (
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/mtasts"
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
