package buildinfo

import (
	"runtime/debug"
	"strings"
)

// Set by the release build with -ldflags "-X …"; see the package comment.
var (
	version = ""
	commit  = ""
	date    = ""
)

// DevVersion is the Version of a binary that carries no version at all: built
// from a source tree without VCS stamping (-buildvcs=false) or injected values.
const DevVersion = "dev"

// Info describes the running binary.
type Info struct {
	Version string // "v1.2.3", "dev"
	Commit  string // full hash, "" when unknown
	Date    string // RFC 3339, "" when unknown
}

// Get returns the build's Info: each field as injected by the release build,
// else as Go's build info records it, else unknown ("dev" for the version).
func Get() Info {
	return resolve(Info{Version: version, Commit: commit, Date: date}, debug.ReadBuildInfo)
}

// String renders the Info on one line, as --version shows it:
// "v1.2.3 (commit 0123abcd…, 2026-01-02T03:04:05Z)", or just "dev".
func (i Info) String() string {
	var details []string
	if i.Commit != "" {
		details = append(details, "commit "+i.Commit)
	}
	if i.Date != "" {
		details = append(details, i.Date)
	}
	if len(details) == 0 {
		return i.Version
	}
	return i.Version + " (" + strings.Join(details, ", ") + ")"
}
