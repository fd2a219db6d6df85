package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailwizard/mailwizard/internal/publish/publishtest"
)

// OVHcloud credentials of the publish tests. None may appear in anything
// mailwizard prints or saves.
const (
	testOVHAppKey      = "mw-ak-4Rt8Yp2Wq6Zs"
	testOVHAppSecret   = "mw-as-8Hn3Kc5Vb1Xm7Lj"
	testOVHConsumerKey = "mw-ck-2Df9Gh4Jk6Qw8Er"
)

// testTSIGSecret is the secret of the TSIG key files of the tests.
const testTSIGSecret = "bXctdGVzdC10c2lnLXNlY3JldC0wMTIzNDU2Nzg5"

// ovhZone is example.com at OVHcloud before publishing, as its API
// returns the records: a site verification, the MX of the mail service
// the domain had, and OVHcloud's default alias for mail clients.
const ovhZone = `[
 {"id": 5088117261, "zone": "example.com", "subDomain": "", "fieldType": "NS", "target": "dns109.ovh.net.", "ttl": 0},
 {"id": 5088117263, "zone": "example.com", "subDomain": "", "fieldType": "MX", "target": "1 mx1.mail.ovh.net.", "ttl": 0},
 {"id": 5088117265, "zone": "example.com", "subDomain": "", "fieldType": "TXT", "target": "\"google-site-verification=abc\"", "ttl": 0},
 {"id": 5088117266, "zone": "example.com", "subDomain": "autoconfig", "fieldType": "CNAME", "target": "mailconfig.ovh.net.", "ttl": 0}
]`

// publishWorld is a checkWorld whose zone is published at OVHcloud,
// played on loopback: publish runs its whole path, the real libdns/ovh
// module included, and no request leaves the machine (the endpoint is an
// address, so no name of the provider is ever looked up).
type publishWorld struct {
	checkWorld
	ovh *publishtest.OVH
	// vars are the environment variables publish sees on top of the
	// test's; a test may change them between runs.
	vars map[string]string
}

func newPublishWorld(t *testing.T) publishWorld {
	t.Helper()
	w := publishWorld{checkWorld: newCheckWorld(t)}
	w.ovh = publishtest.StartOVH(t, "example.com", testOVHAppKey, testOVHAppSecret, testOVHConsumerKey, []byte(ovhZone))
	w.vars = map[string]string{
		"OVH_ENDPOINT": w.ovh.URL, "OVH_APPLICATION_KEY": testOVHAppKey,
		"OVH_APPLICATION_SECRET": testOVHAppSecret, "OVH_CONSUMER_KEY": testOVHConsumerKey,
	}
	base := w.e.getenv
	w.e.getenv = func(name string) string {
		if v, ok := w.vars[name]; ok {
			return v
		}
		return base(name)
	}
	return w
}

// endpointLine is the line of a credentials file that sends OVHcloud's
// calls to the world's: a file read as it should not be still sends
// nothing off the machine.
func (w publishWorld) endpointLine() string {
	return "OVH_ENDPOINT=" + w.ovh.URL + "\n"
}

// publish runs publish for the world's mail server with extra arguments.
func (w publishWorld) publish(t *testing.T, extra ...string) result {
	t.Helper()
	return runMW(t, w.e, append(append([]string{"publish"}, w.args...), extra...)...)
}

