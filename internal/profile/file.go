package profile

import (
	"net/netip"
	"path/filepath"

	"github.com/mailwizard/mailwizard/internal/steps"
)

// Versions of the file format. A profile of one domain is written as
// version 1, which every mailwizard reads; one that holds several domains
// ([[domains]] tables) as version 2, so that an older mailwizard says it
// comes from a newer one. This one reads both.
const (
	oneDomainVersion = 1
	formatVersion    = 2
)

// file is the TOML form of a profile. Keys are named as the command-line
// flags that set the same thing, so that an error about either names the
// same word.
type file struct {
	Version       int            `toml:"version,omitzero"`
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
	// Services is absent for the default services and empty for none,
	// like steps.Config.Services.
	Services      *[]string `toml:"services,omitempty"`
	NullUnoffered bool      `toml:"null-unoffered,omitempty"`
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
	// Domains are the further domains of the mail host, one [[domains]]
	// table each: their own keys, never the shared ones (sharedKeys).
	Domains []file `toml:"domains,omitempty"`
}

// sharedKeys are the keys of what every domain of a mail host shares
// (steps.Config.WithHostOf): set once, at the top of the profile.
func sharedKeys() []string {
	return []string{"host", "ip", "dnsbl", "no-probe", "dane", "tls-cert"}
}

// fromConfigs is the file form of the domains of one mail host: the first
// at the top with what they share, each other one in a [[domains]] table
// with its own keys only.
func fromConfigs(cfgs []steps.Config) file {
	f := fromConfig(cfgs[0])
	for _, cfg := range cfgs[1:] {
		// The shared part taken from a mail host of nothing: empty, so
		// that the table holds the domain's own keys only.
		e := fromConfig(cfg.WithHostOf(steps.Config{}))
		e.Version = 0
		f.Domains = append(f.Domains, e)
	}
	if len(f.Domains) > 0 {
		f.Version = formatVersion
	}
	return f
}

// configs are the Configs of every domain the file describes, the top's
// first; the further domains get the shared part from the top.
func (f file) configs(dir string) []steps.Config {
	first := f.config(dir)
	out := []steps.Config{first}
	for _, e := range f.Domains {
		out = append(out, e.config(dir).WithHostOf(first))
	}
	return out
}

// fromConfig is the file form of cfg. Key paths are made absolute so the
// profile works from any folder; the derived public key is not stored.
func fromConfig(cfg steps.Config) file {
	f := file{
		Version:       oneDomainVersion,
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
	if cfg.Services != nil {
		services := cfg.Services
		f.Services = &services
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
	if f.Services != nil {
		cfg.Services = append([]string{}, *f.Services...)
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
