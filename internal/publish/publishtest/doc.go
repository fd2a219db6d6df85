// Package publishtest holds an in-memory DNS zone with the libdns
// interfaces, for tests of publishing: it keeps the libdns contract
// strictly (AppendRecords never changes a record, DeleteRecords removes
// only exact matches, SetRecords replaces a whole name and type) and
// counts every call, so that a test can see what a plan sent. It also
// plays OVHcloud's DNS zone API on a loopback HTTP server (StartOVH), for
// tests that run the publish command with a real provider module.
package publishtest
