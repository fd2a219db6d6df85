//go:build unix

package lab

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockStarts takes a machine-wide lock, a flock on a file in the temp
// folder, so that labs starting at the same time, in this test process or
// in another, do not pick the same loopback addresses. It returns the
// function that releases it.
func lockStarts() (unlock func(), err error) {
	return lockFile("mailwizard-lab.lock")
}

// lockNowhere takes the machine-wide lock of [::1]:53, held by a lab with
// Config.AAAANowhere for its whole life.
func lockNowhere() (unlock func(), err error) {
	return lockFile("mailwizard-lab-ipv6.lock")
}

// lockFile takes an flock on a file of that name in the temp folder.
func lockFile(name string) (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(os.TempDir(), name), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock the lab addresses: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock the lab addresses: %w", err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
	}, nil
}
