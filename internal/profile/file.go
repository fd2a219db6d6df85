package profile

import (
	"net/netip"
	"path/filepath"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// formatVersion is the version of the file format this package writes; it
// reads this version and older.
const formatVersion = 1

// file is the TOML form of a profile. Keys are named as the command-line
// flags that set the same thing, so that an error about either names the
// same word.
type file struct {
	Version       int            `toml:"version"`
	Domain        string         `toml:"domain"`
	Host          string         `toml:"host,omitempty"`
	IP            []netip.Addr   `toml:"ip,omitempty"`
	DKIMSelector  string         `toml:"dkim-selector,omitempty"`
	DKIMKey       string         `toml:"dkim-key,omitempty"`
	DKIMPublicKey string         `toml:"dkim-public-key,omitempty"`
	DMARCPolicy   string         `toml:"dmarc-policy,omitempty"`
	DMARCRUA      string         `toml:"dmarc-rua,omitempty"`
	SPFInclude    []string       `toml:"spf-include,omitempty"`
	SPFIP         []netip.Prefix `toml:"spf-ip,omitempty"`
	Services      []string       `toml:"services,omitempty"`
	NullUnoffered bool           `toml:"null-unoffered,omitempty"`
	// DNSBL is absent for the default list and empty to disable the
	// check, like steps.Config.DNSBL.
	DNSBL    *[]string `toml:"dnsbl,omitempty"`
	TTL      uint32    `toml:"ttl,omitzero"`
	Provider string    `toml:"provider,omitempty"`
	Skip     []string  `toml:"skip,omitempty"`
	// Transport security: the MTA-STS policy's mode and id, the TLS-RPT
	// report address, the choice of DNSSEC and DANE, and the path of the
	// server's certificate (never a key).
	MTASTSMode string `toml:"mta-sts-mode,omitempty"`
	MTASTSID   string `toml:"mta-sts-id,omitempty"`
	TLSRPTRUA  string `toml:"tls-rpt-rua,omitempty"`
	DANE       bool   `toml:"dane,omitempty"`
	TLSCert    string `toml:"tls-cert,omitempty"`
	// Publishing: the provider's name and the paths of its key files,
	// never a secret.
	PublishProvider string `toml:"publish-provider,omitempty"`
	TSIGKey         string `toml:"tsig-key,omitempty"`
	Credentials     string `toml:"credentials,omitempty"`
	RFC2136Server   string `toml:"rfc2136-server,omitempty"`
	NoProbe         bool   `toml:"no-probe,omitempty"`
}

// fromConfig is the file form of cfg. Key paths are made absolute so the
// profile works from any folder; the derived public key is not stored.
func fromConfig(cfg steps.Config) file {
	f := file{
		Version:       formatVersion,
		Domain:        cfg.Domain,
		Host:          cfg.Host,
		IP:            cfg.IPs,
		DKIMSelector:  cfg.DKIMSelector,
		DKIMKey:       absPath(cfg.DKIMKeyFile),
		DKIMPublicKey: absPath(cfg.DKIMPublicKeyFile),
		DMARCPolicy:   cfg.DMARCPolicy,
		DMARCRUA:      cfg.DMARCRUA,
		SPFInclude:    cfg.SPFIncludes,
		SPFIP:         cfg.SPFIPs,
		Services:      cfg.Services,
		NullUnoffered: cfg.NullUnoffered,
		TTL:           cfg.TTL,
		Provider:      cfg.Provider,
		Skip:          cfg.Skip,
		MTASTSMode:    cfg.MTASTSMode,
		MTASTSID:      cfg.MTASTSID,
		TLSRPTRUA:     cfg.TLSRPTRUA,
		DANE:          cfg.DANE,
		TLSCert:       absPath(cfg.TLSCertFile),

		PublishProvider: cfg.PublishProvider,
		TSIGKey:         absPath(cfg.TSIGKeyFile),
		Credentials:     absPath(cfg.CredentialsFile),
		RFC2136Server:   cfg.RFC2136Server,
		NoProbe:         cfg.NoProbe,
	}
	if cfg.DNSBL != nil {
		zones := cfg.DNSBL
		f.DNSBL = &zones
	}
	return f
}

// config is the Config the file describes; relative key paths are taken
// relative to the profile's folder.
func (f file) config(dir string) steps.Config {
	cfg := steps.Config{
		Domain:            f.Domain,
		Host:              f.Host,
		IPs:               f.IP,
		DKIMSelector:      f.DKIMSelector,
		DKIMKeyFile:       relativeTo(dir, f.DKIMKey),
		DKIMPublicKeyFile: relativeTo(dir, f.DKIMPublicKey),
		DMARCPolicy:       f.DMARCPolicy,
		DMARCRUA:          f.DMARCRUA,
		SPFIncludes:       f.SPFInclude,
		SPFIPs:            f.SPFIP,
		Services:          f.Services,
		NullUnoffered:     f.NullUnoffered,
		TTL:               f.TTL,
		Provider:          f.Provider,
		Skip:              f.Skip,
		MTASTSMode:        f.MTASTSMode,
		MTASTSID:          f.MTASTSID,
		TLSRPTRUA:         f.TLSRPTRUA,
		DANE:              f.DANE,
		TLSCertFile:       relativeTo(dir, f.TLSCert),
		PublishProvider:   f.PublishProvider,
		TSIGKeyFile:       relativeTo(dir, f.TSIGKey),
		CredentialsFile:   relativeTo(dir, f.Credentials),
		RFC2136Server:     f.RFC2136Server,
		NoProbe:           f.NoProbe,
	}
	if f.DNSBL != nil {
		cfg.DNSBL = append([]string{}, *f.DNSBL...)
	}
	return cfg
}

func absPath(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

func relativeTo(dir, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}
