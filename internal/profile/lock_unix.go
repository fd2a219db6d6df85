//go:build unix

package profile

import (
	"os"
	"syscall"
)

// lockFile takes an exclusive flock on a temp file being written, without
// waiting: a fresh file is ours alone. It returns the release.
func lockFile(f tempFile) (unlock func()) {
	fd := int(f.Fd())
	if syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		return func() {}
	}
	return func() { _ = syscall.Flock(fd, syscall.LOCK_UN) }
}

// tryLock locks the file at name unless another process holds it: ok is
// false while a save is writing it.
func tryLock(name string) (unlock func(), ok bool) {
	f, err := os.Open(name)
	if err != nil {
		return nil, false
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, false
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
	}, true
}
