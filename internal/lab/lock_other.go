//go:build !unix

package lab

// lockStarts: without flock, labs rely on the address check alone.
func lockStarts() (unlock func(), err error) { return func() {}, nil }

// lockNowhere: without flock, labs that want [::1]:53 may collide.
func lockNowhere() (unlock func(), err error) { return func() {}, nil }
