package lab_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailwizard/mailwizard/internal/lab"
	"github.com/mailwizard/mailwizard/internal/steps"
)

// promptWait is how long a session waits for the wizard to print what a
// person waits for before typing: a prompt, or a check's verdict. Every
// check round against the lab takes well under a second.
const promptWait = 20 * time.Second

// session is a running mailwizard driven through pipes as a person at a
// plain terminal drives it: wait until the question is on the screen,
// type a line.
type session struct {
	t      *testing.T
	cancel context.CancelFunc
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	chunks chan string // stdout as it comes; closed at EOF
	out    strings.Builder
	seen   int // how much of out expect has consumed
	stderr *lockedBuffer
	done   chan error
}

// startSession starts mailwizard with args and env.
func startSession(t *testing.T, env []string, args ...string) *session {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	s := &session{t: t, cancel: cancel, chunks: make(chan string, 64), stderr: &lockedBuffer{}, done: make(chan error, 1)}
	s.cmd = exec.CommandContext(ctx, bin, args...)
	s.cmd.Env = env
	s.cmd.Stderr = s.stderr
	var err error
	if s.stdin, err = s.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(s.chunks)
		buf := make([]byte, 32<<10)
		for {
			n, err := stdout.Read(buf)
			if n > 0 {
				s.chunks <- string(buf[:n])
			}
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		if t.Failed() {
			t.Logf("mailwizard %v printed:\n%s\nstderr:\n%s", args, s.out.String(), s.stderr.String())
		}
	})
	return s
}

// expect waits until the wizard has printed want after what earlier
// calls consumed, and returns the text up to and including it.
func (s *session) expect(want string) string {
	s.t.Helper()
	deadline := time.After(promptWait)
	for {
		rest := s.out.String()[s.seen:]
		if i := strings.Index(rest, want); i >= 0 {
			s.seen += i + len(want)
			return rest[:i+len(want)]
		}
		select {
		case chunk, ok := <-s.chunks:
			if !ok {
				s.t.Fatalf("mailwizard ended its output before printing %q", want)
			}
			s.out.WriteString(chunk)
		case <-deadline:
			s.t.Fatalf("mailwizard did not print %q within %s", want, promptWait)
		}
	}
}

// send types line and Enter.
func (s *session) send(line string) {
	s.t.Helper()
	if _, err := io.WriteString(s.stdin, line+"\n"); err != nil {
		s.t.Fatalf("type %q: %v", line, err)
	}
}

// wait waits for the wizard to exit and returns its exit code.
func (s *session) wait() int {
	s.t.Helper()
	go func() {
		for chunk := range s.chunks {
			_ = chunk // drained so that the wizard never blocks on a full pipe
		}
	}()
	go func() { s.done <- s.cmd.Wait() }()
	select {
	case err := <-s.done:
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			return ee.ExitCode()
		case err != nil:
			s.t.Fatalf("mailwizard: %v", err)
		}
		return 0
	case <-time.After(promptWait):
		s.cancel()
		s.t.Fatalf("mailwizard did not exit within %s after the last answer", promptWait)
		return -1
	}
}

// lockedBuffer collects stderr while the test may read it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
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

// blocklistZones serve the default blocklists in the lab, empty: every
// address is unlisted, as a clean server's is.
func blocklistZones() []lab.Zone {
	var out []lab.Zone
	for _, z := range steps.DefaultDNSBL() {
		out = append(out, lab.Zone{Apex: z})
	}
	return out
}

// stepPrompt ends every step of the plain walk.
const stepPrompt = "Enter checks again; n next"

