package buildinfo

import "runtime/debug"

// Keys of the VCS settings the go command stamps into a binary built inside a
// repository (unless -buildvcs=false).
const (
	settingRevision = "vcs.revision"
	settingTime     = "vcs.time"
)

// develVersion is what the go command records as the main module's version
// when it has none: a build from a source tree without VCS stamping.
const develVersion = "(devel)"

// resolve fills each field the linker left empty from Go's build info, read
// by readBuildInfo (debug.ReadBuildInfo outside tests), and falls back to
// DevVersion when no version is known at all.
//
// go install …@v1.2.3 records the module version but no VCS settings; go build
// in a repository records a pseudo-version (with "+dirty" for uncommitted
// changes) and the revision and commit time.
func resolve(injected Info, readBuildInfo func() (*debug.BuildInfo, bool)) Info {
	info := injected
	if bi, ok := readBuildInfo(); ok && bi != nil {
		if info.Version == "" && bi.Main.Version != develVersion {
			info.Version = bi.Main.Version
		}
		if info.Commit == "" {
			info.Commit = setting(bi, settingRevision)
		}
		if info.Date == "" {
			info.Date = setting(bi, settingTime)
		}
	}
	if info.Version == "" {
		info.Version = DevVersion
	}
	return info
}

// setting returns the value of the build setting key, or "" without it.
func setting(bi *debug.BuildInfo, key string) string {
	for _, s := range bi.Settings {
		if s.Key == key {
			return s.Value
		}
	}
	return ""
}
