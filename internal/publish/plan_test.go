package publish_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/mailwizard/mailwizard/internal/publish"
	"github.com/mailwizard/mailwizard/internal/steps"
)

const zone = "example.com."

func rec(name, rtype, value string) steps.Record {
	return steps.Record{Name: name, Type: rtype, TTL: 3600, Value: value}
}

// mail is what the mail server wants, by step.
func mail() []publish.StepRecords {
	return []publish.StepRecords{
		{ID: steps.IDHost, Where: steps.AtDNSProvider, Records: []steps.Record{rec("mail.example.com.", "A", "192.0.2.25")}},
		{ID: steps.IDMX, Where: steps.AtDNSProvider, Records: []steps.Record{rec(zone, "MX", "10 mail.example.com.")}},
		{ID: steps.IDPTR, Where: steps.AtHostingProvider, Records: []steps.Record{rec("25.2.0.192.in-addr.arpa.", "PTR", "mail.example.com.")}},
		{ID: steps.IDSPF, Where: steps.AtDNSProvider, Records: []steps.Record{rec(zone, "TXT", "v=spf1 mx -all")}},
		{ID: steps.IDDKIM, Where: steps.AtDNSProvider, Records: []steps.Record{rec("mail._domainkey.example.com.", "TXT", "v=DKIM1; k=rsa; p="+strings.Repeat("A", 392))}},
		{ID: steps.IDDMARC, Where: steps.AtDNSProvider, Records: []steps.Record{rec("_dmarc.example.com.", "TXT", "v=DMARC1; p=none"), rec("example.com._report._dmarc.other.org.", "TXT", "v=DMARC1")}},
		{ID: steps.IDAutoconfig, Where: steps.AtDNSProvider, Records: []steps.Record{rec("_imaps._tcp.example.com.", "SRV", "0 1 993 mail.example.com."), rec("autodiscover.example.com.", "CNAME", "mail.example.com.")}},
	}
}

// actions lists the plan as "step name type action" lines.
func actions(p publish.Plan) []string {
	var out []string
	for _, c := range p.Changes {
		out = append(out, strings.Join([]string{c.Step, c.Name, c.Type, string(c.Action)}, " "))
	}
	return out
}

func action(t *testing.T, p publish.Plan, name, rtype string) publish.Change {
	t.Helper()
	for _, c := range p.Changes {
		if c.Name == name && c.Type == rtype {
			return c
		}
	}
	t.Fatalf("the plan has no change for %s %s: %q", name, rtype, actions(p))
	return publish.Change{}
}

