package lab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Programs are the paths of the lab's programs.
type Programs struct {
	Knotd      string // knot
	Unbound    string // unbound
	Knsupdate  string // knot-dnsutils
	Kzonecheck string // knot-dnssecutils
}

// program is one program the lab runs and the Debian package it is in.
type program struct {
	name, pkg string
	path      *string
}

func (p *Programs) list() []program {
	return []program{
		{"knotd", "knot", &p.Knotd},
		{"unbound", "unbound", &p.Unbound},
		{"knsupdate", "knot-dnsutils", &p.Knsupdate},
		{"kzonecheck", "knot-dnssecutils", &p.Kzonecheck},
	}
}

// Packages are the Debian packages that hold the lab's programs.
func Packages() []string {
	var p Programs
	var out []string
	for _, prog := range p.list() {
		out = append(out, prog.pkg)
	}
	return out
}

// find fills in the paths of the programs it finds and names the missing
// ones. Daemons live in /usr/sbin, which a non-root PATH may lack.
func (p *Programs) find() (missing []program) {
	for _, prog := range p.list() {
		path, err := exec.LookPath(prog.name)
		if err != nil {
			for _, dir := range []string{"/usr/sbin", "/usr/bin"} {
				if st, serr := os.Stat(filepath.Join(dir, prog.name)); serr == nil && !st.IsDir() {
					path, err = filepath.Join(dir, prog.name), nil
					break
				}
			}
		}
		if err != nil {
			missing = append(missing, prog)
			continue
		}
		*prog.path = path
	}
	return missing
}

// installHint says how to get the programs by hand.
func installHint() string {
	return "install them with: sudo apt-get install " + strings.Join(Packages(), " ")
}

// Ensure returns the lab's programs. When some are missing and the process
// runs as root on Debian, it installs them with apt-get (running apt-get
// update first only if the install fails), writing apt's output to log.
// Otherwise, or when port 53 cannot be bound, it returns an error that says
// what is missing and how to get it.
func Ensure(ctx context.Context, log io.Writer) (Programs, error) {
	var p Programs
	missing := p.find()
	if len(missing) > 0 {
		var names []string
		for _, m := range missing {
			names = append(names, fmt.Sprintf("%s (package %s)", m.name, m.pkg))
		}
		what := "missing " + strings.Join(names, ", ")
		if !canInstall() {
			return p, fmt.Errorf("%s; %s", what, installHint())
		}
		fmt.Fprintf(log, "lab: %s; installing with apt-get\n", what)
		if err := aptInstall(ctx, log, Packages()); err != nil {
			return p, fmt.Errorf("%s, and apt-get failed: %w; %s", what, err, installHint())
		}
		if still := p.find(); len(still) > 0 {
			return p, fmt.Errorf("%s still missing after apt-get install; %s", still[0].name, installHint())
		}
	}
	if err := canBindPort53(); err != nil {
		return p, err
	}
	return p, nil
}

// canInstall reports whether Ensure may install packages: root on Debian
// with apt-get.
func canInstall() bool {
	if os.Geteuid() != 0 {
		return false
	}
	if _, err := os.Stat("/etc/debian_version"); err != nil {
		return false
	}
	_, err := exec.LookPath("apt-get")
	return err == nil
}

// policyRCD keeps the packages' install scripts from starting the system's
// own knot and unbound services (invoke-rc.d asks it; 101 means "no").
const policyRCD = "/usr/sbin/policy-rc.d"

func aptInstall(ctx context.Context, log io.Writer, pkgs []string) error {
	if _, err := os.Stat(policyRCD); errors.Is(err, os.ErrNotExist) {
		if err := os.WriteFile(policyRCD, []byte("#!/bin/sh\n# written by mailwizard's test lab while it installs packages\nexit 101\n"), 0o755); err == nil {
			defer os.Remove(policyRCD)
		}
	}
	install := append([]string{"install", "-y", "--no-install-recommends"}, pkgs...)
	if err := apt(ctx, log, install...); err == nil {
		return nil
	}
	if err := apt(ctx, log, "update"); err != nil {
		return err
	}
	return apt(ctx, log, install...)
}

