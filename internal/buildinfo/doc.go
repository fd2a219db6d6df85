// Package buildinfo says which mailwizard this is: the version, commit and
// date injected by the release build, or read from Go's build info when the
// binary was built with plain go build or go install.
//
// The release build injects the three values with the linker:
//
//	-X github.com/mailwizard/mailwizard/internal/buildinfo.version={{.Version}}
//	-X github.com/mailwizard/mailwizard/internal/buildinfo.commit={{.Commit}}
//	-X github.com/mailwizard/mailwizard/internal/buildinfo.date={{.Date}}
//
// Those three variables are the package's only state; they are written by
// the linker and never changed at run time. buildinfo prints nothing and
// reads no flags or environment.
package buildinfo
