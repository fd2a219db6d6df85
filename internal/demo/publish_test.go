package demo

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/dkimkey"
	"github.com/mailwizard/mailwizard/internal/steps"
	"github.com/mailwizard/mailwizard/internal/verify"
)

// flush brings every publication still on its way to the second server
// there now, as if the delay had passed.
func flush(w *World) {
	w.mu.Lock()
	due := make(map[string]*pending, len(w.pending))
	for id, p := range w.pending {
		p.timer.Stop()
		due[id] = p
	}
	w.mu.Unlock()
	for id, p := range due {
		w.propagate(id, p)
	}
}

// publishAll publishes the steps on both servers.
func publishAll(t *testing.T, w *World, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if _, err := w.Publish(id); err != nil {
			t.Fatalf("Publish(%q): %v", id, err)
		}
	}
	flush(w)
}

// check runs one real verify round against the world and returns each
// step's result by id.
func check(t *testing.T, w *World) map[string]steps.Result {
	t.Helper()
	eng, err := verify.New(w.Verify())
	if err != nil {
		t.Fatalf("verify.New: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cfg := w.Config()
	answers := eng.Round().Run(ctx, steps.Planners(cfg)...)
	out := make(map[string]steps.Result)
	for _, r := range steps.JudgeAll(cfg, answers) {
		out[r.Step] = r
	}
	return out
}

// codes lists a result's finding codes.
func codes(r steps.Result) []string {
	out := make([]string, 0, len(r.Findings))
	for _, f := range r.Findings {
		out = append(out, f.Code)
	}
	return out
}

// green reports whether a step's records are correct everywhere.
func green(r steps.Result) bool {
	return r.Status == steps.StatusPass || r.Status == steps.StatusWarn
}

// prerequisites are the steps whose records a step's checks lean on: an
// MX, PTR or SRV target must have its address record, SPF's mx mechanism
// its MX.
func prerequisites(id string) []string {
	return map[string][]string{
		steps.IDMX:         {steps.IDHost},
		steps.IDPTR:        {steps.IDHost},
		steps.IDSPF:        {steps.IDHost, steps.IDMX},
		steps.IDAutoconfig: {steps.IDHost},
		steps.IDMTASTS:     {steps.IDHost, steps.IDMX},
		steps.IDDANE:       {steps.IDHost, steps.IDMX, steps.IDDNSSEC},
	}[id]
}

func TestPublishPendingPartialThenPass(t *testing.T) {
	for _, s := range steps.All() {
		if s.Where == steps.Nowhere || s.ID == steps.IDDNSSEC {
			continue // nothing to publish; signing is TestPublishDNSSEC's
		}
		id := s.ID
		t.Run(id, func(t *testing.T) {
			w := startWorld(t, time.Hour)
			publishAll(t, w, prerequisites(id)...)

			if r := check(t, w)[id]; r.Status != steps.StatusPending {
				t.Fatalf("before Publish: %s is %s %q, want pending", id, r.Status, codes(r))
			}

			msg, err := w.Publish(id)
			if err != nil {
				t.Fatalf("Publish: %v", err)
			}
			if !strings.Contains(msg, "ns1.example.net. now") || !strings.Contains(msg, "ns2.example.net. follows in 1h0m0s") {
				t.Errorf("Publish said %q, want it to name both servers and the delay", msg)
			}
			r := check(t, w)[id]
			if r.Status != steps.StatusPending || !slices.Contains(codes(r), "partial-propagation") {
				t.Fatalf("on the first server only: %s is %s %q, want pending with partial-propagation", id, r.Status, codes(r))
			}

			flush(w)
			if r := check(t, w)[id]; !green(r) {
				t.Errorf("on both servers: %s is %s %q, want pass or warn", id, r.Status, codes(r))
			}
		})
	}
}

func TestPublishReachesTheSecondServerAfterTheDelay(t *testing.T) {
	const delay = 100 * time.Millisecond
	w := startWorld(t, delay)
	if _, err := w.Publish(steps.IDDKIM); err != nil {
		t.Fatal(err)
	}
	eng, err := verify.New(w.Verify())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	cfg := w.Config()
	last, err := verify.Poll(ctx, 50*time.Millisecond, func(ctx context.Context) steps.Result {
		for _, r := range steps.JudgeAll(cfg, eng.Round().Run(ctx, steps.Planners(cfg)...)) {
			if r.Step == steps.IDDKIM {
				return r
			}
		}
		return steps.Result{}
	}, green)
	if err != nil {
		t.Fatalf("dkim never turned green: last %s %q: %v", last.Status, codes(last), err)
	}
}

func TestPublishAllTurnsEverythingGreen(t *testing.T) {
	w := startWorld(t, time.Hour)
	var ids []string
	for _, s := range steps.All() {
		ids = append(ids, s.ID)
	}
	publishAll(t, w, ids...)
	results := check(t, w)
	for _, id := range ids {
		if r := results[id]; !green(r) {
			t.Errorf("%s is %s %q, want pass or warn", id, r.Status, codes(r))
		}
	}
}

func TestMistakes(t *testing.T) {
	tests := map[string]struct {
		id        string
		codes     []string // one of them must be found
		algorithm string
	}{
		"host CNAME":                         {id: steps.IDHost, codes: []string{"host-cname", "host-wrong-address"}},
		"mx with the domain twice":           {id: steps.IDMX, codes: []string{"doubled-domain"}},
		"generic ptr":                        {id: steps.IDPTR, codes: []string{"ptr-mismatch"}},
		"second spf record":                  {id: steps.IDSPF, codes: []string{"spf-multiple"}},
		"quotes inside the dkim value":       {id: steps.IDDKIM, codes: []string{"dkim-mangled"}},
		"quotes inside a 2048-bit rsa value": {id: steps.IDDKIM, codes: []string{"dkim-mangled"}, algorithm: dkimkey.RSA},
		"dmarc at the apex":                  {id: steps.IDDMARC, codes: []string{"dmarc-at-apex", "dmarc-missing"}},
		"srv with the wrong port":            {id: steps.IDAutoconfig, codes: []string{"srv-wrong-port"}},
		"mta-sts id with dashes":             {id: steps.IDMTASTS, codes: []string{"mta-sts-syntax"}},
		"tls-rpt address without mailto":     {id: steps.IDTLSRPT, codes: []string{"tls-rpt-syntax"}},
		"dnssec with an old DS":              {id: steps.IDDNSSEC, codes: []string{"dnssec-ds-mismatch"}},
		"tlsa of the previous key":           {id: steps.IDDANE, codes: []string{"tlsa-mismatch"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			algorithm := tt.algorithm
			if algorithm == "" {
				algorithm = dkimkey.Ed25519
			}
			w, err := StartWith(t.Context(), Options{Delay: time.Hour, KeyAlgorithm: algorithm})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = w.Close() })
			publishAll(t, w, prerequisites(tt.id)...)

			msg, err := w.PublishMistake(tt.id)
			if err != nil {
				t.Fatalf("PublishMistake: %v", err)
			}
			if !strings.HasPrefix(msg, "Published a typical mistake: ") {
				t.Errorf("PublishMistake said %q", msg)
			}
			flush(w)
			r := check(t, w)[tt.id]
			if r.Status == steps.StatusPass || !slices.ContainsFunc(tt.codes, func(c string) bool { return slices.Contains(codes(r), c) }) {
				t.Fatalf("after the mistake: %s is %s %q, want a finding among %q", tt.id, r.Status, codes(r), tt.codes)
			}

			publishAll(t, w, tt.id)
			r = check(t, w)[tt.id]
			if !green(r) {
				t.Errorf("after publishing the right records: %s is %s %q, want pass or warn", tt.id, r.Status, codes(r))
			}
			for _, c := range tt.codes {
				if slices.Contains(codes(r), c) {
					t.Errorf("after publishing the right records: finding %s is still there", c)
				}
			}
		})
	}
}

