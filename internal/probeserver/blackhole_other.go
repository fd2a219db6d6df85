//go:build !linux

package probeserver

import (
	"errors"
	"net/netip"
)

// Blackhole is a loopback port that drops every connection attempt; only
// Linux has one (see blackhole_linux.go).
type Blackhole struct{}

// StartBlackhole reports that this system has no black hole.
func StartBlackhole() (*Blackhole, error) {
	return nil, errors.New("black hole: only on Linux")
}

// StartBlackholeAt reports that this system has no black hole.
func StartBlackholeAt(netip.AddrPort) (*Blackhole, error) {
	return nil, errors.New("black hole: only on Linux")
}

// Addr is empty.
func (b *Blackhole) Addr() string { return "" }

// Close does nothing.
func (b *Blackhole) Close() error { return nil }
