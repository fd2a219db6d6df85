package assets

import "embed"

// files are the embedded data files. An embed.FS is read-only, so this is
// not mutable package state.
//
//go:embed steps/*.md providers.toml hosting.toml demo/*.zone
var files embed.FS
