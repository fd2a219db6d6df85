package verify

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"syscall"
	"time"
)

// minGrace is the least a server's other addresses are waited for once one
// of them answered.
const minGrace = 50 * time.Millisecond

// AbandonedError means a nameserver answered on another of its addresses
// and this one gave no reply in the time that took (at least 50 ms): the
// engine stopped waiting, so that one address family without a path from
// this machine never holds a verdict back for a timeout.
type AbandonedError struct {
	// Answered is the address that answered.
	Answered string
	// After is how long the engine waited after that.
	After time.Duration
}

// Error says which address answered, and how long this one was waited for.
func (e *AbandonedError) Error() string {
	return fmt.Sprintf("no reply within %s after the server answered on %s", e.After.Round(time.Millisecond), e.Answered)
}

// LateError means a second-opinion resolver gave no reply in the time the
// nameservers took (at least 50 ms) after they had answered: the answer was
// not held back for it.
type LateError struct {
	After time.Duration
}

// Error says how long the resolver was waited for.
func (e *LateError) Error() string {
	return fmt.Sprintf("no reply within %s after the nameservers had answered (the resolver was still working on it)", e.After.Round(time.Millisecond))
}

// NoPathError means an address was not asked: in an earlier round of the
// session every address of its family failed (timeout, unreachable) while
// the other family answered, so this machine seems to have no path there.
// The family is tried again every Options.PathRetry.
type NoPathError struct {
	// Family is "IPv6" or "IPv4".
	Family string
	// Retry is how often the family is tried again.
	Retry time.Duration
}

// Error says why the address was not asked.
func (e *NoPathError) Error() string {
	return fmt.Sprintf("not asked: this machine seems to have no %s path (every %s address gave no reply in an earlier check); tried again every %s", e.Family, e.Family, e.Retry)
}

// family names the address family of an "ip:port" address.
func family(addr string) (string, bool) {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return "", false
	}
	if ap.Addr().Unmap().Is4() {
		return "IPv4", true
	}
	return "IPv6", true
}

// SilentError means an address was not asked: in the batch the round
// belongs to, the address gave no reply to the last queries sent there,
// each a timeout after every retry, so the batch leaves it alone for a
// while rather than wait out the same timeouts for domain after domain.
type SilentError struct {
	// Timeouts is how many queries in a row timed out there.
	Timeouts int
	// Retry is how long the batch leaves the address alone before it
	// asks it again.
	Retry time.Duration
}

// Error says why the address was not asked.
func (e *SilentError) Error() string {
	return fmt.Sprintf("not asked: it gave no reply to the last %d queries of this bulk check (each a timeout); it is asked again after %s", e.Timeouts, e.Retry)
}

// PathFailure reports whether err says that no packet went back and forth
// with the address (a timeout, no route, a family this machine does not
// have, an address not waited for or not asked) rather than that the server
// answered badly or refused the connection.
func PathFailure(err error) bool {
	var ae *AbandonedError
	var ne *NoPathError
	var se *SilentError
	switch {
	case err == nil:
		return false
	case errors.Is(err, ErrTimeout), errors.As(err, &ae), errors.As(err, &ne), errors.As(err, &se):
		return true
	}
	for _, errno := range []syscall.Errno{syscall.ENETUNREACH, syscall.EHOSTUNREACH, syscall.EADDRNOTAVAIL, syscall.EAFNOSUPPORT, syscall.EPROTONOSUPPORT} {
		if errors.Is(err, errno) {
			return true
		}
	}
	return false
}

// NoPath reports which address families seem to have no path from this
// machine, from the answers of a round: every observation at an address of
// the family failed with a PathFailure while an address of the other
// family answered. It says "IPv6", "IPv4", or nothing.
func NoPath(answers []Answer) []string {
	type tally struct{ ok, failed, other int }
	t := map[string]*tally{"IPv4": {}, "IPv6": {}}
	var visit func(a Answer)
	visit = func(a Answer) {
		for _, o := range a.Servers {
			fam, ok := family(o.Address)
			if !ok {
				continue
			}
			switch {
			case o.Rcode >= 0:
				t[fam].ok++ // a reply came, whatever it said
			case PathFailure(o.Err):
				t[fam].failed++
			default:
				t[fam].other++
			}
		}
		for _, link := range a.Chain {
			visit(link)
		}
	}
	for _, a := range answers {
		if a.Question.Via != Recursive {
			visit(a)
		}
	}
	var out []string
	for _, fam := range []string{"IPv6", "IPv4"} {
		other := "IPv4"
		if fam == "IPv4" {
			other = "IPv6"
		}
		if t[fam].ok == 0 && t[fam].failed > 0 && t[fam].other == 0 && t[other].ok > 0 {
			out = append(out, fam)
		}
	}
	return out
}

// paths is what a round knows of this machine's address families: those
// not asked this round, and when each family without a path was last
// tried.
type paths struct {
	skip  map[string]bool
	tried map[string]time.Time
}

// next decides, from a round's answers and its own paths, the paths of the
// next round: a family that failed everywhere (or was skipped) is skipped
// until retry has passed since it was last tried.
func (p paths) next(answers []Answer, now time.Time, retry time.Duration) paths {
	out := paths{skip: map[string]bool{}, tried: map[string]time.Time{}}
	for _, fam := range NoPath(answers) {
		if !p.skip[fam] {
			out.tried[fam] = now
		}
	}
	for fam, at := range p.tried {
		if p.skip[fam] {
			out.tried[fam] = at
		}
	}
	for fam, at := range out.tried {
		out.skip[fam] = now.Sub(at) < retry
	}
	return out
}

// causeOf is why ctx ended: the cause it was cancelled with (an address
// not waited for), or its error.
func causeOf(ctx context.Context) error {
	if err := context.Cause(ctx); err != nil {
		return err
	}
	return ContextErr(ctx)
}
