package assets

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/BurntSushi/toml"
)

// Provider is how one DNS provider's record form works.
type Provider struct {
	ID   string `toml:"id"`   // "cloudflare", "route53", …, "other"
	Name string `toml:"name"` // "Cloudflare"
	// HostLabel, TypeLabel, ValueLabel, TTLLabel, PriorityLabel are the
	// provider's own field labels ("Name", "Content", …), or generic ones
	// where the provider's are not known. An empty PriorityLabel means the
	// form has no priority field: the priority is typed in the value,
	// before the target ("10 mail.example.com.").
	HostLabel     string `toml:"host_label"`
	TypeLabel     string `toml:"type_label"`
	ValueLabel    string `toml:"value_label"`
	TTLLabel      string `toml:"ttl_label"`
	PriorityLabel string `toml:"priority_label"`
	// Apex is what to type in the host field for the zone apex: "@", or ""
	// for "leave it empty".
	Apex string `toml:"apex"`
	// FullName is true when the host field takes the full name (and does
	// not append the zone).
	FullName bool `toml:"full_name"`
	// TXTQuotes: "add" (type the quotes), "none" (never type quotes),
	// "either", or "unknown" (show the bare value and the zone-file form).
	// See the Quotes… constants.
	TXTQuotes string `toml:"txt_quotes"`
	// LongTXT says how a TXT value over 255 characters is entered:
	// "auto" (paste it whole, the provider splits it), "split" (type it as
	// several quoted strings "…" "…"), "unknown". See the LongTXT…
	// constants.
	LongTXT string `toml:"long_txt"`
	// SRVForm is "fields" (service, protocol, priority, weight, port,
	// target), "value" (one line "prio weight port target") or "unknown".
	// See the SRV… constants.
	SRVForm string `toml:"srv_form"`
	// Notes are provider-specific warnings (Cloudflare's proxy switch, a
	// target that needs a trailing dot, …), one sentence each.
	Notes []string `toml:"notes"`
	// DNSSEC says, one sentence each, how signing is switched on at the
	// provider and where the DS record goes; empty where no source says.
	DNSSEC []string `toml:"dnssec"`
	// NSSuffixes identify the provider from a zone's NS names. Each is a
	// domain suffix matched at label boundaries, case-insensitively; a
	// label "*" matches any one label and a label ending in "*" any label
	// with that prefix ("awsdns-*.com.").
	NSSuffixes []string `toml:"ns_suffixes"`
}

// Values of Provider.TXTQuotes.
const (
	QuotesAdd     = "add"     // type the value in double quotes
	QuotesNone    = "none"    // never type quotes
	QuotesEither  = "either"  // quotes are optional
	QuotesUnknown = "unknown" // not known: show the bare value and the zone-file form
)

// Values of Provider.LongTXT.
const (
	LongTXTAuto    = "auto"    // paste the whole value; the provider splits it
	LongTXTSplit   = "split"   // type it as several quoted strings "…" "…"
	LongTXTUnknown = "unknown" // not known
)

// Values of Provider.SRVForm.
const (
	SRVFields  = "fields"  // separate service, protocol, priority, weight, port, target
	SRVValue   = "value"   // one line "prio weight port target"
	SRVUnknown = "unknown" // not known
)

// OtherProviderID is the id of the generic provider: a zone file, or any
// provider the wizard does not know. It is always last in Providers.
const OtherProviderID = "other"

// Providers lists the DNS providers the wizard knows, "other" last. It
// returns nil only if the embedded data is broken, which the package's
// tests rule out.
func Providers() []Provider {
	providers, err := parsedProviders()
	if err != nil {
		return nil
	}
	out := make([]Provider, len(providers))
	for i, p := range providers {
		out[i] = p.clone()
	}
	return out
}

// parsedProviders parses providers.toml once: the embedded file cannot
// change, and the wizard asks on every screen it draws. Callers get clones.
var parsedProviders = sync.OnceValues(loadProviders)

// clone copies p, its slices included, so that no caller can change what
// another sees.
func (p Provider) clone() Provider {
	p.Notes, p.NSSuffixes, p.DNSSEC = slices.Clone(p.Notes), slices.Clone(p.NSSuffixes), slices.Clone(p.DNSSEC)
	return p
}

