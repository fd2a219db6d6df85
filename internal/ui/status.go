package ui

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/steps"
	"github.com/mailwizard/mailwizard/internal/verify"
)

// mark is what one server's answer means for the records on screen.
type mark int

const (
	markOK      mark = iota // serves every expected record
	markUnknown             // could not be reached or gave no usable reply
	markBad                 // answered without the expected records
)

// serverLine is one authoritative server's line in the live status.
type serverLine struct {
	server string
	mark   mark
	detail string
}

// serverLines says, per authoritative server, whether it serves the step's
// expected records and, when not, what it returned. Optional records and
// questions asked only to follow a chain (an MX target's address) do not
// count. When the step's judge said pass or warn, a server that answered
// with records is trusted to serve them (the judge compares meaning, not
// spelling).
func serverLines(res steps.Result) []serverLine {
	var (
		order  []string
		byName = map[string]*serverLine{}
		counts int
	)
	set := func(name string, m mark, detail string) {
		l, ok := byName[name]
		if !ok {
			l = &serverLine{server: name, mark: markOK}
			byName[name] = l
			order = append(order, name)
		}
		if m > l.mark {
			l.mark, l.detail = m, detail
		}
	}
	for _, ans := range res.Observed {
		if ans.Question.Via != verify.Authoritative {
			continue
		}
		want := expectedFor(res.Expected, ans.Question)
		if len(want) == 0 {
			continue
		}
		counts += len(want)
		if ans.Err != nil && len(ans.Servers) == 0 {
			set("(no server)", markUnknown, "could not ask: "+ans.Err.Error())
			continue
		}
		for _, obs := range ans.Servers {
			m, detail := judgeServer(obs, ans.Question, want)
			if m == markBad && green(res.Status) && len(obs.Records(ans.Question.Name, ans.Question.Type)) > 0 {
				m = markOK
			}
			set(obs.Server, m, detail)
		}
	}
	out := make([]serverLine, 0, len(order))
	for _, name := range order {
		l := *byName[name]
		if l.mark == markOK {
			l.detail = "serves it"
			if counts > 1 {
				l.detail = fmt.Sprintf("serves all %d records", counts)
			}
		}
		out = append(out, l)
	}
	return out
}

// blocklistLines say, per address and list, what the blocklists said:
// not listed, listed (with the list's reason), or could not be checked
// (a list that refuses to answer is never "listed").
func blocklistLines(res steps.Result, cfg steps.Config) []serverLine {
	known := verify.Answers{}
	for _, ans := range res.Observed {
		known[ans.Question] = ans
	}
	var out []serverLine
	for _, ip := range cfg.IPs {
		for _, zone := range cfg.DNSBL {
			a, _ := verify.BlocklistQuestions(ip, zone)
			if _, ok := known.Get(a); !ok {
				continue
			}
			r := verify.Blocklist(known, ip, zone)
			l := serverLine{server: zone}
			switch r.Listing {
			case verify.NotListed:
				l.detail = ip.String() + " is not listed"
			case verify.Listed:
				l.mark, l.detail = markBad, ip.String()+" is listed"
				if r.Reason != "" {
					l.detail += ": " + r.Reason
				}
			case verify.Refused:
				l.mark, l.detail = markUnknown, "refused to answer for "+ip.String()+" (it does not answer public resolvers)"
			default:
				l.mark, l.detail = markUnknown, "could not check "+ip.String()
				if r.Err != nil {
					l.detail += ": " + r.Err.Error()
				}
			}
			out = append(out, l)
		}
	}
	return out
}

// probeLines are the server step's rows: per address and port, what the
// probe found there and where it ran from. A warning is a ✓ whose detail
// says more; the findings say it in full.
func probeLines(res steps.Result) []serverLine {
	out := make([]serverLine, 0, len(res.Probes))
	for _, r := range res.Probes {
		l := serverLine{server: r.Service + " " + r.Address, detail: r.Detail}
		switch r.Status {
		case steps.StatusFail:
			l.mark = markBad
		case steps.StatusError:
			l.mark = markUnknown
		}
		out = append(out, l)
	}
	return out
}

// probeFrom says where the server step's probes ran from: "Checked from
// 192.0.2.1 and 2001:db8::1.", or "" before any ran.
func probeFrom(res steps.Result) string {
	var froms []string
	for _, r := range res.Probes {
		if r.From != "" && !slices.Contains(froms, r.From) {
			froms = append(froms, r.From)
		}
	}
	if len(froms) == 0 {
		return ""
	}
	if len(froms) > 1 {
		froms = []string{strings.Join(froms[:len(froms)-1], ", ") + " and " + froms[len(froms)-1]}
	}
	return "Checked from " + froms[0] + "."
}

// statusRows are the lines of a step's live status: per address and port
// for the server step, per address and list for the blocklists, per
// authoritative server for the rest.
func statusRows(st steps.Step, res steps.Result, cfg steps.Config) []serverLine {
	switch {
	case st.ID == steps.IDServer:
		return probeLines(res)
	case st.Where == steps.Nowhere:
		return blocklistLines(res, cfg)
	}
	return serverLines(res)
}

