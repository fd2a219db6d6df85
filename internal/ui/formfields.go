package ui

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/huh/v2"

	"github.com/mailwizard/mailwizard/assets"
	"github.com/mailwizard/mailwizard/internal/steps"
)

// validators check one field at a time with the Config's own validation:
// the answers so far, with the field as typed, normalized on a copy; only
// the problems of that field count.
type validators struct {
	a        *answers
	readFile func(string) ([]byte, error)
	exists   func(string) bool
}

// field validates the form field that sets the Config field name (named as
// steps names it).
func (v validators) field(name string, set func(*steps.Config, string)) func(string) error {
	return func(s string) error {
		cfg := v.a.config()
		set(&cfg, s)
		if p, ok := problems(cfg, v.readFile)[name]; ok {
			return errors.New(p)
		}
		return nil
	}
}

func (v validators) domain(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("the mail domain is needed, for example example.com")
	}
	return v.field("domain", func(c *steps.Config, s string) { c.Domain = strings.TrimSpace(s) })(s)
}

func (v validators) host(s string) error {
	return v.field("host", func(c *steps.Config, s string) { c.Host = strings.TrimSpace(s) })(s)
}

func (v validators) ips(s string) error {
	if _, err := parseAddrs(s); err != nil {
		return err
	}
	return v.field("ip", func(c *steps.Config, s string) { c.IPs, _ = parseAddrs(s) })(s)
}

func (v validators) selector(s string) error {
	return v.field("dkim-selector", func(c *steps.Config, s string) { c.DKIMSelector = strings.TrimSpace(s) })(s)
}

// newKeyPath accepts a path where no file is yet: a generated key never
// overwrites one.
func (v validators) newKeyPath(s string) error {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return errors.New("a path for the new private key is needed")
	case v.exists(s):
		return fmt.Errorf("%s already exists and is never overwritten; choose another path, or choose \"use an existing private key\"", s)
	}
	return nil
}

func (v validators) keyPath(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("the path of the private key file is needed")
	}
	return v.field("dkim-key", func(c *steps.Config, s string) {
		c.DKIMKeyFile, c.DKIMPublicKeyFile = strings.TrimSpace(s), ""
	})(s)
}

func (v validators) pubPath(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("the path of the public key file is needed")
	}
	return v.field("dkim-public-key", func(c *steps.Config, s string) {
		c.DKIMPublicKeyFile, c.DKIMKeyFile = strings.TrimSpace(s), ""
	})(s)
}

func (v validators) rua(s string) error {
	return v.field("dmarc-rua", func(c *steps.Config, s string) { c.DMARCRUA = strings.TrimSpace(s) })(s)
}

func (v validators) services(s []string) error {
	cfg := v.a.config()
	cfg.Services = s
	if p, ok := problems(cfg, v.readFile)["services"]; ok {
		return errors.New(p)
	}
	return nil
}

// identityGroup asks the domain and the mail host.
func identityGroup(a *answers, v validators) *huh.Group {
	return huh.NewGroup(
		huh.NewInput().Key("domain").Title("Mail domain").
			Description("The domain in your e-mail addresses: you@example.com → example.com.").
			Placeholder("example.com").Value(&a.domain).Validate(v.domain),
		huh.NewInput().Key("host").Title("Mail host").
			DescriptionFunc(func() string {
				d := strings.TrimSuffix(strings.TrimSpace(a.domain), ".")
				if d == "" {
					return "The name of the mail server; empty means mail.<domain>."
				}
				return "The name of the mail server; empty means mail." + d + "."
			}, &a.domain).
			Value(&a.host).Validate(v.host),
	)
}

// page is one group of the form's second part and when it is hidden.
type page struct {
	group  *huh.Group
	hidden func() bool
}

// detailGroups ask the rest: addresses, DKIM, DMARC, services and the DNS
// provider. The DKIM groups are hidden unless their choice is made.
func detailGroups(a *answers, v validators) []*huh.Group {
	pages := detailPages(a, v)
	out := make([]*huh.Group, len(pages))
	for i, p := range pages {
		out[i] = p.group
		if p.hidden != nil {
			out[i] = p.group.WithHideFunc(p.hidden)
		}
	}
	return out
}

