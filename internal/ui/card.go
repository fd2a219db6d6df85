package ui

import (
	"cmp"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/mailwizard/mailwizard/assets"
	"github.com/mailwizard/mailwizard/internal/steps"
)

// field is one box of a provider's record form: the provider's own label
// and exactly what to type (and copy) into it.
type field struct {
	label string
	value string
	// shown replaces value on screen when typing nothing is the answer
	// ("(leave empty)").
	shown string
}

// onScreen is what the field shows: shown when set, else the value.
func (f field) onScreen() string { return cmp.Or(f.shown, f.value) }

// card is one record as the form fields a person fills in.
type card struct {
	title    string
	fields   []field
	notes    []string
	optional bool
}

// labelWidth is the width of the card's widest label.
func (c card) labelWidth() int {
	w := 0
	for _, f := range c.fields {
		w = max(w, lipgloss.Width(f.label))
	}
	return w
}

// cardsFor renders the records of a step as the chosen provider's form
// fields. PTR records are set at the hosting provider, so they are shown as
// "IP address → name" instead.
func cardsFor(recs []steps.Record, cfg steps.Config, p assets.Provider) []card {
	out := make([]card, 0, len(recs))
	for _, r := range recs {
		c := card{optional: r.Optional}
		// Named as records and the reports name it; the host tells two
		// records of a step apart (the servers count only the required
		// ones, so the card does not number them).
		c.title = r.Type + " record"
		if len(recs) > 1 && r.Type != "PTR" {
			c.title += " · " + r.Host(cfg.Domain)
		}
		if r.Optional {
			c.title += " (optional)"
		}
		switch r.Type {
		case "PTR":
			c.fields = ptrFields(r, cfg)
		case "MX":
			c.fields = mxFields(r, cfg.Domain, p)
		case "SRV":
			c.fields = srvFields(r, cfg.Domain, p)
		case "TXT":
			var note string
			c.fields, note = txtFields(r, cfg.Domain, p)
			if note != "" {
				c.notes = append(c.notes, note)
			}
		default:
			c.fields = []field{hostField(r, cfg.Domain, p), typeField(r, p), {label: labelOr(p.ValueLabel, "Value"), value: r.Value}, ttlField(r, p)}
		}
		out = append(out, c)
	}
	return out
}

func labelOr(label, fallback string) string { return cmp.Or(label, fallback) }

// hostField is the Host box with the provider's conventions: the full name
// when the box does not append the zone, otherwise the name relative to the
// zone, and the provider's way of saying "the apex".
func hostField(r steps.Record, zone string, p assets.Provider) field {
	f := field{label: labelOr(p.HostLabel, "Host")}
	if p.FullName {
		f.value = strings.TrimSuffix(r.Name, ".")
		return f
	}
	h := r.Host(zone)
	if h != "@" {
		f.value = h
		return f
	}
	f.value = p.Apex
	if p.Apex == "" {
		f.shown = "(leave empty)"
	}
	return f
}

func typeField(r steps.Record, p assets.Provider) field {
	return field{label: labelOr(p.TypeLabel, "Type"), value: r.Type}
}

func ttlField(r steps.Record, p assets.Provider) field {
	return field{label: labelOr(p.TTLLabel, "TTL"), value: strconv.FormatUint(uint64(r.TTL), 10)}
}

// mxFields splits "10 mail.example.com." into the priority and the target
// when the provider has a separate priority box.
func mxFields(r steps.Record, zone string, p assets.Provider) []field {
	prio, target, ok := strings.Cut(r.Value, " ")
	if !ok || p.PriorityLabel == "" {
		return []field{hostField(r, zone, p), typeField(r, p), {label: labelOr(p.ValueLabel, "Value"), value: r.Value}, ttlField(r, p)}
	}
	return []field{
		hostField(r, zone, p), typeField(r, p),
		{label: p.PriorityLabel, value: prio},
		{label: labelOr(p.ValueLabel, "Value"), value: target},
		ttlField(r, p),
	}
}

// srvFields shows an SRV record as labelled boxes (service, protocol,
// priority, weight, port, target) or as one value line, as the provider's
// form wants it.
func srvFields(r steps.Record, zone string, p assets.Provider) []field {
	parts := strings.Fields(r.Value)
	labels := strings.SplitN(r.Name, ".", 3)
	if p.SRVForm != "fields" || len(parts) != 4 || len(labels) < 3 {
		return []field{hostField(r, zone, p), typeField(r, p), {label: labelOr(p.ValueLabel, "Value"), value: r.Value}, ttlField(r, p)}
	}
	rest := steps.Record{Name: labels[2], Type: r.Type}
	name := hostField(rest, zone, p)
	name.label = "Name"
	return []field{
		{label: "Service", value: labels[0]},
		{label: "Protocol", value: labels[1]},
		name, typeField(r, p),
		{label: labelOr(p.PriorityLabel, "Priority"), value: parts[0]},
		{label: "Weight", value: parts[1]},
		{label: "Port", value: parts[2]},
		{label: "Target", value: parts[3]},
		ttlField(r, p),
	}
}

