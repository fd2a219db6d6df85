// Package release proves that mailwizard's release is one tag away. Its test
// builds a snapshot release from a clean copy of the work tree with the
// pinned GoReleaser and .goreleaser.yaml, then checks what a user downloads:
// an archive and a package for every platform, the checksums, and a binary
// that reports the version, commit and date it was built from.
//
// The test is slow (it builds six binaries and twelve archives and packages)
// and runs when CI is set or MAILWIZARD_RELEASE=1; see the Contributing
// section of README.md. The package has no code outside its tests and never
// writes into the work tree.
package release
