package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/steps"
	"github.com/mailwizard/mailwizard/internal/verify"
)

func mustRR(t *testing.T, s string) dns.RR {
	t.Helper()
	rr, err := dns.NewRR(s)
	if err != nil {
		t.Fatalf("dns.NewRR(%q): %v", s, err)
	}
	return rr
}

// mxResult is an MX step seen by two authoritative servers (one down) and
// one resolver that still caches "no such name".
func mxResult(t *testing.T) steps.Result {
	q := verify.Q("example.com.", dns.TypeMX)
	return steps.Result{
		Step:   steps.IDMX,
		Status: steps.StatusPass,
		Expected: []steps.Record{
			{Name: "example.com.", Type: "MX", TTL: 3600, Value: "10 mail.example.com."},
		},
		Observed: []verify.Answer{{
			Question: q,
			Zone:     "example.com.",
			Servers: []verify.Observation{
				{
					Server: "ns1.example.net.", Address: "192.0.2.53:53", Rcode: dns.RcodeSuccess,
					Authoritative: true, RTT: 12 * time.Millisecond,
					Answer: []dns.RR{mustRR(t, "example.com. 3600 IN MX 10 mail.example.com.")},
				},
				{
					Server: "ns2.example.net.", Address: "198.51.100.53:53", Rcode: -1,
					Err: errors.New("query MX example.com. at 198.51.100.53:53: i/o timeout"),
				},
			},
			Resolvers: []verify.Observation{{
				Server: "127.0.0.53:53", Address: "127.0.0.53:53", Rcode: dns.RcodeNameError,
				NegativeTTL: 3540 * time.Second, RTT: time.Millisecond,
			}},
		}},
	}
}

func TestBuildObservations(t *testing.T) {
	checked := time.Date(2026, 3, 1, 12, 30, 15, 987654321, time.FixedZone("CET", 3600))
	r := Build("example.com.", []steps.Result{mxResult(t)}, checked)

	if want := time.Date(2026, 3, 1, 11, 30, 15, 0, time.UTC); !r.CheckedAt.Equal(want) || r.CheckedAt.Location() != time.UTC {
		t.Errorf("CheckedAt = %v, want %v in UTC", r.CheckedAt, want)
	}
	if len(r.Steps) != 1 {
		t.Fatalf("got %d steps, want 1", len(r.Steps))
	}
	s := r.Steps[0]
	want := []Observation{
		{
			Question: "MX example.com.", Server: "ns1.example.net.", Address: "192.0.2.53:53",
			Rcode: "NOERROR", Records: []string{"example.com. 3600 IN MX 10 mail.example.com."}, RTTMillis: 12,
		},
		{
			Question: "MX example.com.", Server: "ns2.example.net.", Address: "198.51.100.53:53",
			Records: []string{}, Error: "query MX example.com. at 198.51.100.53:53: i/o timeout",
		},
	}
	for i := range want {
		if i >= len(s.Observed) {
			t.Fatalf("observed has %d entries, want %d", len(s.Observed), len(want))
		}
		if !observationEqual(s.Observed[i], want[i]) {
			t.Errorf("observed[%d] = %+v, want %+v", i, s.Observed[i], want[i])
		}
	}
	wantResolver := Observation{
		Question: "MX example.com.", Server: "127.0.0.53:53", Address: "127.0.0.53:53",
		Rcode: "NXDOMAIN", Records: []string{}, RTTMillis: 1, NegativeTTLSeconds: 3540,
	}
	if len(s.Resolvers) != 1 || !observationEqual(s.Resolvers[0], wantResolver) {
		t.Errorf("resolvers = %+v, want [%+v]", s.Resolvers, wantResolver)
	}
}

