package verify

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// https makes TLS, sends one GET for the probe's path with Connection:
// close, and reads the response: status, the Location and Content-Type
// headers and at most maxBody bytes of body. It follows no redirect and
// keeps nothing open.
func (s *session) https(ctx context.Context) error {
	if err := s.handshake(ctx); err != nil {
		return s.fail(StageTLS, err)
	}
	host := strings.TrimSuffix(s.p.Name, ".")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.p.URL(), nil)
	if err != nil {
		return s.fail(StageRequest, err)
	}
	lines := []string{
		"GET " + s.p.Path + " HTTP/1.1",
		"Host: " + host,
		"User-Agent: mailwizard",
		"Accept: */*",
		"Connection: close",
	}
	for _, l := range lines {
		s.note("C: " + l)
	}
	if _, err := io.WriteString(s.nc, strings.Join(lines, "\r\n")+"\r\n\r\n"); err != nil {
		return s.fail(StageRequest, err)
	}
	br := bufio.NewReaderSize(io.LimitReader(s.nc, maxResponse), bufSize)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		return s.fail(StageResponse, err)
	}
	defer resp.Body.Close()
	out := &HTTPResponse{
		Status:      resp.StatusCode,
		StatusLine:  Printable(resp.Proto + " " + resp.Status),
		Location:    Printable(resp.Header.Get("Location")),
		ContentType: Printable(resp.Header.Get("Content-Type")),
	}
	s.res.HTTP = out
	s.note("S: " + out.StatusLine)
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if len(body) > maxBody {
		body, out.Truncated = body[:maxBody], true
	}
	out.Body = body
	cut := ""
	if out.Truncated {
		cut = fmt.Sprintf(", cut at %d", maxBody)
	}
	s.note(fmt.Sprintf("S: (%d bytes of body%s)", len(body), cut))
	if err != nil {
		return s.fail(StageResponse, err)
	}
	return nil
}
