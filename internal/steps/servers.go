package steps

import (
	"fmt"
	"iter"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
)

// Verdict is what one server's answers mean for a step.
type Verdict string

// Verdicts of a server.
const (
	VerdictOK      Verdict = "ok"      // serves what the step expects
	VerdictBad     Verdict = "bad"     // answered, without it
	VerdictUnknown Verdict = "unknown" // could not be asked, or gave no usable reply
)

// ServerVerdict is one server's verdict on a step: an authoritative
// nameserver for the records a step publishes, a blocklist for the
// blocklist step.
type ServerVerdict struct {
	// Server is the nameserver's name ("ns1.example.net."), or the
	// blocklist's zone.
	Server  string  `json:"server"`
	Verdict Verdict `json:"verdict"`
	// Detail says what the server serves, what is wrong there, or why it
	// could not be told: "serves it", "no such name example.com.",
	// "could not check: …".
	Detail string `json:"detail"`
}

// Opinion is what one recursive resolver says about a step's records: a
// second opinion beside the authoritative servers', which never decides a
// status.
type Opinion struct {
	// Resolver is the resolver's address: "127.0.0.53:53".
	Resolver string `json:"resolver"`
	// Stale means the resolver still caches "no" for a record the
	// authoritative servers serve, for the time Note says.
	Stale bool `json:"stale"`
	// Note says it in a sentence.
	Note string `json:"note"`
}

// serverVerdicts says, per authoritative server, whether it serves the
// step's expected records and, when not, what it returned; and which
// questions at least one server serves the records of. Optional records
// and questions asked only to follow a chain (an MX target's address) do
// not count. When the judge said pass or warn, a server that answered with
// records is trusted to serve them: the judge compares meaning, the
// comparison here spelling.
func serverVerdicts(res Result) ([]ServerVerdict, map[verify.Question]bool) {
	var (
		order     []string
		byName    = map[string]*ServerVerdict{}
		counts    int
		optional  = slices.ContainsFunc(res.Expected, func(r Record) bool { return r.Optional })
		published = map[verify.Question]bool{}
		// silent are the addresses that failed of servers that answered
		// on another one: named beside the server, not its verdict.
		silent = map[string][]string{}
	)
	set := func(name string, v Verdict, detail string) {
		l, ok := byName[name]
		if !ok {
			l = &ServerVerdict{Server: name, Verdict: VerdictOK}
			byName[name] = l
			order = append(order, name)
		}
		if v.worse(l.Verdict) {
			l.Verdict, l.Detail = v, detail
		}
	}
	for ans, want := range expectedAnswers(res) {
		counts += len(want)
		if ans.Err != nil && len(ans.Servers) == 0 {
			set("(no server)", VerdictUnknown, "could not ask: "+ans.Err.Error())
			continue
		}
		for _, obs := range ans.Servers {
			if !obs.OK() && answeredElsewhere(ans.Servers, obs) {
				if !slices.Contains(silent[obs.Server], obs.Address) {
					silent[obs.Server] = append(silent[obs.Server], obs.Address)
				}
				continue
			}
			v, detail := judgeServer(obs, ans.Question, want)
			if v == VerdictOK {
				v, detail = extraOwned(res.Step, obs, ans.Question, want)
			}
			if v == VerdictBad && green(res.Status) && len(obs.Records(ans.Question.Name, ans.Question.Type)) > 0 {
				v = VerdictOK
			}
			published[ans.Question] = published[ans.Question] || v == VerdictOK
			set(obs.Server, v, detail)
		}
	}
	out := make([]ServerVerdict, 0, len(order))
	for _, name := range order {
		l := *byName[name]
		if l.Verdict == VerdictOK {
			l.Detail = "serves it"
			switch {
			case counts > 1 && optional:
				l.Detail = fmt.Sprintf("serves all %d required records", counts)
			case counts > 1:
				l.Detail = fmt.Sprintf("serves all %d records", counts)
			}
			if addrs := silent[name]; len(addrs) > 0 {
				l.Detail += " (no reply on " + strings.Join(addrs, ", ") + ")"
			}
		}
		l.Detail = printable(l.Detail)
		out = append(out, l)
	}
	return out, published
}

// answeredElsewhere reports whether the server of a failed observation
// gave a usable reply on another of its addresses.
func answeredElsewhere(all []verify.Observation, failed verify.Observation) bool {
	return slices.ContainsFunc(all, func(o verify.Observation) bool {
		return o.OK() && o.Server == failed.Server && o.Address != failed.Address
	})
}

