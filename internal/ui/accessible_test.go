package ui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// accessibleScript answers the form (keeping what is proposed, choosing
// "I only have the public key") and walks a little.
var accessibleScript = strings.Join([]string{
	"example.com", // domain
	"",            // host: mail.example.com
	"",            // addresses: keep what the host resolves to
	"3",           // DKIM: only the public key
	"",            // selector: mail
	"testdata/dkim.pub.pem",
	"", "", // DMARC none, report address
	"0",      // services: keep the proposed ones
	"",       // MTA-STS: testing
	"",       // DNSSEC and DANE: not now
	"",       // the detected provider
	"",       // no other domain on this mail host
	"n",      // MX
	"s", "y", // not mine: on to PTR
	"o", // overview
	"z", // zone snippet
	"1", // back to step 1
	"q",
}, "\n") + "\n"

func TestAccessible(t *testing.T) {
	t.Parallel()
	be, saved := keyBackend(t, newFakeWorld())
	var out bytes.Buffer
	opts := Options{In: strings.NewReader(accessibleScript), Out: &out, KeyDir: t.TempDir()}
	requireUnfinished(t, runPlain(context.Background(), opts, be, steps.All()), 1)
	golden.RequireEqual(t, out.String())
	if len(*saved) == 0 {
		t.Fatal("nothing saved")
	}
	last := (*saved)[len(*saved)-1]
	if last.Domain != "example.com." || last.DKIMPublicKeyFile != "testdata/dkim.pub.pem" || !slicesEqual(last.Skip, []string{steps.IDMX}) {
		t.Errorf("saved domain %q, public key %q, skip %v", last.Domain, last.DKIMPublicKeyFile, last.Skip)
	}
	if strings.Contains(out.String(), "\x1b[") {
		t.Error("the accessible output has escape codes")
	}
}

func slicesEqual(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }

func TestAccessibleInterrupt(t *testing.T) {
	t.Parallel()
	be, saved := keyBackend(t, newFakeWorld())
	r, w := io.Pipe()
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runPlain(ctx, Options{In: r, Out: io.Discard, KeyDir: t.TempDir()}, be, steps.All())
	}()
	if _, err := io.WriteString(w, "example.com\n\n"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the form now waits for the addresses
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, ErrInterrupted) {
			t.Fatalf("runPlain = %v, want ErrInterrupted", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("runPlain did not return after the interrupt")
	}
	if len(*saved) != 1 || (*saved)[0].Domain != "example.com." {
		t.Errorf("saved %+v, want the domain typed so far", *saved)
	}
}

func TestLineReader(t *testing.T) {
	t.Parallel()
	r := newLineReader(strings.NewReader("one\ntwo\nthree"))
	buf := make([]byte, 64)
	var got []string
	for {
		n, err := r.Read(buf)
		if n > 0 {
			got = append(got, string(buf[:n]))
		}
		if err != nil {
			break
		}
	}
	if strings.Join(got, "|") != "one\n|two\n|three" {
		t.Errorf("reads %q, want one line each", got)
	}
}

// TestAccessibleInputEnds: input that runs out in the middle of the form
// ends the walk with a clear error at once (no retry loop, no answers taken
// for the questions nobody saw, no key generated) and keeps what was typed.
func TestAccessibleInputEnds(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"nothing at all":          "",
		"only the domain":         "example.com\n",
		"up to the key choice":    "example.com\n\n\n",
		"an invalid last answer":  "example.com\n\nnot-an-ip\n",
		"last line with no break": "example.com\n\n192.0.2.25",
	}
	for name, input := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			be, saved := keyBackend(t, newFakeWorld())
			generated := false
			be.makeKey = func(string) error { generated = true; return nil }
			var out safeBuffer
			done := make(chan error, 1)
			go func() {
				done <- runPlain(context.Background(), Options{In: strings.NewReader(input), Out: &out, KeyDir: t.TempDir()}, be, steps.All())
			}()
			select {
			case err := <-done:
				if !errors.Is(err, ErrInputEnded) {
					t.Fatalf("runPlain = %v, want ErrInputEnded", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("runPlain did not return when the input ended; output so far:\n%.2000s", out.String())
			}
			if generated {
				t.Error("a DKIM key was generated although nobody chose to")
			}
			if n := strings.Count(out.String(), "Please answer again"); n > 1 {
				t.Errorf("asked again %d times after the input ended", n)
			}
			if len(*saved) > 0 {
				t.Errorf("saved %+v, want nothing: nobody chose the answers left", *saved)
			}
		})
	}
}
