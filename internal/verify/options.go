package verify

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"time"
)

// Defaults of Options.
const (
	defaultResolvConf = "/etc/resolv.conf"
	defaultTimeout    = 2 * time.Second
	defaultRetries    = 1
	dnsPort           = 53
	// ednsSize is the EDNS0 buffer size advertised in every query (the DNS
	// flag day 2020 value).
	ednsSize = 1232

	defaultMaxNameservers = 13
	defaultMaxAddresses   = 3
	defaultQueryBudget    = 1000
	defaultMaxInFlight    = 256
	defaultMaxCNAMEs      = 8
	defaultPathRetry      = time.Minute
	// Defaults of the probes' options.
	defaultProbeTimeout = 10 * time.Second
	defaultProbeReuse   = time.Minute
	defaultRelayReuse   = time.Hour
)

// settings are Options checked and with defaults filled in.
type settings struct {
	resolver string // "ip:port"
	second   []string
	timeout  time.Duration
	retries  int
	mapAddr  func(string) string

	maxNameservers int
	maxAddresses   int
	budget         int
	maxInFlight    int
	maxCNAMEs      int
	pathRetry      time.Duration
	probes         probeSettings
}

// settle checks opts and fills in the defaults. Errors name the option.
func settle(opts Options) (settings, error) {
	s := settings{timeout: defaultTimeout, retries: defaultRetries, mapAddr: opts.MapAddr, pathRetry: defaultPathRetry}
	switch {
	case opts.PathRetry < 0:
		return s, fmt.Errorf("path retry %s: must not be negative", opts.PathRetry)
	case opts.PathRetry > 0:
		s.pathRetry = opts.PathRetry
	}
	bounds := []struct {
		name  string
		value int
		def   int
		dst   *int
	}{
		{"max nameservers", opts.MaxNameservers, defaultMaxNameservers, &s.maxNameservers},
		{"max addresses", opts.MaxAddresses, defaultMaxAddresses, &s.maxAddresses},
		{"query budget", opts.QueryBudget, defaultQueryBudget, &s.budget},
		{"max in flight", opts.MaxInFlight, defaultMaxInFlight, &s.maxInFlight},
		{"max cnames", opts.MaxCNAMEs, defaultMaxCNAMEs, &s.maxCNAMEs},
	}
	for _, b := range bounds {
		switch {
		case b.value < 0:
			return s, fmt.Errorf("%s %d: must not be negative", b.name, b.value)
		case b.value == 0:
			*b.dst = b.def
		default:
			*b.dst = b.value
		}
	}
	probes, err := settleProbes(opts)
	if err != nil {
		return s, err
	}
	s.probes = probes
	switch {
	case opts.Timeout < 0:
		return s, fmt.Errorf("timeout %s: must not be negative", opts.Timeout)
	case opts.Timeout > 0:
		s.timeout = opts.Timeout
	}
	switch {
	case opts.Retries < 0:
		return s, fmt.Errorf("retries %d: must not be negative", opts.Retries)
	case opts.NoRetry:
		s.retries = 0
	case opts.Retries > 0:
		s.retries = opts.Retries
	}
	if opts.Resolver != "" {
		addr, err := serverAddr(opts.Resolver)
		if err != nil {
			return s, fmt.Errorf("resolver %q: %w", opts.Resolver, err)
		}
		s.resolver = addr
	} else {
		path := opts.ResolvConf
		if path == "" {
			path = defaultResolvConf
		}
		addr, err := readResolvConf(path)
		if err != nil {
			return s, fmt.Errorf("resolv.conf %q: %w", path, err)
		}
		s.resolver = addr
	}
	for _, so := range opts.SecondOpinion {
		addr, err := serverAddr(so)
		if err != nil {
			return s, fmt.Errorf("second-opinion resolver %q: %w", so, err)
		}
		s.second = append(s.second, addr)
	}
	return s, nil
}

// serverAddr parses "ip", "ip:port", "[ipv6]" or "[ipv6]:port" into
// "ip:port", port 53 by default.
func serverAddr(s string) (string, error) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		if ap.Port() == 0 {
			return "", errors.New("port 0")
		}
		return ap.String(), nil
	}
	host := strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	a, err := netip.ParseAddr(host)
	if err != nil {
		return "", errors.New("want an IP address, optionally with a port (192.0.2.1:53, [2001:db8::1]:53)")
	}
	return netip.AddrPortFrom(a, dnsPort).String(), nil
}

// readResolvConf returns the first nameserver of a resolv.conf.
func readResolvConf(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || fields[0] != "nameserver" {
			continue
		}
		addr, err := serverAddr(fields[1])
		if err != nil {
			return "", fmt.Errorf("nameserver %q: %w", fields[1], err)
		}
		return addr, nil
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", errors.New("no nameserver line")
}
