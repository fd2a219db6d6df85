package steps

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
)

// placesMark stands for the addresses a note is about until every address
// is judged: the same problem at the IPv4 and the IPv6 address is one
// finding naming both.
const placesMark = "\x00places\x00"

// fromMark stands, likewise, for where the probes of a note ran from:
// ", checked from 192.0.2.1 and 2001:db8::1".
const fromMark = "\x00from\x00"

// probeNote is a finding that may hold for several addresses.
type probeNote struct {
	code    string
	variant string
	text    string // with placesMark and fromMark
	places  []string
	froms   []string
}

// serverJudge judges one round's probes.
type serverJudge struct {
	cfg   Config
	known verify.Answers
	v     *verdict
	notes []*probeNote
	// smtpRows are port 25's rows, which come first; rows the others.
	smtpRows, rows []ProbeRow
	// connected are the addresses where some probe other than port 25
	// connected: the host answers, on other ports.
	connected map[netip.Addr][]string
}

func judgeServerStep(cfg Config, known verify.Answers, v *verdict) {
	if cfg.NoProbe {
		v.skipped = true
		return
	}
	if len(cfg.IPs) == 0 {
		v.add(CodeLookupError,
			"No address of the server is configured, so there is nothing to connect to. Give the server's public addresses (--ip).")
		return
	}
	j := &serverJudge{cfg: cfg, known: known, v: v, connected: map[netip.Addr][]string{}}
	p := planServer(cfg, known)
	// Port 25 comes first in what the step observed, as in its rows; it is
	// judged last, once it is known which other ports answered.
	for _, ip := range cfg.IPs {
		j.v.observe(j.known, SMTPProbe(cfg, ip))
		j.v.observe(j.known, relayQuestion(cfg, ip))
	}
	j.judgeServices(p.services)
	j.judgeEndpoints(p)
	j.judgeSMTP()
	for _, q := range p.read {
		v.ask(known, q)
	}
	j.flush()
	v.probes = append(j.smtpRows, j.rows...)
	v.servers = make([]ServerVerdict, 0, len(v.probes))
	for _, r := range v.probes {
		verdict := VerdictOK
		switch r.Status {
		case StatusFail:
			verdict = VerdictBad
		case StatusError:
			verdict = VerdictUnknown
		}
		v.servers = append(v.servers, ServerVerdict{Server: r.Service + " " + r.Address, Verdict: verdict, Detail: r.Detail})
	}
}

// flush adds the notes to the verdict, each naming every address it holds
// for and where the probes ran from.
func (j *serverJudge) flush() {
	for _, n := range j.notes {
		from := ""
		if len(n.froms) > 0 {
			from = ", checked from " + list(n.froms)
		}
		text := strings.ReplaceAll(n.text, placesMark, list(n.places))
		j.v.addVariant(n.code, n.variant, "%s", strings.ReplaceAll(text, fromMark, from))
	}
	j.notes = nil
}

// note records a finding for one address, probed from from (empty when
// unknown); the same text for another address adds that address to it.
func (j *serverJudge) note(code, place, from, text string) {
	var n *probeNote
	for _, m := range j.notes {
		if m.code == code && m.text == text {
			n = m
			break
		}
	}
	if n == nil {
		n = &probeNote{code: code, text: text}
		j.notes = append(j.notes, n)
	}
	if !slices.Contains(n.places, place) {
		n.places = append(n.places, place)
	}
	if from != "" && !slices.Contains(n.froms, from) {
		n.froms = append(n.froms, from)
	}
}

