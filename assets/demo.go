package assets

import (
	"fmt"
	"io/fs"
)

// DemoZones returns the zone-file texts the demo world's authoritative
// servers start with, one zone per text, sorted by file name: the demo
// domain example.com. and the reverse zones of its mail server's addresses.
// Each holds its SOA and NS records and nothing a step publishes. The
// nameservers are ns1.example.net. and ns2.example.net.; the demo world
// serves their addresses itself.
func DemoZones() ([]string, error) {
	names, err := fs.Glob(files, "demo/*.zone")
	if err != nil {
		return nil, fmt.Errorf("list demo zones: %w", err)
	}
	out := make([]string, 0, len(names))
	for _, name := range names {
		data, err := files.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read demo zone: %w", err)
		}
		out = append(out, string(data))
	}
	return out, nil
}
