package steps

import (
	"testing"

	"github.com/miekg/dns"
)

func TestAutoconfig(t *testing.T) {
	removeAll := func(w *world) {
		for _, s := range append(mailServices(), autodiscover()) {
			w.remove(s.owner("example.com."), dns.TypeSRV)
		}
		w.remove("autodiscover", dns.TypeCNAME)
		w.remove("autoconfig", dns.TypeCNAME)
	}
	runStepCases(t, IDAutoconfig, testConfig, map[string]stepCase{
		"published everywhere": {
			status: StatusPass,
			not: []string{CodeSRVMissing, CodeSRVWrongTarget, CodeSRVWrongPort, CodeSRVTargetCNAME, CodeSRVUnexpected,
				CodeAutodiscoverMissing, CodeAutodiscoverWrongTarget, CodeAutoconfigMissing, CodeAutoconfigWrongTarget, CodeDoubledDomain},
		},
		"nothing published yet": {
			world:  removeAll,
			status: StatusPending,
			want:   []string{CodeSRVMissing, CodeAutodiscoverMissing, CodeAutoconfigMissing},
			says:   []string{"_submission._tcp.example.com. has no SRV record", "_submission._tcp.example.com. SRV 0 1 587 mail.example.com."},
		},
		"one service missing": {
			world:  func(w *world) { w.remove("_imaps._tcp", dns.TypeSRV) },
			status: StatusPending,
			want:   []string{CodeSRVMissing},
			says:   []string{"_imaps._tcp.example.com.", "IMAP (TLS)", "SRV 0 1 993 mail.example.com."},
		},
		"service on one server only": {
			world:  func(w *world) { w.remove("_imaps._tcp", dns.TypeSRV, "ns2.example.net.") },
			status: StatusPending,
			want:   []string{CodePartialPropagation},
			not:    []string{CodeSRVMissing},
		},
		"SRV at another host": {
			world:  func(w *world) { w.replace("_imaps._tcp SRV 0 1 993 imap.example.net.") },
			status: StatusFail,
			want:   []string{CodeSRVWrongTarget},
			not:    []string{CodeSRVTargetCNAME},
			says:   []string{"SRV 0 1 993 imap.example.net.", "expected _imaps._tcp.example.com. SRV 0 1 993 mail.example.com."},
		},
		"SRV says an offered service is not available": {
			world:  func(w *world) { w.replace("_submissions._tcp SRV 0 0 0 .") },
			status: StatusFail,
			want:   []string{CodeSRVWrongTarget},
			says:   []string{"there is no sending mail (TLS) service, but you offer it"},
		},
		"submissions on the STARTTLS port": {
			world:  func(w *world) { w.replace("_submissions._tcp SRV 0 1 587 mail") },
			status: StatusFail,
			want:   []string{CodeSRVWrongPort},
			not:    []string{CodeSRVWrongTarget},
			says:   []string{"port 587", "port 465"},
		},
		"SRV target is an alias": {
			world: func(w *world) {
				w.remove("mail", dns.TypeANY)
				w.replace("mail CNAME server", "server A 192.0.2.10")
			},
			status: StatusWarn,
			want:   []string{CodeSRVTargetCNAME},
			not:    []string{CodeSRVWrongTarget},
		},
		"SRV for a service not offered": {
			world:  func(w *world) { w.replace("_pop3._tcp SRV 0 1 110 mail") },
			status: StatusWarn,
			want:   []string{CodeSRVUnexpected},
			says:   []string{"_pop3._tcp.example.com.", "POP3 (STARTTLS)", "0 0 0 ."},
		},
		"null SRV for a service not offered": {
			world:  func(w *world) { w.replace("_pop3._tcp SRV 0 0 0 .") },
			status: StatusPass,
			not:    []string{CodeSRVUnexpected},
		},
		"null SRV records published as configured": {
			cfg:    func(c *Config) { c.NullUnoffered = true },
			status: StatusPass,
			not:    []string{CodeSRVUnexpected},
		},
		"no autodiscover records": {
			world: func(w *world) {
				w.remove("_autodiscover._tcp", dns.TypeSRV)
				w.remove("autodiscover", dns.TypeCNAME)
			},
			status: StatusWarn,
			want:   []string{CodeAutodiscoverMissing},
			not:    []string{CodeSRVMissing},
		},
		"autodiscover SRV at another host": {
			world:  func(w *world) { w.replace("_autodiscover._tcp SRV 0 1 443 autodiscover.outlook.example.") },
			status: StatusWarn,
			want:   []string{CodeAutodiscoverWrongTarget},
			not:    []string{CodeSRVWrongTarget},
		},
		"autodiscover SRV on the wrong port": {
			world:  func(w *world) { w.replace("_autodiscover._tcp SRV 0 1 80 mail") },
			status: StatusWarn,
			want:   []string{CodeAutodiscoverWrongPort},
			not:    []string{CodeSRVWrongPort, CodeAutodiscoverWrongTarget},
			says:   []string{"port 80", "port 443"},
		},
		"autodiscover at another provider": {
			world:  func(w *world) { w.replace("autodiscover CNAME autodiscover.outlook.example.") },
			status: StatusWarn,
			want:   []string{CodeAutodiscoverWrongTarget},
			says:   []string{"CNAME autodiscover.outlook.example.", "autodiscover.example.com. CNAME mail.example.com."},
		},
		"autodiscover as an A record of the server": {
			world: func(w *world) {
				w.remove("autodiscover", dns.TypeCNAME)
				w.replace("autodiscover A 192.0.2.10")
			},
			status: StatusPass,
			not:    []string{CodeAutodiscoverWrongTarget, CodeAutodiscoverMissing},
		},
		"no autoconfig name": {
			world:  func(w *world) { w.remove("autoconfig", dns.TypeCNAME) },
			status: StatusPass,
			want:   []string{CodeAutoconfigMissing},
		},
		"autoconfig as an A record of the server": {
			world: func(w *world) {
				w.remove("autoconfig", dns.TypeCNAME)
				w.replace("autoconfig A 192.0.2.10")
			},
			status: StatusPass,
			not:    []string{CodeAutoconfigMissing, CodeAutoconfigWrongTarget},
		},
		"autoconfig elsewhere": {
			world:  func(w *world) { w.replace("autoconfig CNAME www.example.org.") },
			status: StatusWarn,
			want:   []string{CodeAutoconfigWrongTarget},
			not:    []string{CodeAutoconfigMissing},
		},
		"SRV at the doubled name": {
			world: func(w *world) {
				w.remove("_imaps._tcp", dns.TypeSRV)
				w.replace("_imaps._tcp.example.com.example.com. SRV 0 1 993 mail.example.com.")
			},
			status: StatusFail,
			want:   []string{CodeDoubledDomain, CodeSRVMissing},
			says:   []string{`enter "_imaps._tcp" instead of "_imaps._tcp.example.com"`},
		},
	})
}
