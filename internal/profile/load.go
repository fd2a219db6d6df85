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
	// Config is what the file says, not yet normalized.
	Config steps.Config
	// lines maps each key to the line that sets it.
	lines map[string]int
}

// Has reports whether the file sets key ("ip", "dkim-key", …).
func (p Profile) Has(key string) bool {
	_, ok := p.lines[key]
	return ok
}

// Where names the place that sets key: "/home/me/.config/mailwizard/
// example.com.toml:4", or the path alone when the file does not set it.
func (p Profile) Where(key string) string {
	if line := p.lines[key]; line > 0 {
		return fmt.Sprintf("%s:%d", p.Path, line)
	}
	return p.Path
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
	if len(problems) > 0 {
		return Profile{}, &Error{Path: path, Problems: problems}
	}
	p.Config = f.config(filepath.Dir(path))
	return p, nil
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
