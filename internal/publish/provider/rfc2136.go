package provider

import (
	"github.com/libdns/rfc2136"
)

// OpenRFC2136 is the zone's primary server at server ("host:port") as a
// provider: records are read by a zone transfer (AXFR) and changed by
// RFC 2136 updates, both signed with key. The server must allow the key
// both.
func OpenRFC2136(server string, key TSIGKey) *Libdns {
	p := &rfc2136.Provider{KeyName: key.Name, KeyAlg: key.Algorithm, Key: key.Secret, Server: server}
	return NewLibdns(p, TXTEscaped, key.Secret)
}
