package steps

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
)

// domainOnlyConfig is a DomainOnly Config for example.com: no host, no
// address, no selector, as a domains file gives a domain without a
// profile.
func domainOnlyConfig(t testing.TB) Config {
	t.Helper()
	cfg := Config{Domain: "example.com", DomainOnly: true}
	if err := cfg.Normalize(nil); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestDomainOnlyNormalize(t *testing.T) {
	cfg := domainOnlyConfig(t)
	if cfg.Host != "" || len(cfg.IPs) != 0 {
		t.Errorf("host %q, ips %v: want neither filled in", cfg.Host, cfg.IPs)
	}
	full := Config{Domain: "example.com"}
	var ve *ValidationError
	if err := full.Normalize(nil); err == nil || !asValidation(err, &ve) || ve.Problems[0].Field != "ip" {
		t.Errorf("a complete Config without an address: %v, want an ip problem", err)
	}
	given := Config{Domain: "example.com", Host: "mx", DomainOnly: true}
	if err := given.Normalize(nil); err != nil || given.Host != "mx.example.com." {
		t.Errorf("a DomainOnly Config with a host: %q, %v", given.Host, err)
	}
}

func asValidation(err error, ve **ValidationError) bool {
	v, ok := err.(*ValidationError)
	*ve = v
	return ok
}

// TestDomainOnlySkips: a DomainOnly Config skips the steps that need what
// it lacks, and they ask nothing; a complete Config never skips them for
// it.
func TestDomainOnlySkips(t *testing.T) {
	cfg := domainOnlyConfig(t)
	skipped := []string{IDHost, IDPTR, IDDKIM, IDAutoconfig, IDBlocklist, IDServer}
	for _, s := range All() {
		res := s.Judge(cfg, verify.Answers{})
		asks := s.Questions(cfg, verify.Answers{})
		if slices.Contains(skipped, s.ID) {
			if res.Status != StatusSkipped || len(res.Findings) > 0 || len(asks) > 0 {
				t.Errorf("%s: status %s, findings %v, asks %v; want skipped, asking nothing", s.ID, res.Status, codes(res), asks)
			}
			continue
		}
		if res.Status == StatusSkipped || len(asks) == 0 {
			t.Errorf("%s: status %s, asks %v; want it checked", s.ID, res.Status, asks)
		}
	}
	withSelector := cfg
	withSelector.DKIMSelector = "mail"
	if res := judgeStep(t, withSelector, IDDKIM); res.Status == StatusSkipped {
		t.Error("dkim with a selector is skipped")
	}
	full := testConfig(t)
	full.DKIMSelector = ""
	if res := judgeStep(t, full, IDDKIM); !slices.Contains(codes(res), CodeDKIMNoSelector) {
		t.Errorf("a complete Config without a selector: %v, want %s", codes(res), CodeDKIMNoSelector)
	}
}

func judgeStep(t *testing.T, cfg Config, id string) Result {
	t.Helper()
	return newWorld(t).judge(cfg, id)
}

func TestDomainOnlyMX(t *testing.T) {
	mx := func(lines ...string) func(*world) {
		return func(w *world) { w.replace(lines...) }
	}
	runStepCases(t, IDMX, domainOnlyConfig, map[string]stepCase{
		"any host will do": {
			world:  mx("@ MX 10 mx.provider.example.", "@ MX 20 backup.provider.example."),
			status: StatusPass,
			not:    []string{CodeMXWrongTarget, CodeMXExtraHost, CodeMXMissing},
		},
		"absent": {
			status: StatusPending,
			want:   []string{CodeMXMissing},
			says:   []string{"example.com. has no MX record", "Add an MX record naming your mail host"},
		},
		"target is an address": {
			world:  mx("@ MX 10 192.0.2.10."),
			status: StatusFail,
			want:   []string{CodeMXTargetIP},
			not:    []string{CodeMXWrongTarget},
			says:   []string{"Set the target to the name that has the server's address."},
		},
		"null MX": {
			world:  mx("@ MX 0 ."),
			status: StatusFail,
			want:   []string{CodeMXNull},
			says:   []string{"replace it with an MX record naming your mail host"},
		},
		"target is an alias": {
			world:  mx("@ MX 10 mail", "mail CNAME server", "server A 192.0.2.10"),
			status: StatusFail,
			want:   []string{CodeMXTargetCNAME},
		},
	})
}

func TestDomainOnlySPF(t *testing.T) {
	spfAt := func(value string, extra ...string) func(*world) {
		return func(w *world) { w.replace(append([]string{`@ TXT "` + value + `"`}, extra...)...) }
	}
	terms, lines := includes(11)
	runStepCases(t, IDSPF, domainOnlyConfig, map[string]stepCase{
		"a record that authorizes no one here": {
			world:  spfAt("v=spf1 ip4:198.51.100.1 -all"),
			status: StatusPass,
			not:    []string{CodeSPFIPNotAuthorized, CodeSPFHELOMissing, CodeLookupError},
		},
		"too many lookups": {
			world:  spfAt("v=spf1 "+terms+" -all", lines...),
			status: StatusFail,
			want:   []string{CodeSPFTooManyLookups},
			not:    []string{CodeSPFIPNotAuthorized},
		},
		"plus all": {
			world:  spfAt("v=spf1 +all"),
			status: StatusFail,
			want:   []string{CodeSPFPlusAll},
		},
		"absent": {
			world:  func(w *world) { w.remove("example.com.", dns.TypeTXT) },
			status: StatusPending,
			want:   []string{CodeSPFMissing},
			not:    []string{CodeSPFHELOMissing},
		},
		"an include that does not exist": {
			world:  spfAt("v=spf1 include:nowhere.example.org -all"),
			status: StatusFail,
			want:   []string{CodeSPFSyntax},
			says:   []string{"broken for receivers"},
		},
	})
}

func TestSameHost(t *testing.T) {
	a := testConfig(t)
	b := testConfig(t)
	b.Domain, b.DKIMSelector, b.Skip = "example.org.", "other", []string{IDDKIM}
	b.IPs = []netip.Addr{a.IPs[1], a.IPs[0]}
	if !SameHost(a, b) {
		t.Error("two domains of one host, addresses in another order, their own steps skipped: not the same host")
	}
	for name, change := range map[string]func(*Config){
		"another host":          func(c *Config) { c.Host = "mx.example.org." },
		"another address":       func(c *Config) { c.IPs = c.IPs[:1] },
		"another blocklist":     func(c *Config) { c.DNSBL = []string{"bl.example."} },
		"no probes":             func(c *Config) { c.NoProbe = true },
		"a shared step skipped": func(c *Config) { c.Skip = []string{IDPTR} },
	} {
		c := b
		change(&c)
		if SameHost(a, c) {
			t.Errorf("%s: still the same host", name)
		}
	}
}

func TestWithHostOf(t *testing.T) {
	host := testConfig(t)
	host.Skip = []string{IDPTR, IDDKIM}
	host.NoProbe = true
	d := Config{Domain: "example.org.", DKIMSelector: "sel", Skip: []string{IDAutoconfig, IDBlocklist}}
	got := d.WithHostOf(host)
	if got.Host != host.Host || !slices.Equal(got.IPs, host.IPs) || !got.NoProbe || got.DKIMSelector != "sel" || got.Domain != "example.org." {
		t.Errorf("WithHostOf = %+v", got)
	}
	if want := []string{IDAutoconfig, IDPTR}; !slices.Equal(got.Skip, want) {
		t.Errorf("skip %v, want %v: the domain's own steps, the host's shared ones", got.Skip, want)
	}
	if !SameHost(got, host) {
		t.Error("a Config given the host's part is not of the same host")
	}
}

func TestHostGroups(t *testing.T) {
	a := testConfig(t)
	b := a
	b.Domain = "example.org."
	c := a
	c.Host = "mx.example.net."
	d := a
	d.Domain = "example.net."
	got := HostGroups([]Config{a, b, c, d})
	if want := [][]int{{0, 1, 3}, {2}}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("HostGroups = %v, want %v", got, want)
	}
}

