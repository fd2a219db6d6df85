package verify

import (
	"strings"
	"time"

	"github.com/miekg/dns"
)

// Via says whom a question is put to.
type Via uint8

const (
	// Authoritative questions go to every authoritative server of the zone
	// that holds the name (found by discovery), and to the second-opinion
	// resolvers if any are configured.
	Authoritative Via = iota
	// Recursive questions go to the recursive resolver only (DNSBL lookups).
	Recursive
	// Wildcard questions ask the authoritative servers about a name that
	// cannot exist, a random label (new each round) under the question's
	// name: whatever they answer comes from a wildcard (RFC 4592). Build
	// them with WildcardProbe.
	Wildcard
	// Parent questions ask the authoritative servers of the parent zone
	// for the NS records of a zone's apex: the delegation, which the parent
	// gives as a referral (no AA bit, the NS records in the authority
	// section). Build them with Delegation.
	Parent
	// Direct questions are probes (Question.Probe): the engine connects to
	// the address itself.
	Direct
)

// Question is one DNS question, or one probe (Via Direct). Name is
// absolute and lower-case; build questions with Q, RQ or the probe
// constructors (ServiceProbe, RelayProbe, HTTPSGet) so that equal questions
// compare equal.
//
// The engine follows CNAMEs for Authoritative questions of every type but
// CNAME itself, as a resolver would, and reports every link (Answer.Chain).
type Question struct {
	Name string
	Type uint16
	Via  Via
	// Signed asks with the DNSSEC OK bit (RFC 3225): the servers then add
	// the RRSIG records that sign the records of their reply, and a
	// resolver sets the AD bit when it validated them (RFC 4035 §3.2.3).
	// Build it with WithSignatures; a question with it is another
	// question than without.
	Signed bool
	// Probe is the probe of a Direct question; zero otherwise.
	Probe Probe
}

// Q returns the authoritative question for name and type.
func Q(name string, qtype uint16) Question {
	return Question{Name: CanonicalName(name), Type: qtype, Via: Authoritative}
}

// RQ returns the question for name and type put to the recursive resolver.
func RQ(name string, qtype uint16) Question {
	return Question{Name: CanonicalName(name), Type: qtype, Via: Recursive}
}

// WildcardProbe returns the question that asks the authoritative servers
// for qtype at a random label under parent, a name that cannot exist: any
// records in the reply were made up by a wildcard at or above it (RFC 4592
// §3.3.1), as they would be for every name under parent that does not
// exist. The records in the reply are owned by the random name.
func WildcardProbe(parent string, qtype uint16) Question {
	return Question{Name: CanonicalName(parent), Type: qtype, Via: Wildcard}
}

// Delegation returns the question that asks the servers of the zone above
// apex for its delegation. Each observation's Answer holds the NS records
// of apex the server gave, from a referral's authority section or, from a
// server that serves the child zone too, from its answer; a reply without
// the AA bit is usable here.
func Delegation(apex string) Question {
	return Question{Name: CanonicalName(apex), Type: dns.TypeNS, Via: Parent}
}

// ParentDS returns the question that asks the servers of the zone above
// apex for apex's DS records (RFC 4034 §5), which the parent serves with
// authority, as the delegation's signed part. In resolver mode the
// resolver is asked instead.
func ParentDS(apex string) Question {
	return Question{Name: CanonicalName(apex), Type: dns.TypeDS, Via: Parent}
}

// WithSignatures returns q asked with the DNSSEC OK bit (Signed).
func (q Question) WithSignatures() Question {
	q.Signed = true
	return q
}

// CanonicalName returns name as a lower-case absolute domain name.
func CanonicalName(name string) string {
	return dns.CanonicalName(name)
}

// String renders the question as "TXT _dmarc.example.com."; a wildcard
// probe as "TXT *._domainkey.example.com. (a name that does not exist)", a
// probe of a service as Probe.String does.
func (q Question) String() string {
	switch {
	case q.Via == Direct:
		return q.Probe.String()
	case q.Via == Wildcard:
		return dns.TypeToString[q.Type] + " *." + q.Name + " (a name that does not exist)"
	case q.Via == Parent && q.Type != dns.TypeDS:
		return "NS " + q.Name + " (the delegation)"
	}
	// A DS question is always the parent's; the DO bit shows in the
	// observations (verify.Question.Signed), not in the question.
	return dns.TypeToString[q.Type] + " " + q.Name
}