// worse reports whether v says less about the server than w: bad over
// unknown over ok.
func (v Verdict) worse(w Verdict) bool {
	order := []Verdict{VerdictOK, VerdictUnknown, VerdictBad}
	return slices.Index(order, v) > slices.Index(order, w)
}

// green reports whether a status means the records are published.
func green(s Status) bool { return s == StatusPass || s == StatusWarn }

// expectedAnswers yields the authoritative answers of a result that hold
// records the step expects, with those records: optional records and
// questions asked only to follow a chain do not count.
func expectedAnswers(res Result) iter.Seq2[verify.Answer, []Record] {
	return func(yield func(verify.Answer, []Record) bool) {
		for _, ans := range res.Observed {
			if ans.Question.Via != verify.Authoritative {
				continue
			}
			if want := expectedFor(res.Expected, ans.Question); len(want) > 0 && !yield(ans, want) {
				return
			}
		}
	}
}

// expectedFor returns the required records that answer q.
func expectedFor(recs []Record, q verify.Question) []Record {
	var out []Record
	for _, r := range recs {
		if r.Optional || !strings.EqualFold(dns.Fqdn(r.Name), q.Name) || dns.StringToType[r.Type] != q.Type {
			continue
		}
		out = append(out, r)
	}
	return out
}

// judgeServer compares one server's reply with the records wanted.
func judgeServer(obs verify.Observation, q verify.Question, want []Record) (Verdict, string) {
	typ := dns.TypeToString[q.Type]
	switch {
	case obs.Err != nil:
		return VerdictUnknown, "could not check: " + obs.Err.Error()
	case obs.NXDomain():
		return VerdictBad, "no such name " + q.Name
	}
	got := obs.Records(q.Name, q.Type)
	if len(got) == 0 {
		if target, ok := obs.CNAME(q.Name); ok {
			return VerdictBad, fmt.Sprintf("has a CNAME to %s instead of %s", target, typ)
		}
		return VerdictBad, fmt.Sprintf("no %s record at %s", typ, q.Name)
	}
	values := make([]string, len(got))
	for i, rr := range got {
		values[i] = recordValue(rr)
	}
	for _, w := range want {
		if !slices.ContainsFunc(values, func(v string) bool { return sameValue(w.Type, w.Value, v) }) {
			return VerdictBad, "returned " + strings.Join(quoteEach(values), ", ")
		}
	}
	return VerdictOK, ""
}

// extraOwned judges a server that serves every wanted record: bad when
// it also serves a record of the same name and type that the step owns and
// does not want (a second SPF record, an old MX host), saying which.
func extraOwned(step string, obs verify.Observation, q verify.Question, want []Record) (Verdict, string) {
	o, ok := Owner(step, dns.TypeToString[q.Type])
	if !ok {
		return VerdictOK, ""
	}
	var extra []string
	for _, rr := range obs.Records(q.Name, q.Type) {
		v := recordValue(rr)
		if o.Owns(v) && !slices.ContainsFunc(want, func(w Record) bool { return sameValue(w.Type, w.Value, v) }) {
			extra = append(extra, v)
		}
	}
	if len(extra) == 0 {
		return VerdictOK, ""
	}
	what := o.What
	if what == "" {
		what = dns.TypeToString[q.Type] + " record"
	}
	return VerdictBad, fmt.Sprintf("serves it, and also another %s: %s", what, strings.Join(quoteEach(extra), ", "))
}

// recordValue renders an answer's data the way Record.Value holds it: TXT
// strings joined without quotes, everything else in presentation form.
func recordValue(rr dns.RR) string {
	if t, ok := rr.(*dns.TXT); ok {
		return strings.Join(t.Txt, "")
	}
	return rdata(rr)
}

// sameValue compares a wanted value with a returned one: addresses by
// value, TXT ignoring spaces, names case-insensitively.
func sameValue(typ, want, got string) bool {
	switch typ {
	case "A", "AAAA":
		a, errA := netip.ParseAddr(want)
		b, errB := netip.ParseAddr(got)
		return errA == nil && errB == nil && a == b
	case "TXT":
		strip := func(s string) string { return strings.TrimRight(strings.Join(strings.Fields(s), ""), ";") }
		return strip(want) == strip(got)
	default:
		return strings.EqualFold(strings.Join(strings.Fields(want), " "), strings.Join(strings.Fields(got), " "))
	}
}

// quoteEach quotes values for a server's verdict, eliding the middle of
// long ones: the findings say in full what is wrong with them.
func quoteEach(values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = `"` + Elide(v, 40) + `"`
	}
	return out
}

