package ui

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"charm.land/huh/v2"

	"github.com/mailwizard/mailwizard/assets"
	"github.com/mailwizard/mailwizard/internal/dkimkey"
	"github.com/mailwizard/mailwizard/internal/steps"
)

// validators check one field at a time with the Config's own validation:
// the answers so far, with the field as typed, normalized on a copy; only
// the problems of that field count.
type validators struct {
	a        *answers
	readFile func(string) ([]byte, error)
	exists   func(string) bool
	load     func(string) (steps.Config, bool, error)
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

// or returns the typed text, or the current answer when nothing was typed:
// huh's accessible prompts validate the raw line, and an empty line keeps
// the current answer.
func or(s, current string) string {
	if strings.TrimSpace(s) == "" {
		return current
	}
	return s
}

func (v validators) domain(s string) error {
	s = or(s, v.a.domain)
	if strings.TrimSpace(s) == "" {
		return errors.New("the mail domain is needed, for example example.com")
	}
	for _, d := range v.a.taken {
		if strings.EqualFold(trimDot(strings.TrimSpace(s)), trimDot(d)) {
			return fmt.Errorf("%s is already one of this mail host's domains; give another, or answer no to another domain", trimDot(d))
		}
	}
	if err := v.field("domain", func(c *steps.Config, s string) { c.Domain = strings.TrimSpace(s) })(s); err != nil {
		return err
	}
	if v.load != nil {
		if _, _, err := v.load(strings.TrimSpace(s)); err != nil {
			return fmt.Errorf("your saved answers for this domain do not load (%v); fix or move that file first, so that nothing in it is lost", err)
		}
	}
	return nil
}

func (v validators) host(s string) error {
	s = or(s, v.a.host)
	return v.field("host", func(c *steps.Config, s string) { c.Host = strings.TrimSpace(s) })(s)
}

func (v validators) ips(s string) error {
	s = or(s, v.a.ips)
	if _, err := parseAddrs(s); err != nil {
		return err
	}
	return v.field("ip", func(c *steps.Config, s string) { c.IPs, _ = parseAddrs(s) })(s)
}

func (v validators) selector(s string) error {
	s = or(s, v.a.selector)
	return v.field("dkim-selector", func(c *steps.Config, s string) { c.DKIMSelector = strings.TrimSpace(s) })(s)
}

// newKeyPath accepts a path where no file is yet: a generated key never
// overwrites one.
func (v validators) newKeyPath(s string) error {
	s = or(s, v.a.newKeyPath)
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
	s = or(s, v.a.keyPath)
	if strings.TrimSpace(s) == "" {
		return errors.New("the path of the private key file is needed")
	}
	return v.field("dkim-key", func(c *steps.Config, s string) {
		c.DKIMKeyFile, c.DKIMPublicKeyFile = strings.TrimSpace(s), ""
	})(s)
}

// pubPath accepts the path of a public key file, or the key itself
// pasted in (PEM, a bare p= value or a whole DKIM record), as the field's
// description offers. Whatever looks like key material is never repeated
// in a message.
func (v validators) pubPath(s string) error {
	s = or(s, v.a.pubPath)
	switch {
	case strings.TrimSpace(s) == "":
		return errors.New("the path of the public key file, or the key itself, is needed")
	case looksLikePrivateKey(s):
		return errors.New("this is a private key: never paste it anywhere. Give the public half instead, or choose \"Use the private key file my server signs with\" and give the file's path")
	case looksLikeKey(s):
		if _, err := dkimkey.ParsePublic([]byte(s)); err != nil {
			return errors.New("this looks like a pasted key, but it is not a whole RSA or Ed25519 public key; paste all of it, or give the path of a file that holds it")
		}
		return nil
	}
	return v.field("dkim-public-key", func(c *steps.Config, s string) {
		c.DKIMPublicKeyFile, c.DKIMKeyFile = strings.TrimSpace(s), ""
	})(s)
}

// looksLikeKey reports whether text typed into a key file field is a key
// pasted in rather than a file's path: PEM, a DKIM record or its p= value.
func looksLikeKey(s string) bool {
	s = strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(s, "-----BEGIN"), strings.HasPrefix(s, "v=DKIM1"), strings.HasPrefix(s, "p="), strings.Contains(s, "; p="):
		return true
	}
	// A bare base64 value: long, without path separators, spaces or dots.
	return len(s) >= 40 && strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+=") == ""
}

// looksLikePrivateKey reports whether text is (part of) a PEM private key.
func looksLikePrivateKey(s string) bool {
	return strings.Contains(s, "PRIVATE KEY")
}

