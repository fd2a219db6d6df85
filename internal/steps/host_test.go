package steps

import (
	"errors"
	"testing"

	"github.com/miekg/dns"
)

func TestHost(t *testing.T) {
	v4only := func(c *Config) { c.IPs = c.IPs[:1] }
	runStepCases(t, IDHost, testConfig, map[string]stepCase{
		"published everywhere": {
			status: StatusPass,
			not:    []string{CodeHostMissing, CodeHostWrongAddress, CodeHostCNAME, CodeHostMissingAAAA, CodeHostProxied, CodePartialPropagation, CodeDoubledDomain, CodeNSUnreachable},
		},
		"absent everywhere": {
			world:  func(w *world) { w.remove("mail", dns.TypeANY) },
			status: StatusPending,
			want:   []string{CodeHostMissing},
			not:    []string{CodeHostMissingAAAA, CodeHostWrongAddress},
			says:   []string{"mail.example.com.", "ns1.example.net. and ns2.example.net.", "mail.example.com. A 192.0.2.10"},
		},
		"only on ns1": {
			world:  func(w *world) { w.remove("mail", dns.TypeANY, "ns2.example.net.") },
			status: StatusPending,
			want:   []string{CodePartialPropagation},
			not:    []string{CodeHostMissing},
			says:   []string{"on ns1.example.net. but not yet on ns2.example.net."},
		},
		"wrong IPv4 address": {
			world:  func(w *world) { w.replace("mail A 198.51.100.7") },
			status: StatusFail,
			want:   []string{CodeHostWrongAddress},
			says:   []string{"A 198.51.100.7", "expected A 192.0.2.10"},
		},
		"wrong address on one server names that server": {
			world: func(w *world) {
				w.remove("mail", dns.TypeA, "ns2.example.net.").add("ns2.example.net.", "mail A 198.51.100.7")
			},
			status: StatusFail,
			want:   []string{CodeHostWrongAddress},
			not:    []string{CodePartialPropagation},
			says:   []string{"on ns2.example.net.;"},
		},
		"IPv6 written in long form is the same address": {
			world:  func(w *world) { w.replace("mail AAAA 2001:0db8:0000:0000:0000:0000:0000:0010") },
			status: StatusPass,
			not:    []string{CodeHostWrongAddress},
		},
		"proxied by Cloudflare": {
			world: func(w *world) {
				w.replace("mail A 104.21.5.7", "mail A 172.67.1.2")
				w.replace("mail AAAA 2606:4700:3030::6815:507")
			},
			status: StatusFail,
			want:   []string{CodeHostProxied},
			not:    []string{CodeHostWrongAddress},
			says:   []string{"Cloudflare", "DNS only", "192.0.2.10"},
		},
		"one address outside Cloudflare is not proxying": {
			world:  func(w *world) { w.replace("mail A 104.21.5.7", "mail A 198.51.100.7") },
			status: StatusFail,
			want:   []string{CodeHostWrongAddress},
			not:    []string{CodeHostProxied},
		},
		"CNAME to a name with the addresses": {
			world: func(w *world) {
				w.remove("mail", dns.TypeANY)
				w.replace("mail CNAME server", "server A 192.0.2.10", "server AAAA 2001:db8::10")
			},
			status: StatusWarn,
			want:   []string{CodeHostCNAME},
			not:    []string{CodeHostWrongAddress, CodeHostMissing},
			says:   []string{"alias (CNAME) for server.example.com."},
		},
		"no AAAA although an IPv6 address is configured": {
			world:  func(w *world) { w.remove("mail", dns.TypeAAAA) },
			status: StatusWarn,
			want:   []string{CodeHostMissingAAAA},
			not:    []string{CodeHostMissing},
			says:   []string{"2001:db8::10"},
		},
		"no AAAA and no IPv6 address configured": {
			cfg:    v4only,
			status: StatusPass,
			not:    []string{CodeHostMissingAAAA, CodeHostWrongAddress},
		},
		"AAAA although no IPv6 address is configured": {
			cfg: v4only,
			world: func(w *world) {
				w.add("ns1.example.net.", "mail AAAA 2001:db8::99").add("ns2.example.net.", "mail AAAA 2001:db8::99")
			},
			status: StatusFail,
			want:   []string{CodeHostWrongAddress},
			says:   []string{"no IPv6 address is configured"},
		},
		"record at the doubled name": {
			world: func(w *world) {
				w.remove("mail", dns.TypeANY)
				w.replace("mail.example.com.example.com. A 192.0.2.10")
			},
			status: StatusFail,
			want:   []string{CodeDoubledDomain, CodeHostMissing},
			says:   []string{"mail.example.com.example.com.", "Remove the domain from the Host field", `enter "mail" instead of "mail.example.com"`},
		},
		"a wildcard answers the doubled name": {
			world:  func(w *world) { w.replace("*.example.com. A 192.0.2.99") },
			status: StatusPass,
			not:    []string{CodeDoubledDomain},
		},
		"one server down": {
			world:  func(w *world) { w.down["ns2.example.net."] = errors.New("i/o timeout") },
			status: StatusWarn,
			want:   []string{CodeNSUnreachable},
			not:    []string{CodeLookupError, CodePartialPropagation},
			says:   []string{"ns2.example.net. gave no usable answer", "i/o timeout"},
		},
		"every server down": {
			world: func(w *world) {
				w.down["ns1.example.net."] = errors.New("i/o timeout")
				w.down["ns2.example.net."] = errors.New("connection refused")
			},
			status: StatusError,
			want:   []string{CodeLookupError},
			not:    []string{CodeHostMissing, CodeNSUnreachable},
			says:   []string{"i/o timeout", "connection refused"},
		},
	})
}

func TestHostRecords(t *testing.T) {
	cfg := testConfig(t)
	got := hostRecords(cfg)
	want := []Record{
		{Name: "mail.example.com.", Type: "A", TTL: 3600, Value: "192.0.2.10"},
		{Name: "mail.example.com.", Type: "AAAA", TTL: 3600, Value: "2001:db8::10"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("record %d: got %v, want %v", i, got[i], want[i])
		}
	}
}
