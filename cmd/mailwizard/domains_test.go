package main

import (
	"bufio"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mailwizard/mailwizard/internal/probeserver"
	"github.com/mailwizard/mailwizard/internal/publish/publishtest"
	"github.com/mailwizard/mailwizard/internal/report"
	"github.com/mailwizard/mailwizard/internal/steps"
	"github.com/mailwizard/mailwizard/internal/verify/verifytest"
)

// hostWorld is a lab serving two mail domains of one mail host,
// mail.example.com: example.com and example.org, each with its own DKIM
// key.
type hostWorld struct {
	lab  *verifytest.Lab
	cfgs []steps.Config
	e    env
	// args are the flags both domains share, the resolver's included.
	args []string
	keys []string
}

// newHostWorld serves every record of both domains except, for each
// domain, the steps missing names.
func newHostWorld(t *testing.T, missing map[string][]string) hostWorld {
	t.Helper()
	w := hostWorld{}
	ips := []netip.Addr{netip.MustParseAddr("192.0.2.25"), netip.MustParseAddr("2001:db8::25")}
	zones := map[string][]string{"example.com.": nil, "example.org.": nil, "2.0.192.in-addr.arpa.": nil, "8.b.d.0.1.0.0.2.ip6.arpa.": nil}
	for _, domain := range []string{"example.com", "example.org"} {
		key := writeKey(t, t.TempDir())
		cfg := steps.Config{Domain: domain, Host: "mail.example.com", IPs: ips, DKIMSelector: "mail", DKIMKeyFile: key, DNSBL: []string{}}
		if err := cfg.Normalize(os.ReadFile); err != nil {
			t.Fatal(err)
		}
		w.cfgs, w.keys = append(w.cfgs, cfg), append(w.keys, key)
		for _, st := range steps.All() {
			if slices.Contains(missing[cfg.Domain], st.ID) {
				continue
			}
			for _, rec := range st.Records(cfg) {
				for apex := range zones {
					if (rec.Name == apex || strings.HasSuffix(rec.Name, "."+apex)) && !slices.ContainsFunc(zones[apex], func(l string) bool { return slices.Contains(rec.ZoneLines(), l) }) {
						zones[apex] = append(zones[apex], rec.ZoneLines()...)
					}
				}
			}
		}
	}
	var texts []string
	for apex, lines := range zones {
		texts = append(texts, verifytest.Zone(apex, lines...))
	}
	w.lab = verifytest.StartLab(t, verifytest.LabConfig{Zones: texts})
	first := w.cfgs[0]
	host := verifytest.StartHost(t, probeserver.HostConfig{Name: first.Host, Domain: first.Domain, Addrs: ips, Autoconfig: []byte(steps.AutoconfigXML(first))})
	w.e = testEnv(t)
	w.e.mapAddr, w.e.roots = host.Routes.Map(w.lab.MapAddr), host.CA.Pool()
	w.args = []string{"--host", "mail.example.com", "--ip", "192.0.2.25", "--ip", "2001:db8::25", "--dkim-selector", "mail",
		"--dnsbl", "none", "--no-probe", "--resolver", w.lab.Resolver.Addr()}
	return w
}

// jsonLines decodes JSON Lines of reports.
func jsonLines(t *testing.T, out string) []report.Report {
	t.Helper()
	var rs []report.Report
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var r report.Report
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %d is not a report: %v\n%s", len(rs)+1, err, sc.Text())
		}
		rs = append(rs, r)
	}
	return rs
}

