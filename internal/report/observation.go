package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
)

// Observation is what one server said to one question.
type Observation struct {
	// Question is "TXT _dmarc.example.com.".
	Question string `json:"question"`
	// Server is the nameserver's name for authoritative servers, the
	// address for resolvers; empty when the question reached no server.
	Server string `json:"server"`
	// Address is "192.0.2.53:53".
	Address string `json:"address"`
	// Rcode is "NOERROR", "NXDOMAIN", …; empty when no reply came.
	Rcode string `json:"rcode"`
	// Records are the answer records, one zone-file line each.
	Records []string `json:"records"`
	// RTTMillis is the round-trip time in milliseconds.
	RTTMillis int64 `json:"rtt_ms"`
	// Error says why the reply cannot be used; empty when it can.
	Error string `json:"error"`
	// NegativeTTLSeconds is, for a "no such name" or "no such record"
	// reply, how long it may be cached (RFC 2308 §5); for a resolver this
	// is how much longer it keeps saying no.
	NegativeTTLSeconds int64 `json:"negative_ttl_s,omitempty"`
	// NoEDNS is true when the server answered only a query without EDNS0
	// (it answered FORMERR to, or dropped, the query with it); left out
	// otherwise.
	NoEDNS bool `json:"no_edns,omitempty"`
	// DNSSEC is true when the question was asked with the DNSSEC OK bit,
	// so that the records hold their RRSIGs (the dnssec step); left out
	// otherwise.
	DNSSEC bool `json:"dnssec,omitempty"`
	// AuthenticatedData is true when a resolver set the AD bit: it
	// validated the DNSSEC signatures of the reply; left out otherwise.
	AuthenticatedData bool `json:"ad,omitempty"`
	// Probe is, for a probe of the server itself (Question names it, Server
	// is the name asked for, Address where it connected), what it saw.
	Probe *ProbeObservation `json:"probe,omitempty"`
}

// authoritative are the observations of ans's servers, then those of each
// link of its CNAME chain, each under its own question.
func authoritative(ans verify.Answer) []Observation {
	if ans.Question.Via == verify.Direct {
		return []Observation{probeObservation(ans)}
	}
	out := serverObservations(ans)
	for _, link := range ans.Chain {
		out = append(out, serverObservations(link)...)
	}
	return out
}

func serverObservations(ans verify.Answer) []Observation {
	q := ans.Question.String()
	if ans.Err != nil && len(ans.Servers) == 0 {
		return []Observation{{Question: q, Records: []string{}, Error: ans.Err.Error()}}
	}
	return observations(q, ans.Question.Signed, ans.Servers)
}

func resolvers(ans verify.Answer) []Observation {
	if ans.Question.Via != verify.Authoritative {
		// Recursive questions have no second opinion: the resolver's
		// answer is already in Servers; probes have none either.
		return nil
	}
	return observations(ans.Question.String(), ans.Question.Signed, ans.Resolvers)
}

func observations(question string, signed bool, obs []verify.Observation) []Observation {
	out := make([]Observation, 0, len(obs))
	for _, o := range obs {
		out = append(out, observation(question, signed, o))
	}
	return out
}

func observation(question string, signed bool, o verify.Observation) Observation {
	out := Observation{
		Question:           question,
		DNSSEC:             signed,
		Server:             o.Server,
		Address:            o.Address,
		Records:            make([]string, 0, len(o.Answer)),
		RTTMillis:          o.RTT.Milliseconds(),
		NegativeTTLSeconds: int64(o.NegativeTTL / time.Second),
		NoEDNS:             o.NoEDNS,
		AuthenticatedData:  o.AuthenticatedData,
	}
	if o.Rcode >= 0 {
		out.Rcode = rcodeString(o.Rcode)
	}
	if o.Err != nil {
		out.Error = o.Err.Error()
		out.NegativeTTLSeconds = 0
	}
	for _, rr := range o.Answer {
		if rr != nil {
			out.Records = append(out.Records, recordLine(rr))
		}
	}
	return out
}

func rcodeString(rcode int) string {
	if s, ok := dns.RcodeToString[rcode]; ok {
		return s
	}
	return fmt.Sprintf("RCODE%d", rcode)
}

// recordLine renders rr as one zone-file line with single spaces between
// the header fields: "example.com. 3600 IN MX 10 mail.example.com.".
func recordLine(rr dns.RR) string {
	h := rr.Header()
	header := h.String()
	rdata := strings.TrimPrefix(rr.String(), header)
	class := dns.ClassToString[h.Class]
	if class == "" {
		class = fmt.Sprintf("CLASS%d", h.Class)
	}
	typ := dns.TypeToString[h.Rrtype]
	if typ == "" {
		typ = fmt.Sprintf("TYPE%d", h.Rrtype)
	}
	return fmt.Sprintf("%s %d %s %s %s", h.Name, h.Ttl, class, typ, rdata)
}
