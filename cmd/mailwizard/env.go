package main

import (
	"crypto/x509"
	"io"
	"time"
)

// env is everything the commands touch outside themselves. main fills it
// from the process; tests run commands in-process with their own.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// environ decides colour in the tables (NO_COLOR, TERM, …).
	environ  []string
	now      func() time.Time
	readFile func(name string) ([]byte, error)
	// mapAddr, when set, sends queries for nameservers' real addresses to
	// test servers (verify.Options.MapAddr); nil outside tests.
	mapAddr func(addr string) string
	// roots are the certificate authorities the probes trust; nil outside
	// tests (the system's).
	roots *x509.CertPool
}
