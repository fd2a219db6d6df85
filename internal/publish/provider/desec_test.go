package provider

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailwizard/mailwizard/internal/steps"
)

const desecToken = "desec-test-token-5mN2pQ7rT9vX1zB4"

// desecZoneAPI plays deSEC's RRset API (desec.readthedocs.io, "Retrieving
// and Creating DNS Records") for the zone example.com, starting from the
// RRsets in testdata/desec/rrsets.json, and keeps what it is sent: a
// bulk PUT or PATCH replaces the RRsets it names (no records: deletes
// them). Like deSEC, it takes TXT records only as quoted strings and
// stores a string of more than 255 octets split into strings of 255.
type desecZoneAPI struct {
	*fakeAPI
	mu   sync.Mutex
	sets []desecSet
	// refuse, when set, is the answer to every request.
	refuse []byte
	// limited is how many requests to answer next with 429 Too Many
	// Requests, asking to wait retryAfter seconds.
	limited, retryAfter int
}

// RoundTrip answers as deSEC does when it limits the rate, or else as
// the API.
func (d *desecZoneAPI) RoundTrip(req *http.Request) (*http.Response, error) {
	d.mu.Lock()
	limit := d.limited > 0
	if limit {
		d.limited--
	}
	d.mu.Unlock()
	if !limit {
		return d.fakeAPI.RoundTrip(req)
	}
	body := `{"detail":"Request was throttled. Expected available in 1 second."}`
	return &http.Response{
		StatusCode: http.StatusTooManyRequests, Status: "429 Too Many Requests", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:  http.Header{"Content-Type": {"application/json"}, "Retry-After": {strconv.Itoa(d.retryAfter)}},
		Body:    io.NopCloser(strings.NewReader(body)),
		Request: req,
	}, nil
}

type desecSet struct {
	Domain  string   `json:"domain"`
	Subname string   `json:"subname"`
	Name    string   `json:"name"`
	Type    string   `json:"type"`
	Records []string `json:"records"`
	TTL     int      `json:"ttl,omitempty"`
}

func newDesecZoneAPI(t *testing.T) *desecZoneAPI {
	d := &desecZoneAPI{}
	if err := json.Unmarshal(testdata(t, "desec", "rrsets.json"), &d.sets); err != nil {
		t.Fatal(err)
	}
	d.fakeAPI = &fakeAPI{t: t, host: "desec.io", serve: d.serve}
	return d
}

func (d *desecZoneAPI) serve(r apiRequest) (int, []byte) {
	t := d.t
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.refuse != nil {
		return http.StatusUnauthorized, d.refuse
	}
	if r.header.Get("Authorization") != "Token "+desecToken {
		return http.StatusUnauthorized, testdata(t, "desec", "unauthorized.json")
	}
	const base = "/api/v1/domains/example.com/rrsets/"
	rest, ok := strings.CutPrefix(r.path, base)
	if !ok {
		return http.StatusNotFound, testdata(t, "desec", "not-found.json")
	}
	if rest == "" {
		switch r.method {
		case http.MethodGet:
			return http.StatusOK, mustJSON(t, d.sets)
		case http.MethodPut, http.MethodPatch:
			return d.bulk(r)
		}
		t.Errorf("deSEC's API has no %s", r)
		return http.StatusMethodNotAllowed, []byte(`{"detail":"Method not allowed."}`)
	}
	// One RRset: "<subname>/<type>/", "@/<type>/" or "<subname>.../<type>/".
	// The module leaves out the final slash, which deSEC answers too.
	sub, typ, ok := strings.Cut(strings.TrimSuffix(rest, "/"), "/")
	if !ok || r.method != http.MethodGet {
		t.Errorf("deSEC's API has no %s", r)
		return http.StatusNotFound, testdata(t, "desec", "not-found.json")
	}
	sub = strings.TrimSuffix(sub, "...")
	if sub == "@" {
		sub = ""
	}
	i := slices.IndexFunc(d.sets, func(s desecSet) bool { return s.Subname == sub && s.Type == typ })
	if i < 0 {
		return http.StatusNotFound, testdata(t, "desec", "not-found.json")
	}
	return http.StatusOK, mustJSON(t, d.sets[i])
}

