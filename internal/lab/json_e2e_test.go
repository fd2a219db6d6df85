package lab_test

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/lab"
	"github.com/mailwizard/mailwizard/internal/steps"
)

// The JSON report as the README defines it, field by field:
// pointers, so that a field left out or null is seen, and Go types, so
// that a value of another JSON type does not decode (rtt_ms "12" or 12.5,
// rcode 0, records as a string). The contract's fields come first; the
// README's documented additions are marked.
type (
	contractReport struct {
		Domain    *string         `json:"domain"`
		Status    *string         `json:"status"`
		CheckedAt *string         `json:"checked_at"`
		Steps     *[]contractStep `json:"steps"`
		Mode      *string         `json:"mode"`  // addition
		Notes     *[]string       `json:"notes"` // addition, only when there are some
	}
	contractStep struct {
		ID        *string                `json:"id"`
		Title     *string                `json:"title"`
		Status    *string                `json:"status"`
		Expected  *[]contractRecord      `json:"expected"`
		Files     *[]contractFile        `json:"files"` // addition, only for a file to serve
		Observed  *[]contractObservation `json:"observed"`
		Resolvers *[]contractObservation `json:"resolvers"`
		Findings  *[]contractFinding     `json:"findings"`
		// addition, only when a zone names more nameservers than are asked
		OmittedNameservers *[]string `json:"omitted_nameservers"`
		// Additions: each server's verdict, each resolver's note.
		Servers       *[]contractServer  `json:"servers"`
		SecondOpinion *[]contractOpinion `json:"second_opinion"`
	}
	contractServer struct {
		Server  *string `json:"server"`
		Verdict *string `json:"verdict"`
		Detail  *string `json:"detail"`
	}
	contractOpinion struct {
		Resolver *string `json:"resolver"`
		Stale    *bool   `json:"stale"`
		Note     *string `json:"note"`
	}
	contractRecord struct {
		Name     *string `json:"name"`
		Type     *string `json:"type"`
		TTL      *uint32 `json:"ttl"`
		Value    *string `json:"value"`
		Optional *bool   `json:"optional"` // addition, only when true
	}
	contractFile struct {
		URL         *string `json:"url"`
		ContentType *string `json:"content_type"`
		Body        *string `json:"body"`
	}
	contractObservation struct {
		Question    *string   `json:"question"` // addition
		Server      *string   `json:"server"`
		Address     *string   `json:"address"`
		Rcode       *string   `json:"rcode"`
		Records     *[]string `json:"records"`
		RTTMillis   *int64    `json:"rtt_ms"`
		Error       *string   `json:"error"`
		NegativeTTL *int64    `json:"negative_ttl_s"` // addition, only for a "no"
		NoEDNS      *bool     `json:"no_edns"`        // addition, only when true
		DNSSEC      *bool     `json:"dnssec"`         // addition, only when true
		AD          *bool     `json:"ad"`             // addition, only when true
	}
	contractFinding struct {
		Code     *string `json:"code"`
		Severity *string `json:"severity"`
		Message  *string `json:"message"`
		Hint     *string `json:"hint"` // addition, only when there is one
	}
)

