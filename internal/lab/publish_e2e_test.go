package lab_test

import (
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/lab"
	"github.com/mailwizard/mailwizard/internal/steps"
)

// Records of the zone that are not the mail server's: publish must leave
// them as they are.
const (
	siteVerification = `example.com. 3600 IN TXT "google-site-verification=mailwizard-lab-1234"`
	otherSelector    = `other._domainkey.example.com. 3600 IN TXT "v=DKIM1; k=rsa; p=MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8QuKUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQ=="`
	oldMX            = "example.com. 3600 IN MX 10 mx.oldhost.example.net."
)

// publishFlags describe the lab's mail server for publish and check: the
// DNS-provider steps only (reverse DNS is the hosting provider's, and the
// lab serves no blocklist here).
func publishFlags(l *lab.Lab, keyFile string) []string {
	return []string{
		"--domain", "example.com", "--ip", "192.0.2.25", "--ip", "2001:db8::25",
		"--dkim-selector", selector, "--dkim-key", keyPath(),
		"--skip", steps.IDPTR, "--dnsbl", "none", "--resolver", l.Resolver(),
		"--provider", "rfc2136", "--tsig-key", keyFile,
		// Documentation addresses: the check after publishing must not
		// connect to them.
		"--no-probe",
	}
}

func TestE2EPublishRFC2136(t *testing.T) {
	lab.Require(t, labErr)
	t.Parallel()
	l := lab.Start(t, progs, lab.Config{Secondary: true, Zones: []lab.Zone{
		{Apex: domain, Records: []string{siteVerification, otherSelector, oldMX}},
	}})
	keys := t.TempDir()
	key := filepath.Join(keys, "lab.key")
	if err := l.WriteBINDKey(key); err != nil {
		t.Fatal(err)
	}
	secret := l.TSIGSecret()
	var outputs []string
	mwp := func(args ...string) run {
		r := mw(t, args...)
		outputs = append(outputs, r.stdout, r.stderr)
		return r
	}
	before := zoneRecords(t, l, 0)

	// A dry run plans the whole mail server, the MX replacement shown
	// record by record, and changes nothing.
	r := mwp(append([]string{"publish"}, publishFlags(l, key)...)...)
	if r.code != 1 {
		t.Fatalf("dry run: exit %d, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"~ example.com. MX", "- example.com. 3600 IN MX 10 mx.oldhost.example.net.", "+ example.com. 3600 IN MX 10 mail.example.com.", "+ _dmarc.example.com.", "+ lab._domainkey.example.com.", "--apply"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "google-site-verification") || strings.Contains(r.stdout, "other._domainkey") {
		t.Errorf("the plan names records that are not the mail server's:\n%s", r.stdout)
	}
	if after := zoneRecords(t, l, 0); !slices.Equal(after, before) {
		t.Fatalf("a dry run changed the zone:\nbefore %q\nafter  %q", before, after)
	}

	// A wrong key is a clear error, and changes nothing.
	wrong := filepath.Join(keys, "wrong.key")
	if err := os.WriteFile(wrong, []byte("key \"mailwizard-lab.\" {\n\talgorithm hmac-sha256;\n\tsecret \"bm90IHRoZSBsYWIncyBzZWNyZXQgYXQgYWxsLCBubw==\";\n};\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = mwp(append(append([]string{"publish"}, publishFlags(l, wrong)...), "--apply")...)
	t.Logf("wrong key: %s", r.stderr)
	if r.code != 3 || !strings.Contains(r.stderr, "could not read the zone example.com.") || !strings.Contains(r.stderr, "mailwizard-lab.") {
		t.Errorf("wrong key: exit %d, want 3 and a message naming the zone and the key\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if after := zoneRecords(t, l, 0); !slices.Equal(after, before) {
		t.Fatalf("a wrong key changed the zone:\nbefore %q\nafter  %q", before, after)
	}

	// --apply publishes the plan and checks once.
	r = mwp(append(append([]string{"publish"}, publishFlags(l, key)...), "--apply")...)
	if r.code != 0 || !strings.Contains(r.stdout, "Applied:") {
		t.Fatalf("apply: exit %d, want 0\n%s\n%s", r.code, r.stdout, r.stderr)
	}

	// Both servers serve it (ns2 by zone transfer), so check passes.
	r = mwp("check", "--domain", "example.com", "--ip", "192.0.2.25", "--ip", "2001:db8::25",
		"--dkim-selector", selector, "--dkim-key", keyPath(), "--skip", steps.IDPTR, "--dnsbl", "none", "--no-probe",
		"--resolver", l.Resolver(), "--watch", "--interval", "200ms", "--timeout", "30s")
	if r.code != 0 {
		t.Fatalf("check after publish: exit %d, want 0\n%s\n%s", r.code, r.stdout, r.stderr)
	}

	// A second run plans nothing.
	r = mwp(append([]string{"publish"}, publishFlags(l, key)...)...)
	if r.code != 0 || !strings.Contains(r.stdout, "0 to add, 0 to replace") {
		t.Errorf("second run: exit %d, want 0 and nothing to do\n%s\n%s", r.code, r.stdout, r.stderr)
	}

	// What was not the mail server's survives, on both servers; the old
	// MX is gone, as planned.
	for i := range 2 {
		got := zoneRecords(t, l, i)
		for _, want := range []string{siteVerification, otherSelector, "example.com. 3600 IN MX 10 mail.example.com."} {
			if !slices.Contains(got, normal(t, want)) {
				t.Errorf("ns%d lacks %s; zone:\n%s", i+1, want, strings.Join(got, "\n"))
			}
		}
		if slices.Contains(got, normal(t, oldMX)) {
			t.Errorf("ns%d still has %s", i+1, oldMX)
		}
	}

	// --save keeps the provider and the key's path, never the secret.
	config := t.TempDir()
	env := append(mwEnv(t), "XDG_CONFIG_HOME="+config)
	r = mwEnvRun(t, env, append(append([]string{"publish"}, publishFlags(l, key)...), "--save")...)
	outputs = append(outputs, r.stdout, r.stderr)
	prof, err := os.ReadFile(filepath.Join(config, "mailwizard", "example.com.toml"))
	if err != nil {
		t.Fatalf("publish --save wrote no profile: %v\n%s", err, r.stderr)
	}
	if !strings.Contains(string(prof), `publish-provider = "rfc2136"`) || !strings.Contains(string(prof), key) {
		t.Errorf("profile lacks the provider or the key's path:\n%s", prof)
	}
	outputs = append(outputs, string(prof))
	for _, out := range outputs {
		if strings.Contains(out, secret) {
			t.Fatalf("the TSIG secret was printed or saved:\n%s", out)
		}
	}
}

// zoneRecords transfers the lab's zone from nameserver i, as sorted
// zone-file lines without the SOA (whose serial moves).
func zoneRecords(t *testing.T, l *lab.Lab, i int) []string {
	t.Helper()
	_, addr := l.Nameserver(i)
	m := new(dns.Msg)
	m.SetAxfr(domain)
	m.SetTsig("mailwizard-lab.", dns.HmacSHA256, 300, time.Now().Unix())
	tr := &dns.Transfer{TsigSecret: map[string]string{"mailwizard-lab.": l.TSIGSecret()}}
	envs, err := tr.In(m, netip.AddrPortFrom(addr, 53).String())
	if err != nil {
		t.Fatalf("transfer %s from ns%d: %v", domain, i+1, err)
	}
	var out []string
	for e := range envs {
		if e.Error != nil {
			t.Fatalf("transfer %s from ns%d: %v", domain, i+1, e.Error)
		}
		for _, rr := range e.RR {
			if rr.Header().Rrtype != dns.TypeSOA {
				out = append(out, rr.String())
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// normal is a zone-file line as miekg/dns prints it.
func normal(t *testing.T, line string) string {
	t.Helper()
	rr, err := dns.NewRR(line)
	if err != nil {
		t.Fatal(err)
	}
	return rr.String()
}