// result reads the answer to a probe: the result when the probe ran, or
// false after noting (lookup-error) and showing why it could not.
func (j *serverJudge) result(q verify.Question, row *ProbeRow) (*verify.ProbeResult, bool) {
	a, ok := j.v.observe(j.known, q)
	switch {
	case !ok:
		row.Status, row.Detail = StatusError, "not checked yet"
		j.note(CodeLookupError, row.Address, "",
			fmt.Sprintf("Could not check %s: it has not been made yet. mailwizard will try again.", q))
		return nil, false
	case a.Err != nil || a.Probe == nil:
		why := "no result"
		if a.Err != nil {
			why = withoutProbe(a.Err)
		}
		row.Status, row.Detail = StatusError, "could not check: "+why
		j.note(CodeLookupError, row.Address, "",
			fmt.Sprintf("Could not check %s: %s. This says nothing about your server; mailwizard will try again.", q, why))
		return nil, false
	}
	row.From = a.Probe.From()
	if a.Probe.NoRoute {
		row.Status, row.Detail = StatusError, "no route from here: "+stageText(a.Probe)
		j.note(CodeLookupError, addrOf(q), a.Probe.From(),
			fmt.Sprintf("Could not check %s from this machine (%s): it has no route to that address (%s). This says nothing about your server: run `mailwizard check` from a machine with %s connectivity.",
				placesMark, strings.TrimPrefix(fromMark, ", "), stageText(a.Probe), familyName(addrOf(q))))
		return nil, false
	}
	if a.Probe.Connected && q.Probe.Addr.Port() != smtpPort {
		ip := q.Probe.Addr.Addr()
		port := fmt.Sprint(q.Probe.Addr.Port())
		if !slices.Contains(j.connected[ip], port) {
			j.connected[ip] = append(j.connected[ip], port)
		}
	}
	return a.Probe, true
}

// withoutProbe is an answer's error without the probe's name, which the
// message gives already.
func withoutProbe(err error) string {
	if errors.Is(err, verify.ErrProbesOff) {
		return "probes are turned off (--no-probe)"
	}
	var pe *verify.ProbeError
	if errors.As(err, &pe) {
		return string(pe.Stage) + ": " + pe.Err.Error()
	}
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		return msg[i+2:]
	}
	return msg
}

func addrOf(q verify.Question) string { return q.Probe.Addr.Addr().String() }

func familyName(addr string) string {
	if strings.Contains(addr, ":") {
		return "IPv6"
	}
	return "IPv4"
}

// subjectOf names what a probe reached, where and from where, for a
// message: "mail.example.com. on port 25 (192.0.2.25 and 2001:db8::25,
// checked from 192.0.2.1)", the addresses filled in last.
func subjectOf(what string) string {
	return what + " (" + placesMark + fromMark + ")"
}

// capitalize upper-cases the first letter of a phrase.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// stageText says where a probe stopped and why, in words: "no connection:
// connection refused", "no greeting: i/o timeout after 10s".
func stageText(res *verify.ProbeResult) string {
	cause := "no result"
	var pe *verify.ProbeError
	if errors.As(res.Err, &pe) {
		cause = printable(strings.TrimPrefix(pe.Err.Error(), "tls: "))
	}
	switch res.Stage {
	case verify.StageConnect:
		return "no connection: " + cause
	case verify.StageGreeting:
		return "no greeting: " + cause
	case verify.StageEHLO:
		return "EHLO failed: " + cause
	case verify.StageCapa:
		return "the capability list failed: " + cause
	case verify.StageStartTLS:
		return "STARTTLS failed: " + cause
	case verify.StageTLS:
		return "the TLS handshake failed: " + cause
	case verify.StageRelay:
		return "the relay test stopped: " + cause
	case verify.StageRequest, verify.StageResponse:
		return "the HTTPS request failed: " + cause
	}
	return cause
}