// TestBuildKeepsTheVerdicts: the report shows each server's verdict and
// each resolver's note as the step judged them.
func TestBuildKeepsTheVerdicts(t *testing.T) {
	res := mxResult(t)
	res.Servers = []steps.ServerVerdict{
		{Server: "ns1.example.net.", Verdict: steps.VerdictOK, Detail: "serves it"},
		{Server: "ns2.example.net.", Verdict: steps.VerdictUnknown, Detail: "could not check: i/o timeout"},
	}
	res.SecondOpinion = []steps.Opinion{{Resolver: "127.0.0.53:53", Stale: true, Note: "127.0.0.53:53 still caches …"}}
	s := Build("example.com.", []steps.Result{res}, time.Unix(0, 0)).Steps[0]
	if !slices.Equal(s.Servers, res.Servers) || !slices.Equal(s.SecondOpinion, res.SecondOpinion) {
		t.Errorf("servers %+v and second opinion %+v, want the step's %+v and %+v", s.Servers, s.SecondOpinion, res.Servers, res.SecondOpinion)
	}
}

func observationEqual(a, b Observation) bool {
	return a.Question == b.Question && a.Server == b.Server && a.Address == b.Address &&
		a.Rcode == b.Rcode && slices.Equal(a.Records, b.Records) && a.RTTMillis == b.RTTMillis &&
		a.Error == b.Error && a.NegativeTTLSeconds == b.NegativeTTLSeconds
}

func TestBuildEdgeCases(t *testing.T) {
	tests := map[string]struct {
		answer        verify.Answer
		wantObserved  []Observation
		wantResolvers int
	}{
		"discovery failed: one line with the error and no server": {
			answer: verify.Answer{
				Question: verify.Q("_dmarc.example.com.", dns.TypeTXT),
				Err:      errors.New("find zone of _dmarc.example.com.: SERVFAIL"),
			},
			wantObserved: []Observation{{
				Question: "TXT _dmarc.example.com.", Records: []string{},
				Error: "find zone of _dmarc.example.com.: SERVFAIL",
			}},
		},
		"recursive question: the resolver's answer is observed, not repeated as a second opinion": {
			answer: verify.Answer{
				Question: verify.RQ("25.2.0.192.zen.example.", dns.TypeA),
				Servers: []verify.Observation{{
					Server: "127.0.0.53:53", Address: "127.0.0.53:53", Rcode: dns.RcodeNameError,
				}},
				Resolvers: []verify.Observation{{Server: "127.0.0.53:53", Rcode: dns.RcodeNameError}},
			},
			wantObserved: []Observation{{
				Question: "A 25.2.0.192.zen.example.", Server: "127.0.0.53:53", Address: "127.0.0.53:53",
				Rcode: "NXDOMAIN", Records: []string{},
			}},
		},
		"an error hides the negative TTL, which only means something for a usable reply": {
			answer: verify.Answer{
				Question: verify.Q("example.com.", dns.TypeMX),
				Servers: []verify.Observation{{
					Server: "ns1.example.net.", Address: "192.0.2.53:53", Rcode: dns.RcodeNameError,
					NegativeTTL: time.Hour, Err: errors.New("lame: no AA bit"),
				}},
			},
			wantObserved: []Observation{{
				Question: "MX example.com.", Server: "ns1.example.net.", Address: "192.0.2.53:53",
				Rcode: "NXDOMAIN", Records: []string{}, Error: "lame: no AA bit",
			}},
		},
		"unknown rcode is still named": {
			answer: verify.Answer{
				Question: verify.Q("example.com.", dns.TypeMX),
				Servers:  []verify.Observation{{Server: "ns1.example.net.", Rcode: 4000}},
			},
			wantObserved: []Observation{{
				Question: "MX example.com.", Server: "ns1.example.net.", Rcode: "RCODE4000", Records: []string{},
			}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := Build("example.com.", []steps.Result{{Step: steps.IDMX, Status: steps.StatusError, Observed: []verify.Answer{tc.answer}}}, time.Unix(0, 0))
			s := r.Steps[0]
			if len(s.Observed) != len(tc.wantObserved) {
				t.Fatalf("observed = %+v, want %+v", s.Observed, tc.wantObserved)
			}
			for i := range tc.wantObserved {
				if !observationEqual(s.Observed[i], tc.wantObserved[i]) {
					t.Errorf("observed[%d] = %+v, want %+v", i, s.Observed[i], tc.wantObserved[i])
				}
			}
			if len(s.Resolvers) != tc.wantResolvers {
				t.Errorf("resolvers = %+v, want %d", s.Resolvers, tc.wantResolvers)
			}
		})
	}
}

