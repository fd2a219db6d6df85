package dane

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// ParseChain reads the certificates of a PEM file, in the order written:
// one certificate, or a full chain with the server's own first (Let's
// Encrypt's fullchain.pem). A file that holds a key instead is refused by
// the type of its block, without reading the key.
func ParseChain(data []byte) ([]*x509.Certificate, error) {
	var chain []*x509.Certificate
	for n := 1; ; n++ {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		switch {
		case block.Type == "CERTIFICATE":
		case strings.Contains(block.Type, "PRIVATE KEY"):
			return nil, fmt.Errorf("block %d is a private key, not a certificate; give the certificate file (fullchain.pem, or cert.pem), never the key", n)
		default:
			return nil, fmt.Errorf("block %d is a %q, not a certificate", n, block.Type)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d does not parse: %w", n, err)
		}
		chain = append(chain, cert)
	}
	if len(chain) == 0 {
		return nil, errors.New("holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
	}
	return chain, nil
}