// TestCheckSeveralDomains: --domain twice checks both domains of the mail
// host; --json prints one complete report per domain, a line each, the
// host's steps judged once and the same in both.
func TestCheckSeveralDomains(t *testing.T) {
	w := newHostWorld(t, map[string][]string{"example.org.": {steps.IDDMARC}})
	args := append([]string{"check", "--json", "--domain", "example.com", "--domain", "example.org"}, w.args...)
	r := runMW(t, w.e, args...)
	if r.code != 1 {
		t.Errorf("exit %d, want 1 (example.org. has no DMARC record)\n%s", r.code, r.stderr)
	}
	rs := jsonLines(t, r.stdout)
	if len(rs) != 2 || rs[0].Domain != "example.com." || rs[1].Domain != "example.org." {
		t.Fatalf("want two reports, example.com. then example.org.; got %d", len(rs))
	}
	if rs[0].Status != steps.StatusPass && rs[0].Status != steps.StatusWarn {
		t.Errorf("example.com.: %s", rs[0].Status)
	}
	if st := statuses(rs[1]); st[steps.IDDMARC] != steps.StatusPending || rs[1].Status != steps.StatusPending {
		t.Errorf("example.org.: %s, dmarc %s; want pending", rs[1].Status, st[steps.IDDMARC])
	}
	for i, s := range rs[1].Steps {
		if len(rs[1].Steps) != len(steps.All()) || s.ID != steps.All()[i].ID {
			t.Fatalf("the second report does not have every step in order")
		}
		if steps.IsShared(s.ID) {
			a, _ := json.Marshal(rs[0].Steps[i])
			b, _ := json.Marshal(s)
			if string(a) != string(b) {
				t.Errorf("%s differs between the domains:\n%s\n%s", s.ID, a, b)
			}
		}
	}
	if mx := rs[1].Steps[1]; mx.ID != steps.IDMX || mx.Status != steps.StatusPass {
		t.Errorf("example.org.'s MX: %+v", mx)
	}
}

// TestCheckSeveralDomainsTable: the table shows the mail host's steps once,
// then each domain's own.
func TestCheckSeveralDomainsTable(t *testing.T) {
	w := newHostWorld(t, nil)
	r := runMW(t, w.e, append([]string{"check", "--domain", "example.com", "--domain", "example.org"}, w.args...)...)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	t.Log(r.stdout)
	for want, n := range map[string]int{
		"mail.example.com., the mail host of example.com., example.org.": 1,
		"Mail host address": 1,
		"Reverse DNS (PTR)": 1,
		"DMARC record":      2,
		"\nexample.org.  ":  1,
	} {
		if got := strings.Count(r.stdout, want); got != n {
			t.Errorf("%q %d times, want %d", want, got, n)
		}
	}
}

// TestSeveralDomainsProfile: --save with two domains writes one profile
// of both; each domain then loads alone from it, and --profile checks
// both.
func TestSeveralDomainsProfile(t *testing.T) {
	w := newHostWorld(t, nil)
	args := append([]string{"check", "--json", "--domain", "example.com", "--domain", "example.org", "--save"}, w.args...)
	if r := runMW(t, w.e, args...); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	path := filepath.Join(w.e.getenv("XDG_CONFIG_HOME"), "mailwizard", "example.com.toml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "[[domains]]\n  domain = \"example.org.\"") {
		t.Fatalf("the profile does not hold example.org.:\n%s", data)
	}
	resolver := []string{"--resolver", w.lab.Resolver.Addr()}
	r := runMW(t, w.e, append([]string{"check", "--json", "--domain", "example.org"}, resolver...)...)
	if r.code != 0 {
		t.Fatalf("example.org. from the profile: exit %d\n%s", r.code, r.stderr)
	}
	if rep := decodeReport(t, r.stdout); rep.Domain != "example.org." {
		t.Errorf("checked %s", rep.Domain)
	}
	r = runMW(t, w.e, append([]string{"check", "--json", "--profile", path}, resolver...)...)
	if rs := jsonLines(t, r.stdout); r.code != 0 || len(rs) != 2 {
		t.Errorf("--profile: exit %d, %d reports\n%s", r.code, len(rs), r.stderr)
	}
	r = runMW(t, w.e, append([]string{"records", "--format", "json", "--profile", path}, resolver...)...)
	var lines []report.RecordsJSON
	for line := range strings.Lines(r.stdout) {
		var rec report.RecordsJSON
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("records: %v\n%s", err, r.stdout)
		}
		lines = append(lines, rec)
	}
	if r.code != 0 || len(lines) != 2 || lines[1].Domain != "example.org." {
		t.Errorf("records of both: exit %d, %d lines", r.code, len(lines))
	}
	if r := runMW(t, w.e, "records", "--format", "octodns", "--profile", path); r.code != 2 {
		t.Errorf("octodns of two domains: exit %d, want 2", r.code)
	}
}