func (v validators) rua(s string) error {
	s = or(s, v.a.rua)
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

// fields builds the form's fields. In accessible mode huh prints only a
// field's title, so the description and the answer Enter keeps are put in
// the title there.
type fields struct {
	a          *answers
	v          validators
	accessible bool
}

// input is a text field bound to value.
func (f fields) input(key, title, desc string, value *string, validate func(string) error) *huh.Input {
	in := huh.NewInput().Key(key).Value(value).Validate(validate)
	if !f.accessible {
		return in.Title(title).Description(desc)
	}
	title = sentence(title) + " " + desc
	if *value != "" {
		title += " Enter keeps " + *value + "."
	}
	return in.Title(title + "\n>")
}

// choice is a single-choice field bound to value.
func (f fields) choice(key, title, desc string, value *string, options ...huh.Option[string]) *huh.Select[string] {
	sel := huh.NewSelect[string]().Key(key).Options(options...).Value(value)
	if !f.accessible {
		return sel.Title(title).Description(desc)
	}
	return sel.Title(sentence(title) + " " + desc + " Enter keeps the current choice.")
}

// lockedValue gives a field its value under a lock, for a field whose
// description function huh calls in a command of its own, beside the
// Update that sets the value.
type lockedValue[T any] struct {
	mu *sync.Mutex
	p  *T
}

func (l lockedValue[T]) Get() T {
	l.mu.Lock()
	defer l.mu.Unlock()
	return *l.p
}

func (l lockedValue[T]) Set(v T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	*l.p = v
}

// sentence ends a title with a full stop unless it is a question.
func sentence(title string) string {
	if strings.HasSuffix(title, "?") {
		return title
	}
	return title + "."
}

// identityGroup asks the domain and the mail host; for a further domain
// of the mail host, the domain alone.
func (f fields) identityGroup() *huh.Group {
	a, v := f.a, f.v
	if a.further {
		return huh.NewGroup(
			f.input("domain", "Another mail domain", "A further domain whose mail "+a.host+" handles; its host and addresses are the same.", &a.domain, v.domain),
		)
	}
	return huh.NewGroup(
		f.input("domain", "Mail domain", "The domain in your e-mail addresses: you@example.com → example.com.", &a.domain, v.domain),
		f.input("host", "Mail host", "The name of the mail server; leave it empty for mail.<your domain>.", &a.host, v.host),
	)
}

// page is one group of the form's second part and when it is hidden.
type page struct {
	group  *huh.Group
	hidden func() bool
	// empty, when set, is what an empty line answers on the page's one
	// field in accessible mode, where huh refuses one: "0" ends a
	// multiple choice, "n" says no to a yes-or-no question.
	empty string
}

// detailGroups ask the rest: addresses, DKIM, DMARC, services and the DNS
// provider. The DKIM groups are hidden unless their choice is made.
func (f fields) detailGroups() []*huh.Group {
	pages := f.detailPages()
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
func (f fields) detailPages() []page {
	a, v := f.a, f.v
	services := huh.NewMultiSelect[string]().Key("services").
		Options(serviceOptions(a.services)...).Value(&a.services).Validate(v.services)
	const servicesTitle, servicesDesc = "Services offered to mail clients", "Published as SRV records so that mail apps configure themselves (RFC 6186, RFC 8314)."
	if f.accessible {
		services = services.Title(sentence(servicesTitle) + " " + servicesDesc + " Type a number to switch a service on or off; Enter (or 0) keeps the services marked ✓.")
	} else {
		services = services.Title(servicesTitle).Description(servicesDesc)
	}
	provider := f.choice("provider", "Who hosts your DNS?", providerHint(a), &a.provider, providerOptions()...)
	if !f.accessible {
		// The hint follows the choice: a provider that does not serve the
		// zone is said at once.
		// huh calls the function in a command of its own, beside the
		// Update that sets the value: both go through one lock.
		var mu sync.Mutex
		provider = provider.Accessor(lockedValue[string]{&mu, &a.provider}).
			DescriptionFunc(func() string { mu.Lock(); defer mu.Unlock(); return providerHint(a) }, &a.provider)
	}
	ips := f.input("ips", "Server IP addresses", ipsHint(a), &a.ips, v.ips)
	if !f.accessible {
		// A documentation or private address is said as it is typed.
		var mu sync.Mutex
		ips = ips.Accessor(lockedValue[string]{&mu, &a.ips}).
			DescriptionFunc(func() string {
				mu.Lock()
				typed := a.ips
				mu.Unlock()
				return ipsHint(a) + addressWarnings(typed)
			}, &a.ips)
	}
	dkim := f.choice("dkim", "DKIM key", "Receivers check your mail's signature against the public half of this key.", &a.dkimMode,
		huh.NewOption("Generate a new key (recommended)", dkimGenerate),
		huh.NewOption("Use the private key file my server signs with", dkimExisting),
		huh.NewOption("I only have the public key", dkimPublic),
	)
	mtastsMode := f.choice("mta-sts", "MTA-STS mode", "Senders that honour MTA-STS deliver to your MX hosts only over TLS with a valid certificate. Switch to enforce once the TLS-RPT reports show no failures for a few weeks.", &a.mtastsMode,
		huh.NewOption("testing: senders report failures and deliver anyway (start here)", "testing"),
		huh.NewOption("enforce: senders refuse to deliver without valid TLS", "enforce"),
	)
	transport := huh.NewGroup(mtastsMode,
		f.choice("dane", "DNSSEC and DANE", "DANE pins your mail server's certificate in DNS, and needs a signed zone: DNSSEC is switched on at your DNS provider, and its DS record added at your registrar.", &a.dane,
			huh.NewOption("Not now: only advice about them", daneNo),
			huh.NewOption("Yes: sign the zone, then publish the TLSA record", daneYes),
		),
	)
	if a.further {
		// DANE is the mail host's: asked with the first domain.
		transport = huh.NewGroup(mtastsMode)
	}
	first := huh.NewGroup(ips, dkim)
	if a.further {
		first = huh.NewGroup(dkim)
	}
	another := huh.NewConfirm().Key("another").Value(&a.another).Affirmative("Yes, add one").Negative("No")
	const anotherTitle, anotherDesc = "Does this mail host serve another domain?", "Its host, addresses, reverse DNS, blocklists and server are checked once for all its domains; each domain gets its own DKIM, DMARC and client settings."
	if f.accessible {
		another = another.Title(anotherTitle + " " + anotherDesc + " Type y to add one; Enter keeps no.")
	} else {
		another = another.Title(strings.Replace(anotherTitle, "this mail host", trimDot(a.host), 1)).Description(anotherDesc)
	}
	return []page{
		{group: first},
		{group: huh.NewGroup(
			f.input("selector", "DKIM selector", "The name the key is published under: <selector>._domainkey.<domain>.", &a.selector, v.selector),
			f.input("newkey", "Write the new private key to", "Only the path is ever shown; an existing file is never overwritten.", &a.newKeyPath, v.newKeyPath),
		), hidden: func() bool { return a.dkimMode != dkimGenerate }},
		{group: huh.NewGroup(
			f.input("selector", "DKIM selector", "The selector your server signs with (s= in its DKIM-Signature header).", &a.selector, v.selector),
			f.input("key", "Private key file", "The PEM file your server signs with; it is read, never shown.", &a.keyPath, v.keyPath),
		), hidden: func() bool { return a.dkimMode != dkimExisting }},
		{group: huh.NewGroup(
			f.input("selector", "DKIM selector", "The selector your server signs with (s= in its DKIM-Signature header).", &a.selector, v.selector),
			f.input("pub", "Public key", "The path of a file that holds it, or the key pasted in: PEM, a bare p= value, or a whole DKIM record.", &a.pubPath, v.pubPath),
		), hidden: func() bool { return a.dkimMode != dkimPublic }},
		{group: huh.NewGroup(
			f.choice("policy", "DMARC policy", "What receivers do with mail that fails SPF and DKIM for your domain.", &a.policy,
				huh.NewOption("none: only send me reports (start here)", steps.DMARCNone),
				huh.NewOption("quarantine: put failing mail in spam", steps.DMARCQuarantine),
				huh.NewOption("reject: refuse failing mail", steps.DMARCReject),
			),
			f.input("rua", "DMARC report address", "Receivers send a daily summary of who sent mail as you to this address.", &a.rua, v.rua),
		)},
		{group: huh.NewGroup(services), empty: "0"},
		{group: transport},
		{group: huh.NewGroup(provider)},
		{group: huh.NewGroup(another), empty: "n"},
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

// addressWarnings says which typed addresses are not public (a
// documentation, private or loopback address), as check and records say
// it; "" when all are.
func addressWarnings(typed string) string {
	ips, _ := parseAddrs(typed)
	var out []string
	for _, w := range (steps.Config{IPs: ips}).Warnings() {
		out = append(out, " Note: "+w.Problem+".")
	}
	return strings.Join(out, "")
}

// providerHint says where the zone's nameservers are, and when the
// provider chosen is not the one that serves the zone, that records added
// there are not seen.
func providerHint(a *answers) string {
	if say := steps.ProviderMismatch(a.provider, a.nsNames); say != "" {
		return say + " Choose the provider that serves the zone, or move the nameservers to yours at your registrar."
	}
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
