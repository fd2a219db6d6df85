package provider

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/libdns/libdns"

	"github.com/mailwizard/mailwizard/internal/publish"
	"github.com/mailwizard/mailwizard/internal/publish/publishtest"
	"github.com/mailwizard/mailwizard/internal/steps"
)

const cfToken = "cf-test-token-0123456789"

// mailRecords are a mail server's records in example.com.
func mailRecords() []publish.StepRecords {
	return publish.Wanted(steps.Config{
		Domain: "example.com.", Host: "mail.example.com.", DKIMSelector: "mail", DNSBL: []string{},
		Skip: []string{steps.IDPTR, steps.IDDKIM},
	})
}

// TestEveryProviderPlansAndApplies runs each provider's plan and apply
// against an in-memory libdns zone, with the provider's way of handling
// TXT values: a second plan is empty and the unrelated records survive.
func TestEveryProviderPlansAndApplies(t *testing.T) {
	for _, spec := range Specs() {
		t.Run(spec.Name, func(t *testing.T) {
			z := &publishtest.Zone{}
			z.Load(libdns.RR{Name: "@", Type: "TXT", TTL: 3600e9, Data: "google-site-verification=abc"},
				libdns.RR{Name: "@", Type: "MX", TTL: 3600e9, Data: "10 mx.old.example.net."})
			prov := NewLibdns(z, spec.TXT)
			ctx := t.Context()
			p, err := publish.Read(ctx, prov, "example.com.", mailRecords())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := publish.Apply(ctx, prov, p); err != nil {
				t.Fatal(err)
			}
			again, err := publish.Read(ctx, prov, "example.com.", mailRecords())
			if err != nil {
				t.Fatal(err)
			}
			if again.Pending() {
				t.Errorf("second plan is not empty:\n%s", strings.Join(publish.Lines(again), "\n"))
			}
			if z.Calls("SetRecords") != 0 {
				t.Errorf("SetRecords was called")
			}
			var verification, oldMX bool
			for _, rr := range z.RRs() {
				verification = verification || rr.Data == "google-site-verification=abc"
				oldMX = oldMX || strings.Contains(rr.Data, "mx.old")
			}
			if !verification || oldMX {
				t.Errorf("after apply: site verification kept %v (want true), old MX kept %v (want false)", verification, oldMX)
			}
		})
	}
}

// cloudflareAPI plays Cloudflare's API with its documented responses
// from testdata; deny answers every request with its refusal, which
// quotes the token.
func cloudflareAPI(t *testing.T, deny bool) *fakeAPI {
	return &fakeAPI{t: t, host: "api.cloudflare.com", serve: func(r apiRequest) (int, []byte) {
		file := ""
		switch {
		case deny:
			return http.StatusForbidden, testdata(t, "cloudflare", "forbidden.json")
		case r.path == "/client/v4/zones":
			file = "zones.json"
		case r.method == http.MethodGet && strings.Contains(r.query, "type=MX"):
			file = "mx-search.json"
		case r.method == http.MethodGet:
			file = "records.json"
		case r.method == http.MethodPost:
			file = "created.json"
		case r.method == http.MethodDelete:
			file = "deleted.json"
		default:
			t.Errorf("Cloudflare's API has no %s", r)
			return http.StatusNotFound, []byte(`{"success":false,"errors":[{"code":7003,"message":"No route for that URI"}]}`)
		}
		return http.StatusOK, testdata(t, "cloudflare", file)
	}}
}

func openCloudflare(t *testing.T, api *fakeAPI) *Libdns {
	t.Helper()
	return openWith(t, "cloudflare", map[string]string{"CLOUDFLARE_API_TOKEN": cfToken}, &http.Client{Transport: api})
}

