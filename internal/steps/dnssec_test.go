package steps

import (
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify/dnsworld"
)

// chosen is a Config with DNSSEC and DANE chosen.
func chosen(c *Config) { c.DANE = true }

// otherKey is a key of example.com. the zone does not sign with.
func otherKey(t testing.TB) *dnsworld.ZoneSigner {
	s, err := dnsworld.NewZoneSigner("example.com.")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDNSSEC(t *testing.T) {
	day := 24 * time.Hour
	runStepCases(t, IDDNSSEC, testConfig, map[string]stepCase{
		"signed, with its DS": {
			status: StatusPass,
			not: []string{CodeDNSSECUnsigned, CodeDNSSECDSMissing, CodeDNSSECDSMismatch, CodeDNSSECBogus,
				CodeDNSSECExpiring, CodeDNSSECInconsistent, CodeLookupError},
		},
		"signed, with its DS, chosen": {
			cfg:    chosen,
			status: StatusPass,
			not:    []string{CodeDNSSECUnsigned, CodeDNSSECDSMissing},
		},
		"unsigned": {
			world:    func(w *world) { w.unsign("example.com.") },
			status:   StatusWarn,
			want:     []string{CodeDNSSECUnsigned},
			severity: SeverityWarning,
			says:     []string{"example.com. is not signed", "DANE", "--dane"},
		},
		"unsigned, chosen": {
			cfg:      chosen,
			world:    func(w *world) { w.unsign("example.com.") },
			status:   StatusPending,
			want:     []string{CodeDNSSECUnsigned},
			severity: SeverityError,
			says:     []string{"not signed yet", "Switch DNSSEC on at your DNS provider", "registrar"},
		},
		"no DS at the parent": {
			world:    func(w *world) { w.dropDS("example.com.") },
			status:   StatusWarn,
			want:     []string{CodeDNSSECDSMissing},
			severity: SeverityWarning,
			says:     []string{"has no DS record", "example.com. DS ", " 13 2 "},
		},
		"no DS at the parent, chosen": {
			cfg:      chosen,
			world:    func(w *world) { w.dropDS("example.com.") },
			status:   StatusPending,
			want:     []string{CodeDNSSECDSMissing},
			severity: SeverityError,
		},
		"a DS of another key": {
			world:  func(w *world) { w.setDS("example.com.", otherKey(t).DS()) },
			status: StatusFail,
			want:   []string{CodeDNSSECDSMismatch},
			not:    []string{CodeDNSSECDSMissing},
			says:   []string{"matches none of the zone's keys", "cannot resolve example.com. at all", "replace the DS record at your registrar"},
		},
		"a DS of the right key and one of an old one": {
			world: func(w *world) {
				w.setDS("example.com.", otherKey(t).DS(), w.signer("example.com.").DS())
			},
			status: StatusPass,
			not:    []string{CodeDNSSECDSMismatch},
		},
		"a DS left behind for an unsigned zone": {
			world: func(w *world) {
				w.unsign("example.com.")
				w.setDS("example.com.", otherKey(t).DS())
			},
			status: StatusFail,
			want:   []string{CodeDNSSECDSMismatch},
			not:    []string{CodeDNSSECUnsigned},
			says:   []string{"but the zone is not signed", "Remove the DS record at your registrar now"},
		},
		"expired signatures": {
			world:  func(w *world) { w.signer("example.com.").SetValidity(time.Now().Add(-30*day), time.Now().Add(-day)) },
			status: StatusFail,
			want:   []string{CodeDNSSECBogus},
			says:   []string{"expired on", "24 hours ago", "sign the zone again"},
		},
		"signatures that do not verify": {
			world:  func(w *world) { w.signer("example.com.").SetCorrupt(true) },
			status: StatusFail,
			want:   []string{CodeDNSSECBogus},
			says:   []string{"does not verify"},
		},
		"signatures expiring in three days": {
			world:  func(w *world) { w.signer("example.com.").SetValidity(time.Now().Add(-20*day), time.Now().Add(3*day)) },
			status: StatusWarn,
			want:   []string{CodeDNSSECExpiring},
			not:    []string{CodeDNSSECBogus},
			says:   []string{"expire on", "in 3 days", "signing has stopped"},
		},
		"an online signer's two-day signatures": {
			world: func(w *world) {
				w.signer("example.com.").SetValidity(time.Now().Add(-time.Hour), time.Now().Add(2*day))
			},
			status: StatusPass,
			not:    []string{CodeDNSSECExpiring},
		},
		"one server serves an unsigned copy": {
			world:  func(w *world) { w.unsignedOn = map[string]bool{"ns2.example.net.": true} },
			status: StatusFail,
			want:   []string{CodeDNSSECInconsistent},
			says:   []string{"signed on ns1.example.net. but ns2.example.net. serves it without DNSKEY records"},
		},
		"the servers serve different keys": {
			world: func(w *world) {
				w.add("ns2.example.net.", dnskeyLine(otherKey(t).DNSKEY()))
			},
			status: StatusFail,
			want:   []string{CodeDNSSECInconsistent},
			says:   []string{"serve different DNSKEY sets"},
		},
		"the key the DS points at does not sign the keys": {
			world: func(w *world) {
				other := otherKey(t)
				w.add("ns1.example.net.", dnskeyLine(other.DNSKEY())).add("ns2.example.net.", dnskeyLine(other.DNSKEY()))
				w.setDS("example.com.", other.DS())
			},
			status: StatusFail,
			want:   []string{CodeDNSSECBogus},
			says:   []string{"DNSKEY example.com.", "the key the parent's DS record points at"},
		},
	})
}

// dnskeyLine is a zone line for a key.
func dnskeyLine(k *dns.DNSKEY) string { return k.String() }

// TestDNSSECServersAndOpinion: each nameserver and the parent get a
// verdict, and a validating resolver's AD bit is the second opinion.
func TestDNSSECServersAndOpinion(t *testing.T) {
	cfg := testConfig(t)
	w := newWorld(t)
	for _, s := range All() {
		w.publish(s.Records(cfg))
	}
	w.validating = true
	res := w.judge(cfg, IDDNSSEC)
	if res.Status != StatusPass {
		t.Fatalf("status %s:\n%s", res.Status, messages(res))
	}
	var parent bool
	for _, sv := range res.Servers {
		if sv.Verdict != VerdictOK {
			t.Errorf("server %+v", sv)
		}
		parent = parent || sv.Server == "a.gtld.example. (parent of example.com.)"
	}
	if len(res.Servers) != 3 || !parent {
		t.Errorf("servers %+v, want two nameservers and the parent", res.Servers)
	}
	if len(res.SecondOpinion) != 1 || res.SecondOpinion[0].Note != "127.0.0.53:53 validates the answers (it sets the AD bit): the chain of trust holds from where it stands." {
		t.Errorf("second opinion %+v", res.SecondOpinion)
	}
}
