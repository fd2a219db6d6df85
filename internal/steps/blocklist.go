package steps

import (
	"net/netip"
	"strings"

	"github.com/mailwizard/mailwizard/internal/verify"
)

// IDBlocklist is the id of the blocklist step: a public contract (JSON output,
// --skip, scripts).
const IDBlocklist = "blocklist"

// blocklistStep publishes nothing: it checks that the server's addresses
// are on no blocklist.
func blocklistStep() definition {
	return definition{
		id: IDBlocklist, title: "Blocklists (DNSBL)", where: Nowhere,
		records: blocklistRecords, questions: blocklistQuestions, judge: judgeBlocklist,
		shared: true, needs: needsAddrs,
		codes: []FindingCode{
			{Code: CodeBlocklistListed, Severity: SeverityError, Effect: StatusFail,
				Meaning: "a server address is on a blocklist"},
			{Code: CodeBlocklistRefused, Severity: SeverityWarning, Effect: StatusWarn,
				Meaning: "a blocklist refused to answer (could not check)"},
		},
	}
}

// Finding codes of the blocklist step.
const (
	CodeBlocklistListed  = "blocklist-listed"
	CodeBlocklistRefused = "blocklist-refused"
)

// blocklistRecords is empty: there is nothing to publish.
func blocklistRecords(Config) []Record { return nil }

// blocklistQuestions looks every server address up in every list, through
// the recursive resolver (RFC 5782).
func blocklistQuestions(cfg Config, _ verify.Answers) []verify.Question {
	var qs []verify.Question
	for _, ip := range cfg.IPs {
		for _, zone := range cfg.DNSBL {
			a, txt := verify.BlocklistQuestions(ip, zone)
			qs = append(qs, a, txt)
		}
	}
	return qs
}

// judgeBlocklist reads each list's verdict. A list that refuses to answer
// (Spamhaus through a public resolver) is "could not check", never
// "listed": checkers that report Spamhaus's 127.255.255.254 as a listing
// send people chasing a listing that does not exist.
func judgeBlocklist(cfg Config, known verify.Answers, v *verdict) {
	// An empty list (not nil) is the user turning the check off.
	v.skipped = len(cfg.DNSBL) == 0
	for _, ip := range cfg.IPs {
		for _, zone := range cfg.DNSBL {
			a, _ := verify.BlocklistQuestions(ip, zone)
			res := verify.Blocklist(known, ip, zone)
			if ans, ok := known.Get(a); ok {
				v.observed = append(v.observed, ans)
				v.servers = append(v.servers, listVerdict(ip, zone, res))
			}
			list := strings.TrimSuffix(zone, ".")
			switch res.Listing {
			case verify.Listed:
				reason := ""
				if res.Reason != "" {
					reason = " The list says: " + clip(res.Reason) + "."
				}
				v.add(CodeBlocklistListed,
					"%s is listed on %s (answer %s), so receivers that use this list reject or bin mail from it.%s Follow the list's delisting steps; a new address from a cheap provider often comes listed, so ask your provider for another one if delisting fails.",
					ip, list, joinAddrs(res.Codes), reason)
			case verify.Refused:
				v.add(CodeBlocklistRefused,
					"%s refused to answer for %s (answer %s): it does not answer queries that come through large public resolvers or too many queries. This is not a listing. To check it, use your own recursive resolver (--resolver).",
					list, ip, joinAddrs(res.Codes))
			case verify.Unknown:
				if len(res.Codes) > 0 {
					v.add(CodeLookupError,
						"Could not check %s on %s: the answer %s is not a blocklist's (lists answer within 127.0.0.0/8). The resolver probably replaces \"no such name\" with an address of its own; use one that does not (--resolver).",
						ip, list, joinAddrs(res.Codes))
					continue
				}
				v.add(CodeLookupError,
					"Could not check %s on %s: %s. mailwizard will ask again.", ip, list, failure(res.Err))
			}
		}
	}
}

// listVerdict is what one list said of one address, as a server's verdict:
// not listed, listed (with the list's reason), or could not be checked (a
// list that refuses to answer is never "listed").
func listVerdict(ip netip.Addr, zone string, res verify.BlocklistResult) ServerVerdict {
	l := ServerVerdict{Server: zone, Verdict: VerdictOK}
	switch res.Listing {
	case verify.NotListed:
		l.Detail = ip.String() + " is not listed"
	case verify.Listed:
		l.Verdict, l.Detail = VerdictBad, ip.String()+" is listed"
		if res.Reason != "" {
			l.Detail += ": " + res.Reason
		}
	case verify.Refused:
		l.Verdict, l.Detail = VerdictUnknown, "refused to answer for "+ip.String()+" (it does not answer public resolvers)"
	default:
		l.Verdict, l.Detail = VerdictUnknown, "could not check "+ip.String()
		if res.Err != nil {
			l.Detail += ": " + res.Err.Error()
		}
	}
	l.Detail = printable(l.Detail)
	return l
}