func apt(ctx context.Context, log io.Writer, args ...string) error {
	cmd := exec.CommandContext(ctx, "apt-get", args...)
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	// One writer for both, so that exec copies them in one goroutine.
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("apt-get %s: %w", strings.Join(args, " "), err)
	}
	return nil
}

// canBindPort53 checks that this process may listen on port 53 of a
// loopback address, as the servers it starts will.
func canBindPort53() error {
	pc, err := net.ListenPacket("udp4", "127.53.0.254:53")
	return bound(pc, err, 53, "the lab's servers listen")
}

// bound closes the socket a check of port opened, or says why it could not
// be opened; who says who will listen there ("the lab's servers listen").
func bound(c io.Closer, err error, port int, who string) error {
	if err != nil {
		if errors.Is(err, os.ErrPermission) {
			return fmt.Errorf("%s on port %d, which needs root (or CAP_NET_BIND_SERVICE)", who, port)
		}
		return fmt.Errorf("cannot listen on loopback port %d: %w", port, err)
	}
	return c.Close()
}

// EnsureCommands makes sure each command (a key of commands) is on PATH
// for a test that runs it: when some are missing and the process runs as
// root on Debian, it installs their packages (the values) with apt-get,
// as Ensure does for the lab's own programs, writing apt's output to log.
// Otherwise it returns an error that says what is missing and how to get
// it; Require turns that into a skip or a failure.
func EnsureCommands(ctx context.Context, log io.Writer, commands map[string]string) error {
	missing := func() (names, pkgs []string) {
		for name, pkg := range commands {
			if _, err := exec.LookPath(name); err != nil {
				names = append(names, fmt.Sprintf("%s (package %s)", name, pkg))
				pkgs = append(pkgs, pkg)
			}
		}
		return names, pkgs
	}
	names, pkgs := missing()
	if len(names) == 0 {
		return nil
	}
	hint := "install them with: sudo apt-get install " + strings.Join(pkgs, " ")
	what := "missing " + strings.Join(names, ", ")
	if !canInstall() {
		return fmt.Errorf("%s; %s", what, hint)
	}
	fmt.Fprintf(log, "lab: %s; installing with apt-get\n", what)
	if err := aptInstall(ctx, log, pkgs); err != nil {
		return fmt.Errorf("%s, and apt-get failed: %w; %s", what, err, hint)
	}
	if still, _ := missing(); len(still) > 0 {
		return fmt.Errorf("%s still missing after apt-get install; %s", still[0], hint)
	}
	return nil
}

// EnsureTool returns the path of the program name, installing its Debian
// package pkg with apt-get as Ensure does (root on Debian) when it is
// missing, writing apt's output to log. Otherwise it returns an error
// that says how to get it.
func EnsureTool(ctx context.Context, log io.Writer, name, pkg string) (string, error) {
	return ensurePackage(ctx, log, name, pkg, func() (string, error) { return exec.LookPath(name) })
}

// ensurePackage returns what find finds of the program name, installing
// its Debian package pkg with apt-get first (root on Debian) when find
// fails.
func ensurePackage(ctx context.Context, log io.Writer, name, pkg string, find func() (string, error)) (string, error) {
	if path, err := find(); err == nil {
		return path, nil
	}
	hint := "install it with: sudo apt-get install " + pkg
	if !canInstall() {
		return "", fmt.Errorf("missing %s (package %s); %s", name, pkg, hint)
	}
	fmt.Fprintf(log, "lab: missing %s; installing with apt-get\n", name)
	if err := aptInstall(ctx, log, []string{pkg}); err != nil {
		return "", fmt.Errorf("missing %s, and apt-get failed: %w; %s", name, err, hint)
	}
	path, err := find()
	if err != nil {
		return "", fmt.Errorf("%s still missing after apt-get install; %s", name, hint)
	}
	return path, nil
}
