package assets

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/BurntSushi/toml"
)

// Hosting is where one hosting provider sets reverse DNS and what it does
// with outbound port 25.
type Hosting struct {
	ID   string `toml:"id"`
	Name string `toml:"name"`
	// PTR says where reverse DNS is set, one or two sentences.
	PTR string `toml:"ptr"`
	// Port25 says whether outbound port 25 is blocked and how to lift it;
	// empty when unknown.
	Port25 string `toml:"port25"`
	// PTRSuffixes identify the provider from its generic PTR names
	// ("your-server.de."), matched like Provider.NSSuffixes.
	PTRSuffixes []string `toml:"ptr_suffixes"`
}

// OtherHostingID is the id of the generic hosting provider, always last
// in HostingProviders.
const OtherHostingID = "other"

// HostingProviders lists the hosting providers the wizard knows, "other"
// last. It returns nil only if the embedded data is broken, which the
// package's tests rule out.
func HostingProviders() []Hosting {
	hosts, err := parsedHosting()
	if err != nil {
		return nil
	}
	out := make([]Hosting, len(hosts))
	for i, h := range hosts {
		out[i] = h.clone()
	}
	return out
}

// parsedHosting parses hosting.toml once (the embedded file cannot
// change); callers get clones.
var parsedHosting = sync.OnceValues(loadHosting)

// clone copies h, its slices included.
func (h Hosting) clone() Hosting {
	h.PTRSuffixes = slices.Clone(h.PTRSuffixes)
	return h
}

// HostingByID returns the hosting provider with the given id.
func HostingByID(id string) (Hosting, bool) {
	hosts, _ := parsedHosting()
	for _, h := range hosts {
		if h.ID == id {
			return h.clone(), true
		}
	}
	return Hosting{}, false
}

// DetectHosting names the hosting provider from a generic PTR name, such
// as static.1.2.0.192.clients.your-server.de. (Hetzner). It reports false
// when the name is not one of a known provider's generic names.
func DetectHosting(ptrName string) (Hosting, bool) {
	hosts, _ := parsedHosting()
	for _, h := range hosts {
		if matchAny(ptrName, h.PTRSuffixes) {
			return h.clone(), true
		}
	}
	return Hosting{}, false
}

// loadHosting parses hosting.toml and checks every entry.
func loadHosting() ([]Hosting, error) {
	data, err := files.ReadFile("hosting.toml")
	if err != nil {
		return nil, fmt.Errorf("read hosting providers: %w", err)
	}
	hosts, err := parseHosting(string(data))
	if err != nil {
		return nil, fmt.Errorf("hosting.toml: %w", err)
	}
	return hosts, nil
}

// parseHosting decodes a hosting file: a list of [[hosting]] tables.
func parseHosting(data string) ([]Hosting, error) {
	var file struct {
		Hosting []Hosting `toml:"hosting"`
	}
	md, err := toml.Decode(data, &file)
	if err != nil {
		return nil, err
	}
	if keys := md.Undecoded(); len(keys) > 0 {
		return nil, fmt.Errorf("unknown key %q", keys[0].String())
	}
	if len(file.Hosting) == 0 {
		return nil, errors.New("no hosting providers")
	}
	seen := make(map[string]bool, len(file.Hosting))
	for i, h := range file.Hosting {
		if h.ID == "" || h.Name == "" || h.PTR == "" {
			return nil, fmt.Errorf("hosting provider %d (%q): id, name and ptr are required", i+1, h.ID)
		}
		if seen[h.ID] {
			return nil, fmt.Errorf("hosting provider %q appears twice", h.ID)
		}
		seen[h.ID] = true
		for _, s := range h.PTRSuffixes {
			if err := checkPattern(s); err != nil {
				return nil, fmt.Errorf("hosting provider %q: ptr_suffixes: %w", h.ID, err)
			}
		}
	}
	last := file.Hosting[len(file.Hosting)-1]
	if last.ID != OtherHostingID {
		return nil, fmt.Errorf("the last hosting provider is %q, want %q", last.ID, OtherHostingID)
	}
	if len(last.PTRSuffixes) > 0 {
		return nil, errors.New("the generic hosting provider cannot be detected: ptr_suffixes must be empty")
	}
	return file.Hosting, nil
}