func TestRepublishSwapsServersOneByOne(t *testing.T) {
	w := startWorld(t, time.Hour)
	if _, err := w.PublishMistake(steps.IDDMARC); err != nil {
		t.Fatal(err)
	}
	flush(w)
	if _, err := w.Publish(steps.IDDMARC); err != nil {
		t.Fatal(err)
	}
	dmarc := "_dmarc." + Domain
	have := func(server int, name string) int {
		return len(w.lab.Servers[server].Zones().Records(name, dns.TypeTXT))
	}
	if have(0, dmarc) != 1 || have(0, Domain) != 0 {
		t.Errorf("first server: %d TXT at %s and %d at %s, want the right record only", have(0, dmarc), dmarc, have(0, Domain), Domain)
	}
	if have(1, dmarc) != 0 || have(1, Domain) != 1 {
		t.Errorf("second server before the delay: %d TXT at %s and %d at %s, want the mistake only", have(1, dmarc), dmarc, have(1, Domain), Domain)
	}
	flush(w)
	if have(1, dmarc) != 1 || have(1, Domain) != 0 {
		t.Errorf("second server after the delay: %d TXT at %s and %d at %s, want the right record only", have(1, dmarc), dmarc, have(1, Domain), Domain)
	}
}

func TestPublishTwiceKeepsOneCopy(t *testing.T) {
	w := startWorld(t, time.Hour)
	publishAll(t, w, steps.IDMX, steps.IDMX)
	for i, srv := range w.lab.Servers {
		if n := len(srv.Zones().Records(Domain, dns.TypeMX)); n != 1 {
			t.Errorf("server %d has %d MX records, want 1", i+1, n)
		}
	}
}

