// Package steps is the knowledge of mailwizard: for a Config, which records a
// mail server needs (in the order the wizard walks them) and how to judge
// what the authoritative servers returned.
//
// steps is pure policy. It does no network or file I/O of its own (reading a
// key file is injected), never sleeps, prints, or reads flags or the
// environment, and holds no package state. A step asks verify for the
// questions it needs through its Questions planner and judges one round's
// answers in Judge.
package steps
