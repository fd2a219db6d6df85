package profile

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// WriteError is a profile that could not be written: the disk is full,
// the folder is read-only or not ours. Nothing is wrong with what was to
// be saved; the file at Path is as it was.
type WriteError struct {
	Path string
	Err  error
}

// Error says what happened in the system's words, without the temp file's
// name: "could not save the profile /…/example.com.toml: no space left on
// device".
func (e *WriteError) Error() string {
	err := e.Err
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Sprintf("could not save the profile %s: %v", e.Path, err)
}

func (e *WriteError) Unwrap() error { return e.Err }

// Save writes cfg to path atomically with mode 0600, creating the folder
// (0700) when needed. It refuses to replace a file that exists but does not
// load, so that a hand-edited profile with a typo is never lost. A failure
// to write is a *WriteError. Temp files that an earlier save left behind
// when it was killed are removed first (see removeStale).
//
// When path holds a profile of several domains, Save keeps them (see
// SaveDomains); otherwise the file holds cfg alone.
func Save(path string, cfg steps.Config) error {
	return SaveDomains(path, []steps.Config{cfg})
}

// SaveDomains saves domains of one mail host (steps.SameHost) to path,
// as Save saves one. When path holds a profile of several domains, or of
// one domain that cfgs names, the domains it holds are kept: each of cfgs
// takes the place of the domain it names, or is added after them, and
// what the domains share (the mail host, its addresses, the blocklists,
// probing) becomes cfgs[0]'s for all. Otherwise the file holds cfgs alone.
func SaveDomains(path string, cfgs []steps.Config) error {
	if err := oneHost(cfgs); err != nil {
		return err
	}
	return disk{}.save(path, func(old *Profile) []steps.Config {
		keep := old != nil && len(old.Domains) > 1
		if old != nil && len(old.Domains) == 1 {
			keep = slices.ContainsFunc(cfgs, func(c steps.Config) bool { _, ok := old.Index(c.Domain); return ok })
		}
		if !keep {
			return cfgs
		}
		out := make([]steps.Config, 0, len(old.Domains)+len(cfgs))
		for _, d := range old.Domains {
			out = append(out, d.WithHostOf(cfgs[0]))
		}
		for _, c := range cfgs {
			if i, ok := old.Index(c.Domain); ok {
				out[i] = c
			} else {
				out = append(out, c)
			}
		}
		return out
	})
}

// SaveAll writes the domains of one mail host to path, the first at the
// top of the file with what they share and each other one in a
// [[domains]] table, as Save writes one. They must share the mail host
// (steps.SameHost), and no domain may be listed twice.
func SaveAll(path string, cfgs []steps.Config) error {
	if err := oneHost(cfgs); err != nil {
		return err
	}
	return disk{}.save(path, func(*Profile) []steps.Config { return cfgs })
}

// oneHost checks that cfgs are domains of one mail host, each once.
func oneHost(cfgs []steps.Config) error {
	if len(cfgs) == 0 {
		return errors.New("save a profile: no domain to save")
	}
	seen := map[string]bool{}
	for _, c := range cfgs {
		if !steps.SameHost(cfgs[0], c) {
			return fmt.Errorf("save a profile: %s and %s are not served by the same mail host (host, addresses, blocklists or probing differ); a profile holds the domains of one mail host", cfgs[0].Domain, c.Domain)
		}
		name, err := steps.CheckDomain(c.Domain)
		if err == nil && seen[name] {
			return fmt.Errorf("save a profile: %s is listed twice", name)
		}
		seen[name] = true
	}
	return nil
}

// disk is what Save does to the file system: the real one, or in tests one
// that fails the way a full disk does.
type disk struct {
	// createTemp is os.CreateTemp, wrapped.
	createTemp func(dir, pattern string) (tempFile, error)
	// now is the clock that says how old a temp file is.
	now func() time.Time
}