func TestPublishWithoutRecords(t *testing.T) {
	w := startWorld(t, time.Hour)
	for _, publish := range []func(string) (string, error){w.Publish, w.PublishMistake} {
		msg, err := publish(steps.IDBlocklist)
		if err != nil {
			t.Fatalf("blocklist: %v", err)
		}
		if !strings.HasPrefix(msg, "Nothing to publish") || !strings.Contains(msg, "192.0.2.25 and 2001:db8::25") {
			t.Errorf("blocklist said %q, want it to say there is nothing to publish for the demo's addresses", msg)
		}
	}
	w.mu.Lock()
	scheduled := len(w.pending)
	w.mu.Unlock()
	if scheduled != 0 {
		t.Errorf("blocklist scheduled %d publications, want none", scheduled)
	}
	if r := check(t, w)[steps.IDBlocklist]; r.Status != steps.StatusPass {
		t.Errorf("blocklist is %s %q, want pass: the resolver finds the addresses on no list", r.Status, codes(r))
	}
}

func TestPublishUnknownStep(t *testing.T) {
	w := startWorld(t, time.Hour)
	for _, id := range []string{"", "no-such-step", "HOST"} {
		if msg, err := w.Publish(id); err == nil {
			t.Errorf("Publish(%q) = %q, want an error", id, msg)
		}
		if msg, err := w.PublishMistake(id); err == nil {
			t.Errorf("PublishMistake(%q) = %q, want an error", id, msg)
		}
	}
}

func TestPublishMessages(t *testing.T) {
	tests := map[string]struct {
		publish func(w *World) (string, error)
		want    string
	}{
		"few records are named": {
			publish: func(w *World) (string, error) { return w.Publish(steps.IDHost) },
			want:    "Published A mail.example.com. and AAAA mail.example.com. on ns1.example.net. now; ns2.example.net. follows in 1h0m0s.",
		},
		"many records are counted by type": {
			publish: func(w *World) (string, error) { return w.Publish(steps.IDAutoconfig) },
			want:    "records (SRV, CNAME) on ns1.example.net. now",
		},
		"reverse DNS is at the hosting provider": {
			publish: func(w *World) (string, error) { return w.Publish(steps.IDPTR) },
			want:    "in the hosting provider's reverse zones on ns1.example.net. now",
		},
		"a mistake ending with a name has one full stop": {
			publish: func(w *World) (string, error) { return w.PublishMistake(steps.IDDMARC) },
			want:    "instead of at _dmarc.example.com. It is on ns1.example.net. now",
		},
		"a mistake ending with a word gets a full stop": {
			publish: func(w *World) (string, error) { return w.PublishMistake(steps.IDDKIM) },
			want:    "inside p=. It is on ns1.example.net. now",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			w := startWorld(t, time.Hour)
			msg, err := tt.publish(w)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(msg, tt.want) || strings.Contains(msg, "..") {
				t.Errorf("said %q, want it to contain %q", msg, tt.want)
			}
		})
	}
}

