package profile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// maxSize bounds what Load reads: a profile is a few hundred bytes.
const maxSize = 1 << 20

// Profile is a loaded profile.
type Profile struct {
	// Path is the file it was loaded from.
	Path string
	// Config is what the file says of its first domain (the one at the
	// top, all a profile of one domain holds), not yet normalized.
	Config steps.Config
	// Domains are the Configs of every domain the file holds, Config
	// first, then one per [[domains]] table, not yet normalized. They
	// share what the top says of the mail host (steps.Config.WithHostOf).
	Domains []steps.Config
	// lines maps each key to the line that sets it.
	lines map[string]int
}

// Has reports whether the file sets key ("ip", "dkim-key", …) for the
// first domain.
func (p Profile) Has(key string) bool { return p.HasAt(0, key) }

// Where names the place that sets key for the first domain:
// "/home/me/.config/mailwizard/example.com.toml:4", or the path alone when
// the file does not set it.
func (p Profile) Where(key string) string { return p.WhereAt(0, key) }

// HasAt reports whether the file sets key for Domains[i]: at the top for
// the first domain and for what every domain shares, in its [[domains]]
// table for the others.
func (p Profile) HasAt(i int, key string) bool {
	_, ok := p.lines[p.lineKey(i, key)]
	return ok
}

// WhereAt names the place that sets key for Domains[i], as Where does.
func (p Profile) WhereAt(i int, key string) string {
	if line := p.lines[p.lineKey(i, key)]; line > 0 {
		return fmt.Sprintf("%s:%d", p.Path, line)
	}
	return p.Path
}

// lineKey is how keyLines names key of Domains[i].
func (p Profile) lineKey(i int, key string) string {
	if i == 0 || slices.Contains(sharedKeys(), key) {
		return key
	}
	return "domains." + strconv.Itoa(i) + "." + key
}

// Index returns the index in Domains of the domain named, however it is
// typed ("Example.ORG", "example.org."), and whether the profile holds it.
func (p Profile) Index(domain string) (int, bool) {
	want, err := steps.CheckDomain(domain)
	if err != nil {
		return -1, false
	}
	// A profile mailwizard saved spells its domains as CheckDomain does:
	// found without parsing every name before it (a profile lists a
	// domain once), as a bulk check looks up each of its rows.
	if i := slices.IndexFunc(p.Domains, func(cfg steps.Config) bool { return cfg.Domain == want }); i >= 0 {
		return i, true
	}
	for i, cfg := range p.Domains {
		if name, err := steps.CheckDomain(cfg.Domain); err == nil && name == want {
			return i, true
		}
	}
	return -1, false
}

// Error is a profile that does not load; it lists every problem found.
type Error struct {
	Path     string
	Problems []Problem
}

// Problem is one thing wrong in a profile.
type Problem struct {
	// Line is 1-based; 0 when the problem is not on one line.
	Line int
	// Key is the key concerned, when there is one.
	Key     string
	Problem string
}

// Error renders one line per problem: "path:line: key: problem".
func (e *Error) Error() string {
	lines := make([]string, 0, len(e.Problems))
	for _, p := range e.Problems {
		var b strings.Builder
		b.WriteString("profile " + e.Path)
		if p.Line > 0 {
			b.WriteString(":" + strconv.Itoa(p.Line))
		}
		b.WriteString(": ")
		if p.Key != "" {
			b.WriteString(p.Key + ": ")
		}
		b.WriteString(p.Problem)
		lines = append(lines, b.String())
	}
	return strings.Join(lines, "\n")
}

// Load reads the profile at path. A missing file gives an error that
// matches fs.ErrNotExist; a file that cannot be read (a folder, a device, no
// permission), does not parse, holds an unknown key or comes from a newer
// mailwizard gives an *Error.
func Load(path string) (Profile, error) {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return Profile{}, fmt.Errorf("read profile: %w", err)
	case err != nil:
		return Profile{}, unreadable(path, err)
	case st.IsDir():
		return Profile{}, whole(path, "is a folder, not a profile file")
	case !st.Mode().IsRegular():
		// A pipe or a device would block or never end.
		return Profile{}, whole(path, "is not a regular file, so it cannot be a profile")
	}
	f, err := os.Open(path)
	if err != nil {
		return Profile{}, unreadable(path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSize+1))
	if err != nil {
		return Profile{}, unreadable(path, err)
	}
	if len(data) > maxSize {
		return Profile{}, whole(path, fmt.Sprintf("larger than %d bytes; this is not a mailwizard profile", maxSize))
	}
	return parse(path, data)
}

// whole is an *Error about the file as a whole.
func whole(path, problem string) *Error {
	return &Error{Path: path, Problems: []Problem{{Problem: problem}}}
}

// unreadable is an *Error for a file that cannot be read, saying why
// without repeating the path: "cannot be read: permission denied".
func unreadable(path string, err error) *Error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return whole(path, "cannot be read: "+err.Error())
}

