package verifytest

import "github.com/mailwizard/mailwizard/internal/verify/dnsworld"

// The names of package dnsworld, for tests that import verifytest only.
type (
	// Lab is dnsworld.Lab.
	Lab = dnsworld.Lab
	// LabConfig is dnsworld.LabConfig.
	LabConfig = dnsworld.LabConfig
	// Server is dnsworld.Server.
	Server = dnsworld.Server
	// Zones is dnsworld.Zones.
	Zones = dnsworld.Zones
	// Fault is dnsworld.Fault.
	Fault = dnsworld.Fault
	// Query is dnsworld.Query.
	Query = dnsworld.Query
	// Role is dnsworld.Role.
	Role = dnsworld.Role
	// Interception is dnsworld.Interception.
	Interception = dnsworld.Interception
)

// Roles of a Server.
const (
	Authoritative = dnsworld.Authoritative
	Resolver      = dnsworld.Resolver
)

// Ways a network blocks direct DNS (Lab.BlockDirect).
const (
	DropDirect      = dnsworld.DropDirect
	InterceptDirect = dnsworld.InterceptDirect
)

// Zone is dnsworld.Zone: the text of a zone at apex.
func Zone(apex string, lines ...string) string { return dnsworld.Zone(apex, lines...) }

// NewLab is dnsworld.NewLab, for a lab that outlives a test.
func NewLab(cfg LabConfig) (*Lab, error) { return dnsworld.NewLab(cfg) }
