package publishtest

import (
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// OVHRecord is a record of a zone at OVHcloud, as its API has it
// (GET /domain/zone/{zoneName}/record/{id}).
type OVHRecord struct {
	ID        int64  `json:"id"`
	Zone      string `json:"zone"`
	SubDomain string `json:"subDomain"`
	FieldType string `json:"fieldType"`
	Target    string `json:"target"`
	TTL       int64  `json:"ttl"`
}

// OVH errors, as the API words them.
const (
	ovhInvalidKey        = `{"errorCode":"INVALID_KEY","httpCode":"403 Forbidden","message":"Invalid application key"}`
	ovhInvalidCredential = `{"errorCode":"INVALID_CREDENTIAL","httpCode":"403 Forbidden","message":"This credential does not exist"}`
	ovhInvalidSignature  = `{"errorCode":"INVALID_SIGNATURE","httpCode":"400 Bad Request","message":"Invalid signature"}`
)

// OVH plays the part of OVHcloud's API that DNS zones use (what
// libdns/ovh calls: the records of one zone, and its refresh) on a
// loopback HTTP server. It checks every signed request as OVHcloud does,
// with the application key, the consumer key and the signature made with
// the application secret, and it keeps the records it is sent. A request
// it has no answer for fails the test.
type OVH struct {
	// URL is the API's endpoint, "http://127.0.0.1:port/1.0": the
	// OVH_ENDPOINT to give.
	URL string
	// Zone is the zone it serves, "example.com".
	Zone string

	t                              testing.TB
	appKey, appSecret, consumerKey string

	mu       sync.Mutex
	records  []OVHRecord
	nextID   int64
	requests []string
	refusal  []byte
	// refuseChanges: refusal answers only the requests that change the
	// zone.
	refuseChanges bool
	refresh       int
}

// StartOVH serves zone with the records in the JSON array records (as
// the API returns them) until the test ends, for the given credentials.
func StartOVH(t testing.TB, zone, appKey, appSecret, consumerKey string, records []byte) *OVH {
	t.Helper()
	o := &OVH{t: t, Zone: zone, appKey: appKey, appSecret: appSecret, consumerKey: consumerKey, nextID: 5200000000}
	if len(records) > 0 {
		if err := json.Unmarshal(records, &o.records); err != nil {
			t.Fatalf("OVH records: %v", err)
		}
	}
	for _, r := range o.records {
		o.nextID = max(o.nextID, r.ID+1)
	}
	srv := httptest.NewServer(http.HandlerFunc(o.serve))
	t.Cleanup(srv.Close)
	o.URL = srv.URL + "/1.0"
	return o
}

// Refuse makes every signed request fail with 403 Forbidden and body;
// nil stops refusing.
func (o *OVH) Refuse(body []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.refusal, o.refuseChanges = body, false
}

// RefuseChanges makes every request that would change the zone fail
// with 403 Forbidden and body, as for credentials that may only read.
func (o *OVH) RefuseChanges(body []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.refusal, o.refuseChanges = body, true
}

// Records returns the zone's records now.
func (o *OVH) Records() []OVHRecord {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.records)
}

// Requests are the requests so far, "METHOD /1.0/path?query" each.
func (o *OVH) Requests() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.requests)
}

// Refreshes counts the zone refreshes asked for (POST …/refresh), which
// make OVHcloud's nameservers serve the changes.
func (o *OVH) Refreshes() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.refresh
}