func TestCloudflareWiring(t *testing.T) {
	api := cloudflareAPI(t, false)
	prov := openCloudflare(t, api)
	want := []publish.StepRecords{
		{ID: steps.IDMX, Where: steps.AtDNSProvider, Records: []steps.Record{{Name: "example.com.", Type: "MX", TTL: 3600, Value: "10 mail.example.com."}}},
		{ID: steps.IDDKIM, Where: steps.AtDNSProvider, Records: []steps.Record{{Name: "mail._domainkey.example.com.", Type: "TXT", TTL: 3600, Value: "v=DKIM1; k=rsa; p=" + strings.Repeat("A", 392)}}},
	}
	p, err := publish.Read(t.Context(), prov, "example.com.", want)
	if err != nil {
		t.Fatal(err)
	}
	// The DKIM key comes back as two quoted strings: joined, it is
	// already right.
	if got := p.Count(publish.Keep); got != 1 || p.Count(publish.Replace) != 1 {
		t.Fatalf("plan:\n%s", strings.Join(publish.Lines(p), "\n"))
	}
	if _, err := publish.Apply(t.Context(), prov, p); err != nil {
		t.Fatal(err)
	}
	joined := api.sentLines()
	for _, w := range []string{"GET /client/v4/zones?name=example.com", "POST /client/v4/zones/023e105f4ecef8ad9ca31a8372d0c353/dns_records", "DELETE /client/v4/zones/023e105f4ecef8ad9ca31a8372d0c353/dns_records/a2"} {
		if !strings.Contains(joined, w) {
			t.Errorf("no request %q in:\n%s", w, joined)
		}
	}
	for _, r := range api.sent() {
		if a := r.header.Get("Authorization"); a != "Bearer "+cfToken {
			t.Errorf("%s: Authorization %q, want the token from CLOUDFLARE_API_TOKEN", r, a)
		}
		if r.method == http.MethodPost && !strings.Contains(r.body, `"mail.example.com"`) {
			t.Errorf("POST body %s does not add the MX target", r.body)
		}
	}
}

func TestCloudflareErrorIsScrubbed(t *testing.T) {
	prov := openCloudflare(t, cloudflareAPI(t, true))
	_, err := prov.Records(t.Context(), "example.com.")
	if err == nil || strings.Contains(err.Error(), cfToken) || !strings.Contains(err.Error(), "Authentication error") {
		t.Errorf("error = %v, want Cloudflare's message without the token", err)
	}
}

func TestCallHonoursTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	block := make(chan struct{})
	defer close(block)
	_, err := call(ctx, func() (int, error) { <-block; return 0, nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("call = %v, want the context's error", err)
	}
}

func TestTXTDecode(t *testing.T) {
	for in, want := range map[string]string{
		`v=spf1 mx -all`:     "v=spf1 mx -all",
		`"v=spf1 mx -all"`:   "v=spf1 mx -all",
		`abc" "def`:          "abcdef",
		`"abc" "def"`:        "abcdef",
		`say "hi" to "them"`: `say "hi" to "them"`,
	} {
		if got := TXTWhole.decode(in); got != want {
			t.Errorf("decode(%q) = %q, want %q", in, got, want)
		}
	}
	long := strings.Repeat("a", 300)
	if got := TXTQuoted.encode(long); got != `"`+long[:255]+`" "`+long[255:]+`"` {
		t.Errorf("encode of 300 octets = %q", got)
	}
	if got := TXTEscaped.decode(`v=DKIM1\; p=\"x\"`); got != `v=DKIM1; p="x"` {
		t.Errorf("escaped decode = %q", got)
	}
}

