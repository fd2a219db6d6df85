package buildinfo

import (
	"runtime/debug"
	"testing"
)

// readerOf returns a build info reader that reports bi, or no build info at
// all when bi is nil (a binary built without module support).
func readerOf(bi *debug.BuildInfo) func() (*debug.BuildInfo, bool) {
	return func() (*debug.BuildInfo, bool) { return bi, bi != nil }
}

// vcsBuild is what go build records inside a repository with VCS stamping on.
func vcsBuild(version string) *debug.BuildInfo {
	return &debug.BuildInfo{
		Main: debug.Module{Path: "github.com/mailwizard/mailwizard", Version: version},
		Settings: []debug.BuildSetting{
			{Key: "-trimpath", Value: "true"},
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "1111111111111111111111111111111111111111"},
			{Key: "vcs.time", Value: "2026-01-02T03:04:05Z"},
			{Key: "vcs.modified", Value: "false"},
		},
	}
}

func TestResolve(t *testing.T) {
	tests := map[string]struct {
		injected Info
		build    *debug.BuildInfo
		want     Info
	}{
		"release build: injected values win over build info": {
			injected: Info{Version: "1.2.3", Commit: "2222222222222222222222222222222222222222", Date: "2026-03-04T05:06:07Z"},
			build:    vcsBuild("v0.0.0-20260102030405-111111111111"),
			want:     Info{Version: "1.2.3", Commit: "2222222222222222222222222222222222222222", Date: "2026-03-04T05:06:07Z"},
		},
		"go install at a tag: module version, no VCS settings": {
			build: &debug.BuildInfo{Main: debug.Module{Path: "github.com/mailwizard/mailwizard", Version: "v1.4.0", Sum: "h1:abc="}},
			want:  Info{Version: "v1.4.0"},
		},
		"go build in a clone: pseudo-version, revision and commit time": {
			build: vcsBuild("v0.0.0-20260102030405-111111111111"),
			want:  Info{Version: "v0.0.0-20260102030405-111111111111", Commit: "1111111111111111111111111111111111111111", Date: "2026-01-02T03:04:05Z"},
		},
		"go build in a clone with local changes keeps the +dirty mark": {
			build: vcsBuild("v0.0.0-20260102030405-111111111111+dirty"),
			want:  Info{Version: "v0.0.0-20260102030405-111111111111+dirty", Commit: "1111111111111111111111111111111111111111", Date: "2026-01-02T03:04:05Z"},
		},
		"go build with -buildvcs=false: dev": {
			build: &debug.BuildInfo{Main: debug.Module{Path: "github.com/mailwizard/mailwizard", Version: "(devel)"}},
			want:  Info{Version: DevVersion},
		},
		"no build info at all: dev": {
			want: Info{Version: DevVersion},
		},
		"only the version injected: commit and date from build info": {
			injected: Info{Version: "1.2.3"},
			build:    vcsBuild("(devel)"),
			want:     Info{Version: "1.2.3", Commit: "1111111111111111111111111111111111111111", Date: "2026-01-02T03:04:05Z"},
		},
		"VCS settings without a module version: dev with commit and date": {
			build: vcsBuild("(devel)"),
			want:  Info{Version: DevVersion, Commit: "1111111111111111111111111111111111111111", Date: "2026-01-02T03:04:05Z"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := resolve(tc.injected, readerOf(tc.build))
			if got != tc.want {
				t.Errorf("resolve() = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestResolveToleratesNilBuildInfo(t *testing.T) {
	got := resolve(Info{}, func() (*debug.BuildInfo, bool) { return nil, true })
	if want := (Info{Version: DevVersion}); got != want {
		t.Errorf("resolve() = %+v, want %+v", got, want)
	}
}