// TestJSONContract pins the field names scripts depend on: they may be
// added to, never renamed.
func TestJSONContract(t *testing.T) {
	r := Build("example.com.", []steps.Result{mxResult(t)}, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	r.Steps[0].Findings = []steps.Finding{{Code: "mx-extra-host", Severity: steps.SeverityWarning, Message: "m."}}
	r.Steps[0].Servers = []steps.ServerVerdict{{Server: "ns1.example.net.", Verdict: steps.VerdictOK, Detail: "serves it"}}
	r.Steps[0].SecondOpinion = []steps.Opinion{{Resolver: "127.0.0.53:53", Stale: true, Note: "n."}}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, buf.String())
	}
	requireKeys(t, "report", doc, "domain", "status", "checked_at", "steps", "mode")
	if doc["checked_at"] != "2026-03-01T12:00:00Z" {
		t.Errorf("checked_at = %v, want RFC 3339 2026-03-01T12:00:00Z", doc["checked_at"])
	}
	step := doc["steps"].([]any)[0].(map[string]any)
	requireKeys(t, "step", step, "id", "title", "status", "expected", "observed", "resolvers", "findings")
	requireKeys(t, "expected", step["expected"].([]any)[0].(map[string]any), "name", "type", "ttl", "value")
	requireKeys(t, "observed", step["observed"].([]any)[0].(map[string]any), "server", "address", "rcode", "records", "rtt_ms", "error")
	requireKeys(t, "resolvers", step["resolvers"].([]any)[0].(map[string]any), "server", "address", "rcode", "records", "rtt_ms", "error", "negative_ttl_s")
	requireKeys(t, "finding", step["findings"].([]any)[0].(map[string]any), "code", "severity", "message")
	// Additions: each server's verdict and each resolver's note.
	requireKeys(t, "step", step, "servers", "second_opinion")
	requireKeys(t, "server", step["servers"].([]any)[0].(map[string]any), "server", "verdict", "detail")
	requireKeys(t, "second opinion", step["second_opinion"].([]any)[0].(map[string]any), "resolver", "stale", "note")
	if got := step["observed"].([]any)[0].(map[string]any)["rtt_ms"]; got != 12.0 {
		t.Errorf("rtt_ms = %v, want 12", got)
	}
}

func requireKeys(t *testing.T, what string, m map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("%s has no %q: %v", what, k, m)
		}
	}
}

func TestJSONEmptyListsAreArrays(t *testing.T) {
	r := Build("example.com.", []steps.Result{{Step: steps.IDBlocklist, Status: steps.StatusSkipped}}, time.Unix(0, 0))
	var buf bytes.Buffer
	if err := WriteJSONLine(&buf, r); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, "null") {
		t.Errorf("report has a null where scripts expect a list: %s", out)
	}
	if strings.Count(out, "\n") != 1 {
		t.Errorf("WriteJSONLine wrote %d lines, want 1: %q", strings.Count(out, "\n"), out)
	}
}

func TestBuildStatusAndTitle(t *testing.T) {
	results := []steps.Result{
		{Step: steps.IDMX, Status: steps.StatusPass},
		{Step: steps.IDDKIM, Status: steps.StatusPending},
	}
	r := Build("example.com.", results, time.Unix(0, 0))
	if r.Status != steps.Overall(results) {
		t.Errorf("status = %q, want steps.Overall = %q", r.Status, steps.Overall(results))
	}
	for _, s := range r.Steps {
		want := s.ID
		if st, ok := steps.ByID(s.ID); ok && st.Title != "" {
			want = st.Title
		}
		if s.Title != want {
			t.Errorf("step %s title = %q, want %q", s.ID, s.Title, want)
		}
	}
}