func TestParseTSIGKey(t *testing.T) {
	good := "# made by tsig-keygen\nkey \"mail-update.example.com\" {\n\talgorithm hmac-sha256;\n\tsecret \"c2VjcmV0LXNlY3JldC1zZWNyZXQ=\";\n};\n"
	key, err := ParseTSIGKey("mail.key", []byte(good))
	if err != nil || key.Name != "mail-update.example.com." || key.Algorithm != "hmac-sha256." || key.Secret != "c2VjcmV0LXNlY3JldC1zZWNyZXQ=" {
		t.Fatalf("ParseTSIGKey = %+v, %v", key, err)
	}
	for name, tc := range map[string]struct{ file, want string }{
		"not a key file": {"hmac-sha256:k:c2VjcmV0\n", `mail.key:1: expected a key statement`},
		"bad algorithm":  {"key k {\n algorithm rot13;\n secret \"c2VjcmV0\";\n};", `mail.key:2: unknown algorithm "rot13"`},
		"no secret":      {"key k {\n algorithm hmac-sha256;\n};", `mail.key:3: the key k. has no secret line`},
		"bad base64":     {"key k {\n algorithm hmac-sha256;\n secret \"not base64!\";\n};", `mail.key:3: the secret is not base64`},
		"not closed":     {"key k {\n algorithm hmac-sha256;\n secret \"c2VjcmV0\";\n", `mail.key:3: the key k. is not closed`},
		"two keys":       {good + good, `mail.key:7: more follows the key`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseTSIGKey("mail.key", []byte(tc.file))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want %q", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "c2VjcmV0") {
				t.Errorf("the error quotes the secret: %v", err)
			}
		})
	}
}

func TestReadCredentials(t *testing.T) {
	spec, _ := ByName("ovh")
	none := func(string) string { return "" }
	if _, err := spec.ReadCredentials(none, "", nil); err == nil || !strings.Contains(err.Error(), "OVH_APPLICATION_KEY") {
		t.Errorf("missing variables: %v", err)
	}
	file := "# ovh\nOVH_APPLICATION_KEY=ak-secretvalue\nexport OVH_APPLICATION_SECRET='as-secretvalue'\nOVH_CONSUMER_KEY=\"ck-secretvalue\"\n"
	c, err := spec.ReadCredentials(none, "ovh.env", []byte(file))
	if err != nil || c["OVH_APPLICATION_SECRET"] != "as-secretvalue" || c["OVH_CONSUMER_KEY"] != "ck-secretvalue" {
		t.Fatalf("ReadCredentials = %v, %v", c, err)
	}
	for line, tc := range map[string]struct{ want, secret string }{
		"as-pastedsecretvalue":           {"ovh.env:2: expected NAME=value", "as-pasted"},
		"OVH_APP_KEY=ak":                 {`ovh.env:2: "OVH_APP_KEY" is not a variable of OVHcloud, which reads OVH_ENDPOINT, OVH_APPLICATION_KEY`, ""},
		"Zk3pQ7rT9vX1zB4mN2=ak":          {"ovh.env:2: the name on this line is not a variable of OVHcloud", "Zk3pQ7rT9vX1zB4mN2"},
		"AKIAIOSFODNN7EXAMPLE=ak":        {"ovh.env:2: the name on this line is not a variable", "AKIAIOSFODNN7EXAMPLE"},
		"export as-pasted secret value=": {"ovh.env:2: the name on this line is not a variable", "pasted secret"},
	} {
		_, err = spec.ReadCredentials(none, "ovh.env", []byte("OVH_APPLICATION_KEY=ak\n"+line+"\n"))
		if err == nil || !strings.Contains(err.Error(), tc.want) || tc.secret != "" && strings.Contains(err.Error(), tc.secret) {
			t.Errorf("line %q: error %v, want %q without %q", line, err, tc.want, tc.secret)
		}
	}
}

func TestScrub(t *testing.T) {
	s := newScrubber("s3cr3t/+token", "ab")
	got := s.text("GET https://api.example/x?token=s3cr3t%2F%2Btoken failed: s3cr3t/+token \x1b[31m")
	if strings.Contains(got, "s3cr3t") || strings.Contains(got, "\x1b") {
		t.Errorf("scrubbed = %q", got)
	}
}

func TestSuggest(t *testing.T) {
	for ns, want := range map[string]string{
		"ada.ns.cloudflare.com.": "cloudflare",
		"ns1.desec.io.":          "desec",
		"dns109.ovh.net.":        "ovh",
	} {
		if s, ok := Suggest([]string{ns}); !ok || s.Name != want {
			t.Errorf("Suggest(%s) = %q, %v, want %q", ns, s.Name, ok, want)
		}
	}
	if s, ok := Suggest([]string{"ns1.example.net."}); ok {
		t.Errorf("Suggest of an unknown server = %q", s.Name)
	}
}