func (o *OVH) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	o.mu.Lock()
	defer o.mu.Unlock()
	o.requests = append(o.requests, r.Method+" "+r.URL.RequestURI())
	reply := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		if s, ok := v.(string); ok {
			io.WriteString(w, s)
			return
		}
		json.NewEncoder(w).Encode(v)
	}
	// A request OVHcloud's API has no answer for is a mistake of the
	// caller: it fails the test.
	unknown := func(status int, msg string) {
		o.t.Errorf("OVHcloud's API has no %s %s", r.Method, r.URL.RequestURI())
		reply(status, msg)
	}
	path, ok := strings.CutPrefix(r.URL.Path, "/1.0")
	if !ok {
		unknown(http.StatusNotFound, `{"message":"Not found"}`)
		return
	}
	if path == "/auth/time" && r.Method == http.MethodGet {
		reply(http.StatusOK, time.Now().Unix())
		return
	}
	if status, why := o.authenticate(r, body); why != "" {
		reply(status, why)
		return
	}
	if o.refusal != nil && (!o.refuseChanges || r.Method != http.MethodGet) {
		reply(http.StatusForbidden, string(o.refusal))
		return
	}
	zonePath := "/domain/zone/" + o.Zone
	rest, ok := strings.CutPrefix(path, zonePath)
	if !ok {
		unknown(http.StatusNotFound, `{"message":"This service does not exist"}`)
		return
	}
	switch {
	case rest == "/record" && r.Method == http.MethodGet:
		typ, sub := r.URL.Query().Get("fieldType"), r.URL.Query().Get("subDomain")
		ids := []int64{}
		for _, rec := range o.records {
			// An empty filter filters nothing.
			if (typ == "" || rec.FieldType == typ) && (sub == "" || rec.SubDomain == sub) {
				ids = append(ids, rec.ID)
			}
		}
		reply(http.StatusOK, ids)
	case rest == "/record" && r.Method == http.MethodPost:
		var rec OVHRecord
		if err := json.Unmarshal(body, &rec); err != nil || rec.FieldType == "" {
			unknown(http.StatusBadRequest, `{"message":"Invalid body"}`)
			return
		}
		// TXT data is kept in quotes, as the zone file has it.
		if rec.FieldType == "TXT" && !strings.HasPrefix(rec.Target, `"`) {
			rec.Target = `"` + rec.Target + `"`
		}
		rec.ID, rec.Zone = o.nextID, o.Zone
		o.nextID++
		o.records = append(o.records, rec)
		reply(http.StatusOK, rec)
	case strings.HasPrefix(rest, "/record/"):
		id, err := strconv.ParseInt(strings.TrimPrefix(rest, "/record/"), 10, 64)
		i := slices.IndexFunc(o.records, func(rec OVHRecord) bool { return rec.ID == id })
		if err != nil || i < 0 {
			reply(http.StatusNotFound, fmt.Sprintf(`{"message":"The requested object (id = %s) does not exist"}`, strings.TrimPrefix(rest, "/record/")))
			return
		}
		switch r.Method {
		case http.MethodGet:
			reply(http.StatusOK, o.records[i])
		case http.MethodDelete:
			o.records = slices.Delete(o.records, i, i+1)
			reply(http.StatusOK, "null")
		default:
			unknown(http.StatusMethodNotAllowed, `{"message":"Method not allowed"}`)
		}
	case rest == "/refresh" && r.Method == http.MethodPost:
		o.refresh++
		reply(http.StatusOK, "null")
	default:
		unknown(http.StatusNotFound, `{"message":"Got an invalid (or empty) URL"}`)
	}
}

// authenticate checks a signed request as OVHcloud documents it: the
// application key, the consumer key, and X-Ovh-Signature
// "$1$" + SHA1(secret+consumer key+method+URL+body+timestamp), all joined
// with "+". It returns the API's status and error, or "".
func (o *OVH) authenticate(r *http.Request, body []byte) (int, string) {
	switch {
	case r.Header.Get("X-Ovh-Application") != o.appKey:
		return http.StatusForbidden, ovhInvalidKey
	case r.Header.Get("X-Ovh-Consumer") != o.consumerKey:
		return http.StatusForbidden, ovhInvalidCredential
	}
	target := "http://" + r.Host + r.URL.RequestURI()
	sum := sha1.Sum([]byte(strings.Join([]string{o.appSecret, o.consumerKey, r.Method, target, string(body), r.Header.Get("X-Ovh-Timestamp")}, "+")))
	if r.Header.Get("X-Ovh-Signature") != fmt.Sprintf("$1$%x", sum) {
		return http.StatusBadRequest, ovhInvalidSignature
	}
	return 0, ""
}
