package steps

import (
	"testing"

	"github.com/miekg/dns"
)

func TestMX(t *testing.T) {
	runStepCases(t, IDMX, testConfig, map[string]stepCase{
		"published everywhere": {
			status: StatusPass,
			not:    []string{CodeMXMissing, CodeMXWrongTarget, CodeMXTargetCNAME, CodeMXTargetIP, CodeMXExtraHost, CodeMXNull, CodePartialPropagation, CodeDoubledDomain},
		},
		"absent everywhere": {
			world:  func(w *world) { w.remove("example.com.", dns.TypeMX) },
			status: StatusPending,
			want:   []string{CodeMXMissing},
			says:   []string{"example.com. has no MX record", "Add example.com. MX 10 mail.example.com."},
		},
		"only on ns2": {
			world:  func(w *world) { w.remove("example.com.", dns.TypeMX, "ns1.example.net.") },
			status: StatusPending,
			want:   []string{CodePartialPropagation},
			not:    []string{CodeMXMissing},
			says:   []string{"on ns2.example.net. but not yet on ns1.example.net."},
		},
		"points at the old provider": {
			world:  func(w *world) { w.replace("@ MX 10 mx.old-provider.example.") },
			status: StatusFail,
			want:   []string{CodeMXWrongTarget},
			not:    []string{CodeMXExtraHost},
			says:   []string{"MX 10 mx.old-provider.example.", "expected MX 10 mail.example.com."},
		},
		"target typed without its final dot": {
			world:  func(w *world) { w.replace("@ MX 10 mail.example.com.example.com.") },
			status: StatusFail,
			want:   []string{CodeMXWrongTarget},
			says:   []string{"added example.com to the target"},
		},
		"target is an address": {
			world:  func(w *world) { w.replace("@ MX 10 192.0.2.10.") },
			status: StatusFail,
			want:   []string{CodeMXTargetIP},
			not:    []string{CodeMXWrongTarget},
			says:   []string{"must name a host, not an address"},
		},
		"target is an alias": {
			world: func(w *world) {
				w.remove("mail", dns.TypeANY)
				w.replace("mail CNAME server", "server A 192.0.2.10")
			},
			status: StatusFail,
			want:   []string{CodeMXTargetCNAME},
			says:   []string{"mail.example.com. is an alias (CNAME) for server.example.com."},
		},
		"backup MX left over": {
			world:  func(w *world) { w.replace("@ MX 10 mail", "@ MX 20 backup.example.net.") },
			status: StatusWarn,
			want:   []string{CodeMXExtraHost},
			not:    []string{CodeMXWrongTarget, CodeMXTargetCNAME},
			says:   []string{"MX 20 backup.example.net."},
		},
		"old MX preferred over ours": {
			world:  func(w *world) { w.replace("@ MX 10 mail", "@ MX 5 mx.old-provider.example.") },
			status: StatusWarn,
			want:   []string{CodeMXExtraHost},
			says:   []string{"before or as often as your server"},
		},
		"null MX": {
			world:  func(w *world) { w.replace("@ MX 0 .") },
			status: StatusFail,
			want:   []string{CodeMXNull},
			not:    []string{CodeMXWrongTarget, CodeMXMissing},
			says:   []string{"accepts no mail"},
		},
		"MX at the doubled name": {
			world: func(w *world) {
				w.remove("example.com.", dns.TypeMX)
				w.replace("example.com.example.com. MX 10 mail.example.com.")
			},
			status: StatusFail,
			want:   []string{CodeDoubledDomain},
			says:   []string{`enter "@" instead of "example.com"`},
		},
	})
}
