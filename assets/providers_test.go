package assets

import (
	"slices"
	"strings"
	"testing"
)

func TestProvidersParse(t *testing.T) {
	providers, err := loadProviders()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range providers {
		ids = append(ids, p.ID)
	}
	want := []string{"cloudflare", "route53", "godaddy", "namecheap", "hetzner", "ovh", "digitalocean", "gandi", "ionos", "other"}
	if !slices.Equal(ids, want) {
		t.Errorf("provider ids = %q, want %q", ids, want)
	}
	if got := Providers(); len(got) != len(want) {
		t.Errorf("Providers() has %d providers, want %d", len(got), len(want))
	}
}

func TestProvidersHaveLabels(t *testing.T) {
	for _, p := range Providers() {
		t.Run(p.ID, func(t *testing.T) {
			for field, label := range map[string]string{"host": p.HostLabel, "type": p.TypeLabel, "value": p.ValueLabel, "ttl": p.TTLLabel} {
				if label == "" {
					t.Errorf("%s has no %s label", p.Name, field)
				}
			}
			if p.PriorityLabel == "" && p.SRVForm == SRVFields {
				t.Errorf("%s has SRV fields but no priority label", p.Name)
			}
		})
	}
}

func TestProviderConventions(t *testing.T) {
	tests := map[string]struct {
		id                        string
		apex, quotes, long, srv   string
		noPriorityField, fullName bool
		note                      string // one note must contain this
	}{
		"cloudflare: proxy must be DNS only": {id: "cloudflare", apex: "@", quotes: QuotesEither, long: LongTXTAuto, srv: SRVFields, note: "DNS only"},
		"route53: blank apex, quoted and split TXT, one SRV line": {id: "route53", apex: "", quotes: QuotesAdd, long: LongTXTSplit, srv: SRVValue,
			noPriorityField: true, note: "do not type @"},
		"godaddy: host without the domain":          {id: "godaddy", apex: "@", quotes: QuotesNone, long: LongTXTUnknown, srv: SRVFields, note: "without your domain"},
		"namecheap: targets need a final dot":       {id: "namecheap", apex: "@", quotes: QuotesNone, long: LongTXTUnknown, srv: SRVFields, note: "with a dot"},
		"hetzner: split long TXT, SRV form unknown": {id: "hetzner", apex: "@", quotes: QuotesAdd, long: LongTXTSplit, srv: SRVUnknown, note: "255"},
		"ovh: blank apex, relative targets":         {id: "ovh", apex: "", quotes: QuotesNone, long: LongTXTUnknown, srv: SRVFields, note: "appends your domain"},
		"digitalocean: 512-character cap":           {id: "digitalocean", apex: "@", quotes: QuotesUnknown, long: LongTXTUnknown, srv: SRVFields, note: "512"},
		"gandi: unverified form is unknown":         {id: "gandi", apex: "@", quotes: QuotesUnknown, long: LongTXTUnknown, srv: SRVUnknown, note: "300"},
		"ionos: autodiscover workaround":            {id: "ionos", apex: "", quotes: QuotesNone, long: LongTXTUnknown, srv: SRVFields, note: "create the subdomain autodiscover"},
		"other: bare values, zone-file form apart":  {id: "other", apex: "@", quotes: QuotesUnknown, long: LongTXTUnknown, srv: SRVUnknown, note: "every full name ending with a dot"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			p, ok := ProviderByID(tt.id)
			if !ok {
				t.Fatalf("ProviderByID(%q) found nothing", tt.id)
			}
			if p.Apex != tt.apex || p.TXTQuotes != tt.quotes || p.LongTXT != tt.long || p.SRVForm != tt.srv || p.FullName != tt.fullName {
				t.Errorf("%s: apex %q quotes %q long %q srv %q full name %v, want %q %q %q %q %v",
					p.Name, p.Apex, p.TXTQuotes, p.LongTXT, p.SRVForm, p.FullName, tt.apex, tt.quotes, tt.long, tt.srv, tt.fullName)
			}
			if (p.PriorityLabel == "") != tt.noPriorityField {
				t.Errorf("%s: priority label %q, want a separate field: %v", p.Name, p.PriorityLabel, !tt.noPriorityField)
			}
			if !containsAny(p.Notes, tt.note) {
				t.Errorf("%s: notes %q, want one mentioning %q", p.Name, p.Notes, tt.note)
			}
		})
	}
}

