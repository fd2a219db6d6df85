package steps

import (
	"testing"

	"github.com/miekg/dns"
)

func TestTLSRPT(t *testing.T) {
	const want = `"v=TLSRPTv1; rua=mailto:tls-reports@example.com"`
	runStepCases(t, IDTLSRPT, testConfig, map[string]stepCase{
		"published": {
			status: StatusPass,
			not:    []string{CodeTLSRPTMissing, CodeTLSRPTMultiple, CodeTLSRPTSyntax},
		},
		"another address, and https": {
			world: func(w *world) {
				w.replace(`_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tls@example.net,https://tlsrpt.example.net/v1"`)
			},
			status: StatusPass,
			not:    []string{CodeTLSRPTSyntax, CodeTLSRPTMissing},
		},
		"absent everywhere": {
			world:  func(w *world) { w.remove("_smtp._tls", dns.TypeTXT) },
			status: StatusPending,
			want:   []string{CodeTLSRPTMissing},
			says:   []string{"_smtp._tls.example.com. has no TLS-RPT record on ns1.example.net. and ns2.example.net.", want},
		},
		"a TXT that is not TLS-RPT does not count": {
			world:  func(w *world) { w.replace(`_smtp._tls TXT "v=spf1 -all"`) },
			status: StatusPending,
			want:   []string{CodeTLSRPTMissing},
		},
		"on one server only": {
			world:  func(w *world) { w.remove("_smtp._tls", dns.TypeTXT, "ns2.example.net.") },
			status: StatusPending,
			want:   []string{CodePartialPropagation},
			not:    []string{CodeTLSRPTMissing},
			says:   []string{"on ns1.example.net. but not yet on ns2.example.net."},
		},
		"two records": {
			world:  func(w *world) { w.add("ns1.example.net.", `_smtp._tls TXT "v=TLSRPTv1; rua=mailto:x@example.com"`) },
			status: StatusFail,
			want:   []string{CodeTLSRPTMultiple},
			says:   []string{"two TLS-RPT records on ns1.example.net.", "senders send no reports", "Keep one: " + want},
		},
		"two records in different case": {
			world:  func(w *world) { w.add("ns2.example.net.", `_smtp._tls TXT "V=TLSRPTv1; rua=mailto:x@example.com"`) },
			status: StatusFail,
			want:   []string{CodeTLSRPTMultiple},
		},
		"address without mailto": {
			world:  func(w *world) { w.replace(`_smtp._tls TXT "v=TLSRPTv1; rua=tls@example.com"`) },
			status: StatusFail,
			want:   []string{CodeTLSRPTSyntax},
			says:   []string{"has no scheme", "Replace it with " + want},
		},
		"DMARC's size suffix": {
			world:  func(w *world) { w.replace(`_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tls@example.com!10m"`) },
			status: StatusFail,
			want:   []string{CodeTLSRPTSyntax},
			says:   []string{"%21"},
		},
		"no rua": {
			world:  func(w *world) { w.replace(`_smtp._tls TXT "v=TLSRPTv1;"`) },
			status: StatusFail,
			want:   []string{CodeTLSRPTSyntax},
			says:   []string{"holds nothing after v=TLSRPTv1"},
		},
		"quotes stored as text": {
			world:  func(w *world) { w.replace(`_smtp._tls TXT "\"v=TLSRPTv1; rua=mailto:tls-reports@example.com\""`) },
			status: StatusFail,
			want:   []string{CodeTLSRPTSyntax},
			says:   []string{"starts with a quote", "without quotes"},
		},
		"record at the doubled name": {
			world: func(w *world) {
				w.remove("_smtp._tls", dns.TypeTXT)
				w.replace(`_smtp._tls.example.com.example.com. TXT "v=TLSRPTv1; rua=mailto:tls-reports@example.com"`)
			},
			status: StatusFail,
			want:   []string{CodeDoubledDomain, CodeTLSRPTMissing},
			says:   []string{"_smtp._tls.example.com.example.com.", `enter "_smtp._tls"`},
		},
	})
}
