//go:build !linux

package lab

import "syscall"

// sysProcAttr: outside Linux there is no parent-death signal; the lab's
// cleanups stop the daemons.
func sysProcAttr() *syscall.SysProcAttr { return nil }
