package mtasts

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// reportVersion starts every TLS-RPT TXT record (RFC 8460 §3).
const reportVersion = "v=TLSRPTv1"

// ReportRecord is a parsed _smtp._tls TXT record (RFC 8460 §3): where
// senders send their daily reports of failed TLS connections.
type ReportRecord struct {
	// RUA are the report URIs (mailto: or https:), in the order written,
	// from every rua= field.
	RUA []string
	// Extensions are the other fields, which senders ignore.
	Extensions []Field
}

// String renders the record as it is published.
func (r ReportRecord) String() string {
	s := reportVersion + "; rua=" + strings.Join(r.RUA, ",")
	for _, f := range r.Extensions {
		s += "; " + f.Name + "=" + f.Value
	}
	return s
}

// IsReportRecord reports whether a TXT record is meant as a TLS-RPT
// record: it starts with v=TLSRPTv1 in any case, after any spaces.
func IsReportRecord(txt string) bool { return looksLike(txt, reportVersion) }

// ParseReportRecord parses an _smtp._tls TXT record, its strings joined.
// It needs at least one rua= URI, each mailto: with an address or https:
// with a host. The error is a *SyntaxError.
func ParseReportRecord(txt string) (ReportRecord, error) {
	tags, err := parseTags(txt, reportVersion, "TLS-RPT record")
	if err != nil {
		return ReportRecord{}, err
	}
	var r ReportRecord
	for _, t := range tags {
		if t.name != "rua" {
			if p := badExtValue(t.value); p != "" {
				return ReportRecord{}, &SyntaxError{Pos: t.pos, Text: t.name + "=" + t.value, Problem: p}
			}
			r.Extensions = append(r.Extensions, Field{Name: t.name, Value: t.value})
			continue
		}
		// RFC 8460 §3: tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri).
		for _, u := range strings.Split(t.value, ",") {
			u = strings.Trim(u, " \t")
			if p := badReportURI(u); p != "" {
				return ReportRecord{}, &SyntaxError{Pos: t.pos, Text: "rua=" + t.value, Problem: p}
			}
			r.RUA = append(r.RUA, u)
		}
	}
	if len(r.RUA) == 0 {
		return ReportRecord{}, &SyntaxError{Problem: "the TLS-RPT record has no rua= field, so senders have nowhere to send reports"}
	}
	return r, nil
}

// badReportURI says what is wrong with one report URI, or "" when nothing
// is: RFC 8460 §3 defines mailto: (an address) and https: (a URL)
// destinations, with commas and exclamation marks percent-encoded.
func badReportURI(u string) string {
	switch {
	case u == "":
		return "a report URI is empty (a stray comma?)"
	case strings.ContainsAny(u, " \t"):
		return fmt.Sprintf("%q holds a space; separate report URIs with commas", u)
	case strings.Contains(u, "!"):
		return fmt.Sprintf("%q holds \"!\", which must be written %%21; TLS-RPT has no size limit after \"!\" as DMARC has", u)
	}
	parsed, err := url.Parse(u)
	if err != nil {
		return fmt.Sprintf("%q is not a URI", u)
	}
	switch strings.ToLower(parsed.Scheme) {
	case "mailto":
		addr, _, _ := strings.Cut(parsed.Opaque, "?")
		if addr == "" {
			addr = parsed.Path
		}
		if p := badAddress(addr); p != "" {
			return fmt.Sprintf("%q: %s", u, p)
		}
	case "https":
		if parsed.Host == "" {
			return fmt.Sprintf("%q has no host name", u)
		}
	case "":
		return fmt.Sprintf("%q has no scheme; write mailto:%s for a mail address", u, u)
	default:
		return fmt.Sprintf("%q: senders send reports only to mailto: and https: URIs", u)
	}
	return ""
}

// badAddress says what keeps addr from being a mail address a report can
// go to, or "" when nothing does.
func badAddress(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 {
		return "the mail address needs the form name@example.com"
	}
	if err := checkHostName(addr[at+1:]); err != nil {
		return "the part after @ " + strings.TrimPrefix(err.Error(), fmt.Sprintf("%q ", addr[at+1:]))
	}
	return ""
}

// CheckReportURI says what keeps u from being a TLS-RPT report URI (a
// mailto: address or an https: URL), or nil.
func CheckReportURI(u string) error {
	if p := badReportURI(u); p != "" {
		return errors.New(p)
	}
	return nil
}
