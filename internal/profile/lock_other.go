//go:build !unix

package profile

// lockFile does nothing where there is no flock: the age of a temp file
// alone tells a stale one.
func lockFile(tempFile) (unlock func()) { return func() {} }

// tryLock always succeeds where there is no flock.
func tryLock(string) (unlock func(), ok bool) { return func() {}, true }
