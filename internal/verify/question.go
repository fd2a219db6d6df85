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
	// Direct questions are probes (Question.Probe): the engine connects to
	// the address itself.
	Direct
)

// Question is one DNS question, or one probe (Via Direct). Name is
// absolute and lower-case; build questions with Q, RQ or the probe
// constructors (ServiceProbe, RelayProbe, HTTPSGet) so that equal questions
// compare equal.
type Question struct {
	Name string
	Type uint16
	Via  Via
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

// CanonicalName returns name as a lower-case absolute domain name.
func CanonicalName(name string) string {
	return dns.CanonicalName(name)
}

// String renders the question as "TXT _dmarc.example.com.", or a probe as
// Probe.String does.
func (q Question) String() string {
	if q.Via == Direct {
		return q.Probe.String()
	}
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
	// Answer is the answer section as received, CNAMEs included and not
	// followed further than the server itself did.
	Answer []dns.RR
	// NegativeTTL is, for NXDOMAIN and NODATA replies, how long the reply may
	// be cached: the lesser of the authority SOA's TTL and its MINIMUM
	// (RFC 2308 §5). Zero otherwise.
	NegativeTTL time.Duration
	// RTT is the round-trip time of the exchange that gave the reply.
	RTT time.Duration
	// TCP is true when the reply came over TCP after a truncated UDP reply.
	TCP bool
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
