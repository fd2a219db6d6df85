package lab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/miekg/dns"
)

// stopGrace is how long a daemon gets to exit after SIGTERM before it is
// killed.
const stopGrace = 5 * time.Second

// daemon is a server process the lab started.
type daemon struct {
	name string
	cmd  *exec.Cmd
	log  *lockedBuffer
	done chan struct{} // closed when the process has exited
	err  error         // the exit status, once done
}

// startDaemon starts a server in the foreground. It dies with the test
// process (sysProcAttr) so that no daemon outlives a crashed test.
func startDaemon(name, path string, args ...string) (*daemon, error) {
	d := &daemon{name: name, log: &lockedBuffer{}, done: make(chan struct{})}
	d.cmd = exec.Command(path, args...)
	d.cmd.Stdout, d.cmd.Stderr = d.log, d.log
	d.cmd.SysProcAttr = sysProcAttr()
	if err := d.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() {
		d.err = d.cmd.Wait()
		close(d.done)
	}()
	return d, nil
}

// waitReady asks addr for the SOA of zone until it answers NOERROR, the
// daemon exits, or the deadline passes.
func (d *daemon) waitReady(ctx context.Context, addr, zone string, recursive bool) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	c := &dns.Client{Net: "udp", Timeout: 300 * time.Millisecond}
	m := new(dns.Msg).SetQuestion(zone, dns.TypeSOA)
	m.RecursionDesired = recursive
	// A validating resolver answers SERVFAIL for a zone whose chain of
	// trust a test breaks on purpose; with CD it answers all the same.
	m.CheckingDisabled = recursive
	var last error
	for {
		in, _, err := c.ExchangeContext(ctx, m, addr)
		switch {
		case err != nil:
			last = err
		case in.Rcode != dns.RcodeSuccess:
			last = fmt.Errorf("SOA %s: %s", zone, dns.RcodeToString[in.Rcode])
		default:
			return nil
		}
		select {
		case <-d.done:
			return fmt.Errorf("%s exited before answering (%v):\n%s", d.name, d.err, d.log.String())
		case <-ctx.Done():
			return fmt.Errorf("%s did not answer at %s within 10 s (last: %v):\n%s", d.name, addr, last, d.log.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// stop ends the daemon by its PID: SIGTERM, then SIGKILL after stopGrace.
// Stopping a stopped daemon does nothing.
func (d *daemon) stop() error {
	select {
	case <-d.done:
		return nil
	default:
	}
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stop %s (pid %d): %w", d.name, d.cmd.Process.Pid, err)
	}
	select {
	case <-d.done:
		return nil
	case <-time.After(stopGrace):
	}
	if err := d.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("kill %s (pid %d): %w", d.name, d.cmd.Process.Pid, err)
	}
	<-d.done
	return nil
}

// lockedBuffer collects a daemon's output while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