// TestE2EJSONContract: `check --json` against the lab, in a state that
// has every kind of entry (records served, records missing with a cached
// "no", a nameserver down), decodes into the contract's fields and types
// with no unknown field, every required field present and meaningful, and
// no secret.
func TestE2EJSONContract(t *testing.T) {
	lab.Require(t, labErr)
	t.Parallel()
	l := lab.Start(t, progs, lab.Config{Zones: zones(t, []string{steps.IDDKIM, steps.IDDMARC}, nil)})
	if err := l.StopNameserver(1); err != nil {
		t.Fatal(err)
	}
	r, _ := check(t, l)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (DKIM and DMARC pending)\n%s", r.code, r.stderr)
	}
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	var rep contractReport
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("check --json does not decode into the contract: %v\n%s", err, r.stdout)
	}
	if dec.More() {
		t.Errorf("check --json printed more than one report")
	}
	if rep.Domain == nil || *rep.Domain != domain {
		t.Errorf("domain = %v, want %q", str(rep.Domain), domain)
	}
	if rep.Status == nil || *rep.Status != string(steps.StatusPending) {
		t.Errorf("status = %v, want pending", str(rep.Status))
	}
	if rep.CheckedAt == nil {
		t.Error("checked_at is missing")
	} else if at, err := time.Parse(time.RFC3339, *rep.CheckedAt); err != nil || !strings.HasSuffix(*rep.CheckedAt, "Z") || time.Since(at) > time.Minute {
		t.Errorf("checked_at = %q (%v), want RFC 3339 in UTC, just now", *rep.CheckedAt, err)
	}
	if rep.Mode == nil || *rep.Mode != "authoritative" {
		t.Errorf("mode = %v, want \"authoritative\"", str(rep.Mode))
	}
	if rep.Steps == nil {
		t.Fatal("steps is missing")
	}
	var ids []string
	for _, st := range steps.All() {
		ids = append(ids, st.ID)
	}
	var got []string
	kinds := map[string]bool{}
	for _, s := range *rep.Steps {
		id := str(s.ID)
		got = append(got, id)
		wantStep(t, s)
		for _, o := range deref(s.Observed) {
			kinds[wantObservation(t, id+" observed", o, true)] = true
		}
		for _, o := range deref(s.Resolvers) {
			kinds[wantObservation(t, id+" resolvers", o, false)] = true
		}
		for _, v := range deref(s.Servers) {
			kinds["server "+str(v.Verdict)] = true
		}
	}
	if !slices.Equal(got, ids) {
		t.Errorf("step ids %v, want %v in this order", got, ids)
	}
	// The state of the lab makes every kind of observation; all were seen.
	for _, k := range []string{"answer", "no", "error", "server ok", "server bad", "server unknown"} {
		if !kinds[k] {
			t.Errorf("no observation of kind %q in the report; the test lost its teeth", k)
		}
	}
	wantNoSecret(t, r.stdout)
}

// wantStep checks a step's fields other than its observations.
func wantStep(t *testing.T, s contractStep) {
	t.Helper()
	id := str(s.ID)
	if _, ok := steps.ByID(id); !ok {
		t.Errorf("step id %q is not a step", id)
	}
	if str(s.Title) == "" {
		t.Errorf("step %s has no title", id)
	}
	if !slices.Contains([]steps.Status{steps.StatusPass, steps.StatusWarn, steps.StatusPending, steps.StatusFail, steps.StatusError, steps.StatusSkipped}, steps.Status(str(s.Status))) {
		t.Errorf("step %s status %q is not a status", id, str(s.Status))
	}
	for name, present := range map[string]bool{"expected": s.Expected != nil, "observed": s.Observed != nil, "resolvers": s.Resolvers != nil, "findings": s.Findings != nil,
		"servers": s.Servers != nil, "second_opinion": s.SecondOpinion != nil} {
		if !present {
			t.Errorf("step %s: %s is missing or null, want a list", id, name)
		}
	}
	for _, rec := range deref(s.Expected) {
		if str(rec.Name) == "" || !strings.HasSuffix(str(rec.Name), ".") || str(rec.Type) == "" || rec.TTL == nil || *rec.TTL == 0 || str(rec.Value) == "" {
			t.Errorf("step %s: expected record %s %s ttl %v %q lacks a field", id, str(rec.Name), str(rec.Type), rec.TTL, str(rec.Value))
		}
		if rec.Optional != nil && !*rec.Optional {
			t.Errorf("step %s: \"optional\": false is written; it is left out unless true", id)
		}
	}
	for _, v := range deref(s.Servers) {
		if str(v.Server) == "" || str(v.Detail) == "" || !slices.Contains([]steps.Verdict{steps.VerdictOK, steps.VerdictBad, steps.VerdictUnknown}, steps.Verdict(str(v.Verdict))) {
			t.Errorf("step %s: server verdict %s %q %q lacks a field", id, str(v.Server), str(v.Verdict), str(v.Detail))
		}
	}
	for _, o := range deref(s.SecondOpinion) {
		if str(o.Resolver) == "" || o.Stale == nil || !strings.HasSuffix(str(o.Note), ".") && !strings.HasPrefix(str(o.Note), "Could not ask") {
			t.Errorf("step %s: second opinion %s %v %q lacks a field", id, str(o.Resolver), o.Stale, str(o.Note))
		}
	}
	for _, f := range deref(s.Findings) {
		if str(f.Code) == "" || str(f.Message) == "" {
			t.Errorf("step %s: finding %+v lacks a code or message", id, f)
		}
		if !slices.Contains([]steps.Severity{steps.SeverityError, steps.SeverityWarning, steps.SeverityInfo}, steps.Severity(str(f.Severity))) {
			t.Errorf("step %s: finding %s severity %q", id, str(f.Code), str(f.Severity))
		}
		if f.Hint != nil && *f.Hint == "" {
			t.Errorf("step %s: finding %s has an empty hint; it is left out when there is none", id, str(f.Code))
		}
	}
}

