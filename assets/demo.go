package assets

// DemoZone returns the zone-file text the demo world's authoritative
// servers start with: SOA, NS and the nameservers' addresses of the demo
// domain and of the reverse zones of its mail server, and nothing a step
// publishes. It holds several zones, each introduced by $ORIGIN.
func DemoZone() string {
	data, err := files.ReadFile("demo/demo.zone")
	if err != nil {
		return ""
	}
	return string(data)
}