func TestProviderByIDUnknown(t *testing.T) {
	for _, id := range []string{"", "porkbun", "Cloudflare", "route 53"} {
		if p, ok := ProviderByID(id); ok {
			t.Errorf("ProviderByID(%q) = %q, want nothing", id, p.ID)
		}
	}
}

func TestDetectProvider(t *testing.T) {
	tests := map[string]struct {
		ns   []string
		want string // "" for no match
	}{
		"cloudflare":                     {ns: []string{"ada.ns.cloudflare.com.", "bob.ns.cloudflare.com."}, want: "cloudflare"},
		"cloudflare in capitals, no dot": {ns: []string{"ADA.NS.CLOUDFLARE.COM"}, want: "cloudflare"},
		"route53 across its four tlds": {ns: []string{"ns-1.awsdns-01.com.", "ns-2.awsdns-02.net.", "ns-3.awsdns-03.org.", "ns-4.awsdns-04.co.uk."},
			want: "route53"},
		"godaddy":                 {ns: []string{"ns01.domaincontrol.com.", "ns02.domaincontrol.com."}, want: "godaddy"},
		"namecheap":               {ns: []string{"dns1.registrar-servers.com.", "dns2.registrar-servers.com."}, want: "namecheap"},
		"hetzner .com and .de":    {ns: []string{"hydrogen.ns.hetzner.com.", "helium.ns.hetzner.de."}, want: "hetzner"},
		"ovh":                     {ns: []string{"dns10.ovh.net.", "ns10.ovh.net."}, want: "ovh"},
		"digitalocean":            {ns: []string{"ns1.digitalocean.com."}, want: "digitalocean"},
		"gandi":                   {ns: []string{"ns-1-a.gandi.net."}, want: "gandi"},
		"ionos under any tld":     {ns: []string{"ns1045.ui-dns.com.", "ns1.ui-dns.de.", "ns1.ui-dns.org.", "ns1.ui-dns.biz."}, want: "ionos"},
		"the majority wins":       {ns: []string{"ns-1.awsdns-01.com.", "ada.ns.cloudflare.com.", "bob.ns.cloudflare.com."}, want: "cloudflare"},
		"a tie goes to the first": {ns: []string{"ns1.digitalocean.com.", "ada.ns.cloudflare.com."}, want: "cloudflare"},
		"own nameservers":         {ns: []string{"ns1.example.com.", "ns2.example.net."}},
		"no names":                {},
		"empty name":              {ns: []string{""}},
		"suffix only as a prefix": {ns: []string{"ns.cloudflare.com.evil.example."}},
		"suffix inside a label":   {ns: []string{"ada.ns.notcloudflare.com.", "ns1.mydomaincontrol.com."}},
		"the suffix itself":       {ns: []string{"digitalocean.com.", "awsdns-01.com."}},
		"awsdns not at the start": {ns: []string{"ns-1.fakeawsdns-01.com."}},
		"broken name":             {ns: []string{"ada..ns.cloudflare.com."}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			p, ok := DetectProvider(tt.ns)
			if got := p.ID; ok != (tt.want != "") || got != tt.want {
				t.Errorf("DetectProvider(%q) = %q, %v, want %q", tt.ns, got, ok, tt.want)
			}
		})
	}
}