// TestJudgeDomain: a second domain of a host asks only its own steps'
// questions, and takes the shared steps' results from the first domain's
// round.
func TestJudgeDomain(t *testing.T) {
	first := testConfig(t)
	second := first
	second.Domain, second.DMARCRUA = "example.org.", "dmarc-reports@example.org"
	w := newWorld(t)
	for _, s := range All() {
		w.publish(s.Records(first))
		var own []Record
		for _, r := range s.Records(second) {
			if dns.IsSubDomain(second.Domain, r.Name) {
				own = append(own, r)
			}
		}
		w.publish(own)
	}
	w.cfg = first
	shared := JudgeAll(first, w.run(Planners(first)...))
	known := w.run(DomainPlanners(second)...)
	for q := range known {
		if q.Via == verify.Recursive || q.Via == verify.Direct || q.Type == dns.TypePTR {
			t.Errorf("the second domain asked %s, a shared step's question", q)
		}
	}
	got := JudgeDomain(second, known, shared)
	if len(got) != len(All()) {
		t.Fatalf("%d results, want one per step", len(got))
	}
	for i, s := range All() {
		if got[i].Step != s.ID {
			t.Errorf("result %d is %s, want %s", i, got[i].Step, s.ID)
		}
		if s.Shared && !slices.Equal(codes(got[i]), codes(shared[i])) {
			t.Errorf("%s: %v, want the first domain's %v", s.ID, codes(got[i]), codes(shared[i]))
		}
		if !s.Shared && got[i].Status != shared[i].Status {
			t.Errorf("%s of the second domain: %s, the first's %s\n%s", s.ID, got[i].Status, shared[i].Status, messages(got[i]))
		}
	}
	if ids := SharedIDs(); !slices.Equal(ids, []string{IDHost, IDPTR, IDBlocklist, IDServer}) {
		t.Errorf("SharedIDs = %v", ids)
	}
}
