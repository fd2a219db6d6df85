package dnsworld

import (
	"net"
	"runtime"
	"testing"
	"time"
)

// TestArrivalIsWhenTheQueryCameNotWhenItWasRead: a query read late (the
// server's goroutine waited for the CPU) arrived when the kernel got it,
// and a Delay counts from there; a query the socket never read arrived
// now.
func TestArrivalIsWhenTheQueryCameNotWhenItWasRead(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	a, ok := stampArrivals(pc).(*arrivals)
	if !ok {
		t.Fatal("a UDP socket is not stamped")
	}
	c, err := net.Dial("udp", pc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	buf := make([]byte, 512)
	_ = a.SetReadDeadline(time.Now().Add(time.Second))
	// Linux turns stamping on a moment after the first socket asks for it
	// (a deferred work item); until then it stamps a datagram when it is
	// read. A first datagram lets that moment pass.
	if _, err := c.Write([]byte{0, 1, 0, 0}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
	if _, _, err := a.ReadFrom(buf); err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	if _, err := c.Write([]byte{0x12, 0x34, 0, 0}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(40 * time.Millisecond) // the server is busy
	n, from, err := a.ReadFrom(buf)
	if err != nil || n != 4 {
		t.Fatalf("read %d bytes, %v", n, err)
	}
	at := a.arrived(from, 0x1234)
	late := time.Since(at)
	if runtime.GOOS == "linux" && (late < 30*time.Millisecond || at.Before(sent.Add(-time.Millisecond))) {
		t.Errorf("arrived %s before it was taken (sent %s before), want about the 40ms it waited to be read", late, time.Since(sent))
	}
	// Taken once: the same key again, or one never read, is now.
	for _, id := range []uint16{0x1234, 0x9999} {
		if late := time.Since(a.arrived(from, id)); late > 10*time.Millisecond {
			t.Errorf("query %#x, never read, arrived %s ago; want now", id, late)
		}
	}
}
