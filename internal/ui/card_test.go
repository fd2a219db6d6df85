package ui

import (
	"strings"
	"testing"

	"github.com/mailwizard/mailwizard/assets"
	"github.com/mailwizard/mailwizard/internal/steps"
)

func TestCards(t *testing.T) {
	t.Parallel()
	long := "v=DKIM1; k=rsa; p=" + strings.Repeat("A", 380)
	mx := steps.Record{Name: "example.com.", Type: "MX", TTL: 3600, Value: "10 mail.example.com."}
	dkim := steps.Record{Name: "mail._domainkey.example.com.", Type: "TXT", TTL: 3600, Value: long}
	spf := steps.Record{Name: "example.com.", Type: "TXT", TTL: 3600, Value: "v=spf1 mx -all"}
	dmarc := steps.Record{Name: "_dmarc.example.com.", Type: "TXT", TTL: 3600, Value: "v=DMARC1; p=none"}
	srv := steps.Record{Name: "_submissions._tcp.example.com.", Type: "SRV", TTL: 3600, Value: "0 1 465 mail.example.com."}
	ptr := steps.Record{Name: "25.2.0.192.in-addr.arpa.", Type: "PTR", TTL: 3600, Value: "mail.example.com."}
	fullName := genericProvider()
	fullName.FullName = true

	tests := map[string]struct {
		provider assets.Provider
		record   steps.Record
		want     map[string]string // label → what to type
		shown    map[string]string // label → what is shown instead
		note     string            // a note under the card, "" for none
	}{
		"Cloudflare: @ for the apex, the MX priority in its own box": {
			provider: provider(t, "cloudflare"), record: mx,
			want: map[string]string{"Name": "@", "Type": "MX", "Priority": "10", "Content": "mail.example.com.", "TTL": "3600"},
		},
		"Route 53: nothing for the apex, the MX priority in the value": {
			provider: provider(t, "route53"), record: mx,
			want:  map[string]string{"Name": "", "Value": "10 mail.example.com."},
			shown: map[string]string{"Name": "(leave empty)"},
		},
		"Cloudflare: a long DKIM value whole and bare": {
			provider: provider(t, "cloudflare"), record: dkim,
			want: map[string]string{"Name": "mail._domainkey", "Content": long},
		},
		"Route 53: a long DKIM value in quoted strings of at most 255": {
			provider: provider(t, "route53"), record: dkim,
			want: map[string]string{"Value": `"` + long[:255] + `" "` + long[255:] + `"`},
		},
		"Route 53: a short TXT value in quotes": {
			provider: provider(t, "route53"), record: spf,
			want: map[string]string{"Value": `"v=spf1 mx -all"`},
		},
		"Cloudflare: a short TXT value without quotes": {
			provider: provider(t, "cloudflare"), record: spf,
			want: map[string]string{"Content": "v=spf1 mx -all"},
		},
		"GoDaddy: a long value bare, with a note on what to do if refused": {
			provider: provider(t, "godaddy"), record: dkim,
			want: map[string]string{"Points to": long},
			note: "several quoted strings",
		},
		"a relative host for a name under the zone": {
			provider: provider(t, "cloudflare"), record: dmarc,
			want: map[string]string{"Name": "_dmarc"},
		},
		"a provider that wants the full name": {
			provider: fullName, record: dmarc,
			want: map[string]string{"Host": "_dmarc.example.com"},
		},
		"Cloudflare: SRV as labelled boxes": {
			provider: provider(t, "cloudflare"), record: srv,
			want: map[string]string{"Service": "_submissions", "Protocol": "_tcp", "Name": "@",
				"Priority": "0", "Weight": "1", "Port": "465", "Target": "mail.example.com."},
		},
		"Route 53: SRV as one value line": {
			provider: provider(t, "route53"), record: srv,
			want: map[string]string{"Name": "_submissions._tcp", "Value": "0 1 465 mail.example.com."},
		},
		"PTR: the address and the name, for the hosting provider": {
			provider: provider(t, "cloudflare"), record: ptr,
			want: map[string]string{"IP address": "192.0.2.25", "Reverse DNS name": "mail.example.com."},
		},
	}
	cfg := testConfig(t)
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cards := cardsFor([]steps.Record{tc.record}, cfg, tc.provider)
			if len(cards) != 1 {
				t.Fatalf("%d cards, want 1", len(cards))
			}
			got := map[string]field{}
			for _, f := range cards[0].fields {
				got[f.label] = f
			}
			for label, want := range tc.want {
				f, ok := got[label]
				if !ok {
					t.Errorf("no %q field; fields: %+v", label, cards[0].fields)
					continue
				}
				if f.value != want {
					t.Errorf("%s = %q, want %q", label, f.value, want)
				}
			}
			for label, want := range tc.shown {
				if got[label].shown != want {
					t.Errorf("%s shows %q, want %q", label, got[label].shown, want)
				}
			}
			notes := strings.Join(cards[0].notes, " ")
			switch {
			case tc.note == "" && notes != "":
				t.Errorf("unexpected note %q", notes)
			case !strings.Contains(notes, tc.note):
				t.Errorf("notes %q, want %q in them", notes, tc.note)
			}
		})
	}
}

func provider(t testing.TB, id string) assets.Provider {
	t.Helper()
	p, ok := assets.ProviderByID(id)
	if !ok {
		t.Fatalf("no provider %q", id)
	}
	return p
}

func TestAliasNotes(t *testing.T) {
	dkim := steps.Record{Name: "mail._domainkey.example.com.", Type: "TXT"}
	aliases := []steps.Alias{{Name: "mail._domainkey.example.com.", Target: "mail.dkim.example.org."}}
	if got := aliasNotes(steps.IDDKIM, dkim, aliases); len(got) != 1 || got[0] != "Published as a CNAME to mail.dkim.example.org.: the key is managed there." {
		t.Errorf("notes %q", got)
	}
	dmarc := steps.Record{Name: "_dmarc.example.com.", Type: "TXT"}
	if got := aliasNotes(steps.IDDMARC, dmarc, []steps.Alias{{Name: "_dmarc.example.com.", Target: "x.example.org."}}); len(got) != 1 || got[0] != "Published as a CNAME to x.example.org.: the record is managed there." {
		t.Errorf("notes %q", got)
	}
	if got := aliasNotes(steps.IDDKIM, dmarc, aliases); len(got) != 0 {
		t.Errorf("notes %q for a record that is not an alias", got)
	}
}