// tempFile is the part of an *os.File that a save uses.
type tempFile interface {
	Name() string
	Chmod(fs.FileMode) error
	Write([]byte) (int, error)
	Sync() error
	Close() error
	Fd() uintptr
}

// save writes the domains that domains makes of what path holds now (nil
// when there is no file).
func (d disk) save(path string, domains func(old *Profile) []steps.Config) error {
	var prev *Profile
	old, err := Load(path)
	switch {
	case err == nil:
		prev = &old
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("refuse to overwrite %s, which does not load; fix it or move it away first: %w", path, err)
	}
	data, err := encode(domains(prev))
	if err != nil {
		return err
	}
	return d.write(path, data)
}

// write writes a profile's bytes to path.
func (d disk) write(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return &WriteError{Path: path, Err: err}
	}
	d.removeStale(path)
	if err := d.writeAtomic(path, data); err != nil {
		return &WriteError{Path: path, Err: err}
	}
	return nil
}

func encode(cfgs []steps.Config) ([]byte, error) {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# mailwizard profile for %s\n", cfgs[0].Domain)
	buf.WriteString("# Keys are named like the command-line flags. No secret is stored here:\n")
	buf.WriteString("# dkim-key is the path of the private key, not the key.\n")
	if len(cfgs) > 1 {
		buf.WriteString("# The top holds the first domain and what every domain of the mail host\n")
		buf.WriteString("# shares (host, ip, dnsbl, no-probe); each [[domains]] table holds the\n")
		buf.WriteString("# own answers of one more domain.\n")
	}
	buf.WriteString("\n")
	if err := toml.NewEncoder(&buf).Encode(fromConfigs(cfgs)); err != nil {
		return nil, fmt.Errorf("encode profile: %w", err)
	}
	return buf.Bytes(), nil
}

// tempPrefix is how the temp files of a save of path begin; os.CreateTemp
// puts a random number after it.
func tempPrefix(path string) string {
	return "." + filepath.Base(path) + ".tmp-"
}

// staleAge is how old a temp file must be before another save removes it.
// A save writes a few hundred bytes and renames them within milliseconds;
// a temp file older than this was left by a save that was killed (or that
// is stopped, and whose rename would then fail: the profile itself is never
// touched).
const staleAge = 10 * time.Minute

// removeStale removes the temp files earlier saves of path left behind when
// they were killed between creating and renaming them. Only files named
// exactly as a save of this profile names them (the prefix, then digits)
// that are regular files, are older than staleAge and that no process
// holds locked (a save locks its temp file while it writes it, where the
// system has locks) are removed. It is best effort: a save never fails for
// it.
func (d disk) removeStale(path string) {
	dir, prefix := filepath.Dir(path), tempPrefix(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	now := d.clock()
	for _, e := range entries {
		suffix, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || suffix == "" || strings.Trim(suffix, "0123456789") != "" || !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil || now.Sub(info.ModTime()) < staleAge {
			continue
		}
		name := filepath.Join(dir, e.Name())
		if unlock, ok := tryLock(name); ok {
			_ = os.Remove(name)
			unlock()
		}
	}
}

func (d disk) clock() time.Time {
	if d.now != nil {
		return d.now()
	}
	return time.Now()
}

func (d disk) create(dir, pattern string) (tempFile, error) {
	if d.createTemp != nil {
		return d.createTemp(dir, pattern)
	}
	return os.CreateTemp(dir, pattern)
}

// writeAtomic writes data to a temp file in path's folder, syncs it,
// renames it over path and syncs the folder, so that a crash leaves either
// the old file or the new one, never half of one. The temp file is locked
// while it is written, so that no other save takes it for a stale one (and
// it is younger than staleAge until it is renamed).
func (d disk) writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := d.create(dir, tempPrefix(path)+"*")
	if err != nil {
		return err
	}
	unlock, open := lockFile(tmp), true
	defer func() {
		if open {
			unlock()
			_ = tmp.Close()
		}
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	unlock()
	open = false
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
