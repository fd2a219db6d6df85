package steps

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// AutoconfigPath is where Thunderbird looks for a domain's settings:
// https://autoconfig.<domain>/mail/config-v1.1.xml.
const AutoconfigPath = "/mail/config-v1.1.xml"

// endpoint is one server a mail client is told about: its kind in the
// autoconfig file ("imap", "pop3", "smtp"), host, port and socket type
// ("SSL" for implicit TLS, "STARTTLS").
type endpoint struct {
	kind, host string
	port       uint16
	socket     string
}

func (e endpoint) String() string {
	return fmt.Sprintf("%s %s:%d (%s)", strings.ToUpper(e.kind), strings.TrimSuffix(e.host, "."), e.port, e.socket)
}

// endpointOf is the autoconfig entry that describes service s at host and
// port.
func endpointOf(s mailService, host string, port uint16) endpoint {
	e := endpoint{host: verifyName(host), port: port, socket: "SSL"}
	switch s.name {
	case ServiceSubmission, ServiceSubmissions:
		e.kind = "smtp"
	case ServiceIMAP, ServiceIMAPS:
		e.kind = "imap"
	default:
		e.kind = "pop3"
	}
	if s.name == ServiceSubmission || s.name == ServiceIMAP || s.name == ServicePOP3 {
		e.socket = "STARTTLS"
	}
	return e
}

// clientConfig is the part of Thunderbird's autoconfig file that names
// servers (https://wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat).
type clientConfig struct {
	XMLName   xml.Name `xml:"clientConfig"`
	Providers []struct {
		Incoming []xmlServer `xml:"incomingServer"`
		Outgoing []xmlServer `xml:"outgoingServer"`
	} `xml:"emailProvider"`
}

type xmlServer struct {
	Type       string `xml:"type,attr"`
	Hostname   string `xml:"hostname"`
	Port       string `xml:"port"`
	SocketType string `xml:"socketType"`
}

// parseAutoconfig reads the servers an autoconfig file names, with
// %EMAILDOMAIN% replaced by domain. A file that is not such XML, or names
// no server, is an error.
func parseAutoconfig(body []byte, domain string) ([]endpoint, error) {
	var cfg clientConfig
	dec := xml.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&cfg); err != nil {
		return nil, fmt.Errorf("it is not a clientConfig XML file: %w", err)
	}
	var out []endpoint
	for _, p := range cfg.Providers {
		for _, s := range slices.Concat(p.Incoming, p.Outgoing) {
			kind := strings.ToLower(strings.TrimSpace(s.Type))
			if kind != "imap" && kind != "pop3" && kind != "smtp" {
				continue
			}
			var port uint16
			if _, err := fmt.Sscan(strings.TrimSpace(s.Port), &port); err != nil || port == 0 {
				return out, fmt.Errorf("the %s server %q has the port %q, which is not a port number", kind, clip(s.Hostname), clip(s.Port))
			}
			host := strings.ReplaceAll(strings.TrimSpace(s.Hostname), "%EMAILDOMAIN%", strings.TrimSuffix(domain, "."))
			out = append(out, endpoint{kind: kind, host: verifyName(host), port: port, socket: strings.ToUpper(strings.TrimSpace(s.SocketType))})
		}
	}
	if len(out) == 0 {
		return nil, errors.New("it names no IMAP, POP3 or SMTP server")
	}
	return out, nil
}

// verifyName is a host name as the other names of a step: absolute and
// lower-case; empty stays empty.
func verifyName(host string) string {
	if host == "" {
		return ""
	}
	return strings.ToLower(strings.TrimSuffix(host, ".")) + "."
}

// AutoconfigXML is the autoconfig file to serve at
// https://autoconfig.<domain>/mail/config-v1.1.xml for cfg: one server per
// service offered, at the mail host and the service's port, the user name
// being the whole address.
func AutoconfigXML(cfg Config) string {
	cfg = cfg.withDefaults()
	domain := strings.TrimSuffix(cfg.Domain, ".")
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<clientConfig version="1.1">` + "\n")
	fmt.Fprintf(&b, "  <emailProvider id=%q>\n    <domain>%s</domain>\n", domain, domain)
	var outgoing []endpoint
	for _, s := range mailServices() {
		if !slices.Contains(cfg.Services, s.name) {
			continue
		}
		e := endpointOf(s, cfg.Host, s.port)
		if e.kind == "smtp" {
			outgoing = append(outgoing, e)
			continue
		}
		writeServer(&b, "incomingServer", e)
	}
	for _, e := range outgoing {
		writeServer(&b, "outgoingServer", e)
	}
	b.WriteString("  </emailProvider>\n</clientConfig>\n")
	return b.String()
}

func writeServer(b *strings.Builder, element string, e endpoint) {
	fmt.Fprintf(b, "    <%s type=%q>\n", element, e.kind)
	fmt.Fprintf(b, "      <hostname>%s</hostname>\n      <port>%d</port>\n      <socketType>%s</socketType>\n", strings.TrimSuffix(e.host, "."), e.port, e.socket)
	b.WriteString("      <username>%EMAILADDRESS%</username>\n      <authentication>password-cleartext</authentication>\n")
	fmt.Fprintf(b, "    </%s>\n", element)
}
