// Package verify is the mechanics of mailwizard: it finds the authoritative
// nameservers of a zone, asks each of them directly and in parallel, asks the
// recursive resolvers for a second opinion, and reports who said what.
//
// verify decides nothing about mail. It never sleeps except in Poll and
// to pace the queries of a Batch, never prints, and every exchange has a
// deadline taken from a context. It is the only package of mailwizard that
// talks to the network.
//
// An Engine holds the options (resolver, second opinions, timeouts, the
// bounds of a round). A Round is one check: Run calls the steps' planners,
// asks every question they name at once, and calls them again as answers
// arrive, so that dependent questions (an MX target's address, a PTR's
// forward name) go out as soon as their input is in. Within a round each
// zone is discovered once and each distinct (server, name, type) is sent
// once.
//
// A question goes to the servers of the deepest zone the round knows that
// holds its name. The first question of a registrable domain finds that
// domain's zone through the resolver (its NS records, and their addresses
// when the resolver gives no glue); a zone cut below it (a delegated
// _domainkey.example.com.) is found when the domain's servers refer the
// question there, and is asked at its own servers. A standard check of a
// mail domain thus takes two round trips, one with Round.Next, which keeps
// the zones (BenchmarkRound, and BenchmarkCheckCLI in cmd/mailwizard for
// the whole command). CNAME chains are followed in the same round on the
// servers of each zone along them.
//
// Whoever runs a zone chooses its NS set and its CNAMEs, so a round's work
// is bounded (Options: nameservers per zone, addresses per nameserver,
// queries per round, queries in flight, CNAMEs per chain).
//
// Authoritative questions get one Observation per nameserver address;
// failures (timeout, SERVFAIL, REFUSED, a lame reply, a nameserver without
// an address) are per observation and name the question and the server.
// Recursive questions (DNSBL lookups) go to the resolver only. A question
// WithSignatures goes out with the DNSSEC OK bit (its replies keep their
// RRSIGs) apart from the same question without it, and ParentDS asks the
// parent zone's servers for a zone's DS records. What the engine asks the
// resolver itself (discovery, DNSBL lookups, resolver mode) goes with the
// CD bit, so that a zone whose chain of trust is broken still shows its
// records; second opinions go without it, and each
// Observation says whether the resolver set the AD bit. verify checks no
// signature: that is the dnssec step's business.
//
// Direct questions are probes of the server itself (ServiceProbe,
// RelayProbe, HTTPSGet): a TCP connection that speaks SMTP, IMAP or POP3
// as far as TLS (STARTTLS or implicit), or fetches one URL over HTTPS, and
// reports the greeting and replies, the certificate chain checked against
// Options.Roots and the name asked, the protocol lines seen, timings and
// the address it ran from. They go through the same round as DNS questions
// (one probe per distinct Probe, deadlines from the context, at most
// Options.ProbeTimeout each), and Round.Next reuses recent results. A
// probe never sends mail (an open-relay test stops before DATA) and never
// authenticates. Options.NoProbe refuses them all.
//
// A Batch runs the rounds of many checks (many domains) at once and
// shares their work: each distinct (server, name, type) and each probe is
// asked once for the whole batch, in a cache bounded by size, so zone
// discovery, shared MX hosts and nameservers and a provider's SPF
// includes cost one query each. Each round keeps its own bounds; the
// batch adds a rate limit per nameserver address, retries with jitter,
// and leaves an address whose last queries all timed out alone for a
// while (SilentError).
//
// Tests and the demo point the engine at loopback servers from package
// verifytest (and probeserver) through Options.MapAddr, which maps probe
// addresses too.
package verify
