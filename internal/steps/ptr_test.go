package steps

import (
	"testing"

	"github.com/miekg/dns"
)

func TestPTR(t *testing.T) {
	const rev4 = "10.2.0.192.in-addr.arpa."
	const rev6 = "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa."
	runStepCases(t, IDPTR, testConfig, map[string]stepCase{
		"published everywhere": {
			status: StatusPass,
			not:    []string{CodePTRMissing, CodePTRMismatch, CodePTRNotConfirmed},
		},
		"no IPv6 PTR": {
			world:  func(w *world) { w.remove(rev6, dns.TypePTR) },
			status: StatusPending,
			want:   []string{CodePTRMissing},
			says:   []string{"2001:db8::10 has no reverse DNS", "hosting provider", "not at your DNS provider", "mail.example.com."},
		},
		"IPv4 PTR only on ns1": {
			world:  func(w *world) { w.remove(rev4, dns.TypePTR, "ns2.example.net.") },
			status: StatusPending,
			want:   []string{CodePartialPropagation},
			not:    []string{CodePTRMissing},
		},
		"provider's default name": {
			world:  func(w *world) { w.replace(rev4 + " PTR static.10.2.0.192.clients.your-server.example.") },
			status: StatusFail,
			want:   []string{CodePTRMismatch},
			not:    []string{CodePTRNotConfirmed},
			says:   []string{"static.10.2.0.192.clients.your-server.example.", "provider's default name", "hosting provider"},
		},
		"another name": {
			world:  func(w *world) { w.replace(rev4 + " PTR smtp.example.com.") },
			status: StatusFail,
			want:   []string{CodePTRMismatch},
			says:   []string{"names smtp.example.com."},
		},
		"mail host's A record holds another address": {
			world:  func(w *world) { w.replace("mail A 198.51.100.7") },
			status: StatusFail,
			want:   []string{CodePTRNotConfirmed},
			says:   []string{"A 198.51.100.7", "not 192.0.2.10"},
		},
		"mail host has no address yet": {
			world:  func(w *world) { w.remove("mail", dns.TypeANY) },
			status: StatusPending,
			want:   []string{CodePTRNotConfirmed},
			not:    []string{CodePTRMismatch},
		},
	})
}

func TestReverseName(t *testing.T) {
	cfg := testConfig(t)
	recs := ptrRecords(cfg)
	if len(recs) != 2 {
		t.Fatalf("want one PTR per address, got %v", recs)
	}
	for _, r := range recs {
		if r.Value != "mail.example.com." || r.Type != "PTR" {
			t.Errorf("PTR %v, want the mail host", r)
		}
	}
	if recs[0].Name != "10.2.0.192.in-addr.arpa." {
		t.Errorf("IPv4 reverse name %s", recs[0].Name)
	}
	if recs[1].Host("example.com.") != recs[1].Name {
		t.Errorf("a PTR outside the zone must show its whole name, got %s", recs[1].Host("example.com."))
	}
}
