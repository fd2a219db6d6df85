package provider

import (
	"encoding/base64"
	"errors"
	"net/url"
	"strings"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// redacted stands in for a secret in a message.
const redacted = "[redacted]"

// maxMessage bounds a provider's message in an error: an API may answer
// with a whole HTML page.
const maxMessage = 400

// scrubber removes secrets from text.
type scrubber struct {
	secrets []string
}

// newScrubber scrubs the given secrets; empty and very short ones are
// ignored, as they would match ordinary text.
func newScrubber(secrets ...string) scrubber {
	var s scrubber
	for _, v := range secrets {
		if len(v) < 4 {
			continue
		}
		for _, form := range []string{v, url.QueryEscape(v), url.PathEscape(v), base64.StdEncoding.EncodeToString([]byte(v))} {
			if !contains(s.secrets, form) {
				s.secrets = append(s.secrets, form)
			}
		}
	}
	return s
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// text is msg without the secrets, escaped for a terminal, and cut to a
// readable length.
func (s scrubber) text(msg string) string {
	for _, v := range s.secrets {
		msg = strings.ReplaceAll(msg, v, redacted)
	}
	msg = steps.Printable(strings.Join(strings.Fields(msg), " "))
	if len(msg) > maxMessage {
		msg = msg[:maxMessage] + " …"
	}
	return msg
}

// err is err's message scrubbed, as a new error that keeps matching the
// context's errors (errors.Is(err, context.DeadlineExceeded)) but no
// longer carries the original, which may hold a secret.
func (s scrubber) err(err error) error {
	if err == nil {
		return nil
	}
	return &Error{msg: s.text(err.Error()), ctx: contextErr(err)}
}

// Error is a provider's failure, scrubbed of secrets.
type Error struct {
	msg string
	ctx error
}

func (e *Error) Error() string { return e.msg }

// Unwrap gives the context error the failure came from, if any.
func (e *Error) Unwrap() error { return e.ctx }

func contextErr(err error) error {
	for _, target := range []error{errDeadline, errCanceled} {
		if errors.Is(err, target) {
			return target
		}
	}
	return nil
}