// TestBuildOmittedNameservers: the nameservers a zone names beyond those
// asked are in the step's JSON, once each; a step without any has no such
// field.
func TestBuildOmittedNameservers(t *testing.T) {
	omitted := []string{"ns14.example.net.", "ns15.example.net."}
	q := verify.Q("example.com.", dns.TypeMX)
	res := []steps.Result{
		{Step: steps.IDMX, Status: steps.StatusWarn, Observed: []verify.Answer{
			{Question: q, Zone: "example.com.", Omitted: omitted},
			{Question: verify.Q("mail.example.com.", dns.TypeA), Zone: "example.com.", Omitted: omitted},
		}},
		{Step: steps.IDDKIM, Status: steps.StatusPass, Observed: []verify.Answer{{Question: q, Zone: "example.com."}}},
	}
	r := Build("example.com.", res, time.Unix(0, 0))
	if got := r.Steps[0].OmittedNameservers; !slices.Equal(got, omitted) {
		t.Errorf("omitted nameservers %v, want %v", got, omitted)
	}
	var buf bytes.Buffer
	if err := WriteJSONLine(&buf, r); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), `"omitted_nameservers":["ns14.example.net.","ns15.example.net."]`); n != 1 {
		t.Errorf("omitted_nameservers appears %d times, want once (for the mx step):\n%s", n, buf.String())
	}
}

