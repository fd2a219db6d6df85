package steps

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/miekg/dns"
)

// fullConfig is a Config with everything: IPv4 and IPv6, extra senders,
// every service, and the DKIM key in keyFile.
func fullConfig(t testing.TB, keyFile string) Config {
	t.Helper()
	cfg := Config{
		Domain:       "example.com",
		IPs:          []netip.Addr{netip.MustParseAddr("192.0.2.10"), netip.MustParseAddr("2001:db8::10")},
		DKIMSelector: "2026a",
		DKIMKeyFile:  keyFile,
		SPFIncludes:  []string{"_spf.relay.example.net"},
		SPFIPs:       []netip.Prefix{netip.MustParsePrefix("198.51.100.0/24"), netip.MustParsePrefix("2001:db8:1::/48")},
		Services:     serviceNames(),
	}
	if err := cfg.Normalize(readTestdata); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestRecordsGolden(t *testing.T) {
	tests := map[string]func(testing.TB) Config{
		"rsa": func(t testing.TB) Config { return fullConfig(t, "rsa2048.pem") },
		"ed25519": func(t testing.TB) Config {
			cfg := fullConfig(t, "ed25519.pem")
			cfg.Services = DefaultServices()
			cfg.NullUnoffered = true
			cfg.DMARCPolicy = DMARCQuarantine
			cfg.DMARCRUA = "reports@dmarc.example.net"
			return cfg
		},
	}
	for name, config := range tests {
		t.Run(name, func(t *testing.T) {
			golden.RequireEqual(t, renderAll(config(t)))
		})
	}
}

// renderAll renders every step's records as zone lines and as provider
// form fields.
func renderAll(cfg Config) string {
	var b strings.Builder
	b.WriteString("; zone lines\n")
	for _, s := range All() {
		fmt.Fprintf(&b, "; %s (%s)\n", s.ID, s.Where)
		for _, r := range s.Records(cfg) {
			for _, line := range r.ZoneLines() {
				b.WriteString(line + "\n")
			}
		}
	}
	fmt.Fprintf(&b, "\n; provider fields, zone %s\n", cfg.Domain)
	for _, s := range All() {
		for _, r := range s.Records(cfg) {
			f := r.Form(cfg.Domain)
			fmt.Fprintf(&b, "%s: host=%q type=%s ttl=%d value=%q", s.ID, f.Host, f.Type, f.TTL, f.Value)
			if f.Priority != nil {
				fmt.Fprintf(&b, " priority=%d", *f.Priority)
			}
			if f.Weight != nil {
				fmt.Fprintf(&b, " weight=%d port=%d", *f.Weight, *f.Port)
			}
			if f.Target != "" {
				fmt.Fprintf(&b, " target=%s", f.Target)
			}
			if r.Optional {
				b.WriteString(" optional")
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// TestZoneLinesRoundTrip parses every rendered line back and compares the
// value: quoting, escaping and splitting must not change a TXT value.
func TestZoneLinesRoundTrip(t *testing.T) {
	cfg := fullConfig(t, "rsa2048.pem")
	recs := []Record{
		{Name: "q.example.com.", Type: "TXT", TTL: 60, Value: `quote " and backslash \ inside`},
		{Name: "long.example.com.", Type: "TXT", TTL: 60, Value: strings.Repeat("0123456789", 60)},
		{Name: "utf8.example.com.", Type: "TXT", TTL: 60, Value: strings.Repeat("é", 200)},
		{Name: "empty.example.com.", Type: "TXT", TTL: 60, Value: ""},
	}
	for _, s := range All() {
		recs = append(recs, s.Records(cfg)...)
	}
	for _, r := range recs {
		lines := r.ZoneLines()
		if len(lines) != 1 {
			t.Fatalf("%s %s: %d lines", r.Name, r.Type, len(lines))
		}
		rr, err := dns.NewRR(lines[0])
		if err != nil {
			t.Fatalf("%q does not parse: %v", lines[0], err)
		}
		if rr.Header().Name != r.Name || rr.Header().Ttl != r.TTL || dns.TypeToString[rr.Header().Rrtype] != r.Type {
			t.Errorf("%q: header %v", lines[0], rr.Header())
		}
		got := rdata(rr)
		if txt, ok := rr.(*dns.TXT); ok {
			got = JoinTXT(txt.Txt)
			for _, s := range rawStrings(txt.Txt) {
				if len(s) > maxString {
					t.Errorf("%s: a string of %d octets", r.Name, len(s))
				}
			}
		}
		if got != r.Value {
			t.Errorf("%s %s: value %q, want %q", r.Name, r.Type, got, r.Value)
		}
	}
}

func TestRecordHost(t *testing.T) {
	tests := map[string]struct {
		name, zone, want string
	}{
		"apex":               {"example.com.", "example.com.", "@"},
		"below":              {"_dmarc.example.com.", "example.com.", "_dmarc"},
		"case and no dot":    {"Mail.Example.COM", "example.com", "mail"},
		"outside":            {"10.2.0.192.in-addr.arpa.", "example.com.", "10.2.0.192.in-addr.arpa."},
		"suffix not a label": {"mail.notexample.com.", "example.com.", "mail.notexample.com."},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := (Record{Name: tc.name}).Host(tc.zone); got != tc.want {
				t.Errorf("Host = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRecordStrings(t *testing.T) {
	tests := map[string]struct {
		rec  Record
		want []int // lengths
	}{
		"short TXT":         {Record{Type: "TXT", Value: "v=spf1 mx -all"}, []int{14}},
		"exactly 255":       {Record{Type: "TXT", Value: strings.Repeat("a", 255)}, []int{255}},
		"256 splits":        {Record{Type: "TXT", Value: strings.Repeat("a", 256)}, []int{255, 1}},
		"not in a rune":     {Record{Type: "TXT", Value: "a" + strings.Repeat("é", 200)}, []int{255, 146}},
		"empty TXT":         {Record{Type: "TXT", Value: ""}, []int{0}},
		"other types whole": {Record{Type: "MX", Value: "10 mail.example.com."}, []int{20}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := tc.rec.Strings()
			var lens []int
			for _, s := range got {
				lens = append(lens, len(s))
			}
			if fmt.Sprint(lens) != fmt.Sprint(tc.want) || strings.Join(got, "") != tc.rec.Value {
				t.Errorf("lengths %v, want %v", lens, tc.want)
			}
		})
	}
}

func TestZoneLinesOfABrokenRecord(t *testing.T) {
	lines := Record{Name: "x.example.com.", Type: "MX", Value: "not a number"}.ZoneLines()
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "; ") {
		t.Errorf("lines %q, want one comment", lines)
	}
}