// Observation is what one server said to one question.
type Observation struct {
	// Server names who answered: the nameserver's name
	// ("ns1.example.net.") for authoritative servers, the address for
	// resolvers.
	Server string
	// Address is the server's real address, "192.0.2.53:53" or
	// "[2001:db8::53]:53" (before any test address mapping).
	Address string
	// Rcode is the reply's rcode, or -1 when no reply came.
	Rcode int
	// Authoritative is the AA bit of the reply.
	Authoritative bool
	// RecursionAvailable is the RA bit of the reply: a recursive resolver
	// (or a middlebox that answers like one) sets it.
	RecursionAvailable bool
	// AuthenticatedData is the AD bit of the reply: a validating resolver
	// sets it when it checked the DNSSEC signatures of every record of the
	// reply (RFC 4035 §3.2.3). Authoritative servers do not set it.
	AuthenticatedData bool
	// At is when the reply came (the time the observation was made): the
	// moment RRSIG validity periods are checked at.
	At time.Time
	// Answer is the answer section as received, CNAMEs included and not
	// followed further than the server itself did.
	Answer []dns.RR
	// NegativeTTL is, for NXDOMAIN and NODATA replies, how long the reply may
	// be cached: the lesser of the authority SOA's TTL and its MINIMUM
	// (RFC 2308 §5). Zero otherwise.
	NegativeTTL time.Duration
	// Authority is the authority section as received: the SOA of a
	// negative reply, the NS records of a referral.
	Authority []dns.RR
	// RTT is the round-trip time of the exchange that gave the reply.
	RTT time.Duration
	// TCP is true when the reply came over TCP after a truncated UDP reply.
	TCP bool
	// NoEDNS is true when the reply came to a query without EDNS0: the
	// server answered FORMERR to the query with it, or the last retry
	// after a timeout (sent without it) was the one answered.
	NoEDNS bool
	// Err is non-nil when this server's reply cannot be used: timeout,
	// unreachable, SERVFAIL, REFUSED, a lame (non-AA) reply from an
	// authoritative server, a malformed reply. Its text names the whole
	// question and the server.
	Err error
}

// OK reports whether the server gave a usable reply.
func (o Observation) OK() bool { return o.Err == nil }

// NXDomain reports whether the server said the name does not exist.
func (o Observation) NXDomain() bool { return o.Err == nil && o.Rcode == dns.RcodeNameError }

// Records returns the answer records of type qtype owned by name.
func (o Observation) Records(name string, qtype uint16) []dns.RR {
	var out []dns.RR
	for _, rr := range o.Answer {
		h := rr.Header()
		if h.Rrtype == qtype && strings.EqualFold(h.Name, name) {
			out = append(out, rr)
		}
	}
	return out
}

// CNAME returns the target of a CNAME owned by name in the answer, if any.
func (o Observation) CNAME(name string) (string, bool) {
	for _, rr := range o.Answer {
		if c, ok := rr.(*dns.CNAME); ok && strings.EqualFold(c.Hdr.Name, name) {
			return CanonicalName(c.Target), true
		}
	}
	return "", false
}

// Answer is everything one round learned about one question.
type Answer struct {
	Question Question
	// Zone is the apex of the zone that holds the name ("example.com."),
	// empty for Recursive questions.
	Zone string
	// Omitted are the zone's nameservers that were not asked, beyond
	// Options.MaxNameservers, by name.
	Omitted []string
	// Servers has one observation per authoritative server address, in a
	// stable order (by server name, then address). For Recursive questions it
	// holds the resolver's observation.
	Servers []Observation
	// Resolvers is the second opinion: one observation per configured
	// second-opinion resolver.
	Resolvers []Observation
	// Err is non-nil when the question could not be put to any server at
	// all, for instance because zone discovery failed, or a probe could not
	// be made (probes turned off, the round's context ended).
	Err error
	// Chain are the links of the CNAME chain the servers' replies lead to,
	// each asked of the authoritative servers of its own zone, in the
	// order they were asked: for every CNAME target the servers of the
	// previous link named but did not answer themselves (targets outside
	// their zone). Each link's Question is the target with the same type;
	// links have no second opinion and no Chain of their own. Empty
	// without CNAMEs, for CNAME questions and for Recursive ones.
	Chain []Answer
	// ChainErr is a *ChainError when the chain was not followed to its
	// end: it loops, or it has more than Options.MaxCNAMEs CNAMEs.
	ChainErr error
	// FromResolver is set when the round could not ask nameservers
	// directly (the network blocks or intercepts DNS to outside servers):
	// Servers then holds the recursive resolver's observation of an
	// Authoritative question, which follows CNAMEs itself and may lag
	// behind the zone by its cache.
	FromResolver bool
	// Probe is what a Direct question's probe saw, nil for DNS questions.
	Probe *ProbeResult
}

// Answers maps each question asked in a round to what was learned.
type Answers map[Question]Answer

// Get returns the answer to q, and whether q has been answered.
func (a Answers) Get(q Question) (Answer, bool) {
	ans, ok := a[q]
	return ans, ok
}

// Planner names every question it needs, given what is known so far. A
// round calls it again each time answers arrive, until it asks for nothing
// new, so a question that depends on an answer (an MX target's address, an
// SPF include) is asked as soon as that answer is in. A Planner must be pure
// and fast; it may be called with an empty Answers.
type Planner func(known Answers) []Question