// txtFields shows a TXT value as one bare string unless the provider wants
// quotes or hand-split chunks (RFC 1035 §3.3: at most 255 octets a string).
// The note says what to do when the provider's handling of long values is
// unknown.
func txtFields(r steps.Record, zone string, p assets.Provider) ([]field, string) {
	value, note := r.Value, ""
	long := len(r.Value) > 255
	switch {
	case long && p.LongTXT == "split":
		value = quoteAll(r.Strings())
	case p.TXTQuotes == "add":
		value = strconv.Quote(r.Value)
	case long && p.LongTXT != "auto":
		note = "If the form refuses a value this long, enter it as several quoted strings: switch to the zone-file view (z) and copy the value from there."
	}
	return []field{hostField(r, zone, p), typeField(r, p), {label: labelOr(p.ValueLabel, "Value"), value: value}, ttlField(r, p)}, note
}

// quoteAll renders strings as "a" "b".
func quoteAll(parts []string) string {
	q := make([]string, len(parts))
	for i, s := range parts {
		q[i] = `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
	}
	return strings.Join(q, " ")
}

// ptrFields shows a PTR record as the hosting provider asks for it: the
// server's address and the name it should have.
func ptrFields(r steps.Record, cfg steps.Config) []field {
	addr := ""
	for _, ip := range cfg.IPs {
		if rev := steps.ReverseName(ip); rev != "" && strings.EqualFold(rev, r.Name) {
			addr = ip.String()
			break
		}
	}
	if addr == "" {
		addr = addrFromReverse(r.Name)
	}
	return []field{
		{label: "IP address", value: addr},
		{label: "Reverse DNS name", value: r.Value},
	}
}

// addrFromReverse turns a reverse name back into its address:
// "25.2.0.192.in-addr.arpa." into "192.0.2.25", an ip6.arpa. nibble name
// into its IPv6 address; any other name is returned as it is.
func addrFromReverse(name string) string {
	n := strings.TrimSuffix(strings.ToLower(name), ".")
	var text string
	if v4, ok := strings.CutSuffix(n, ".in-addr.arpa"); ok {
		labels := strings.Split(v4, ".")
		if len(labels) != 4 {
			return name
		}
		slices.Reverse(labels)
		text = strings.Join(labels, ".")
	} else if v6, ok := strings.CutSuffix(n, ".ip6.arpa"); ok {
		nibbles := strings.Split(v6, ".")
		if len(nibbles) != 32 {
			return name
		}
		slices.Reverse(nibbles)
		var b strings.Builder
		for i, x := range nibbles {
			if i > 0 && i%4 == 0 {
				b.WriteByte(':')
			}
			b.WriteString(x)
		}
		text = b.String()
	}
	if a, err := netip.ParseAddr(text); err == nil {
		return a.String()
	}
	return name
}

// aliasNotes say that a record was found published as a CNAME: the step
// judged what the target holds, and whoever runs the target manages it.
func aliasNotes(step string, r steps.Record, aliases []steps.Alias) []string {
	what := "the record is"
	if step == steps.IDDKIM {
		what = "the key is"
	}
	var out []string
	for _, a := range aliases {
		if strings.EqualFold(a.Name, r.Name) {
			out = append(out, "Published as a CNAME to "+a.Target+": "+what+" managed there.")
		}
	}
	return out
}

// genericProvider is used when the provider is not known: common labels,
// "@" for the apex, bare values.
func genericProvider() assets.Provider {
	return assets.Provider{
		ID: "other", Name: "your DNS provider",
		HostLabel: "Host", TypeLabel: "Type", ValueLabel: "Value", TTLLabel: "TTL", PriorityLabel: "Priority",
		Apex: "@", TXTQuotes: "none", LongTXT: "unknown", SRVForm: "fields",
	}
}

// providerFor returns the provider of cfg, or the generic one.
func providerFor(cfg steps.Config) assets.Provider {
	if p, ok := assets.ProviderByID(cfg.Provider); ok {
		return p
	}
	return genericProvider()
}

// fileCards show files to serve on a web server (the MTA-STS policy): its
// URL, content type and content, each to copy.
func fileCards(files []steps.File) []card {
	var out []card
	for _, f := range files {
		out = append(out, card{
			title: "File for your web server (not a DNS record)",
			fields: []field{
				{label: "URL", value: f.URL},
				{label: "Content type", value: f.ContentType},
				{label: "Content", value: strings.TrimSuffix(f.Body, "\n")},
			},
		})
	}
	return out
}