// parse decodes a profile's bytes; path names it in errors and anchors
// relative key paths.
func parse(path string, data []byte) (Profile, error) {
	p := Profile{Path: path, lines: keyLines(data)}
	var f file
	md, err := toml.Decode(string(data), &f)
	if err != nil {
		return Profile{}, &Error{Path: path, Problems: []Problem{p.decodeProblem(err)}}
	}
	var problems []Problem
	var unknown []string
	for _, k := range md.Undecoded() {
		key := k.String()
		if slices.ContainsFunc(unknown, func(u string) bool { return strings.HasPrefix(key, u+".") }) {
			continue // inside an unknown table, already reported
		}
		unknown = append(unknown, key)
		msg := "unknown key"
		if near := nearestKey(key); near != "" {
			msg += fmt.Sprintf("; did you mean %q?", near)
		}
		problems = append(problems, Problem{Line: p.lines[key], Key: key, Problem: msg})
	}
	if f.Version > formatVersion {
		problems = append(problems, Problem{Line: p.lines["version"], Key: "version", Problem: fmt.Sprintf(
			"format %d was written by a newer mailwizard; this one reads format %d and older", f.Version, formatVersion)})
	}
	problems = append(problems, p.domainProblems(f)...)
	if len(problems) > 0 {
		return Profile{}, &Error{Path: path, Problems: problems}
	}
	p.Domains = f.configs(filepath.Dir(path))
	p.Config = p.Domains[0]
	return p, nil
}

// domainProblems checks the [[domains]] tables: each names a domain that
// no other part of the profile names, and sets none of what the domains
// share (sharedKeys), which the top sets once.
func (p Profile) domainProblems(f file) []Problem {
	var problems []Problem
	if len(f.Domains) > 0 && f.Domain == "" {
		problems = append(problems, Problem{Line: p.lines["domains"], Key: "domain",
			Problem: "the top of a profile with [[domains]] tables holds its first domain: set domain there"})
	}
	seen := map[string]int{} // domain → its index
	if name, err := steps.CheckDomain(f.Domain); err == nil {
		seen[name] = 0
	}
	for i, e := range f.Domains {
		n := i + 1
		table := "domains." + strconv.Itoa(n)
		at := func(key string) int {
			if line := p.lines[table+"."+key]; line > 0 {
				return line
			}
			return p.lines[table]
		}
		shared := func(key string) {
			problems = append(problems, Problem{Line: at(key), Key: key, Problem: fmt.Sprintf(
				"the domains of a profile share their %s: set it once, at the top, not in a [[domains]] table", key)})
		}
		switch {
		case e.Domain == "":
			problems = append(problems, Problem{Line: at("domain"), Key: "domain", Problem: "missing: each [[domains]] table names its domain"})
		case e.Version != 0:
			problems = append(problems, Problem{Line: at("version"), Key: "version", Problem: "belongs at the top of the profile, not in a [[domains]] table"})
		case len(e.Domains) > 0:
			problems = append(problems, Problem{Line: at("domains"), Key: "domains", Problem: "a [[domains]] table cannot hold more of them"})
		}
		if e.Host != "" {
			shared("host")
		}
		if e.IP != nil {
			shared("ip")
		}
		if e.DNSBL != nil {
			shared("dnsbl")
		}
		if e.NoProbe {
			shared("no-probe")
		}
		if e.DANE {
			shared("dane")
		}
		if e.TLSCert != "" {
			shared("tls-cert")
		}
		for _, id := range e.Skip {
			if steps.IsShared(id) {
				problems = append(problems, Problem{Line: at("skip"), Key: "skip", Problem: fmt.Sprintf(
					"the %s step is about the mail host, so it is judged once for every domain: skip it at the top", id)})
			}
		}
		name, err := steps.CheckDomain(e.Domain)
		if err != nil {
			continue // Normalize names the problem, with the line
		}
		if first, dup := seen[name]; dup {
			where := "at the top"
			if first > 0 {
				where = fmt.Sprintf("in [[domains]] table %d", first)
			}
			problems = append(problems, Problem{Line: at("domain"), Key: "domain", Problem: fmt.Sprintf("%s is already listed %s", name, where)})
			continue
		}
		seen[name] = n
	}
	return problems
}

// decodeMessage matches the errors BurntSushi/toml returns as plain text
// for a value of the wrong type: `toml: line 3 (last key "ip"): …`.
const decodeMessage = `^toml: (?:line (\d+) )?\(last key "([^"]*)"\): (.*)$`

func (p Profile) decodeProblem(err error) Problem {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		line := pe.Position.Line
		if line == 0 {
			line = p.lines[pe.LastKey]
		}
		return Problem{Line: line, Key: pe.LastKey, Problem: plainValueProblem(pe.Message)}
	}
	m := regexp.MustCompile(decodeMessage).FindStringSubmatch(err.Error())
	if m == nil {
		return Problem{Problem: strings.TrimPrefix(err.Error(), "toml: ")}
	}
	line, _ := strconv.Atoi(m[1])
	if line == 0 {
		line = p.lines[m[2]]
	}
	return Problem{Line: line, Key: m[2], Problem: plainValueProblem(m[3])}
}

// plainValueProblem rewords netip's parse errors, which name Go functions
// (`ParseAddr("192.0.2.x"): unexpected character (at "x")`,
// `netip.ParsePrefix("192.0.2.0/33"): prefix length out of range`), in the
// user's words: `"192.0.2.x" is not an IP address`.
func plainValueProblem(msg string) string {
	for _, p := range []struct{ fn, what string }{
		{"ParseAddr", "an IP address"},
		{"ParsePrefix", "an address range such as 192.0.2.0/24"},
	} {
		rest, ok := strings.CutPrefix(strings.TrimPrefix(msg, "netip."), p.fn+`("`)
		if !ok {
			continue
		}
		if value, _, ok := strings.Cut(rest, `"): `); ok {
			return fmt.Sprintf("%q is not %s", value, p.what)
		}
	}
	return msg
}
