package steps

import (
	"errors"
	"testing"
)

func TestBlocklist(t *testing.T) {
	lists := func(c *Config) { c.DNSBL = []string{"zen.example.org.", "bl.example.net."} }
	runStepCases(t, IDBlocklist, testConfig, map[string]stepCase{
		"listed nowhere": {
			cfg:    lists,
			world:  func(w *world) { w.resolver = rrs(t, "zen.example.org. SOA ns. host. 1 2 3 4 5") },
			status: StatusPass,
			not:    []string{CodeBlocklistListed, CodeBlocklistRefused, CodeLookupError},
		},
		"listed with a reason": {
			cfg: lists,
			world: func(w *world) {
				w.resolver = rrs(t,
					"10.2.0.192.zen.example.org. A 127.0.0.4",
					`10.2.0.192.zen.example.org. TXT "https://check.example.org/query/ip/192.0.2.10"`)
			},
			status: StatusFail,
			want:   []string{CodeBlocklistListed},
			not:    []string{CodeBlocklistRefused},
			says:   []string{"192.0.2.10 is listed on zen.example.org", "127.0.0.4", "https://check.example.org/query/ip/192.0.2.10"},
		},
		"IPv6 address listed": {
			cfg: lists,
			world: func(w *world) {
				w.resolver = rrs(t, "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.example.net. A 127.0.0.2")
			},
			status: StatusFail,
			want:   []string{CodeBlocklistListed},
			says:   []string{"2001:db8::10 is listed on bl.example.net"},
		},
		"list refuses the resolver": {
			cfg:    lists,
			world:  func(w *world) { w.resolver = rrs(t, "10.2.0.192.zen.example.org. A 127.255.255.254") },
			status: StatusWarn,
			want:   []string{CodeBlocklistRefused},
			not:    []string{CodeBlocklistListed},
			says:   []string{"This is not a listing", "--resolver"},
		},
		"resolver rewrites no-such-name to an address": {
			cfg:    lists,
			world:  func(w *world) { w.resolver = rrs(t, "10.2.0.192.zen.example.org. A 192.0.2.200") },
			status: StatusError,
			want:   []string{CodeLookupError},
			not:    []string{CodeBlocklistListed, CodeBlocklistRefused},
			says:   []string{"192.0.2.200 is not a blocklist's", "--resolver"},
		},
		"resolver does not answer": {
			cfg:    lists,
			world:  func(w *world) { w.down[resolverName] = errors.New("i/o timeout") },
			status: StatusError,
			want:   []string{CodeLookupError},
			not:    []string{CodeBlocklistListed},
			says:   []string{"Could not check 192.0.2.10 on zen.example.org: the resolver 127.0.0.53:53 gave no reply: i/o timeout."},
		},
		"no lists configured": {
			status: StatusSkipped,
			not:    []string{CodeBlocklistListed, CodeLookupError},
		},
	})
}