func TestComputeOwnership(t *testing.T) {
	for name, tc := range map[string]struct {
		current      []steps.Record
		name, rtype  string
		want         publish.Action
		add, removed int
	}{
		"empty zone adds":                    {nil, zone, "MX", publish.Add, 1, 0},
		"old MX replaced, shown":             {[]steps.Record{rec(zone, "MX", "10 mx.old.example.net.")}, zone, "MX", publish.Replace, 1, 1},
		"MX of another case is right":        {[]steps.Record{rec(zone, "MX", "10 MAIL.example.com")}, zone, "MX", publish.Keep, 0, 0},
		"other TXT at the apex stays":        {[]steps.Record{rec(zone, "TXT", "google-site-verification=abc")}, zone, "TXT", publish.Add, 1, 0},
		"old SPF replaced":                   {[]steps.Record{rec(zone, "TXT", "v=spf1 a -all"), rec(zone, "TXT", "google-site-verification=abc")}, zone, "TXT", publish.Replace, 1, 1},
		"second SPF removed":                 {[]steps.Record{rec(zone, "TXT", "v=spf1 mx -all"), rec(zone, "TXT", "V=SPF1 ip4:192.0.2.1 -all")}, zone, "TXT", publish.Replace, 0, 1},
		"spf2.0 is not SPF":                  {[]steps.Record{rec(zone, "TXT", "v=spf10 -all")}, zone, "TXT", publish.Add, 1, 0},
		"TTL alone changes nothing":          {[]steps.Record{{Name: zone, Type: "TXT", TTL: 300, Value: "v=spf1 mx -all"}}, zone, "TXT", publish.Keep, 0, 0},
		"other DMARC-less TXT stays":         {[]steps.Record{rec("_dmarc.example.com.", "TXT", "some note")}, "_dmarc.example.com.", "TXT", publish.Add, 1, 0},
		"DMARC alias is a conflict":          {[]steps.Record{rec("_dmarc.example.com.", "CNAME", "example.com._dmarc.service.example.")}, "_dmarc.example.com.", "TXT", publish.Conflict, 0, 0},
		"old DKIM key of the selector":       {[]steps.Record{rec("mail._domainkey.example.com.", "TXT", "v=DKIM1; p=OLD")}, "mail._domainkey.example.com.", "TXT", publish.Replace, 1, 1},
		"alias beside an address conflicts":  {[]steps.Record{rec("autodiscover.example.com.", "A", "192.0.2.80")}, "autodiscover.example.com.", "CNAME", publish.Conflict, 0, 0},
		"mail host alias conflicts":          {[]steps.Record{rec("mail.example.com.", "CNAME", "host.example.net.")}, "mail.example.com.", "A", publish.Conflict, 0, 0},
		"reverse DNS is elsewhere":           {nil, "25.2.0.192.in-addr.arpa.", "PTR", publish.Elsewhere, 0, 0},
		"another domain's record elsewhere":  {nil, "example.com._report._dmarc.other.org.", "TXT", publish.Elsewhere, 0, 0},
		"a delegated name is elsewhere":      {[]steps.Record{rec("_tcp.example.com.", "NS", "ns.example.net.")}, "_imaps._tcp.example.com.", "SRV", publish.Elsewhere, 0, 0},
		"old address replaced":               {[]steps.Record{rec("mail.example.com.", "A", "198.51.100.7")}, "mail.example.com.", "A", publish.Replace, 1, 1},
		"SOA and NS are never the step's":    {[]steps.Record{rec(zone, "NS", "ns1.example.net."), rec(zone, "SOA", "ns1.example.net. h.example.net. 1 2 3 4 5")}, zone, "MX", publish.Add, 1, 0},
		"DKIM key split by the server joins": {[]steps.Record{rec("mail._domainkey.example.com.", "TXT", "v=DKIM1; k=rsa; p="+strings.Repeat("A", 392))}, "mail._domainkey.example.com.", "TXT", publish.Keep, 0, 0},
	} {
		t.Run(name, func(t *testing.T) {
			p := publish.Compute(zone, mail(), tc.current)
			c := action(t, p, tc.name, tc.rtype)
			if c.Action != tc.want || len(c.Add) != tc.add || len(c.Remove) != tc.removed {
				t.Errorf("%s %s: %s with %d to add and %d to remove, want %s, %d and %d (why: %s)", tc.name, tc.rtype, c.Action, len(c.Add), len(c.Remove), tc.want, tc.add, tc.removed, c.Why)
			}
			for _, r := range p.Deletions() {
				if r.Type == "SOA" || r.Type == "NS" || strings.HasPrefix(r.Value, "google-site") || r.Value == "some note" {
					t.Errorf("the plan deletes %v, which is not the mail server's", r)
				}
			}
		})
	}
}

// zoneOf is an in-memory publish.Provider.
type zoneOf struct {
	recs             []steps.Record
	appends, deletes int
	failAppend       error
}

func (z *zoneOf) Records(context.Context, string) ([]steps.Record, error) {
	return slices.Clone(z.recs), nil
}

func (z *zoneOf) Append(_ context.Context, _ string, recs []steps.Record) error {
	if z.failAppend != nil {
		return z.failAppend
	}
	z.appends++
	z.recs = append(z.recs, recs...)
	return nil
}

func (z *zoneOf) Delete(_ context.Context, _ string, recs []steps.Record) error {
	z.deletes++
	z.recs = slices.DeleteFunc(z.recs, func(r steps.Record) bool {
		return slices.ContainsFunc(recs, func(d steps.Record) bool { return d.Name == r.Name && d.Type == r.Type && d.Value == r.Value })
	})
	return nil
}

func TestApplyIsIdempotent(t *testing.T) {
	z := &zoneOf{recs: []steps.Record{rec(zone, "MX", "10 mx.old.example.net."), rec(zone, "TXT", "google-site-verification=abc"), rec("other._domainkey.example.com.", "TXT", "v=DKIM1; p=OTHER")}}
	p, err := publish.Read(t.Context(), z, zone, mail())
	if err != nil {
		t.Fatal(err)
	}
	done, err := publish.Apply(t.Context(), z, p)
	if err != nil {
		t.Fatal(err)
	}
	if done.Added != 7 || done.Deleted != 1 {
		t.Errorf("applied %+v, want 7 added and 1 removed", done)
	}
	again, err := publish.Read(t.Context(), z, zone, mail())
	if err != nil {
		t.Fatal(err)
	}
	if again.Pending() || again.Count(publish.Keep) != 7 {
		t.Errorf("a second plan is not empty: %q", actions(again))
	}
	calls := z.appends + z.deletes
	if _, err := publish.Apply(t.Context(), z, again); err != nil || z.appends+z.deletes != calls {
		t.Errorf("applying an empty plan called the provider (err %v)", err)
	}
	for _, keep := range []string{"google-site-verification=abc", "v=DKIM1; p=OTHER"} {
		if !slices.ContainsFunc(z.recs, func(r steps.Record) bool { return r.Value == keep }) {
			t.Errorf("%q did not survive", keep)
		}
	}
}

