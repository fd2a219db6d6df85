//go:build !unix

package lab

// lockStarts: without flock, labs rely on the address check alone.
func lockStarts() (unlock func(), err error) { return func() {}, nil }
