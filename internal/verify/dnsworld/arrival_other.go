//go:build !linux

package dnsworld

import (
	"net"
	"time"
)

// stampSpace is 0: no stamps here.
const stampSpace = 0

// enableStamps: only Linux stamps datagrams here; elsewhere a query
// arrives when the server reads it.
func enableStamps(*net.UDPConn) bool { return false }

// stampIn finds no stamp.
func stampIn([]byte) (time.Time, bool) { return time.Time{}, false }
