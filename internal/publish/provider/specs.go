package provider

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/libdns/cloudflare"
	"github.com/libdns/desec"
	"github.com/libdns/ovh"
	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/assets"
)

// RFC2136 is the name of the RFC 2136 provider: updates signed with a
// TSIG key, sent to the zone's primary server.
const RFC2136 = "rfc2136"

// httpTimeout bounds one API request of the providers whose module takes
// an HTTP client; the context bounds every call.
const httpTimeout = 30 * time.Second

// Spec describes one provider publish can use. Capabilities are data:
// the variables it reads, how its API wants TXT values, how it names
// zones, and which nameservers reveal it.
type Spec struct {
	// Name is the --provider value: "cloudflare".
	Name string
	// Title is the provider's name for people: "Cloudflare".
	Title string
	// Vars are the environment variables it reads, in the order the
	// README lists them.
	Vars []Var
	// AssetID is the id of the provider in assets.Providers whose
	// nameservers reveal this one; NSSuffixes are nameserver suffixes of
	// its own for providers the wizard's form does not list.
	AssetID    string
	NSSuffixes []string
	// TXT is how its module wants TXT values.
	TXT TXTStyle
	// ZoneDot is whether the module wants the zone name with its final
	// dot ("example.com.") or without ("example.com").
	ZoneDot bool
	// open makes the module's provider from the credentials; client is
	// the HTTP client, used where the module takes one and for the calls
	// this package makes itself (deSEC's TXT deletions).
	open func(c Credentials, client *http.Client) Zone
}

// Specs lists the providers publish can use, rfc2136 first.
func Specs() []Spec {
	return []Spec{
		{
			Name: RFC2136, Title: "RFC 2136 dynamic update", TXT: TXTEscaped, ZoneDot: true,
		},
		{
			Name: "cloudflare", Title: "Cloudflare", AssetID: "cloudflare",
			Vars: []Var{
				{Name: "CLOUDFLARE_API_TOKEN", Required: true, Secret: true, About: "an API token with Zone.DNS edit permission"},
				{Name: "CLOUDFLARE_ZONE_TOKEN", Secret: true, About: "optional: a token with Zone read permission, when the API token is scoped to one zone"},
			},
			// Cloudflare splits strings over 255 octets itself.
			TXT: TXTWhole,
			open: func(c Credentials, client *http.Client) Zone {
				return &cloudflare.Provider{APIToken: c["CLOUDFLARE_API_TOKEN"], ZoneToken: c["CLOUDFLARE_ZONE_TOKEN"], HTTPClient: client}
			},
		},
		{
			Name: "desec", Title: "deSEC", NSSuffixes: []string{"desec.io.", "desec.org."},
			Vars: []Var{{Name: "DESEC_TOKEN", Required: true, Secret: true, About: "a deSEC API token"}},
			// The module quotes the value itself and escapes quotes, so
			// it cannot be given split strings; deSEC splits a string of
			// more than 255 octets itself, and returns it split.
			TXT: TXTWhole, ZoneDot: true,
			open: func(c Credentials, client *http.Client) Zone {
				return desecZone{Provider: &desec.Provider{Token: c["DESEC_TOKEN"]}, client: client}
			},
		},
		{
			Name: "ovh", Title: "OVHcloud", AssetID: "ovh",
			Vars: []Var{
				{Name: "OVH_ENDPOINT", About: "optional: ovh-eu (the default), ovh-ca, ovh-us or the API's URL"},
				{Name: "OVH_APPLICATION_KEY", Required: true, Secret: true, About: "the application key"},
				{Name: "OVH_APPLICATION_SECRET", Required: true, Secret: true, About: "the application secret"},
				{Name: "OVH_CONSUMER_KEY", Required: true, Secret: true, About: "the consumer key"},
			},
			// The module strips every quote from a TXT value.
			TXT: TXTWhole,
			open: func(c Credentials, _ *http.Client) Zone {
				endpoint := c["OVH_ENDPOINT"]
				if endpoint == "" {
					endpoint = "ovh-eu"
				}
				return &ovh.Provider{Endpoint: endpoint, ApplicationKey: c["OVH_APPLICATION_KEY"], ApplicationSecret: c["OVH_APPLICATION_SECRET"], ConsumerKey: c["OVH_CONSUMER_KEY"]}
			},
		},
	}
}

// ByName returns the provider named name (any case).
func ByName(name string) (Spec, bool) {
	for _, s := range Specs() {
		if strings.EqualFold(s.Name, strings.TrimSpace(name)) {
			return s, true
		}
	}
	return Spec{}, false
}

// Names lists the provider names, for messages: "rfc2136, cloudflare, …".
func Names() string {
	var names []string
	for _, s := range Specs() {
		names = append(names, s.Name)
	}
	return strings.Join(names, ", ")
}

// Suggest names the provider whose API serves a zone with these
// nameservers, from the wizard's provider data or the provider's own
// nameserver names. It reports false when none matches.
func Suggest(nsNames []string) (Spec, bool) {
	if p, ok := assets.DetectProvider(nsNames); ok {
		for _, s := range Specs() {
			if s.AssetID != "" && s.AssetID == p.ID {
				return s, true
			}
		}
	}
	for _, s := range Specs() {
		for _, ns := range nsNames {
			ns = dns.CanonicalName(ns)
			if slices.ContainsFunc(s.NSSuffixes, func(suffix string) bool { return strings.HasSuffix(ns, "."+suffix) }) {
				return s, true
			}
		}
	}
	return Spec{}, false
}

// Open makes the provider from its credentials. client is the HTTP
// client for modules that take one and for this package's own calls
// (nil: one with a 30 s timeout).
func (s Spec) Open(c Credentials, client *http.Client) (*Libdns, error) {
	if s.open == nil {
		return nil, fmt.Errorf("%s is not opened with credentials", s.Name)
	}
	if err := s.complete(c, "in the credentials"); err != nil {
		return nil, err
	}
	if client == nil {
		client = &http.Client{Timeout: httpTimeout}
	}
	l := NewLibdns(s.open(c, client), s.TXT, s.secrets(c)...)
	if !s.ZoneDot {
		l.zoneName = func(z string) string { return strings.TrimSuffix(z, ".") }
	}
	return l, nil
}