// bulk applies a bulk PUT or PATCH of RRsets.
func (d *desecZoneAPI) bulk(r apiRequest) (int, []byte) {
	var in []desecSet
	if err := json.Unmarshal([]byte(r.body), &in); err != nil {
		return http.StatusBadRequest, []byte(`{"non_field_errors":["Invalid data. Expected a list of RRsets."]}`)
	}
	for _, s := range in {
		for j, rec := range s.Records {
			if s.Type != "TXT" {
				continue
			}
			canon, ok := desecCanonicalTXT(rec)
			if !ok {
				return http.StatusBadRequest, mustJSON(d.t, []map[string][]string{{"records": {"Data for TXT records must be given using quotation marks."}}})
			}
			s.Records[j] = canon
		}
		i := slices.IndexFunc(d.sets, func(c desecSet) bool { return c.Subname == s.Subname && c.Type == s.Type })
		switch {
		case len(s.Records) == 0 && i >= 0:
			d.sets = slices.Delete(d.sets, i, i+1)
		case len(s.Records) == 0:
		case i >= 0:
			d.sets[i].Records = s.Records
		default:
			s.Domain, s.Name = "example.com", strings.TrimPrefix(s.Subname+".example.com.", ".")
			d.sets = append(d.sets, s)
		}
	}
	return http.StatusOK, mustJSON(d.t, in)
}

// set returns the records of the RRset at sub and typ.
func (d *desecZoneAPI) set(sub, typ string) []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, s := range d.sets {
		if s.Subname == sub && s.Type == typ {
			return slices.Clone(s.Records)
		}
	}
	return nil
}

// desecCanonicalTXT is a TXT record as deSEC stores it: quoted strings of
// at most 255 octets. It reports false for content that is not quoted.
func desecCanonicalTXT(rec string) (string, bool) {
	var out []string
	for i := 0; i < len(rec); {
		if rec[i] == ' ' {
			i++
			continue
		}
		if rec[i] != '"' {
			return "", false
		}
		var b strings.Builder
		for i++; i < len(rec) && rec[i] != '"'; i++ {
			if rec[i] == '\\' && i+1 < len(rec) {
				i++
			}
			b.WriteByte(rec[i])
		}
		if i == len(rec) {
			return "", false
		}
		i++
		s := b.String()
		for len(s) > 255 {
			out = append(out, s[:255])
			s = s[255:]
		}
		out = append(out, s)
	}
	for i, s := range out {
		out[i] = `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
	}
	return strings.Join(out, " "), len(out) > 0
}

func mustJSON(t *testing.T, v any) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		t.Error(err)
	}
	return data
}

// openDesec opens deSEC with the token from DESEC_TOKEN, its HTTP calls
// answered by api: the module's through http.DefaultTransport, ours
// through the client publish gives it.
func openDesec(t *testing.T, api *desecZoneAPI) *Libdns {
	t.Helper()
	useDefaultTransport(t, api)
	return openWith(t, "desec", map[string]string{"DESEC_TOKEN": desecToken}, &http.Client{Transport: api})
}

func TestDesecWiring(t *testing.T) {
	api := newDesecZoneAPI(t)
	prov := openDesec(t, api)
	// The old DKIM key, which deSEC returns as two strings, is read as
	// one value.
	planAndApply(t, prov,
		`- mail._domainkey.example.com. 3600 IN TXT "v=DKIM1; k=rsa; p=BBBB`,
		`- example.com. 3600 IN MX 10 mx.old.example.net.`,
		`+ example.com. 3600 IN TXT "v=spf1 mx -all"`,
	)
	for _, r := range api.sent() {
		if a := r.header.Get("Authorization"); a != "Token "+desecToken {
			t.Errorf("%s: Authorization %q, want the token from DESEC_TOKEN", r, a)
		}
		if !strings.HasPrefix(r.path, "/api/v1/domains/example.com/") {
			t.Errorf("%s: not in the zone example.com (named without its final dot)", r)
		}
		// The new key is added as one string; deSEC splits it.
		if r.method == http.MethodPut && strings.Contains(r.body, "v=DKIM1; k=rsa; p=AAAA") && !strings.Contains(r.body, `\"`+newDKIMKey+`\"`) {
			t.Errorf("%s sends the DKIM key otherwise than as one quoted string: %s", r, r.body)
		}
	}
	for _, tc := range []struct {
		sub, typ string
		want     []string
	}{
		{"", "TXT", []string{`"google-site-verification=abc"`, `"v=spf1 mx -all"`}},
		{"", "MX", []string{"10 mail.example.com."}},
		{"mail._domainkey", "TXT", []string{`"` + newDKIMKey[:255] + `" "` + newDKIMKey[255:] + `"`}},
		{"other._domainkey", "TXT", []string{`"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="`}},
		{"_dmarc", "TXT", []string{`"v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com"`}},
		{"_submissions._tcp", "SRV", []string{"0 1 465 mail.example.com."}},
		{"autoconfig", "CNAME", []string{"mail.example.com."}},
	} {
		got := api.set(tc.sub, tc.typ)
		slices.Sort(got)
		slices.Sort(tc.want)
		if !slices.Equal(got, tc.want) {
			t.Errorf("after apply, %q %s holds %q, want %q", tc.sub, tc.typ, got, tc.want)
		}
	}
	wantNothingLeft(t, prov)
}