// judgeSMTP judges port 25 of every address: reachable, greeting and EHLO
// names, STARTTLS and the certificate, no open relay; and, when no address
// could be reached while other ports of the host answer, says port 25
// seems blocked from here.
func (j *serverJudge) judgeSMTP() {
	type failed struct {
		ip  netip.Addr
		res *verify.ProbeResult
	}
	var unreachable []failed
	reached := 0
	for _, ip := range j.cfg.IPs {
		ip = ip.Unmap()
		q := SMTPProbe(j.cfg, ip)
		row := ProbeRow{Service: "smtp", Host: j.cfg.Host, Address: q.Probe.Addr.String()}
		res, ok := j.result(q, &row)
		switch {
		case !ok:
		case !res.Connected:
			row.Status, row.Detail = StatusFail, stageText(res)
			unreachable = append(unreachable, failed{ip, res})
		default:
			reached++
			j.judgeSMTPSession(ip, res, &row)
		}
		j.smtpRows = append(j.smtpRows, row)
	}
	if len(unreachable) == 0 {
		return
	}
	var ips, reasons, ports, froms []string
	for _, f := range unreachable {
		ips = append(ips, f.ip.String())
		if from := f.res.From(); from != "" && !slices.Contains(froms, from) {
			froms = append(froms, from)
		}
		if why := stageText(f.res); !slices.Contains(reasons, why) {
			reasons = append(reasons, why)
		}
		for _, port := range j.connected[f.ip] {
			if !slices.Contains(ports, port) {
				ports = append(ports, port)
			}
		}
	}
	if len(reasons) > 1 {
		reasons = reasons[:0]
		for _, f := range unreachable {
			reasons = append(reasons, f.ip.String()+": "+stageText(f.res))
		}
	}
	from := ""
	if len(froms) > 0 {
		from = " (checked from " + list(froms) + ")"
	}
	if reached == 0 && len(ports) > 0 {
		for i, row := range j.smtpRows {
			if row.Status == StatusFail {
				j.smtpRows[i].Status = StatusError
			}
		}
		j.v.add(CodeSMTPPort25Blocked,
			"Port 25 seems blocked from this network%s: %s did not answer on port 25 at %s (%s), but other ports of the same %s did (%s). Many home, office and cloud networks block outgoing port 25, so this is probably not your server's fault, and mailwizard cannot tell from here: run `mailwizard check` from another machine, ideally one outside your network.",
			from, j.cfg.Host, list(ips), strings.Join(reasons, "; "), plural(len(ips), "address", "addresses"), list(ports))
		return
	}
	hint := ""
	if reached == 0 {
		hint = " If this machine's network blocks outgoing port 25 (many home and cloud networks do), run `mailwizard check` from another machine before changing anything."
	}
	j.v.add(CodeSMTPUnreachable,
		"%s did not answer on port 25 at %s%s: %s. Other mail servers deliver to port 25, so mail to %s cannot arrive there. Check that the mail server runs and listens on port 25 of %s, and that the firewall (and the hosting provider's) lets port 25 in.%s",
		j.cfg.Host, list(ips), from, strings.Join(reasons, "; "), j.cfg.Domain, plural(len(ips), "that address", "those addresses"), hint)
}

// judgeSMTPSession judges what port 25 of ip said once connected.
func (j *serverJudge) judgeSMTPSession(ip netip.Addr, res *verify.ProbeResult, row *ProbeRow) {
	place := ip.String()
	subject := subjectOf(j.cfg.Host + " on port 25")
	from := res.From()
	var parts []string
	status := StatusPass
	worsen := func(s Status) {
		if s.rank() > status.rank() {
			status = s
		}
	}
	if name := res.Greeting.Domain(); name != "" {
		parts = append(parts, "greets as "+clip(name))
	}
	switch res.Stage {
	case "":
	case verify.StageStartTLS, verify.StageTLS:
		worsen(StatusFail)
		parts = append(parts, stageText(res))
		j.note(CodeSMTPNoStartTLS, place, from,
			fmt.Sprintf("%s offers STARTTLS, but %s. Senders then deliver without encryption or not at all. Check the server's TLS settings (certificate and key files, their permissions) and its log.",
				subject, stageText(res)))
	default:
		worsen(StatusFail)
		parts = append(parts, stageText(res))
		j.note(CodeSMTPUnreachable, place, from,
			fmt.Sprintf("%s accepted the connection, but %s. Senders cannot deliver to it. Check that a mail server (not another program) listens on port 25, and its log.",
				subject, stageText(res)))
	}
	if res.Stage == "" || res.Stage == verify.StageStartTLS || res.Stage == verify.StageTLS {
		if s := j.greetingName(ip, res, subject); s != "" {
			worsen(StatusWarn)
			parts = append(parts, s)
		}
	}
	switch {
	case res.Stage != "":
	case !res.StartTLSOffered:
		worsen(StatusFail)
		parts = append(parts, "no STARTTLS")
		j.note(CodeSMTPNoStartTLS, place, from,
			fmt.Sprintf("%s does not offer STARTTLS (its EHLO reply lists %s), so mail reaches it unencrypted, and mail services that require TLS will not deliver. Give the server a certificate for %s and switch TLS on (Postfix: smtpd_tls_security_level = may, with smtpd_tls_chain_files).",
				subject, quoteAll(res.EHLO.Keywords()), j.cfg.Host))
	default:
		s, ts := j.judgeCert(res, subject, place, from, j.smtpNames(ip), true)
		worsen(s)
		parts = append(parts, "STARTTLS · "+ts)
		if spki := res.TLS.SPKISHA256(); spki != "" {
			row.TLSA = "3 1 1 " + spki
		}
	}
	if s := j.judgeRelay(ip, subject); s != "" {
		if strings.HasPrefix(s, "an open relay") {
			worsen(StatusFail)
		}
		parts = append(parts, s)
	}
	row.Status, row.Detail = status, strings.Join(parts, " · ")
}

