package probeserver

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
)

// Page is what a WebServer answers for one path.
type Page struct {
	// Status is the status code; default 200.
	Status int
	// ContentType and Location are sent when set.
	ContentType, Location string
	Body                  []byte
}

// WebServer is an HTTPS server on loopback answering GETs from a map of
// pages; other paths get 404. It closes every connection after one
// response.
type WebServer struct {
	base
	cert *tls.Certificate

	pagesMu sync.Mutex
	pages   map[string]Page
}

// StartWeb starts an HTTPS server with cert and pages (path → page) on a
// free port of 127.0.0.1; Close it when done.
func StartWeb(cert *tls.Certificate, pages map[string]Page) (*WebServer, error) {
	return StartWebAt(netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), 0), cert, pages)
}

// StartWebAt is StartWeb at a loopback address and port (0 for a free
// one): a real port 443 of an address of its own, for end-to-end tests.
func StartWebAt(at netip.AddrPort, cert *tls.Certificate, pages map[string]Page) (*WebServer, error) {
	if !at.Addr().IsLoopback() {
		return nil, fmt.Errorf("an HTTPS server at %s: loopback only", at)
	}
	if cert == nil {
		return nil, errors.New("an HTTPS server needs a certificate")
	}
	s := &WebServer{cert: cert, pages: make(map[string]Page)}
	for p, page := range pages {
		s.pages[p] = page
	}
	if err := s.listenAt(at.String(), s.serve); err != nil {
		return nil, err
	}
	return s, nil
}

// SetPage sets what the server answers for path.
func (s *WebServer) SetPage(path string, p Page) {
	s.pagesMu.Lock()
	defer s.pagesMu.Unlock()
	s.pages[path] = p
}

func (s *WebServer) page(path string) (Page, bool) {
	s.pagesMu.Lock()
	defer s.pagesMu.Unlock()
	p, ok := s.pages[path]
	return p, ok
}

func (s *WebServer) serve(c net.Conn) {
	l := newLine(c)
	if !l.upgrade(s.cert, s.Fault().BreakTLS) {
		return
	}
	req, err := http.ReadRequest(bufio.NewReader(l.c))
	if err != nil {
		return
	}
	p, ok := s.page(req.URL.Path)
	switch {
	case req.Method != http.MethodGet:
		p = Page{Status: http.StatusMethodNotAllowed}
	case !ok:
		p = Page{Status: http.StatusNotFound, ContentType: "text/plain", Body: []byte("not found\n")}
	}
	if p.Status == 0 {
		p.Status = http.StatusOK
	}
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", p.Status, http.StatusText(p.Status))
	if p.ContentType != "" {
		fmt.Fprintf(&b, "Content-Type: %s\r\n", p.ContentType)
	}
	if p.Location != "" {
		fmt.Fprintf(&b, "Location: %s\r\n", p.Location)
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\nConnection: close\r\n\r\n", len(p.Body))
	if _, err := l.c.Write([]byte(b.String())); err != nil {
		return
	}
	_, _ = l.c.Write(p.Body)
}
