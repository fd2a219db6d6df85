package main

import (
	"github.com/mailwizard/mailwizard/internal/steps"
	"github.com/mailwizard/mailwizard/internal/verify"
)

// verifyOptions are the engine options for --resolver: that resolver for
// discovery and as the second opinion, or else the system's (the first
// nameserver of /etc/resolv.conf) for both; with noProbe (--no-probe) the
// engine refuses every probe, so nothing but DNS leaves the machine.
func verifyOptions(resolver string, noProbe bool, e env) (verify.Options, error) {
	probe, err := verify.New(verify.Options{Resolver: resolver})
	if err != nil {
		if resolver != "" {
			return verify.Options{}, badInput("--%s %q: want an IP address with an optional port, like 127.0.0.53:53 or [2001:db8::53]:53", flagResolver, steps.Clip(resolver))
		}
		return verify.Options{}, badInput("no resolver: %v; give one with --%s host:port", err, flagResolver)
	}
	addr := probe.Resolver()
	return verify.Options{Resolver: addr, SecondOpinion: []string{addr}, MapAddr: e.mapAddr, Roots: e.roots, NoProbe: noProbe}, nil
}