func BenchmarkPublish(b *testing.B) {
	w, err := StartWith(b.Context(), Options{Delay: time.Hour, KeyAlgorithm: dkimkey.Ed25519})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = w.Close() }()
	for b.Loop() {
		if _, err := w.Publish(steps.IDAutoconfig); err != nil {
			b.Fatal(err)
		}
	}
}

// TestResolverStillSaysNoAfterPublish: the demo shows the product's edge.
// A record the resolver was asked about before it was published turns
// green on the authoritative servers at once, while the resolver's second
// opinion still says "no such name", with how long it may keep saying it.
// With negative caching off, the resolver sees the record at once.
func TestResolverStillSaysNoAfterPublish(t *testing.T) {
	tests := map[string]struct {
		negativeCache time.Duration
		wantCached    bool
	}{
		"default caching": {negativeCache: 0, wantCached: true},
		"caching off":     {negativeCache: -1, wantCached: false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			w, err := StartWith(t.Context(), Options{Delay: time.Hour, KeyAlgorithm: dkimkey.Ed25519, NegativeCache: tc.negativeCache})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = w.Close() })
			if r := check(t, w)[steps.IDDMARC]; r.Status != steps.StatusPending {
				t.Fatalf("before Publish: dmarc is %s, want pending", r.Status)
			}
			publishAll(t, w, steps.IDDMARC)
			r := check(t, w)[steps.IDDMARC]
			if !green(r) {
				t.Fatalf("after Publish: dmarc is %s %q, want pass or warn", r.Status, codes(r))
			}
			var second []verify.Observation
			for _, a := range r.Observed {
				if a.Question.Name == "_dmarc.example.com." {
					second = a.Resolvers
				}
			}
			if len(second) != 1 {
				t.Fatalf("%d second opinions for _dmarc.example.com., want 1", len(second))
			}
			so := second[0]
			if cached := so.NXDomain(); cached != tc.wantCached {
				t.Fatalf("resolver says NXDOMAIN = %v, want %v", cached, tc.wantCached)
			}
			if tc.wantCached && (so.NegativeTTL <= 0 || so.NegativeTTL > DefaultNegativeCache) {
				t.Errorf("resolver may keep saying no for %s, want (0, %s]", so.NegativeTTL, DefaultNegativeCache)
			}
		})
	}
}

// TestPublishDNSSEC: publishing the dnssec step switches signing on at
// once on both servers, and the DS reaches the parent after the delay:
// pending until then, then green, and the resolver validates.
func TestPublishDNSSEC(t *testing.T) {
	w := startWorld(t, time.Hour)
	publishAll(t, w, steps.IDHost, steps.IDMX)
	if r := check(t, w)[steps.IDDNSSEC]; r.Status != steps.StatusPending || !slices.Contains(codes(r), steps.CodeDNSSECUnsigned) {
		t.Fatalf("before Publish: %s %q, want pending with dnssec-unsigned", r.Status, codes(r))
	}
	msg, err := w.Publish(steps.IDDNSSEC)
	if err != nil || !strings.Contains(msg, "ns1.example.net. and ns2.example.net. sign example.com. now") || !strings.Contains(msg, "arrives in 1h0m0s") {
		t.Fatalf("Publish = %q, %v", msg, err)
	}
	if r := check(t, w)[steps.IDDNSSEC]; r.Status != steps.StatusPending || !slices.Contains(codes(r), steps.CodeDNSSECDSMissing) {
		t.Fatalf("before the DS arrives: %s %q, want pending with dnssec-ds-missing", r.Status, codes(r))
	}
	flush(w)
	r := check(t, w)[steps.IDDNSSEC]
	if r.Status != steps.StatusPass {
		t.Fatalf("signed with its DS: %s %q, want pass", r.Status, codes(r))
	}
	if len(r.SecondOpinion) == 0 || !strings.Contains(r.SecondOpinion[0].Note, "validates the answers") {
		t.Errorf("second opinion %+v, want the resolver validating", r.SecondOpinion)
	}
}
