// Package buildinfo says which mailwizard this is: the version, commit and
// date injected by the release build, or read from Go's build info when
// built with plain go build or go install.
package buildinfo

// CONTRACT STUB: the release engineer replaces the body.

// Injected by the release build with -ldflags "-X …".
var (
	version = ""
	commit  = ""
	date    = ""
)

// Info describes the running binary.
type Info struct {
	Version string // "v1.2.3", "dev"
	Commit  string // full hash, "" when unknown
	Date    string // RFC 3339, "" when unknown
}

// Get returns the build's Info.
func Get() Info { return Info{Version: version, Commit: commit, Date: date} }