// smtpNames are the names port 25 of ip must have a certificate for: the
// mail host, and every MX host whose addresses include ip.
func (j *serverJudge) smtpNames(ip netip.Addr) []string {
	names := []string{j.cfg.Host}
	for _, t := range mxTargets(j.known, verify.Q(j.cfg.Domain, dns.TypeMX)) {
		r, _ := peek(j.known, verify.Q(t, addrType(ip)))
		if !slices.Contains(names, t) && slices.Contains(unionAddresses(r.ok, addrType(ip)), ip) {
			names = append(names, t)
		}
	}
	return names
}

// greetingName compares the names port 25 of ip gives (greeting, EHLO
// reply) with the mail host, the reverse DNS of ip and the forward lookup
// of the EHLO name; it returns a few words for the row on a mismatch.
func (j *serverJudge) greetingName(ip netip.Addr, res *verify.ProbeResult, subject string) string {
	greet, ehlo := res.Greeting.Domain(), res.EHLO.Domain()
	if ehlo == "" {
		ehlo = greet
	}
	gName, _ := hostName(greet)
	eName, eOK := hostName(ehlo)
	var ptrs []string
	ptrKnown := false
	if rev := ReverseName(ip); rev != "" {
		if r, ok := peek(j.known, verify.Q(rev, dns.TypePTR)); ok {
			ptrKnown = true
			for _, o := range r.ok {
				for _, t := range ptrTargets(o, rev) {
					if !slices.Contains(ptrs, t) {
						ptrs = append(ptrs, t)
					}
				}
			}
		}
	}
	var forward []netip.Addr
	forwardKnown := false
	if eOK {
		if r, ok := peek(j.known, verify.Q(eName, addrType(ip))); ok {
			forwardKnown = true
			forward = unionAddresses(r.ok, addrType(ip))
		}
	}
	// Records not published yet are the ptr and host steps' to report;
	// here only names that disagree count.
	matches := gName == j.cfg.Host && eName == j.cfg.Host &&
		(len(ptrs) == 0 || slices.Contains(ptrs, eName)) &&
		(len(forward) == 0 || slices.Contains(forward, ip))
	if matches {
		return ""
	}
	said := fmt.Sprintf("calls itself %q in its greeting and in its EHLO reply", clip(greet))
	if greet != ehlo {
		said = fmt.Sprintf("calls itself %q in its greeting and %q in its EHLO reply", clip(greet), clip(ehlo))
	}
	ptrText := "the reverse DNS of " + ip.String() + " could not be looked up"
	switch {
	case ptrKnown && len(ptrs) == 0:
		ptrText = ip.String() + " has no reverse DNS (PTR)"
	case ptrKnown:
		ptrText = "the reverse DNS of " + ip.String() + " names " + list(ptrs)
	}
	fwdText := fmt.Sprintf("%q is not a host name, so it cannot lead back to %s", clip(ehlo), ip)
	switch {
	case eOK && !forwardKnown:
		fwdText = eName + " could not be looked up"
	case eOK && len(forward) == 0:
		fwdText = fmt.Sprintf("%s has no %s record, so it does not lead back to %s", eName, dns.TypeToString[addrType(ip)], ip)
	case eOK && !slices.Contains(forward, ip):
		fwdText = fmt.Sprintf("%s leads to %s, not to %s", eName, joinAddrs(forward), ip)
	case eOK:
		fwdText = fmt.Sprintf("%s leads back to %s", eName, ip)
	}
	var fixes []string
	nameRight := gName == j.cfg.Host && eName == j.cfg.Host
	host := strings.TrimSuffix(j.cfg.Host, ".")
	if !nameRight {
		fixes = append(fixes, fmt.Sprintf("Make the server call itself %s (Postfix: myhostname = %s).", j.cfg.Host, host))
	}
	if ptrKnown && !slices.Contains(ptrs, j.cfg.Host) {
		fixes = append(fixes, fmt.Sprintf("Set the reverse DNS of %s to %s at your hosting provider (see the ptr step).", ip, j.cfg.Host))
	}
	if nameRight && forwardKnown && !slices.Contains(forward, ip) {
		fixes = append(fixes, fmt.Sprintf("Make the %s record of %s hold %s (see the host step).", dns.TypeToString[addrType(ip)], j.cfg.Host, ip))
	}
	j.note(CodeSMTPGreetingName, ip.String(), res.From(),
		fmt.Sprintf("%s %s; the mail host is %s, %s, and %s. Receivers compare these names, and some refuse or score down mail when they differ. %s",
			subject, said, j.cfg.Host, ptrText, fwdText, strings.Join(fixes, " ")))
	return "greeting name differs"
}