func TestParseProvidersRejects(t *testing.T) {
	const other = "\n[[provider]]\nid = \"other\"\nname = \"Other\"\nhost_label = \"Name\"\ntype_label = \"Type\"\nvalue_label = \"Value\"\nttl_label = \"TTL\"\napex = \"@\"\ntxt_quotes = \"add\"\nlong_txt = \"split\"\nsrv_form = \"value\"\n"
	const one = "[[provider]]\nid = \"a\"\nname = \"A\"\nhost_label = \"Name\"\ntype_label = \"Type\"\nvalue_label = \"Value\"\nttl_label = \"TTL\"\napex = \"@\"\ntxt_quotes = \"add\"\nlong_txt = \"split\"\nsrv_form = \"value\"\nns_suffixes = [\"a.example.\"]\n"
	if _, err := parseProviders(one + other); err != nil {
		t.Fatalf("the valid base does not parse: %v", err)
	}
	tests := map[string]struct {
		data    string
		wantErr string
	}{
		"not toml":            {data: "[[provider]\n", wantErr: "expected"},
		"no providers":        {data: "", wantErr: "no providers"},
		"unknown key":         {data: strings.Replace(one, "apex", "apexx", 1) + other, wantErr: "unknown key"},
		"empty label":         {data: strings.Replace(one, `value_label = "Value"`, `value_label = ""`, 1) + other, wantErr: "value_label is empty"},
		"bad apex":            {data: strings.Replace(one, `apex = "@"`, `apex = "example.com"`, 1) + other, wantErr: "apex"},
		"bad quotes":          {data: strings.Replace(one, `txt_quotes = "add"`, `txt_quotes = "yes"`, 1) + other, wantErr: "txt_quotes"},
		"bad long txt":        {data: strings.Replace(one, `long_txt = "split"`, `long_txt = "chunks"`, 1) + other, wantErr: "long_txt"},
		"bad srv form":        {data: strings.Replace(one, `srv_form = "value"`, `srv_form = "line"`, 1) + other, wantErr: "srv_form"},
		"bad ns suffix":       {data: strings.Replace(one, `"a.example."`, `"a*b.example."`, 1) + other, wantErr: "ns_suffixes"},
		"wildcard everything": {data: strings.Replace(one, `"a.example."`, `"*.*"`, 1) + other, wantErr: "matches every name"},
		"duplicate id":        {data: one + one + other, wantErr: "appears twice"},
		"other not last":      {data: other + one, wantErr: "the last provider"},
		"other is detectable": {data: one + other + "ns_suffixes = [\"x.example.\"]\n", wantErr: "cannot be detected"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := parseProviders(tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseProviders error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func BenchmarkProviders(b *testing.B) {
	for b.Loop() {
		if len(Providers()) == 0 {
			b.Fatal("no providers")
		}
	}
}

func BenchmarkDetectProvider(b *testing.B) {
	ns := []string{"ada.ns.cloudflare.com.", "bob.ns.cloudflare.com."}
	for b.Loop() {
		if _, ok := DetectProvider(ns); !ok {
			b.Fatal("not detected")
		}
	}
}

// TestCallersCannotChangeTheCatalogue: the parsed files are shared, so
// what one caller does to its copy must not show up for the next.
func TestCallersCannotChangeTheCatalogue(t *testing.T) {
	p, ok := ProviderByID("cloudflare")
	if !ok || len(p.Notes) == 0 || len(p.NSSuffixes) == 0 {
		t.Fatalf("cloudflare: %+v, %v", p, ok)
	}
	p.Notes[0], p.NSSuffixes[0] = "changed", "changed."
	all := Providers()
	all[0].Name = "changed"
	again, _ := ProviderByID("cloudflare")
	if again.Notes[0] == "changed" || again.NSSuffixes[0] == "changed." || Providers()[0].Name == "changed" {
		t.Error("a caller's change to a provider reached the next caller")
	}
	s, _ := Step("dkim")
	s.Pitfalls[0] = "changed"
	if again, _ := Step("dkim"); again.Pitfalls[0] == "changed" {
		t.Error("a caller's change to a step text reached the next caller")
	}
	hosts := HostingProviders()
	for _, h := range hosts {
		if len(h.PTRSuffixes) > 0 {
			h.PTRSuffixes[0] = "changed."
			if again, _ := HostingByID(h.ID); again.PTRSuffixes[0] == "changed." {
				t.Error("a caller's change to a hosting provider reached the next caller")
			}
			break
		}
	}
}