func TestApplyError(t *testing.T) {
	z := &zoneOf{failAppend: errors.New("HTTP 403: forbidden")}
	p := publish.Compute(zone, mail(), nil)
	if _, err := publish.Apply(t.Context(), z, p); err == nil || !strings.Contains(err.Error(), "forbidden") || z.deletes != 0 {
		t.Errorf("Apply = %v after %d deletions, want the provider's error and nothing deleted", err, z.deletes)
	}
}

func TestLines(t *testing.T) {
	p := publish.Compute(zone, mail(), []steps.Record{rec(zone, "MX", "10 mx.old.example.net."), rec("autodiscover.example.com.", "A", "192.0.2.80\x1b[2J")})
	text := strings.Join(publish.Lines(p), "\n")
	for _, want := range []string{
		"+ mail.example.com. 3600 IN A 192.0.2.25  (host: address of the mail host)",
		"~ example.com. MX  (mx: MX record): replace",
		"    - example.com. 3600 IN MX 10 mx.old.example.net.",
		"    + example.com. 3600 IN MX 10 mail.example.com.",
		"! autodiscover.example.com. CNAME  (autoconfig: alias): conflict, not touched",
		"· 25.2.0.192.in-addr.arpa. 3600 IN PTR mail.example.com.  (ptr: PTR record)",
		"1 conflict not touched",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the plan lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "\x1b") {
		t.Errorf("the plan prints a stranger's escape sequence:\n%q", text)
	}
}

func TestWantedLeavesSkippedSteps(t *testing.T) {
	cfg := steps.Config{Domain: zone, Host: "mail.example.com.", Skip: []string{steps.IDMX}}
	for _, sr := range publish.Wanted(cfg) {
		if sr.ID == steps.IDMX {
			t.Errorf("Wanted has the skipped step mx")
		}
	}
}

// TestComputeAnyValid: an MTA-STS record whose id was made for a run that
// keeps nothing stands for any valid MTA-STS record already there; a
// pinned id, or a broken record there, is replaced.
func TestComputeAnyValid(t *testing.T) {
	const name = "_mta-sts.example.com."
	want := func(anyValid bool) []publish.StepRecords {
		r := rec(name, "TXT", "v=STSv1; id=20261203T180000Z")
		r.AnyValid = anyValid
		return []publish.StepRecords{{ID: steps.IDMTASTS, Where: steps.AtDNSProvider, Records: []steps.Record{r}}}
	}
	for label, tc := range map[string]struct {
		anyValid bool
		current  []steps.Record
		action   publish.Action
	}{
		"fresh id, an earlier record kept":     {true, []steps.Record{rec(name, "TXT", "v=STSv1; id=20260301T120000Z")}, publish.Keep},
		"fresh id, nothing there":              {true, nil, publish.Add},
		"fresh id, a broken record replaced":   {true, []steps.Record{rec(name, "TXT", "v=STSv1; id=2026-03-01")}, publish.Replace},
		"fresh id, two records replaced":       {true, []steps.Record{rec(name, "TXT", "v=STSv1; id=a1"), rec(name, "TXT", "v=STSv1; id=b2")}, publish.Replace},
		"pinned id, an earlier record changed": {false, []steps.Record{rec(name, "TXT", "v=STSv1; id=20260301T120000Z")}, publish.Replace},
	} {
		t.Run(label, func(t *testing.T) {
			c := action(t, publish.Compute(zone, want(tc.anyValid), tc.current), name, "TXT")
			if c.Action != tc.action {
				t.Errorf("%s, want %s", c.Action, tc.action)
			}
			if c.Action == publish.Keep && c.Want[0].Value != tc.current[0].Value {
				t.Errorf("the plan shows %q kept, want the published %q", c.Want[0].Value, tc.current[0].Value)
			}
		})
	}
}