// TestPublishNeverShowsASecret runs publish through every way it ends,
// with an HTTP provider, and finds no credential in what it printed or
// saved.
func TestPublishNeverShowsASecret(t *testing.T) {
	t.Parallel()
	w := newPublishWorld(t)
	dir := t.TempDir()
	var outputs []string
	run := func(wantCode int, extra ...string) result {
		t.Helper()
		r := w.publish(t, extra...)
		outputs = append(outputs, r.stdout, r.stderr)
		if r.code != wantCode {
			t.Errorf("publish %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(extra, " "), r.code, wantCode, r.stdout, r.stderr)
		}
		return r
	}

	// A dry run: the plan, and nothing changed.
	r := run(1, "--provider", "ovh")
	for _, want := range []string{"Plan for the zone example.com. at OVHcloud:", "- example.com. 0 IN MX 1 mx1.mail.ovh.net.", "+ _dmarc.example.com.", "--apply"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the dry run does not say %q:\n%s", want, r.stdout)
		}
	}
	if n := len(w.ovh.Records()); n != 4 {
		t.Errorf("a dry run changed the zone: %d records, want 4", n)
	}

	// OVHcloud lets these credentials read the zone, not change it, and
	// says so quoting them back.
	w.ovh.RefuseChanges([]byte(`{"errorCode":"NOT_GRANTED_CALL","httpCode":"403 Forbidden","message":"This call has not been granted to consumer key ` +
		testOVHConsumerKey + ` (application ` + testOVHAppKey + `)"}`))
	r = run(3, "--provider", "ovh", "--apply")
	if !strings.Contains(r.stderr, "OVHcloud refused or did not answer") || !strings.Contains(r.stderr, "This call has not been granted") {
		t.Errorf("a refused change is not shown:\n%s", r.stderr)
	}
	if n := len(w.ovh.Records()); n != 4 {
		t.Errorf("a refused change changed the zone: %d records, want 4", n)
	}
	w.ovh.Refuse(nil)

	// --apply and --save: applied, checked, and the provider's name saved.
	r = run(0, "--provider", "ovh", "--apply", "--save")
	if !strings.Contains(r.stdout, "Applied:") {
		t.Errorf("apply does not say what it applied:\n%s", r.stdout)
	}
	prof, err := os.ReadFile(filepath.Join(w.e.getenv("XDG_CONFIG_HOME"), "mailwizard", "example.com.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(prof), `publish-provider = "ovh"`) {
		t.Errorf("the profile does not name the provider:\n%s", prof)
	}
	outputs = append(outputs, string(prof))

	// Again: nothing to do, the provider taken from the profile.
	r = run(0)
	if !strings.Contains(r.stdout, "0 to add, 0 to replace") {
		t.Errorf("a second run plans changes:\n%s", r.stdout)
	}

	// OVHcloud refuses, quoting the credentials back.
	w.ovh.Refuse([]byte(`{"errorCode":"INVALID_CREDENTIAL","httpCode":"403 Forbidden","message":"This credential does not exist: ` +
		testOVHConsumerKey + ` (application ` + testOVHAppKey + `, secret ` + testOVHAppSecret + `)"}`))
	r = run(3, "--apply")
	if !strings.Contains(r.stderr, "This credential does not exist") || !strings.Contains(r.stderr, "[redacted]") {
		t.Errorf("the refusal is not shown, cleaned:\n%s", r.stderr)
	}

	// OVHcloud cannot be reached.
	w.vars["OVH_ENDPOINT"] = "http://127.0.0.1:1/1.0"
	r = run(3, "--apply")
	if !strings.Contains(r.stderr, "could not read the zone example.com. from OVHcloud") {
		t.Errorf("an unreachable provider is not named:\n%s", r.stderr)
	}
	w.vars["OVH_ENDPOINT"] = w.ovh.URL

	// Credentials files with a secret where a name or a line belongs.
	for i, text := range []string{
		"OVH_APPLICATION_KEY=" + testOVHAppKey + "\n" + testOVHAppSecret + "\n",
		"OVH_APPLICATION_KEY=" + testOVHAppKey + "\n" + testOVHConsumerKey + "=" + testOVHAppSecret + "\n",
		"OVH_APPLICATION_KEY " + testOVHAppKey + "\n",
	} {
		file := filepath.Join(dir, "ovh"+string(rune('a'+i))+".env")
		writeFile(t, file, w.endpointLine()+text)
		r = run(2, "--credentials", file)
		if !strings.HasPrefix(r.stderr, "mailwizard: "+file+":") {
			t.Errorf("a bad credentials file is not named with its line: %q", r.stderr)
		}
	}

	// A missing variable.
	delete(w.vars, "OVH_CONSUMER_KEY")
	r = run(2, "--apply")
	if !strings.Contains(r.stderr, "OVHcloud needs OVH_CONSUMER_KEY") {
		t.Errorf("a missing variable is not named: %q", r.stderr)
	}

	// A TSIG key file that holds its secret where it does not belong.
	key := filepath.Join(dir, "bad.key")
	writeFile(t, key, "key \"mail-update.example.com\" {\n\talgorithm hmac-sha256;\n\t"+testTSIGSecret+";\n};\n")
	run(2, "--provider", "rfc2136", "--tsig-key", key)

	for _, secret := range []string{testOVHAppKey, testOVHAppSecret, testOVHConsumerKey, testTSIGSecret} {
		for _, out := range outputs {
			if strings.Contains(out, secret) {
				t.Errorf("the secret %s was printed or saved:\n%s", secret, out)
			}
		}
	}
}

// TestPublishBadInput: every bad flag, key file or credential is one line
// naming the flag or the file (and the line), exit 2, and no secret.
func TestPublishBadInput(t *testing.T) {
	tests := map[string]struct {
		// setup writes files into dir and returns publish's arguments
		// after the world's.
		setup    func(t *testing.T, dir string, w publishWorld) []string
		wantLine string
	}{
		"unknown provider": {
			setup:    func(*testing.T, string, publishWorld) []string { return []string{"--provider", "nosuch"} },
			wantLine: `mailwizard: --provider "nosuch": unknown; use one of rfc2136, cloudflare, desec, ovh`,
		},
		"--watch without --apply": {
			setup:    func(*testing.T, string, publishWorld) []string { return []string{"--provider", "ovh", "--watch"} },
			wantLine: "mailwizard: --watch only applies with --apply",
		},
		"a TSIG key file with its secret out of place": {
			setup: func(t *testing.T, dir string, _ publishWorld) []string {
				key := filepath.Join(dir, "mail.key")
				writeFile(t, key, "key \"mail-update.example.com\" {\n\talgorithm hmac-sha256;\n\t"+testTSIGSecret+";\n};\n")
				return []string{"--provider", "rfc2136", "--tsig-key", key}
			},
			wantLine: "mailwizard: --tsig-key {dir}/mail.key:3: unexpected a word in the key mail-update.example.com.",
		},
		"a TSIG secret that is not base64": {
			setup: func(t *testing.T, dir string, _ publishWorld) []string {
				key := filepath.Join(dir, "mail.key")
				writeFile(t, key, "key \"mail-update.example.com\" {\n\talgorithm hmac-sha256;\n\tsecret \""+testTSIGSecret+"!\";\n};\n")
				return []string{"--provider", "rfc2136", "--tsig-key", key}
			},
			wantLine: "mailwizard: --tsig-key {dir}/mail.key:3: the secret is not base64",
		},
		"a TSIG key file that is not one": {
			setup: func(t *testing.T, dir string, _ publishWorld) []string {
				key := filepath.Join(dir, "mail.key")
				writeFile(t, key, "hmac-sha256:mail-update.example.com:"+testTSIGSecret+"\n")
				return []string{"--provider", "rfc2136", "--tsig-key", key}
			},
			wantLine: "mailwizard: --tsig-key {dir}/mail.key:1: expected a key statement",
		},
		"a credentials file with a bad line": {
			setup: func(t *testing.T, dir string, w publishWorld) []string {
				file := filepath.Join(dir, "ovh.env")
				writeFile(t, file, w.endpointLine()+"# OVHcloud\nOVH_APPLICATION_KEY="+testOVHAppKey+"\n"+testOVHAppSecret+"\n")
				return []string{"--provider", "ovh", "--credentials", file}
			},
			wantLine: "mailwizard: {dir}/ovh.env:4: expected NAME=value",
		},
		"a missing credentials file": {
			setup: func(_ *testing.T, dir string, _ publishWorld) []string {
				return []string{"--provider", "ovh", "--credentials", filepath.Join(dir, "none.env")}
			},
			wantLine: "mailwizard: --credentials {dir}/none.env: no such file or directory",
		},
		"a missing credential variable": {
			setup:    func(*testing.T, string, publishWorld) []string { return []string{"--provider", "desec"} },
			wantLine: "mailwizard: deSEC needs DESEC_TOKEN (a deSEC API token), and it is not set in the environment",
		},
		"a missing variable in a credentials file": {
			setup: func(t *testing.T, dir string, w publishWorld) []string {
				file := filepath.Join(dir, "ovh.env")
				writeFile(t, file, w.endpointLine()+"OVH_APPLICATION_KEY="+testOVHAppKey+"\nOVH_APPLICATION_SECRET="+testOVHAppSecret+"\n")
				return []string{"--provider", "ovh", "--credentials", file}
			},
			wantLine: "mailwizard: OVHcloud needs OVH_CONSUMER_KEY (the consumer key), and it is not set in {dir}/ovh.env",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newPublishWorld(t)
			delete(w.vars, "DESEC_TOKEN")
			dir := t.TempDir()
			r := w.publish(t, tc.setup(t, dir, w)...)
			want := strings.ReplaceAll(tc.wantLine, "{dir}", dir)
			if r.code != 2 {
				t.Errorf("exit code = %d, want 2\nstderr: %s", r.code, r.stderr)
			}
			if lines := r.errLines(); len(lines) != 1 || !strings.HasPrefix(lines[0], want) {
				t.Errorf("stderr = %q, want one line starting with %q", r.stderr, want)
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q, want nothing on bad input", r.stdout)
			}
			for _, secret := range []string{testOVHAppKey, testOVHAppSecret, testOVHConsumerKey, testTSIGSecret} {
				if strings.Contains(r.stderr, secret) {
					t.Errorf("stderr holds a secret: %s", r.stderr)
				}
			}
			if reqs := w.ovh.Requests(); len(reqs) > 0 {
				t.Errorf("bad input, yet OVHcloud was asked: %q", reqs)
			}
		})
	}
}