// TestE2EWizardFromNothingToGreen: a person runs `mailwizard
// --accessible` against a zone with none of the mail server's records,
// answers the form with an existing DKIM key, publishes each step's
// records (with TSIG updates, as they would at their DNS provider, the
// first step on one nameserver before the other) and sees each step turn
// green, then the overview all green. The answers are saved, 0600, with no
// secret; a re-run with --domain alone loads them and re-verifies at once.
func TestE2EWizardFromNothingToGreen(t *testing.T) {
	lab.Require(t, labErr)
	t.Parallel()
	all := steps.All()
	var ids []string
	for _, st := range all {
		ids = append(ids, st.ID)
	}
	l := lab.Start(t, progs, lab.Config{Zones: append(zones(t, ids, nil), blocklistZones()...)})
	recs := records(t)
	start := time.Now()
	configHome := t.TempDir()
	env := append(os.Environ(), "XDG_CONFIG_HOME="+configHome, "HOME="+t.TempDir(), "NO_COLOR=1", "GORACE=atexit_sleep_ms=0 halt_on_error=1")

	// --no-probe: the mail server's addresses are documentation addresses,
	// which nothing may connect to; the server step is skipped.
	s := startSession(t, env, "--accessible", "--resolver", l.Resolver(), "--no-probe")
	form := []struct{ question, answer string }{
		{"Mail domain.", "example.com"},
		{"Mail host.", ""},
		{"does not resolve yet", "192.0.2.25, 2001:db8::25"},
		{"Enter a number between 1 and 3", "2"}, // the private key file my server signs with
		{"DKIM selector.", selector},
		{"Private key file.", keyPath()},
		{"Enter a number between 1 and 3", ""}, // DMARC none
		{"DMARC report address.", ""},
		{"Enter a number between 0 and 6", "0"}, // the proposed services
		{"MTA-STS mode.", ""},                   // testing
		{"DNSSEC and DANE.", ""},                // not now: the lab zone is not signed
		{"Your zone's nameservers are ns1.example.com., ns2.example.com.", ""},
		{"Does this mail host serve another domain?", ""}, // no
	}
	for _, q := range form {
		s.expect(q.question)
		s.send(q.answer)
	}
	for i, st := range all {
		s.expect(fmt.Sprintf("Step %d of %d:", i+1, len(all)))
		before := s.expect(stepPrompt)
		if st.ID == steps.IDServer {
			if !strings.Contains(before, "Not checked: DNS only (--no-probe)") {
				t.Fatalf("step %s is not skipped with --no-probe:\n%s", st.ID, before)
			}
			s.send("n")
			continue
		}
		if len(recs[st.ID]) == 0 {
			if !strings.Contains(before, "Done: this step is verified.") {
				t.Fatalf("step %s, with nothing to publish, is not verified:\n%s", st.ID, before)
			}
			s.send("n")
			continue
		}
		if strings.Contains(before, "Done:") {
			t.Fatalf("step %s is verified before its records are published:\n%s", st.ID, before)
		}
		lines := byZone(recs[st.ID])
		first := 0 // the nameserver to publish on next
		if i == 0 {
			publish(t, l, 0, lines)
			s.send("")
			partial := s.expect(stepPrompt)
			if strings.Contains(partial, "Done:") || !strings.Contains(partial, "but not yet on ns2.example.com.") {
				t.Fatalf("step %s on ns1 only is not pending on ns2:\n%s", st.ID, partial)
			}
			first = 1
		}
		for ns := first; ns < 2; ns++ {
			publish(t, l, ns, lines)
		}
		s.send("")
		after := s.expect(stepPrompt)
		if !strings.Contains(after, "Done: this step is verified.") {
			t.Fatalf("step %s is not verified once published:\n%s", st.ID, after)
		}
		s.send("n")
	}
	verified := fmt.Sprintf("Overview of example.com: %d/%d verified, 1 skipped\n", len(all)-1, len(all)-1)
	s.expect(verified)
	s.expect("Type a step number")
	s.send("q")
	if code := s.wait(); code != 0 {
		t.Fatalf("the wizard exited %d, want 0\nstderr: %s", code, s.stderr.String())
	}
	t.Logf("form, %d steps and the overview in %s", len(all), time.Since(start).Round(time.Millisecond))
	wantSavedProfile(t, filepath.Join(configHome, "mailwizard", "example.com.toml"))

	rerun := time.Now()
	// The profile keeps --no-probe.
	s = startSession(t, env, "--domain", "example.com", "--resolver", l.Resolver())
	head := s.expect(verified)
	if strings.Contains(head, "Mail domain.") || strings.Contains(head, "Step 1 of") {
		t.Errorf("the re-run asked again instead of loading the profile:\n%s", head)
	}
	s.expect("Type a step number")
	s.send("q")
	if code := s.wait(); code != 0 {
		t.Fatalf("the re-run exited %d, want 0\nstderr: %s", code, s.stderr.String())
	}
	t.Logf("re-run with --domain alone, to the all-green overview, in %s", time.Since(rerun).Round(time.Millisecond))
}

// byZone sorts recs into the lab zones they belong in, as zone-file
// lines.
func byZone(recs []steps.Record) map[string][]string {
	out := map[string][]string{}
	for _, rec := range recs {
		z := domain
		for _, rev := range []string{"2.0.192.in-addr.arpa.", "8.b.d.0.1.0.0.2.ip6.arpa."} {
			if strings.HasSuffix(rec.Name, "."+rev) {
				z = rev
			}
		}
		out[z] = append(out[z], rec.ZoneLines()...)
	}
	return out
}

// publish adds the lines of every zone to nameserver ns.
func publish(t *testing.T, l *lab.Lab, ns int, lines map[string][]string) {
	t.Helper()
	for zone, rrs := range lines {
		if err := l.Update(t.Context(), ns, zone, rrs); err != nil {
			t.Fatal(err)
		}
	}
}

// wantSavedProfile checks the wizard's saved profile: mode 0600, the
// answers, the key's path and nothing of the key itself.
func wantSavedProfile(t *testing.T, path string) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatalf("the wizard saved no profile: %v", err)
	}
	if mode := st.Mode().Perm(); mode != 0o600 {
		t.Errorf("profile mode %v, want 0600", mode)
	}
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`domain = "example.com."`, `dkim-selector = "lab"`, `dkim-key = "` + keyPath() + `"`, `"192.0.2.25"`, `"2001:db8::25"`, `no-probe = true`} {
		if !strings.Contains(string(text), want) {
			t.Errorf("profile lacks %s:\n%s", want, text)
		}
	}
	key, err := os.ReadFile(keyPath())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(text), "PRIVATE KEY") {
		t.Errorf("profile holds a private key:\n%s", text)
	}
	for line := range strings.SplitSeq(string(key), "\n") {
		if len(line) >= 16 && !strings.HasPrefix(line, "-----") && strings.Contains(string(text), line) {
			t.Errorf("profile holds a line of the private key: %q", line)
		}
	}
}
