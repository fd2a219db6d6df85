// Package publish turns the records the steps want into a plan of changes
// to a DNS zone, shows it, and applies it through a Provider.
//
// A plan is computed from the zone's current records alone (Compute is
// pure): each wanted record is added, replaces what its step owns at the
// same name and type, is already right, or is a conflict that publish will
// not touch. Ownership is data, declared by each step (steps.Ownership): a
// step owns only records matched by owner, type and content, such as the
// apex TXT records that start with "v=spf1". Nothing else in the zone is ever changed: never SOA,
// NS, DNSKEY or DS records, another DKIM selector or another TXT record.
// Records that belong elsewhere (reverse DNS at the hosting provider,
// records in another zone) are listed for the user and never sent.
//
// Apply sends exactly the plan's additions and deletions, additions first,
// so that no name is left empty between the two. Running the same plan
// again after it was applied plans nothing.
//
// The package does no I/O of its own: the Provider does it, and must honour
// the context's deadline. Package publish/provider wires real DNS providers
// (RFC 2136 and libdns HTTP APIs) to the Provider interface.
package publish
