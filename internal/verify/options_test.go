package verify_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailwizard/mailwizard/internal/verify"
)

// resolvConf writes a resolv.conf and returns its path.
func resolvConf(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "resolv.conf")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestNewRejectsBadOptions(t *testing.T) {
	tests := map[string]struct {
		opts verify.Options
		want string
	}{
		"resolver not an address": {verify.Options{Resolver: "x"}, `resolver "x": want an IP address`},
		"resolver host name":      {verify.Options{Resolver: "localhost:53"}, `resolver "localhost:53"`},
		"resolver port 0":         {verify.Options{Resolver: "127.0.0.1:0"}, `resolver "127.0.0.1:0": port 0`},
		"missing resolv.conf":     {verify.Options{ResolvConf: "/nonexistent/resolv.conf"}, `resolv.conf "/nonexistent/resolv.conf"`},
		"resolv.conf without nameserver": {
			verify.Options{ResolvConf: resolvConf(t, "search example.com\n")}, "no nameserver line",
		},
		"resolv.conf with a bad nameserver": {
			verify.Options{ResolvConf: resolvConf(t, "nameserver dns.example\n")}, `nameserver "dns.example"`,
		},
		"bad second opinion": {
			verify.Options{Resolver: "127.0.0.1", SecondOpinion: []string{"192.0.2.1:x"}}, `second-opinion resolver "192.0.2.1:x"`,
		},
		"negative timeout": {verify.Options{Resolver: "127.0.0.1", Timeout: -1}, "timeout -1ns: must not be negative"},
		"negative retries": {verify.Options{Resolver: "127.0.0.1", Retries: -2}, "retries -2: must not be negative"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			e, err := verify.New(tc.opts)
			if err == nil {
				t.Fatalf("New = %v, want an error", e)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestNewResolverAddress(t *testing.T) {
	tests := map[string]struct {
		opts verify.Options
		want string
	}{
		"ipv4 without port": {verify.Options{Resolver: "127.0.0.1"}, "127.0.0.1:53"},
		"ipv4 with port":    {verify.Options{Resolver: "127.0.0.1:5353"}, "127.0.0.1:5353"},
		"ipv6 without port": {verify.Options{Resolver: "::1"}, "[::1]:53"},
		"ipv6 in brackets":  {verify.Options{Resolver: "[::1]"}, "[::1]:53"},
		"ipv6 with port":    {verify.Options{Resolver: "[::1]:5353"}, "[::1]:5353"},
		"first nameserver of resolv.conf": {
			verify.Options{ResolvConf: resolvConf(t, "# local\nsearch example.com\nnameserver 192.0.2.1\nnameserver 192.0.2.2\n")}, "192.0.2.1:53",
		},
		"resolv.conf ipv6": {verify.Options{ResolvConf: resolvConf(t, "nameserver 2001:db8::1\n")}, "[2001:db8::1]:53"},
		"resolver wins over resolv.conf": {
			verify.Options{Resolver: "127.0.0.2", ResolvConf: "/nonexistent/resolv.conf"}, "127.0.0.2:53",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			e := engine(t, tc.opts)
			if got := e.Resolver(); got != tc.want {
				t.Errorf("Resolver() = %q, want %q", got, tc.want)
			}
		})
	}
}
