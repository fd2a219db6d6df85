package profile

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// Finder finds the profile of a domain in a folder of profiles: its own
// file, <domain>.toml, or else a profile of several domains that lists it
// in a [[domains]] table. The folder's profiles of several domains are
// read once, at the first domain without a file of its own, so that a
// Finder serves a whole list of domains. It is safe for concurrent use.
type Finder struct {
	dir  string
	once sync.Once
	// listed maps each further domain of the folder's profiles of
	// several domains to the file that lists it.
	listed map[string]string
}

// NewFinder returns a Finder for the profiles in dir.
func NewFinder(dir string) *Finder {
	return &Finder{dir: dir}
}

// Find returns the path of the profile that holds domain, and whether
// there is one. A file named after the domain wins, whether it loads or
// not (loading it then says what is wrong); among profiles of several
// domains, the first by file name that lists it. Files that do not load
// are passed over in that search.
func (f *Finder) Find(domain string) (string, bool) {
	path, err := Path(f.dir, domain)
	if err != nil {
		return "", false
	}
	if _, err := os.Stat(path); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return path, true
	}
	f.once.Do(f.scan)
	name, _ := steps.CheckDomain(domain)
	path, ok := f.listed[name]
	return path, ok
}

// scan reads the folder's profiles of several domains.
func (f *Finder) scan() {
	f.listed = map[string]string{}
	entries, err := os.ReadDir(f.dir)
	if err != nil {
		return
	}
	// os.ReadDir sorts the entries by name: the first file that lists a
	// domain wins.
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".toml") && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	for _, name := range names {
		path := filepath.Join(f.dir, name)
		data, err := os.ReadFile(path)
		if err != nil || len(data) > maxSize || !bytes.Contains(data, []byte("[[domains]]")) {
			continue
		}
		p, err := parse(path, data)
		if err != nil {
			continue
		}
		for _, cfg := range p.Domains {
			if d, err := steps.CheckDomain(cfg.Domain); err == nil {
				if _, taken := f.listed[d]; !taken {
					f.listed[d] = path
				}
			}
		}
	}
}