// TestDesecDeletesOnlyWhatItRead: a TXT value deSEC does not hold is an
// error, and nothing is sent to change the RRset.
func TestDesecDeletesOnlyWhatItRead(t *testing.T) {
	api := newDesecZoneAPI(t)
	prov := openDesec(t, api)
	err := prov.Delete(t.Context(), "example.com.", []steps.Record{{Name: "example.com.", Type: "TXT", TTL: 3600, Value: "v=spf1 -all"}})
	if err == nil || !strings.Contains(err.Error(), `no TXT record "v=spf1 -all" at example.com.`) {
		t.Errorf("error = %v, want one naming the record deSEC does not hold", err)
	}
	for _, r := range api.sent() {
		if r.method != http.MethodGet {
			t.Errorf("%s sent for a record that is not there", r)
		}
	}
	if got := api.set("", "TXT"); !slices.Equal(got, []string{`"google-site-verification=abc"`}) {
		t.Errorf("the apex TXT RRset is now %q", got)
	}
}

func TestDesecErrorIsScrubbed(t *testing.T) {
	api := newDesecZoneAPI(t)
	// A refusal that quotes the token, as an error page might.
	api.refuse = []byte(`{"detail":"Invalid token: ` + desecToken + `"}`)
	prov := openDesec(t, api)
	_, err := prov.Records(t.Context(), "example.com.")
	if err == nil || strings.Contains(err.Error(), desecToken) || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "Invalid token") {
		t.Errorf("error = %v, want deSEC's status and message without the token", err)
	}
	err = prov.Delete(t.Context(), "example.com.", []steps.Record{{Name: "mail._domainkey.example.com.", Type: "TXT", TTL: 3600, Value: newDKIMKey}})
	if err == nil || strings.Contains(err.Error(), desecToken) {
		t.Errorf("delete error = %v, want one without the token", err)
	}
}

// TestDesecWaitsWhenRateLimited: deSEC asks to wait with 429 and
// Retry-After; the delete waits and goes on, or gives up when the
// context ends first.
func TestDesecWaitsWhenRateLimited(t *testing.T) {
	api := newDesecZoneAPI(t)
	prov := openDesec(t, api)
	old := steps.Record{Name: "other._domainkey.example.com.", Type: "TXT", TTL: 3600, Value: "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="}
	api.limited, api.retryAfter = 1, 1
	if err := prov.Delete(t.Context(), "example.com.", []steps.Record{old}); err != nil {
		t.Fatalf("delete after a wait: %v", err)
	}
	if got := api.set("other._domainkey", "TXT"); got != nil {
		t.Errorf("other._domainkey TXT still holds %q", got)
	}

	api.limited, api.retryAfter = 1, 30
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := prov.Delete(ctx, "example.com.", []steps.Record{{Name: "example.com.", Type: "TXT", TTL: 3600, Value: "google-site-verification=abc"}})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Errorf("after %v: error = %v, want the context's deadline, soon after it", time.Since(start), err)
	}
	if got := api.set("", "TXT"); len(got) != 1 {
		t.Errorf("the apex TXT RRset changed: %q", got)
	}
}
