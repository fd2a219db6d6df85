// Package demo is mailwizard's built-in DNS world: two authoritative
// servers and a recursive resolver on loopback, served in-process, where a
// key "publishes" the wizard's records (or a typical mistake) so that red,
// amber and green can be shown without a domain. Nothing in it touches real
// DNS or the user's profiles.
package demo

// CONTRACT STUB: the UI engineer replaces the body.

import (
	"context"

	"github.com/mailwizard/mailwizard/internal/steps"
	"github.com/mailwizard/mailwizard/internal/verify"
)

// World is a running demo world. It implements ui.Publisher.
type World struct{}

// Start builds the world: servers on loopback, a DKIM key in a temp folder.
func Start(ctx context.Context) (*World, error) { return &World{}, nil }

// Config is the demo's mail server.
func (w *World) Config() steps.Config { return steps.Config{} }

// Verify are the engine options that point at the world.
func (w *World) Verify() verify.Options { return verify.Options{} }

// Publish puts the step's records on the first server now, the second soon.
func (w *World) Publish(stepID string) (string, error) { return "", nil }

// PublishMistake publishes a typical mistake for the step instead.
func (w *World) PublishMistake(stepID string) (string, error) { return "", nil }

// Close stops the servers and removes the temp folder.
func (w *World) Close() error { return nil }