// detailPages are detailGroups' groups, with their hide conditions apart so
// that the accessible walk (where huh asks every field of a form) can skip
// them itself.
func detailPages(a *answers, v validators) []page {
	return []page{
		{group: huh.NewGroup(
			huh.NewInput().Key("ips").Title("Server IP addresses").
				Description(ipsHint(a)).Placeholder("192.0.2.10, 2001:db8::10").
				Value(&a.ips).Validate(v.ips),
			huh.NewSelect[string]().Key("dkim").Title("DKIM key").
				Description("Receivers check your mail's signature against the public half of this key.").
				Options(
					huh.NewOption("Generate a new key (recommended)", dkimGenerate),
					huh.NewOption("Use the private key file my server signs with", dkimExisting),
					huh.NewOption("I only have the public key", dkimPublic),
				).Value(&a.dkimMode),
		)},
		{group: huh.NewGroup(
			huh.NewInput().Key("selector").Title("DKIM selector").
				Description("The name the key is published under: <selector>._domainkey.<domain>.").
				Value(&a.selector).Validate(v.selector),
			huh.NewInput().Key("newkey").Title("Write the new private key to").
				Description("Only the path is ever shown; an existing file is never overwritten.").
				Value(&a.keyPath).Validate(v.newKeyPath),
		), hidden: func() bool { return a.dkimMode != dkimGenerate }},
		{group: huh.NewGroup(
			huh.NewInput().Key("selector").Title("DKIM selector").
				Description("The selector your server signs with (s= in its DKIM-Signature header).").
				Value(&a.selector).Validate(v.selector),
			huh.NewInput().Key("key").Title("Private key file").
				Description("The PEM file your server signs with; it is read, never shown.").
				Value(&a.keyPath).Validate(v.keyPath),
		), hidden: func() bool { return a.dkimMode != dkimExisting }},
		{group: huh.NewGroup(
			huh.NewInput().Key("selector").Title("DKIM selector").
				Description("The selector your server signs with (s= in its DKIM-Signature header).").
				Value(&a.selector).Validate(v.selector),
			huh.NewInput().Key("pub").Title("Public key file").
				Description("A PEM public key, a bare p= value, or a whole DKIM record.").
				Value(&a.pubPath).Validate(v.pubPath),
		), hidden: func() bool { return a.dkimMode != dkimPublic }},
		{group: huh.NewGroup(
			huh.NewSelect[string]().Key("policy").Title("DMARC policy").
				Description("What receivers do with mail that fails SPF and DKIM for your domain.").
				Options(
					huh.NewOption("none: only send me reports (start here)", steps.DMARCNone),
					huh.NewOption("quarantine: put failing mail in spam", steps.DMARCQuarantine),
					huh.NewOption("reject: refuse failing mail", steps.DMARCReject),
				).Value(&a.policy),
			huh.NewInput().Key("rua").Title("DMARC report address").
				Description("Receivers send a daily summary of who sent mail as you to this address.").
				Value(&a.rua).Validate(v.rua),
			huh.NewMultiSelect[string]().Key("services").Title("Services offered to mail clients").
				Description("Published as SRV records so that mail apps configure themselves (RFC 6186, RFC 8314).").
				Options(serviceOptions(a.services)...).Value(&a.services).Validate(v.services),
		)},
		{group: huh.NewGroup(
			huh.NewSelect[string]().Key("provider").Title("Who hosts your DNS?").
				Description(providerHint(a)).
				Options(providerOptions()...).Value(&a.provider),
		)},
	}
}

// ipsHint offers what the host resolves to today.
func ipsHint(a *answers) string {
	host := strings.TrimSuffix(a.host, ".") + "."
	switch {
	case len(a.resolved) > 0:
		return host + " resolves to " + joinAddrs(a.resolved) + " today; keep it if that is your server. Separate several with commas."
	case a.lookupErr != "":
		return "Could not look up " + host + " (" + a.lookupErr + "); type the server's public addresses, separated by commas."
	default:
		return host + " does not resolve yet; type the server's public IPv4 and IPv6 addresses, separated by commas."
	}
}

// providerHint says where the zone's nameservers are.
func providerHint(a *answers) string {
	if p, ok := assets.ProviderByID(a.detected); ok && a.detected != "other" {
		return "Your DNS is at " + p.Name + " (from the zone's NS records): make the changes there, not at your registrar."
	}
	if len(a.nsNames) > 0 {
		return "Your zone's nameservers are " + strings.Join(a.nsNames, ", ") + "; pick who runs them."
	}
	return "Where you edit the zone's records; this only changes how records are shown."
}

// serviceOptions lists the client services, those offered selected.
func serviceOptions(selected []string) []huh.Option[string] {
	names := []struct{ id, label string }{
		{steps.ServiceSubmissions, "submissions: sending, port 465, TLS from the start"},
		{steps.ServiceSubmission, "submission: sending, port 587, STARTTLS"},
		{steps.ServiceIMAPS, "imaps: reading, port 993, TLS"},
		{steps.ServiceIMAP, "imap: reading, port 143, STARTTLS"},
		{steps.ServicePOP3S, "pop3s: downloading, port 995, TLS"},
		{steps.ServicePOP3, "pop3: downloading, port 110, STARTTLS"},
	}
	out := make([]huh.Option[string], len(names))
	for i, n := range names {
		out[i] = huh.NewOption(n.label, n.id).Selected(containsString(selected, n.id))
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// providerOptions lists the DNS providers the wizard knows, "other" last.
func providerOptions() []huh.Option[string] {
	list := assets.Providers()
	if len(list) == 0 {
		list = []assets.Provider{genericProvider()}
	}
	out := make([]huh.Option[string], 0, len(list))
	for _, p := range list {
		name := p.Name
		if p.ID == "other" {
			name = "Other, or a zone file"
		}
		out = append(out, huh.NewOption(name, p.ID))
	}
	return out
}
