// Package assets holds mailwizard's embedded text and data: the
// explanation of each step, the DNS and hosting providers' form
// conventions, and the demo world's zone. Text lives in files here, not in
// strings scattered in code.
package assets

// CONTRACT STUB: the assets/demo engineer replaces the bodies.

// StepText explains one step to someone who has never heard of it.
type StepText struct {
	ID    string
	Title string // "Reverse DNS (PTR)"
	// Why it matters, in two or three plain sentences.
	Why string
	// Where it is set, one sentence ("At your hosting provider, not at your
	// DNS provider: …").
	Where string
	// Pitfalls are the common mistakes, one sentence each.
	Pitfalls []string
}

// Step returns the text of the step with the given id.
func Step(id string) (StepText, bool) { return StepText{}, false }

// Provider is how one DNS provider's record form works.
type Provider struct {
	ID   string // "cloudflare", "route53", …, "other"
	Name string // "Cloudflare"
	// HostLabel, TypeLabel, ValueLabel, TTLLabel, PriorityLabel are the
	// provider's own field labels ("Name", "Content", …).
	HostLabel, TypeLabel, ValueLabel, TTLLabel, PriorityLabel string
	// Apex is what to type in the host field for the zone apex: "@", or ""
	// for "leave it empty".
	Apex string
	// FullName is true when the host field takes the full name (and does
	// not append the zone).
	FullName bool
	// TXTQuotes: "add" (type the quotes), "none" (never type quotes),
	// "either".
	TXTQuotes string
	// LongTXT says how a TXT value over 255 characters is entered:
	// "auto" (paste it whole, the provider splits it), "split" (type it as
	// several quoted strings "…" "…"), "unknown".
	LongTXT string
	// SRVForm is "fields" (service, protocol, priority, weight, port,
	// target) or "value" (one line "prio weight port target").
	SRVForm string
	// Notes are provider-specific warnings (Cloudflare's proxy switch, a
	// target that needs a trailing dot, …), one sentence each.
	Notes []string
	// NSSuffixes identify the provider from a zone's NS names.
	NSSuffixes []string
}

// Providers lists the DNS providers the wizard knows, "other" last.
func Providers() []Provider { return nil }

// ProviderByID returns the provider with the given id.
func ProviderByID(id string) (Provider, bool) { return Provider{}, false }

// DetectProvider names the DNS provider from a zone's NS names.
func DetectProvider(nsNames []string) (Provider, bool) { return Provider{}, false }

// Hosting is where one hosting provider sets reverse DNS and what it does
// with outbound port 25.
type Hosting struct {
	ID, Name string
	// PTR says where reverse DNS is set, one or two sentences.
	PTR string
	// Port25 says whether outbound port 25 is blocked and how to lift it;
	// empty when unknown.
	Port25 string
	// PTRSuffixes identify the provider from its generic PTR names
	// ("your-server.de.").
	PTRSuffixes []string
}

// DetectHosting names the hosting provider from a generic PTR name.
func DetectHosting(ptrName string) (Hosting, bool) { return Hosting{}, false }
