package release

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// Artifact types in dist/artifacts.json.
const (
	typeBinary       = "Binary"
	typeArchive      = "Archive"
	typeLinuxPackage = "Linux Package"
	typeChecksum     = "Checksum"
)

// artifact is one entry of dist/artifacts.json, GoReleaser's list of what
// it built.
type artifact struct {
	Name   string `json:"name"`
	Path   string `json:"path"` // relative to the repository
	Goos   string `json:"goos"`
	Goarch string `json:"goarch"`
	Type   string `json:"type"`
	Extra  struct {
		Format string `json:"Format"` // "tar.gz", "zip", "deb", "rpm", "apk"
	} `json:"extra"`
}

// metadata is dist/metadata.json: what GoReleaser released.
type metadata struct {
	ProjectName string `json:"project_name"`
	Version     string `json:"version"` // without the "v"
	Commit      string `json:"commit"`
}

// readJSON decodes the dist file name into v.
func readJSON(t *testing.T, dist, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dist, name))
	if err != nil {
		t.Fatalf("read GoReleaser's %s: %v", name, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("decode GoReleaser's %s: %v", name, err)
	}
}

// find returns the artifacts of type typ built for goos/goarch in format
// (any format when format is "").
func find(arts []artifact, typ, goos, goarch, format string) []artifact {
	var found []artifact
	for _, a := range arts {
		if a.Type == typ && a.Goos == goos && a.Goarch == goarch && (format == "" || a.Extra.Format == format) {
			found = append(found, a)
		}
	}
	return found
}