// wantObservation checks one entry of observed or resolvers and says
// which kind it is: "answer" (records), "no" (a cacheable negative reply)
// or "error" (no usable reply).
func wantObservation(t *testing.T, where string, o contractObservation, authoritative bool) string {
	t.Helper()
	for name, present := range map[string]bool{"question": o.Question != nil, "server": o.Server != nil, "address": o.Address != nil,
		"rcode": o.Rcode != nil, "records": o.Records != nil, "rtt_ms": o.RTTMillis != nil, "error": o.Error != nil} {
		if !present {
			t.Errorf("%s: %s is missing or null in %+v", where, name, o)
		}
	}
	if q := strings.Fields(str(o.Question)); len(q) != 2 || dns.StringToType[q[0]] == 0 || !strings.HasSuffix(q[1], ".") {
		t.Errorf("%s: question %q, want \"TYPE name.\"", where, str(o.Question))
	}
	// The server is a nameserver's name, or a resolver's address (also
	// in observed, for the questions only a resolver answers: the
	// blocklists); both empty when the question reached no server.
	server, addr := str(o.Server), str(o.Address)
	switch {
	case server == "" && addr == "" && str(o.Error) != "":
	case authoritative && strings.HasSuffix(server, "."), server == addr:
		if _, err := netip.ParseAddrPort(addr); err != nil {
			t.Errorf("%s: address %q is not ip:port", where, addr)
		}
	default:
		t.Errorf("%s: server %q at %q, want a nameserver's name or the resolver's address", where, server, addr)
	}
	if o.RTTMillis != nil && *o.RTTMillis < 0 {
		t.Errorf("%s: rtt_ms %d", where, *o.RTTMillis)
	}
	for _, line := range deref(o.Records) {
		if _, err := dns.NewRR(line); err != nil {
			t.Errorf("%s: record %q is not a zone-file line: %v", where, line, err)
		}
	}
	rcode, errText := str(o.Rcode), str(o.Error)
	if _, ok := dns.StringToRcode[rcode]; rcode != "" && !ok {
		t.Errorf("%s: rcode %q is not an rcode name", where, rcode)
	}
	switch {
	case errText != "":
		if o.NegativeTTL != nil {
			t.Errorf("%s: an error entry has negative_ttl_s", where)
		}
		return "error"
	case rcode == "":
		t.Errorf("%s: no rcode and no error", where)
		return ""
	case len(deref(o.Records)) > 0:
		return "answer"
	case o.NegativeTTL == nil || *o.NegativeTTL <= 0:
		t.Errorf("%s: a %s reply without records has no negative_ttl_s", where, rcode)
	}
	return "no"
}

// wantNoSecret: nothing of the DKIM private key is in out.
func wantNoSecret(t *testing.T, out string) {
	t.Helper()
	key, err := os.ReadFile(keyPath())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "PRIVATE KEY") {
		t.Error("the report holds a private key")
	}
	for line := range bytes.SplitSeq(key, []byte("\n")) {
		if len(line) >= 16 && !bytes.HasPrefix(line, []byte("-----")) && strings.Contains(out, string(line)) {
			t.Errorf("the report holds a line of the private key: %q", line)
		}
	}
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func deref[T any](s *[]T) []T {
	if s == nil {
		return nil
	}
	return *s
}