// judgeRelay reads the open-relay test of port 25 of ip and returns a few
// words for the row ("" when there is nothing to say).
func (j *serverJudge) judgeRelay(ip netip.Addr, subject string) string {
	q := relayQuestion(j.cfg, ip)
	a, ok := j.v.observe(j.known, q)
	switch {
	case !ok:
		return "relay test not made yet"
	case a.Err != nil || a.Probe == nil:
		return "relay test not made: " + withoutProbe(a.Err)
	case !a.Probe.RelayTested:
		return "relay test not made: " + stageText(a.Probe)
	case a.Probe.MailFrom.Code/100 != 2:
		return fmt.Sprintf("relay test: MAIL FROM refused (%s)", clip(a.Probe.MailFrom.String()))
	case a.Probe.RcptTo.Code/100 == 2:
		from, to := relayAddresses(j.cfg.Domain)
		j.note(CodeSMTPOpenRelay, ip.String(), a.Probe.From(),
			fmt.Sprintf("%s is an open relay: it accepted mail from %s for %s (RCPT TO was answered %q), two addresses that are not yours. Spammers find open relays within hours and your addresses end up on every blocklist. mailwizard sent no mail: it stopped before DATA. Accept mail for other domains only from your own users after they log in (Postfix: smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination, with mynetworks holding only your own networks).",
				subject, from, to, clip(a.Probe.RcptTo.String())))
		return "an open relay"
	}
	return "no open relay"
}

// judgeServices judges every client service: it answers, offers TLS, and
// its certificate covers the name the SRV record gives.
func (j *serverJudge) judgeServices(targets []serviceTarget) {
	for _, t := range targets {
		q := t.question()
		row := ProbeRow{Service: t.svc.name, Host: t.host, Address: q.Probe.Addr.String()}
		res, ok := j.result(q, &row)
		if !ok {
			j.rows = append(j.rows, row)
			continue
		}
		place := t.addr.String()
		subject := subjectOf(fmt.Sprintf("%s at %s port %d", capitalize(t.svc.what), t.host, t.port))
		from := res.From()
		var parts []string
		switch {
		case !res.Connected || res.Stage == verify.StageGreeting || res.Stage == verify.StageEHLO || res.Stage == verify.StageCapa:
			row.Status = StatusFail
			parts = append(parts, stageText(res))
			j.note(CodeServiceUnreachable, place, from,
				fmt.Sprintf("%s does not work: %s. Mail programs set up for it cannot connect. Check that the service runs and listens on port %d, and that the firewall lets the port in; if you do not offer it, take it out of the services (and the SRV record).",
					subject, stageText(res), t.port))
		case res.Stage != "":
			row.Status = StatusFail
			parts = append(parts, stageText(res))
			j.note(CodeServiceTLS, place, from,
				fmt.Sprintf("%s answers, but %s. Mail programs refuse to send passwords over it. Check the service's TLS settings (certificate and key files) and its log.",
					subject, stageText(res)))
		case res.TLS == nil:
			row.Status = StatusFail
			parts = append(parts, "no STARTTLS")
			j.note(CodeServiceTLS, place, from,
				fmt.Sprintf("%s does not offer STARTTLS, so passwords and mail would cross the network unencrypted, and mail programs refuse it. Switch TLS on for the service, or offer the implicit-TLS port instead (RFC 8314).",
					subject))
		default:
			s, ts := j.judgeCert(res, subject, place, from, []string{t.host}, false)
			row.Status = s
			parts = append(parts, ts)
		}
		row.Detail = strings.Join(parts, " · ")
		j.rows = append(j.rows, row)
	}
}