// TestBuildCNAMEChain: every link of a CNAME chain is in observed, under its
// own question, after the question's own observations.
func TestBuildCNAMEChain(t *testing.T) {
	q := verify.Q("sel._domainkey.example.com.", dns.TypeTXT)
	link := verify.Q("sel.dkim.example.org.", dns.TypeTXT)
	ans := verify.Answer{
		Question: q, Zone: "example.com.",
		Servers: []verify.Observation{{Server: "ns1.example.net.", Address: "192.0.2.53:53", Rcode: dns.RcodeSuccess,
			Answer: []dns.RR{mustRR(t, "sel._domainkey.example.com. 3600 IN CNAME sel.dkim.example.org.")}}},
		Chain: []verify.Answer{{Question: link, Zone: "example.org.",
			Servers: []verify.Observation{{Server: "ns1.example.org.", Address: "198.51.100.1:53", Rcode: dns.RcodeSuccess,
				Answer: []dns.RR{mustRR(t, `sel.dkim.example.org. 3600 IN TXT "v=DKIM1; p=MIIB"`)}}}}},
	}
	r := Build("example.com.", []steps.Result{{Step: steps.IDDKIM, Status: steps.StatusPass, Observed: []verify.Answer{ans}}}, time.Unix(0, 0))
	var got []string
	for _, o := range r.Steps[0].Observed {
		got = append(got, o.Question+" at "+o.Server+": "+strings.Join(o.Records, ", "))
	}
	want := []string{
		"TXT sel._domainkey.example.com. at ns1.example.net.: sel._domainkey.example.com. 3600 IN CNAME sel.dkim.example.org.",
		`TXT sel.dkim.example.org. at ns1.example.org.: sel.dkim.example.org. 3600 IN TXT "v=DKIM1; p=MIIB"`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("observed\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestBuildNoIPv6Note: one note for the whole report when every IPv6
// address failed while IPv4 ones answered; none when IPv6 answered too.
func TestBuildNoIPv6Note(t *testing.T) {
	q := verify.Q("example.com.", dns.TypeMX)
	obs := func(v6 error) []verify.Observation {
		o6 := verify.Observation{Server: "ns1.example.net.", Address: "[2001:db8::53]:53", Rcode: dns.RcodeSuccess}
		if v6 != nil {
			o6 = verify.Observation{Server: "ns1.example.net.", Address: "[2001:db8::53]:53", Rcode: -1, Err: v6}
		}
		return []verify.Observation{{Server: "ns1.example.net.", Address: "192.0.2.53:53", Rcode: dns.RcodeSuccess}, o6}
	}
	timeout := &verify.QueryError{Question: q, Server: "ns1.example.net.", Address: "[2001:db8::53]:53", Err: verify.ErrTimeout}
	for name, tc := range map[string]struct {
		v6    error
		notes int
	}{
		"ipv6 times out": {timeout, 1},
		"ipv6 answers":   {nil, 0},
		"ipv6 servfail":  {&verify.QueryError{Question: q, Err: &verify.RcodeError{Rcode: dns.RcodeServerFailure}}, 0},
	} {
		t.Run(name, func(t *testing.T) {
			res := []steps.Result{
				{Step: steps.IDMX, Observed: []verify.Answer{{Question: q, Servers: obs(tc.v6)}}},
				{Step: steps.IDHost, Observed: []verify.Answer{{Question: q, Servers: obs(tc.v6)}}},
			}
			r := Build("example.com.", res, time.Unix(0, 0))
			if len(r.Notes) != tc.notes || r.Mode != ModeAuthoritative {
				t.Fatalf("notes %q mode %q, want %d notes, authoritative", r.Notes, r.Mode, tc.notes)
			}
			if tc.notes > 0 && !strings.HasPrefix(r.Notes[0], "This machine seems to have no IPv6 path") {
				t.Errorf("note %q", r.Notes[0])
			}
		})
	}
}

// TestBuildResolverMode: a round whose answers came from the resolver is
// marked in the JSON and says so once.
func TestBuildResolverMode(t *testing.T) {
	q := verify.Q("example.com.", dns.TypeMX)
	res := []steps.Result{
		{Step: steps.IDMX, FromResolver: true, Observed: []verify.Answer{{Question: q, FromResolver: true}}},
		{Step: steps.IDHost, FromResolver: true},
	}
	r := Build("example.com.", res, time.Unix(0, 0))
	if r.Mode != ModeResolver || len(r.Notes) != 1 || r.Notes[0] != steps.ResolverModeText {
		t.Errorf("mode %q notes %q, want resolver mode said once", r.Mode, r.Notes)
	}
	var buf bytes.Buffer
	if err := WriteJSONLine(&buf, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"mode":"resolver"`) {
		t.Errorf("JSON %s, want mode resolver", buf.String())
	}
}

// TestBuildSignedObservations: a question asked with the DO bit is marked
// dnssec, keeps its RRSIGs among the records, and a resolver's AD bit is
// ad; a plain question has neither field in the JSON.
func TestBuildSignedObservations(t *testing.T) {
	plain := mxResult(t)
	signed := mxResult(t)
	a := &signed.Observed[0]
	a.Question = a.Question.WithSignatures()
	a.Servers[0].Answer = append(a.Servers[0].Answer,
		mustRR(t, "example.com. 3600 IN RRSIG MX 13 2 3600 20260401000000 20260301000000 12345 example.com. AAAA"))
	a.Resolvers[0].Rcode, a.Resolvers[0].AuthenticatedData = dns.RcodeSuccess, true
	plain.Step, signed.Step = steps.IDMX, steps.IDDNSSEC
	r := Build("example.com.", []steps.Result{plain, signed}, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	s := r.Steps[1]
	if o := s.Observed[0]; !o.DNSSEC || o.Question != "MX example.com." || len(o.Records) != 2 || !strings.Contains(o.Records[1], "RRSIG") {
		t.Errorf("signed observation %+v", o)
	}
	if o := s.Resolvers[0]; !o.DNSSEC || !o.AuthenticatedData {
		t.Errorf("signed resolver observation %+v", o)
	}
	var b bytes.Buffer
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(b.String(), `"dnssec": true`); got != 3 {
		t.Errorf(`"dnssec": true %d times, want 3 (the signed step's two servers and its resolver):\n%s`, got, b.String())
	}
	if got := strings.Count(b.String(), `"ad": true`); got != 1 {
		t.Errorf(`"ad": true %d times, want 1:\n%s`, got, b.String())
	}
}