// ProviderByID returns the provider with the given id.
func ProviderByID(id string) (Provider, bool) {
	providers, _ := parsedProviders()
	for _, p := range providers {
		if p.ID == id {
			return p.clone(), true
		}
	}
	return Provider{}, false
}

// DetectProvider names the DNS provider from a zone's NS names (absolute
// or not, any case). The provider whose NSSuffixes match the most names
// wins; on a tie, the one listed first. It reports false when no name
// matches.
func DetectProvider(nsNames []string) (Provider, bool) {
	var (
		best  Provider
		count int
	)
	providers, _ := parsedProviders()
	for _, p := range providers {
		n := 0
		for _, ns := range nsNames {
			if matchAny(ns, p.NSSuffixes) {
				n++
			}
		}
		if n > count {
			best, count = p, n
		}
	}
	return best.clone(), count > 0
}

// loadProviders parses providers.toml and checks every entry.
func loadProviders() ([]Provider, error) {
	data, err := files.ReadFile("providers.toml")
	if err != nil {
		return nil, fmt.Errorf("read providers: %w", err)
	}
	providers, err := parseProviders(string(data))
	if err != nil {
		return nil, fmt.Errorf("providers.toml: %w", err)
	}
	return providers, nil
}

// parseProviders decodes a providers file: a list of [[provider]] tables.
func parseProviders(data string) ([]Provider, error) {
	var file struct {
		Provider []Provider `toml:"provider"`
	}
	md, err := toml.Decode(data, &file)
	if err != nil {
		return nil, err
	}
	if keys := md.Undecoded(); len(keys) > 0 {
		return nil, fmt.Errorf("unknown key %q", keys[0].String())
	}
	if len(file.Provider) == 0 {
		return nil, errors.New("no providers")
	}
	seen := make(map[string]bool, len(file.Provider))
	for i, p := range file.Provider {
		if err := p.check(); err != nil {
			return nil, fmt.Errorf("provider %d (%q): %w", i+1, p.ID, err)
		}
		if seen[p.ID] {
			return nil, fmt.Errorf("provider %q appears twice", p.ID)
		}
		seen[p.ID] = true
	}
	if last := file.Provider[len(file.Provider)-1]; last.ID != OtherProviderID {
		return nil, fmt.Errorf("the last provider is %q, want %q", last.ID, OtherProviderID)
	}
	return file.Provider, nil
}

// check reports the first missing or out-of-range field of p.
func (p Provider) check() error {
	required := []struct{ field, value string }{
		{"id", p.ID}, {"name", p.Name}, {"host_label", p.HostLabel},
		{"type_label", p.TypeLabel}, {"value_label", p.ValueLabel},
		{"ttl_label", p.TTLLabel},
	}
	for _, r := range required {
		if r.value == "" {
			return fmt.Errorf("%s is empty", r.field)
		}
	}
	if p.Apex != "" && p.Apex != "@" {
		return fmt.Errorf("apex is %q, want \"@\" or empty", p.Apex)
	}
	enums := []struct {
		field, value string
		allowed      []string
	}{
		{"txt_quotes", p.TXTQuotes, []string{QuotesAdd, QuotesNone, QuotesEither, QuotesUnknown}},
		{"long_txt", p.LongTXT, []string{LongTXTAuto, LongTXTSplit, LongTXTUnknown}},
		{"srv_form", p.SRVForm, []string{SRVFields, SRVValue, SRVUnknown}},
	}
	for _, e := range enums {
		if !slices.Contains(e.allowed, e.value) {
			return fmt.Errorf("%s is %q, want one of %q", e.field, e.value, e.allowed)
		}
	}
	for _, s := range p.NSSuffixes {
		if err := checkPattern(s); err != nil {
			return fmt.Errorf("ns_suffixes: %w", err)
		}
	}
	if p.ID == OtherProviderID && len(p.NSSuffixes) > 0 {
		return errors.New("the generic provider cannot be detected: ns_suffixes must be empty")
	}
	return nil
}