// expectedFor returns the required records that answer q.
func expectedFor(recs []steps.Record, q verify.Question) []steps.Record {
	var out []steps.Record
	for _, r := range recs {
		if r.Optional || !strings.EqualFold(verify.CanonicalName(r.Name), q.Name) || dns.StringToType[r.Type] != q.Type {
			continue
		}
		out = append(out, r)
	}
	return out
}

// judgeServer compares one server's reply with the records wanted.
func judgeServer(obs verify.Observation, q verify.Question, want []steps.Record) (mark, string) {
	typ := dns.TypeToString[q.Type]
	switch {
	case obs.Err != nil:
		return markUnknown, "could not check: " + obs.Err.Error()
	case obs.NXDomain():
		return markBad, "no such name " + q.Name
	}
	got := obs.Records(q.Name, q.Type)
	if len(got) == 0 {
		if target, ok := obs.CNAME(q.Name); ok {
			return markBad, fmt.Sprintf("has a CNAME to %s instead of %s", target, typ)
		}
		return markBad, fmt.Sprintf("no %s record at %s", typ, q.Name)
	}
	values := make([]string, len(got))
	for i, rr := range got {
		values[i] = rdata(rr)
	}
	for _, w := range want {
		if !slices.ContainsFunc(values, func(v string) bool { return sameValue(w.Type, w.Value, v) }) {
			return markBad, "returned " + strings.Join(quoteEach(values), ", ")
		}
	}
	return markOK, ""
}

// rdata renders an answer's data the way steps.Record.Value holds it: TXT
// strings joined without quotes, everything else in presentation form.
func rdata(rr dns.RR) string {
	if t, ok := rr.(*dns.TXT); ok {
		return strings.Join(t.Txt, "")
	}
	return strings.TrimPrefix(rr.String(), rr.Header().String())
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

// quoteEach quotes values for a server line, eliding the middle of long
// ones: the findings say in full what is wrong with them.
func quoteEach(values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = `"` + elide(v, 40) + `"`
	}
	return out
}

// elide keeps the start and the end of a value longer than n runes.
func elide(v string, n int) string {
	r := []rune(v)
	if len(r) <= n {
		return v
	}
	half := (n - 1) / 2
	return string(r[:half]) + "…" + string(r[len(r)-half:])
}

// secondOpinion says what the recursive resolvers see, next to (never
// instead of) the authoritative answer: a resolver that still caches "no"
// says for how long it may (RFC 2308 §5: the SOA's negative-caching time).
func secondOpinion(res steps.Result) []string {
	type view struct {
		has, no, failed bool
		other           string // a different answer
		negTTL          time.Duration
		err             string
	}
	var (
		order     []string
		views     = map[string]*view{}
		published bool
	)
	for _, ans := range res.Observed {
		if ans.Question.Via != verify.Authoritative {
			continue
		}
		want := expectedFor(res.Expected, ans.Question)
		if len(want) == 0 {
			continue
		}
		for _, obs := range ans.Servers {
			if m, _ := judgeServer(obs, ans.Question, want); m == markOK {
				published = true
			}
		}
		for _, obs := range ans.Resolvers {
			v, ok := views[obs.Server]
			if !ok {
				v = &view{}
				views[obs.Server] = v
				order = append(order, obs.Server)
			}
			m, detail := judgeServer(obs, ans.Question, want)
			switch {
			case obs.Err != nil:
				v.failed, v.err = true, obs.Err.Error()
			case len(obs.Records(ans.Question.Name, ans.Question.Type)) == 0:
				v.no = true
				v.negTTL = max(v.negTTL, obs.NegativeTTL)
			case m == markBad:
				v.other = detail
			default:
				v.has = true
			}
		}
	}
	var out []string
	for _, name := range order {
		v := views[name]
		switch {
		case v.no && published && v.negTTL > 0:
			out = append(out, fmt.Sprintf("%s still caches \"no\" for up to %s (the zone's negative-caching time); it will catch up on its own.", name, minutes(v.negTTL)))
		case v.no && published:
			out = append(out, name+" does not see it yet; it will catch up on its own.")
		case v.no && v.negTTL > 0:
			out = append(out, fmt.Sprintf("%s says \"no\" too, and may keep saying it for up to %s after you publish.", name, minutes(v.negTTL)))
		case v.no:
			out = append(out, name+" says \"no\" too.")
		case v.failed:
			out = append(out, "Could not ask "+name+": "+v.err)
		case v.other != "":
			out = append(out, name+" "+v.other+".")
		case v.has:
			out = append(out, name+" sees it too.")
		}
	}
	return out
}

// minutes renders a caching time: "41 min", or seconds under a minute.
func minutes(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%d s", int(d.Seconds()))
	}
	return fmt.Sprintf("%d min", int((d+time.Minute-1)/time.Minute))
}
