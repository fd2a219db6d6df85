package dnsworld

import (
	"encoding/binary"
	"net"
	"syscall"
	"time"
)

// stampSpace is room for one SCM_TIMESTAMPNS control message.
var stampSpace = syscall.CmsgSpace(16)

// enableStamps asks the kernel to stamp each datagram that reaches uc.
func enableStamps(uc *net.UDPConn) bool {
	raw, err := uc.SyscallConn()
	if err != nil {
		return false
	}
	var serr error
	if err := raw.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_TIMESTAMPNS, 1)
	}); err != nil {
		return false
	}
	return serr == nil
}

// stampIn finds the kernel's stamp among a datagram's control messages.
func stampIn(oob []byte) (time.Time, bool) {
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err != nil {
		return time.Time{}, false
	}
	for _, m := range msgs {
		if m.Header.Level == syscall.SOL_SOCKET && m.Header.Type == syscall.SCM_TIMESTAMPNS && len(m.Data) >= 16 {
			sec := int64(binary.NativeEndian.Uint64(m.Data[0:8]))
			nsec := int64(binary.NativeEndian.Uint64(m.Data[8:16]))
			return time.Unix(sec, nsec), true
		}
	}
	return time.Time{}, false
}