// TestCheckSeveralDomainsWatch: --watch of two domains ends when both
// pass, after printing each report once.
func TestCheckSeveralDomainsWatch(t *testing.T) {
	w := newHostWorld(t, nil)
	r := runMW(t, w.e, append([]string{"check", "--json", "--watch", "--timeout", "5s", "--domain", "example.com", "--domain", "example.org"}, w.args...)...)
	if rs := jsonLines(t, r.stdout); r.code != 0 || len(rs) != 2 {
		t.Errorf("exit %d, %d reports\n%s", r.code, len(rs), r.stderr)
	}
}

// TestPublishSeveralDomains: each domain's zone is planned and applied at
// its own provider, with its own credentials from the profile; a problem
// with one domain's provider stops publish before any zone is read.
func TestPublishSeveralDomains(t *testing.T) {
	w := newHostWorld(t, nil)
	dir := t.TempDir()
	profilePath := filepath.Join(dir, "host.toml")
	var ovh []*publishtest.OVH
	text := "version = 2\ndomain = \"example.com.\"\nhost = \"mail.example.com.\"\nip = [\"192.0.2.25\"]\ndnsbl = []\nno-probe = true\ndkim-selector = \"mail\"\n"
	for i, zone := range []string{"example.com", "example.org"} {
		o := publishtest.StartOVH(t, zone, testOVHAppKey, testOVHAppSecret, testOVHConsumerKey, []byte("[]"))
		ovh = append(ovh, o)
		creds := filepath.Join(dir, zone+".env")
		writeFile(t, creds, "OVH_ENDPOINT="+o.URL+"\nOVH_APPLICATION_KEY="+testOVHAppKey+"\nOVH_APPLICATION_SECRET="+testOVHAppSecret+"\nOVH_CONSUMER_KEY="+testOVHConsumerKey+"\n")
		if i > 0 {
			text += "\n[[domains]]\ndomain = \"" + zone + ".\"\ndkim-selector = \"mail\"\n"
		}
		text += "publish-provider = \"ovh\"\ncredentials = \"" + creds + "\"\n"
	}
	writeFile(t, profilePath, text)
	r := runMW(t, w.e, "publish", "--profile", profilePath, "--resolver", w.lab.Resolver.Addr(), "--apply")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"Plan for the zone example.com. at OVHcloud:", "Plan for the zone example.org. at OVHcloud:"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("publish does not say %q:\n%s", want, r.stdout)
		}
	}
	for i, o := range ovh {
		if len(o.Records()) == 0 {
			t.Errorf("nothing was published at the provider of domain %d", i+1)
		}
	}
	if strings.Count(r.stdout, "\"domain\"") > 0 || !strings.Contains(r.stdout, "the mail host of example.com., example.org.") {
		t.Errorf("the check after publishing is not the tables of both domains:\n%s", r.stdout)
	}

	// One domain without a provider: nothing is read.
	writeFile(t, profilePath, strings.Replace(text, "publish-provider = \"ovh\"\ncredentials", "credentials", 1))
	before := len(ovh[1].Requests())
	r = runMW(t, w.e, "publish", "--profile", profilePath, "--resolver", w.lab.Resolver.Addr())
	if r.code != 2 || len(ovh[1].Requests()) != before {
		t.Errorf("exit %d, %d requests to the second provider; want 2 and none\n%s", r.code, len(ovh[1].Requests())-before, r.stderr)
	}
}
