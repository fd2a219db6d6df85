package provider

import (
	"slices"
	"strings"
	"testing"

	"github.com/mailwizard/mailwizard/internal/publish/publishtest"
)

// OVHcloud credentials of the tests.
const (
	ovhAppKey      = "ovh-test-ak-7Hq2Lm9Xc4Vb"
	ovhAppSecret   = "ovh-test-as-3Kd8Pw1Zr6Ny0Tf5"
	ovhConsumerKey = "ovh-test-ck-9Gs4Je2Ua7Qm5Wx1"
)

// openOVH opens OVHcloud with the credentials from the environment,
// OVH_ENDPOINT naming api, an OVHcloud API played on loopback.
func openOVH(t *testing.T, api *publishtest.OVH) *Libdns {
	t.Helper()
	return openWith(t, "ovh", map[string]string{
		"OVH_ENDPOINT": api.URL, "OVH_APPLICATION_KEY": ovhAppKey,
		"OVH_APPLICATION_SECRET": ovhAppSecret, "OVH_CONSUMER_KEY": ovhConsumerKey,
	}, nil)
}

func startOVH(t *testing.T) *publishtest.OVH {
	return publishtest.StartOVH(t, "example.com", ovhAppKey, ovhAppSecret, ovhConsumerKey, testdata(t, "ovh", "records.json"))
}

func TestOVHWiring(t *testing.T) {
	api := startOVH(t)
	prov := openOVH(t, api)
	// OVHcloud's default zone points autoconfig at its own mail service:
	// the alias is the mail server's to replace. The old DKIM key, two
	// strings, is read as one value.
	planAndApply(t, prov,
		"- example.com. 0 IN MX 1 mx1.mail.ovh.net.",
		"- autoconfig.example.com. 0 IN CNAME mailconfig.ovh.net.",
		"- _autodiscover._tcp.example.com. 0 IN SRV 0 0 443 mailconfig.ovh.net.",
		`- mail._domainkey.example.com. 3600 IN TXT "v=DKIM1; k=rsa; p=BBBB`,
	)
	for _, r := range api.Requests() {
		if !strings.Contains(r, " /1.0/auth/time") && !strings.Contains(r, " /1.0/domain/zone/example.com/") {
			t.Errorf("%s: not in the zone example.com (named without its final dot)", r)
		}
	}
	if api.Refreshes() == 0 {
		t.Errorf("the zone was never refreshed, so OVHcloud's nameservers would not serve the changes")
	}

	got := map[string][]string{}
	for _, r := range api.Records() {
		key := r.SubDomain + " " + r.FieldType
		got[key] = append(got[key], r.Target)
	}
	for key, want := range map[string][]string{
		" NS":                    {"dns109.ovh.net.", "ns109.ovh.net."},
		" MX":                    {"10 mail.example.com."},
		" TXT":                   {`"google-site-verification=abc"`, `"v=spf1 mx -all"`},
		"mail._domainkey TXT":    {`"` + newDKIMKey + `"`},
		"other._domainkey TXT":   {`"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="`},
		"autoconfig CNAME":       {"mail.example.com."},
		"_autodiscover._tcp SRV": {"0 1 443 mail.example.com."},
		"_dmarc TXT":             {`"v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com"`},
	} {
		slices.Sort(got[key])
		if !slices.Equal(got[key], want) {
			t.Errorf("after apply, %q holds %q, want %q", key, got[key], want)
		}
	}
	wantNothingLeft(t, prov)
}

func TestOVHErrorIsScrubbed(t *testing.T) {
	api := startOVH(t)
	// A refusal that quotes the keys, as an error page might.
	api.Refuse([]byte(`{"errorCode":"INVALID_CREDENTIAL","httpCode":"403 Forbidden","message":"This credential does not exist: ` + ovhConsumerKey + ` for application ` + ovhAppKey + `"}`))
	prov := openOVH(t, api)
	_, err := prov.Records(t.Context(), "example.com.")
	if err == nil || !strings.Contains(err.Error(), "This credential does not exist") {
		t.Fatalf("error = %v, want OVHcloud's message", err)
	}
	for _, secret := range []string{ovhAppKey, ovhAppSecret, ovhConsumerKey} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q holds a credential", err)
		}
	}
}
