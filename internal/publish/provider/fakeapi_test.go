package provider

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// apiRequest is one request a fake API was sent.
type apiRequest struct {
	method, path, query string
	header              http.Header
	body                string
}

func (r apiRequest) String() string {
	s := r.method + " " + r.path
	if r.query != "" {
		s += "?" + r.query
	}
	return s
}

// fakeAPI is an http.RoundTripper that plays one provider's API at host
// (https only): serve answers each request with a status and a JSON
// body. A request for any other host or scheme fails the test and is
// refused, so no request of a test leaves the process, and no name is
// ever looked up.
type fakeAPI struct {
	t     *testing.T
	host  string
	serve func(r apiRequest) (status int, body []byte)

	mu       sync.Mutex
	requests []apiRequest
}

func (f *fakeAPI) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
	}
	if req.URL.Scheme != "https" || req.URL.Host != f.host {
		f.t.Errorf("a request for %s %s, which no test serves", req.Method, req.URL.Redacted())
		return nil, fmt.Errorf("refused: %s is not %s", req.URL.Host, f.host)
	}
	r := apiRequest{method: req.Method, path: req.URL.Path, query: req.URL.RawQuery, header: req.Header.Clone(), body: string(body)}
	f.mu.Lock()
	f.requests = append(f.requests, r)
	f.mu.Unlock()
	status, out := f.serve(r)
	return &http.Response{
		StatusCode:    status,
		Status:        fmt.Sprintf("%d %s", status, http.StatusText(status)),
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(out)),
		ContentLength: int64(len(out)),
		Request:       req,
	}, nil
}

// sent are the requests so far.
func (f *fakeAPI) sent() []apiRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]apiRequest(nil), f.requests...)
}

// sentLines are the requests so far, one "METHOD path?query" a line.
func (f *fakeAPI) sentLines() string {
	var lines []string
	for _, r := range f.sent() {
		lines = append(lines, r.String())
	}
	return strings.Join(lines, "\n")
}

// testdata reads a file of provider's testdata folder.
func testdata(t *testing.T, provider, file string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", provider, file))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// useDefaultTransport makes rt http.DefaultTransport for the rest of the
// test, for the modules that take no HTTP client (they use
// http.DefaultClient or a new http.Client of their own). It is global
// state: no test of this package may run in parallel, which
// TestNoParallelTests keeps true.
func useDefaultTransport(t *testing.T, rt http.RoundTripper) {
	t.Helper()
	old := http.DefaultTransport
	http.DefaultTransport = rt
	t.Cleanup(func() { http.DefaultTransport = old })
}

// TestNoParallelTests: useDefaultTransport swaps a global, so no test of
// this package may call t.Parallel.
func TestNoParallelTests(t *testing.T) {
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	call := ".Parallel" + "()"
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(call)) {
			t.Errorf("%s runs a test in parallel, while other tests of the package swap http.DefaultTransport", f)
		}
	}
}