// Elide keeps the start and the end of a value longer than n runes.
func Elide(v string, n int) string {
	r := []rune(v)
	if len(r) <= n {
		return v
	}
	half := (n - 1) / 2
	return string(r[:half]) + "…" + string(r[len(r)-half:])
}

// secondOpinion says what the recursive resolvers see of the step's
// expected records, next to (never instead of) the authoritative answer.
// A resolver that still caches "no" for a record the authoritative servers
// serve (published, from serverVerdicts) gets one note per record, saying
// for how long it may (RFC 2308 §5: the SOA's negative-caching time);
// otherwise one note says what it sees.
func secondOpinion(res Result, published map[verify.Question]bool) []Opinion {
	type view struct {
		stale           []Opinion
		has, no, failed bool
		other           string // a different answer
		otherTTL        time.Duration
		otherPublished  bool // the nameservers serve the right one
		negTTL          time.Duration
		err             string
	}
	var (
		order []string
		views = map[string]*view{}
	)
	for ans, want := range expectedAnswers(res) {
		for _, obs := range ans.Resolvers {
			v, ok := views[obs.Server]
			if !ok {
				v = &view{}
				views[obs.Server] = v
				order = append(order, obs.Server)
			}
			verdict, detail := judgeServer(obs, ans.Question, want)
			switch {
			case obs.Err != nil:
				v.failed, v.err = true, obs.Err.Error()
			case len(obs.Records(ans.Question.Name, ans.Question.Type)) == 0 && published[ans.Question]:
				v.stale = append(v.stale, staleNote(obs, ans.Question))
			case len(obs.Records(ans.Question.Name, ans.Question.Type)) == 0:
				v.no = true
				v.negTTL = max(v.negTTL, obs.NegativeTTL)
			case verdict == VerdictBad:
				v.other = detail
				v.otherPublished = v.otherPublished || published[ans.Question]
				for _, rr := range obs.Records(ans.Question.Name, ans.Question.Type) {
					v.otherTTL = max(v.otherTTL, time.Duration(rr.Header().Ttl)*time.Second)
				}
			default:
				v.has = true
			}
		}
	}
	var out []Opinion
	for _, name := range order {
		v := views[name]
		note := ""
		switch {
		case len(v.stale) > 0:
			out = append(out, v.stale...)
			continue
		case v.no && v.negTTL > 0:
			note = fmt.Sprintf("%s says \"no\" too, and may keep saying it for up to %s after you publish.", name, duration(v.negTTL))
		case v.no:
			note = name + " says \"no\" too."
		case v.failed:
			note = "Could not ask " + name + ": " + v.err
		case v.other != "" && v.otherTTL > 0 && v.otherPublished:
			note = fmt.Sprintf("%s %s, an old answer it may keep giving for up to %s (the TTL it gave); the nameservers already serve the new one, and it will catch up on its own.", name, v.other, duration(v.otherTTL))
		case v.other != "" && v.otherTTL > 0:
			note = fmt.Sprintf("%s %s, and may keep giving that answer for up to %s (the TTL it gave).", name, v.other, duration(v.otherTTL))
		case v.other != "":
			note = name + " " + v.other + "."
		case v.has:
			note = name + " sees it too."
		default:
			continue
		}
		out = append(out, Opinion{Resolver: name, Note: printable(note)})
	}
	return out
}

// staleNote says that a resolver still caches "no" for q, which the
// authoritative servers serve: stale for the time its reply may be cached,
// or, without that time, until it asks again.
func staleNote(obs verify.Observation, q verify.Question) Opinion {
	what := "no such record"
	if obs.NXDomain() {
		what = "no such name"
	}
	if obs.NegativeTTL <= 0 {
		return Opinion{Resolver: obs.Server, Note: printable(fmt.Sprintf("%s does not see %s yet; it will catch up on its own.", obs.Server, q))}
	}
	return Opinion{Resolver: obs.Server, Stale: true, Note: printable(fmt.Sprintf(
		"%s still caches \"%s\" for up to %s (%s); it will catch up on its own.", obs.Server, what, duration(obs.NegativeTTL), q))}
}

// duration renders a caching time for people, rounded up to what matters:
// "45 s", "59 min", "2 h 5 min".
func duration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int64(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int64((d+time.Minute-1)/time.Minute))
	}
	h := int64(d / time.Hour)
	m := int64((d%time.Hour + time.Minute - 1) / time.Minute)
	if m == 60 {
		h, m = h+1, 0
	}
	if m == 0 {
		return fmt.Sprintf("%d h", h)
	}
	return fmt.Sprintf("%d h %d min", h, m)
}
