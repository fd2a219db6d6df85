package steps

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
)

const (
	ns1 = "ns1.example.net."
	ns2 = "ns2.example.net."
)

// served is an authoritative reply with the given records.
func served(t testing.TB, server string, lines ...string) verify.Observation {
	t.Helper()
	o := verify.Observation{Server: server, Authoritative: true}
	for _, l := range lines {
		rr, err := dns.NewRR(l)
		if err != nil {
			t.Fatal(err)
		}
		o.Answer = append(o.Answer, rr)
	}
	return o
}

func nxdomain(server string, negTTL time.Duration) verify.Observation {
	return verify.Observation{Server: server, Rcode: dns.RcodeNameError, NegativeTTL: negTTL}
}

func unreachable(server string) verify.Observation {
	return verify.Observation{Server: server, Rcode: -1, Err: errors.New("query A mail.example.com. at " + server + ": i/o timeout")}
}

func TestServerVerdicts(t *testing.T) {
	t.Parallel()
	a := Record{Name: "mail.example.com.", Type: "A", TTL: 3600, Value: "192.0.2.25"}
	aaaa := Record{Name: "mail.example.com.", Type: "AAAA", TTL: 3600, Value: "2001:db8::25"}
	dkim := Record{Name: "mail._domainkey.example.com.", Type: "TXT", TTL: 3600, Value: "v=DKIM1; k=rsa; p=AB"}
	cname := Record{Name: "autoconfig.example.com.", Type: "CNAME", TTL: 3600, Value: "mail.example.com.", Optional: true}
	qa := verify.Q("mail.example.com.", dns.TypeA)
	tests := map[string]struct {
		status   Status
		expected []Record
		observed func(t *testing.T) []verify.Answer
		want     []string // "<mark> <server> <detail>"
	}{
		"both servers serve it": {
			expected: []Record{a},
			observed: func(t *testing.T) []verify.Answer {
				return []verify.Answer{{Question: qa, Servers: []verify.Observation{
					served(t, ns1, "mail.example.com. 3600 IN A 192.0.2.25"),
					served(t, ns2, "mail.example.com. 3600 IN A 192.0.2.25")}}}
			},
			want: []string{"ok ns1.example.net. serves it", "ok ns2.example.net. serves it"},
		},
		"one server does not have the name yet": {
			expected: []Record{a},
			observed: func(t *testing.T) []verify.Answer {
				return []verify.Answer{{Question: qa, Servers: []verify.Observation{
					served(t, ns1, "mail.example.com. 3600 IN A 192.0.2.25"), nxdomain(ns2, time.Hour)}}}
			},
			want: []string{"ok ns1.example.net. serves it", "bad ns2.example.net. no such name mail.example.com."},
		},
		"a server returns another value": {
			expected: []Record{a},
			observed: func(t *testing.T) []verify.Answer {
				return []verify.Answer{{Question: qa, Servers: []verify.Observation{
					served(t, ns1, "mail.example.com. 3600 IN A 192.0.2.99")}}}
			},
			want: []string{`bad ns1.example.net. returned "192.0.2.99"`},
		},
		"a server that cannot be reached": {
			expected: []Record{a},
			observed: func(t *testing.T) []verify.Answer {
				return []verify.Answer{{Question: qa, Servers: []verify.Observation{unreachable(ns2)}}}
			},
			want: []string{"unknown ns2.example.net. could not check: query A mail.example.com. at ns2.example.net.: i/o timeout"},
		},
		"a CNAME where an address belongs": {
			expected: []Record{a},
			observed: func(t *testing.T) []verify.Answer {
				return []verify.Answer{{Question: qa, Servers: []verify.Observation{
					served(t, ns1, "mail.example.com. 3600 IN CNAME host.example.org.")}}}
			},
			want: []string{"bad ns1.example.net. has a CNAME to host.example.org. instead of A"},
		},
		"an IPv6 address written out in full is the same address": {
			expected: []Record{aaaa},
			observed: func(t *testing.T) []verify.Answer {
				return []verify.Answer{{Question: verify.Q("mail.example.com.", dns.TypeAAAA), Servers: []verify.Observation{
					served(t, ns1, "mail.example.com. 3600 IN AAAA 2001:0db8:0000:0000:0000:0000:0000:0025")}}}
			},
			want: []string{"ok ns1.example.net. serves it"},
		},
		"several records count together": {
			expected: []Record{a, aaaa},
			observed: func(t *testing.T) []verify.Answer {
				return []verify.Answer{
					{Question: qa, Servers: []verify.Observation{served(t, ns1, "mail.example.com. 3600 IN A 192.0.2.25")}},
					{Question: verify.Q("mail.example.com.", dns.TypeAAAA), Servers: []verify.Observation{served(t, ns1)}},
				}
			},
			want: []string{"bad ns1.example.net. no AAAA record at mail.example.com."},
		},
		"a missing optional record does not count": {
			expected: []Record{a, cname},
			observed: func(t *testing.T) []verify.Answer {
				return []verify.Answer{
					{Question: qa, Servers: []verify.Observation{served(t, ns1, "mail.example.com. 3600 IN A 192.0.2.25")}},
					{Question: verify.Q("autoconfig.example.com.", dns.TypeCNAME), Servers: []verify.Observation{nxdomain(ns1, 0)}},
				}
			},
			want: []string{"ok ns1.example.net. serves it"},
		},
		"questions asked only to follow a chain are not shown": {
			expected: []Record{a},
			observed: func(t *testing.T) []verify.Answer {
				return []verify.Answer{
					{Question: qa, Servers: []verify.Observation{served(t, ns1, "mail.example.com. 3600 IN A 192.0.2.25")}},
					{Question: verify.Q("elsewhere.example.org.", dns.TypeA), Servers: []verify.Observation{nxdomain("ns9.example.org.", 0)}},
				}
			},
			want: []string{"ok ns1.example.net. serves it"},
		},
		"a pass from the judge trusts a value spelled differently": {
			status: StatusPass, expected: []Record{dkim},
			observed: func(t *testing.T) []verify.Answer {
				return []verify.Answer{{Question: verify.Q(dkim.Name, dns.TypeTXT), Servers: []verify.Observation{
					served(t, ns1, `mail._domainkey.example.com. 3600 IN TXT "k=rsa; v=DKIM1; p=AB"`)}}}
			},
			want: []string{"ok ns1.example.net. serves it"},
		},
		"without a pass a value spelled differently is shown": {
			status: StatusFail, expected: []Record{dkim},
			observed: func(t *testing.T) []verify.Answer {
				return []verify.Answer{{Question: verify.Q(dkim.Name, dns.TypeTXT), Servers: []verify.Observation{
					served(t, ns1, `mail._domainkey.example.com. 3600 IN TXT "k=rsa; v=DKIM1; p=AB"`)}}}
			},
			want: []string{`bad ns1.example.net. returned "k=rsa; v=DKIM1; p=AB"`},
		},
		"a TXT value split into strings is joined": {
			status: StatusPending, expected: []Record{dkim},
			observed: func(t *testing.T) []verify.Answer {
				return []verify.Answer{{Question: verify.Q(dkim.Name, dns.TypeTXT), Servers: []verify.Observation{
					served(t, ns1, `mail._domainkey.example.com. 3600 IN TXT "v=DKIM1; k=rsa; " "p=AB"`)}}}
			},
			want: []string{"ok ns1.example.net. serves it"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res := Result{Status: tc.status, Expected: tc.expected, Observed: tc.observed(t)}
			var got []string
			servers, _ := serverVerdicts(res)
			for _, l := range servers {
				got = append(got, string(l.Verdict)+" "+l.Server+" "+l.Detail)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestSecondOpinion(t *testing.T) {
	t.Parallel()
	a := Record{Name: "mail.example.com.", Type: "A", TTL: 3600, Value: "192.0.2.25"}
	qa := verify.Q("mail.example.com.", dns.TypeA)
	srv := Record{Name: "_pop3._tcp.example.com.", Type: "SRV", TTL: 3600, Value: "0 0 0 .", Optional: true}
	nodata := func(server string, negTTL time.Duration) verify.Observation {
		return verify.Observation{Server: server, Rcode: dns.RcodeSuccess, NegativeTTL: negTTL}
	}
	tests := map[string]struct {
		status    Status
		expected  []Record
		servers   []verify.Observation
		resolvers []verify.Observation
		want      string // "" for no note
		stale     bool
	}{
		"published, the resolver still caches no such name": {
			servers:   []verify.Observation{{Server: ns1, Answer: mustRRs(t, "mail.example.com. 3600 IN A 192.0.2.25")}},
			resolvers: []verify.Observation{nxdomain("8.8.8.8", 41*time.Minute)},
			want:      `8.8.8.8 still caches "no such name" for up to 41 min (A mail.example.com.); it will catch up on its own.`,
			stale:     true,
		},
		"published, the resolver still gives the old value, for its TTL": {
			servers:   []verify.Observation{{Server: ns1, Answer: mustRRs(t, "mail.example.com. 3600 IN A 192.0.2.25")}},
			resolvers: []verify.Observation{{Server: "8.8.8.8", Answer: mustRRs(t, "mail.example.com. 2400 IN A 198.51.100.9")}},
			want:      `8.8.8.8 returned "198.51.100.9", an old answer it may keep giving for up to 40 min (the TTL it gave); the nameservers already serve the new one, and it will catch up on its own.`,
		},
		"published, the resolver still caches no such record": {
			servers:   []verify.Observation{{Server: ns1, Answer: mustRRs(t, "mail.example.com. 3600 IN A 192.0.2.25")}},
			resolvers: []verify.Observation{nodata("8.8.8.8", 5*time.Minute)},
			want:      `8.8.8.8 still caches "no such record" for up to 5 min (A mail.example.com.); it will catch up on its own.`,
			stale:     true,
		},
		"published, the resolver says no without a caching time": {
			servers:   []verify.Observation{{Server: ns1, Answer: mustRRs(t, "mail.example.com. 3600 IN A 192.0.2.25")}},
			resolvers: []verify.Observation{nxdomain("8.8.8.8", 0)},
			want:      "8.8.8.8 does not see A mail.example.com. yet; it will catch up on its own.",
		},
		"published as the judge reads it, spelled otherwise": {
			status:    StatusPass,
			servers:   []verify.Observation{{Server: ns1, Answer: mustRRs(t, "mail.example.com. 3600 IN A 192.0.2.99")}},
			resolvers: []verify.Observation{nxdomain("8.8.8.8", time.Hour)},
			want:      `8.8.8.8 still caches "no such name" for up to 1 h (A mail.example.com.); it will catch up on its own.`,
			stale:     true,
		},
		"not published, the resolver says no too": {
			servers:   []verify.Observation{nxdomain(ns1, time.Hour)},
			resolvers: []verify.Observation{nxdomain("8.8.8.8", time.Hour)},
			want:      `8.8.8.8 says "no" too, and may keep saying it for up to 1 h after you publish.`,
		},
		"a short negative-caching time is said in seconds": {
			servers:   []verify.Observation{nxdomain(ns1, 30*time.Second)},
			resolvers: []verify.Observation{nxdomain("8.8.8.8", 30*time.Second)},
			want:      `8.8.8.8 says "no" too, and may keep saying it for up to 30 s after you publish.`,
		},
		"the resolver sees it": {
			servers:   []verify.Observation{{Server: ns1, Answer: mustRRs(t, "mail.example.com. 3600 IN A 192.0.2.25")}},
			resolvers: []verify.Observation{{Server: "8.8.8.8", Answer: mustRRs(t, "mail.example.com. 300 IN A 192.0.2.25")}},
			want:      "8.8.8.8 sees it too.",
		},
		"the resolver still has the old value": {
			servers:   []verify.Observation{{Server: ns1, Answer: mustRRs(t, "mail.example.com. 3600 IN A 192.0.2.25")}},
			resolvers: []verify.Observation{{Server: "8.8.8.8", Answer: mustRRs(t, "mail.example.com. 300 IN A 192.0.2.7")}},
			want:      `8.8.8.8 returned "192.0.2.7", an old answer it may keep giving for up to 5 min (the TTL it gave); the nameservers already serve the new one, and it will catch up on its own.`,
		},
		"the resolver cannot be asked": {
			servers:   []verify.Observation{{Server: ns1, Answer: mustRRs(t, "mail.example.com. 3600 IN A 192.0.2.25")}},
			resolvers: []verify.Observation{unreachable("8.8.8.8")},
			want:      "Could not ask 8.8.8.8: query A mail.example.com. at 8.8.8.8: i/o timeout",
		},
		"a name rightly absent everywhere is no news": {
			expected:  []Record{srv},
			servers:   []verify.Observation{nxdomain(ns1, time.Hour)},
			resolvers: []verify.Observation{nxdomain("8.8.8.8", time.Hour)},
		},
		"no second opinion configured": {
			servers: []verify.Observation{{Server: ns1, Answer: mustRRs(t, "mail.example.com. 3600 IN A 192.0.2.25")}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			expected, q := []Record{a}, qa
			if tc.expected != nil {
				expected, q = tc.expected, verify.Q(tc.expected[0].Name, dns.StringToType[tc.expected[0].Type])
			}
			res := Result{Status: tc.status, Expected: expected, Observed: []verify.Answer{{Question: q, Servers: tc.servers, Resolvers: tc.resolvers}}}
			var notes []string
			stale := false
			_, published := serverVerdicts(res)
			for _, o := range secondOpinion(res, published) {
				notes = append(notes, o.Note)
				stale = stale || o.Stale
			}
			if got := strings.Join(notes, "\n"); got != tc.want || stale != tc.stale {
				t.Errorf("second opinion (stale %v):\n%s\nwant (stale %v):\n%s", stale, got, tc.stale, tc.want)
			}
		})
	}
}

func mustRRs(t testing.TB, lines ...string) []dns.RR {
	t.Helper()
	var out []dns.RR
	for _, l := range lines {
		rr, err := dns.NewRR(l)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rr)
	}
	return out
}

func TestListVerdict(t *testing.T) {
	t.Parallel()
	ip := netip.MustParseAddr("192.0.2.25")
	const zone = "zen.spamhaus.org."
	qa, qtxt := verify.BlocklistQuestions(ip, zone)
	tests := map[string]struct {
		a, txt verify.Observation
		want   string
	}{
		"not listed": {
			a: nxdomain("127.0.0.53:53", time.Minute), txt: nxdomain("127.0.0.53:53", time.Minute),
			want: "ok zen.spamhaus.org. 192.0.2.25 is not listed",
		},
		"listed, with the list's reason": {
			a:    verify.Observation{Server: "127.0.0.53:53", Answer: mustRRs(t, qa.Name+" 60 IN A 127.0.0.2")},
			txt:  verify.Observation{Server: "127.0.0.53:53", Answer: mustRRs(t, qa.Name+` 60 IN TXT "https://check.spamhaus.org/"`)},
			want: "bad zen.spamhaus.org. 192.0.2.25 is listed: https://check.spamhaus.org/",
		},
		"a refusal is never a listing": {
			a:    verify.Observation{Server: "127.0.0.53:53", Answer: mustRRs(t, qa.Name+" 60 IN A 127.255.255.254")},
			txt:  nxdomain("127.0.0.53:53", time.Minute),
			want: "unknown zen.spamhaus.org. refused to answer for 192.0.2.25 (it does not answer public resolvers)",
		},
		"a failed lookup could not be checked": {
			a: unreachable("127.0.0.53:53"), txt: unreachable("127.0.0.53:53"),
			want: "unknown zen.spamhaus.org. could not check 192.0.2.25",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			known := verify.Answers{
				qa:   {Question: qa, Servers: []verify.Observation{tc.a}},
				qtxt: {Question: qtxt, Servers: []verify.Observation{tc.txt}},
			}
			l := listVerdict(ip, zone, verify.Blocklist(known, ip, zone))
			got := string(l.Verdict) + " " + l.Server + " " + l.Detail
			if !strings.HasPrefix(got, tc.want) {
				t.Errorf("line %q, want it to start with %q", got, tc.want)
			}
		})
	}
}

// TestJudgeGivesEachServersVerdict: a judged step carries the verdict on
// each server it asked, authoritative servers or blocklists alike.
func TestJudgeGivesEachServersVerdict(t *testing.T) {
	cfg := testConfig(t)
	w := newWorld(t)
	for _, s := range All() {
		w.publish(s.Records(cfg))
	}
	w.remove("example.com.", dns.TypeMX, ns2)
	var got []string
	for _, l := range w.judge(cfg, IDMX).Servers {
		got = append(got, string(l.Verdict)+" "+l.Server+" "+l.Detail)
	}
	want := []string{"ok ns1.example.net. serves it", "bad ns2.example.net. no MX record at example.com."}
	if !slices.Equal(got, want) {
		t.Errorf("mx servers %q, want %q", got, want)
	}

	cfg.DNSBL = []string{"zen.example.org."}
	w.resolver = rrs(t, "10.2.0.192.zen.example.org. A 127.0.0.4")
	got = nil
	for _, l := range w.judge(cfg, IDBlocklist).Servers {
		got = append(got, string(l.Verdict)+" "+l.Server+" "+l.Detail)
	}
	want = []string{"bad zen.example.org. 192.0.2.10 is listed", "ok zen.example.org. 2001:db8::10 is not listed"}
	if !slices.Equal(got, want) {
		t.Errorf("blocklist servers %q, want %q", got, want)
	}
}

// TestServerVerdictsExtraOwned: a server that serves the wanted record and
// another record the step owns there (a second SPF record) is bad on a
// step that is not green, and says which; a record the step does not own
// (a site verification) changes nothing, and a green step keeps its
// servers ok.
func TestServerVerdictsExtraOwned(t *testing.T) {
	t.Parallel()
	spf := Record{Name: "example.com.", Type: "TXT", TTL: 3600, Value: "v=spf1 mx -all"}
	q := verify.Q("example.com.", dns.TypeTXT)
	tests := map[string]struct {
		status Status
		served []string
		want   string
	}{
		"a second SPF record": {
			status: StatusFail,
			served: []string{`example.com. 3600 IN TXT "v=spf1 mx -all"`, `example.com. 3600 IN TXT "v=spf1 include:_spf.newsletter.example ~all"`},
			want:   `bad ns1.example.net. serves it, and also another SPF record: "v=spf1 include:_spf…letter.example ~all"`,
		},
		"a site verification beside it": {
			status: StatusFail,
			served: []string{`example.com. 3600 IN TXT "v=spf1 mx -all"`, `example.com. 3600 IN TXT "google-site-verification=abc"`},
			want:   "ok ns1.example.net. serves it",
		},
		"green keeps the server ok": {
			status: StatusWarn,
			served: []string{`example.com. 3600 IN TXT "v=spf1 mx -all"`, `example.com. 3600 IN TXT "v=spf1 a -all"`},
			want:   "ok ns1.example.net. serves it",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			res := Result{Step: IDSPF, Status: tc.status, Expected: []Record{spf},
				Observed: []verify.Answer{{Question: q, Servers: []verify.Observation{served(t, ns1, tc.served...)}}}}
			servers, _ := serverVerdicts(res)
			if len(servers) != 1 {
				t.Fatalf("%d verdicts, want 1", len(servers))
			}
			if got := string(servers[0].Verdict) + " " + servers[0].Server + " " + servers[0].Detail; got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
