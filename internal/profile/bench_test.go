package profile

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// BenchmarkIndex finds the last domain of a saved profile of 1,000
// domains, as a bulk check does for each of its rows.
func BenchmarkIndex(b *testing.B) {
	path := filepath.Join(b.TempDir(), "hosting.toml")
	cfgs := make([]steps.Config, 1000)
	for i := range cfgs {
		cfgs[i] = steps.Config{Domain: fmt.Sprintf("d%d.example.com.", i), Host: "mail.example.net.", IPs: []netip.Addr{netip.MustParseAddr("192.0.2.25")}}
	}
	if err := SaveAll(path, cfgs); err != nil {
		b.Fatal(err)
	}
	p, err := Load(path)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if i, ok := p.Index("D999.example.com"); !ok || i != 999 {
			b.Fatalf("Index = %d, %v", i, ok)
		}
	}
}
