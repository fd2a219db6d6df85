package demo

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/dkimkey"
	"github.com/mailwizard/mailwizard/internal/steps"
)

// startWorld starts a world with an Ed25519 key (quick to make) and the
// given delay, and closes it when the test ends.
func startWorld(t *testing.T, delay time.Duration) *World {
	t.Helper()
	w, err := StartWith(t.Context(), Options{Delay: delay, KeyAlgorithm: dkimkey.Ed25519})
	if err != nil {
		t.Fatalf("start the demo world: %v", err)
	}
	t.Cleanup(func() {
		if err := w.Close(); err != nil {
			t.Errorf("close the demo world: %v", err)
		}
	})
	return w
}

func TestStartConfig(t *testing.T) {
	w := startWorld(t, time.Hour)
	cfg := w.Config()
	if cfg.Domain != Domain || cfg.Host != Host || !slices.Equal(cfg.IPs, IPs()) || cfg.DKIMSelector != Selector {
		t.Errorf("Config() = %s %s %v %s, want %s %s %v %s", cfg.Domain, cfg.Host, cfg.IPs, cfg.DKIMSelector, Domain, Host, IPs(), Selector)
	}
	if cfg.DKIMPublicKey == nil || dkimkey.Algorithm(cfg.DKIMPublicKey) != dkimkey.Ed25519 {
		t.Errorf("Config().DKIMPublicKey = %T, want the generated Ed25519 key", cfg.DKIMPublicKey)
	}
	if dir := filepath.Dir(cfg.DKIMKeyFile); dir != w.dir || !strings.HasPrefix(dir, os.TempDir()) {
		t.Errorf("DKIM key file %s, want it in the world's temp folder %s under %s", cfg.DKIMKeyFile, w.dir, os.TempDir())
	}
	info, err := os.Stat(cfg.DKIMKeyFile)
	if err != nil {
		t.Fatalf("the DKIM key file: %v", err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("DKIM key file mode %v, want 0600", info.Mode().Perm())
	}
	if err := cfg.Normalize(os.ReadFile); err != nil {
		t.Errorf("the demo's Config does not validate: %v", err)
	}
}

func TestVerifyOptionsStayOnLoopback(t *testing.T) {
	w := startWorld(t, time.Hour)
	opts := w.Verify()
	onLoopback := func(addr string) bool {
		ap, err := netip.ParseAddrPort(addr)
		return err == nil && ap.Addr().IsLoopback()
	}
	if !onLoopback(opts.Resolver) {
		t.Errorf("Resolver = %q, want a loopback address", opts.Resolver)
	}
	if len(opts.SecondOpinion) != 1 || !onLoopback(opts.SecondOpinion[0]) {
		t.Errorf("SecondOpinion = %q, want the loopback resolver", opts.SecondOpinion)
	}
	tests := map[string]struct {
		addr string
		want string // "" means a loopback address other than the servers'
	}{
		"first nameserver":   {addr: "192.0.2.53:53", want: w.lab.Servers[0].Addr()},
		"second nameserver":  {addr: "192.0.2.54:53", want: w.lab.Servers[1].Addr()},
		"the resolver":       {addr: opts.Resolver, want: opts.Resolver},
		"a public resolver":  {addr: "8.8.8.8:53"},
		"a public v6 server": {addr: "[2001:4860:4860::8888]:53"},
		"not an address":     {addr: "ns1.example.net:53"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got := opts.MapAddr(tt.addr)
			if !onLoopback(got) {
				t.Fatalf("MapAddr(%q) = %q, want a loopback address", tt.addr, got)
			}
			if tt.want != "" && got != tt.want {
				t.Errorf("MapAddr(%q) = %q, want %q", tt.addr, got, tt.want)
			}
			if tt.want == "" && (got == w.lab.Servers[0].Addr() || got == w.lab.Servers[1].Addr() || got == opts.Resolver) {
				t.Errorf("MapAddr(%q) = %q, one of the world's servers", tt.addr, got)
			}
		})
	}
}

func TestWorldNameservers(t *testing.T) {
	w := startWorld(t, time.Hour)
	first, second := w.nameservers()
	if first != "ns1.example.net." || second != "ns2.example.net." {
		t.Errorf("nameservers = %s %s, want ns1.example.net. ns2.example.net. as in assets/demo", first, second)
	}
	for _, zone := range []string{Domain, "2.0.192.in-addr.arpa.", "8.b.d.0.1.0.0.2.ip6.arpa."} {
		for i, srv := range w.lab.Servers {
			if len(srv.Zones().Records(zone, dns.TypeSOA)) != 1 {
				t.Errorf("server %d does not serve %s", i+1, zone)
			}
		}
	}
}

func TestCloseLeavesNothing(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	before := runtime.NumGoroutine()
	w, err := StartWith(t.Context(), Options{Delay: time.Hour, KeyAlgorithm: dkimkey.Ed25519})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Publish(steps.IDHost); err != nil {
		t.Fatal(err)
	}
	addrs := []string{w.lab.Servers[0].Addr(), w.lab.Servers[1].Addr(), w.lab.Resolver.Addr()}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("Close left %s in the temp folder", left[0].Name())
	}
	for _, addr := range addrs {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			_ = c.Close()
			t.Errorf("%s still accepts connections after Close", addr)
		}
	}
	// Server goroutines end shortly after their sockets close.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after Close, %d before Start", n, before)
	}
	if err := w.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
	if _, err := w.Publish(steps.IDHost); !errors.Is(err, ErrClosed) {
		t.Errorf("Publish after Close = %v, want ErrClosed", err)
	}
}

func TestStartCancelled(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	w, err := StartWith(ctx, Options{KeyAlgorithm: dkimkey.Ed25519})
	if err == nil {
		_ = w.Close()
		t.Fatal("StartWith with a cancelled context started a world")
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("StartWith error = %v, want context.Canceled", err)
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("a cancelled start left %s in the temp folder", left[0].Name())
	}
}

// BenchmarkStart measures what `mailwizard demo` waits for before its first
// frame: the key, the temp folder and three servers.
func BenchmarkStart(b *testing.B) {
	for _, alg := range []string{dkimkey.Ed25519, dkimkey.RSA} {
		b.Run(alg, func(b *testing.B) {
			for b.Loop() {
				w, err := StartWith(b.Context(), Options{KeyAlgorithm: alg})
				if err != nil {
					b.Fatal(err)
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
