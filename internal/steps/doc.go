// Package steps is the knowledge of mailwizard: for a Config, which records a
// mail server needs (in the order the wizard walks them) and how to judge
// what the authoritative servers returned.
//
// steps is pure policy. It does no network or file I/O of its own (reading a
// key file is injected), never sleeps, prints, or reads flags or the
// environment, and holds no package state. A step asks verify for the
// questions it needs through its Questions planner (dependent questions
// included: an MX target's address, SPF includes, a DMARC report domain's
// authorization, the name with the zone appended twice), and the probes of
// the server itself (the server step: port 25, client services, autoconfig
// endpoints; the MTA-STS policy's HTTPS GET; the certificate of port 25 for
// DANE), and judges one round's answers in Judge. The protocol rules the
// judges apply live in packages of their own (mtasts, dane, dnssec):
// parsing and matching, no I/O.
//
// A verdict follows the same rules in every step: a record absent from
// every server is pending (its *-missing finding says what to add); present
// on some servers only, pending with partial-propagation; published but
// wrong, fail; correct with advice, warn; no usable answer, error with
// lookup-error, never fail. Servers that answered decide when others did
// not (ns-unreachable says which). A result also carries, per server
// asked, what it serves or what is wrong there (Servers), and what the
// recursive resolvers see (SecondOpinion), so that the wizard, the table,
// Markdown and JSON show the same verdicts without judging again.
//
// Each step is declared once, in its own file: its id, title, who
// publishes it, its finding codes with their severity and effect on the
// status, and its pure functions (definition). All puts the steps in the
// wizard's order. Step ids and finding codes are a public contract: they
// appear in JSON output and scripts match on them.
package steps
