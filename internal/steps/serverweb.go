package steps

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mailwizard/mailwizard/internal/verify"
)

// judgeEndpoints judges the autoconfig and autodiscover endpoints: each
// served over HTTPS with a certificate for its name; the autoconfig file
// parses and names the servers the SRV records name; the autodiscover
// endpoint answers.
func (j *serverJudge) judgeEndpoints(p serverPlan) {
	want := advertised(p.services)
	for _, t := range p.autoconfig {
		j.judgeEndpoint(t, "autoconfig", CodeAutoconfigEndpoint, "Thunderbird", func(res *verify.ProbeResult) (string, string) {
			return checkAutoconfigFile(res.HTTP, j.cfg.Domain, want)
		})
	}
	for _, t := range p.autodiscover {
		j.judgeEndpoint(t, "autodiscover", CodeAutodiscoverEndpoint, "Outlook", func(res *verify.ProbeResult) (string, string) {
			if h := res.HTTP; h.Status == 404 || h.Status >= 500 {
				return fmt.Sprintf("HTTP %d", h.Status), fmt.Sprintf("answers %q, so Outlook finds no settings there. Serve the autodiscover service at this address, or remove the _autodiscover._tcp SRV record", h.StatusLine)
			}
			return fmt.Sprintf("HTTP %d", res.HTTP.Status), ""
		})
	}
}

// judgeEndpoint judges one HTTPS endpoint: reachable, TLS with a good
// certificate for its name, then what check says of the response
// (a few words for the row, and the rest of a sentence when it is wrong).
func (j *serverJudge) judgeEndpoint(t webTarget, service, code, client string, check func(*verify.ProbeResult) (string, string)) {
	q := t.question()
	row := ProbeRow{Service: service, Host: t.host, Address: q.Probe.Addr.String()}
	res, ok := j.result(q, &row)
	if !ok {
		j.rows = append(j.rows, row)
		return
	}
	subject := subjectOf(q.Probe.URL())
	var words, problems []string
	if res.TLS != nil {
		for _, p := range certProblems(res, []string{t.host}, false) {
			problems = append(problems, "its certificate "+p.what)
		}
	}
	switch {
	case res.HTTP == nil:
		words = append(words, stageText(res))
		problems = append(problems, "it could not be fetched: "+stageText(res))
	case res.Err != nil:
		words = append(words, stageText(res))
		problems = append(problems, "its answer broke off: "+stageText(res))
	default:
		w, p := check(res)
		words = append(words, w)
		if p != "" {
			problems = append(problems, "it "+p)
		}
	}
	row.Status = StatusPass
	if len(problems) > 0 {
		row.Status = StatusWarn
		j.note(code, t.addr.String(), res.From(),
			fmt.Sprintf("%s is where %s looks for the settings of %s, but %s.", subject, client, j.cfg.Domain, strings.Join(problems, "; and ")))
	}
	row.Detail = strings.Join(words, " · ")
	j.rows = append(j.rows, row)
}

// advertised are the endpoints of the client services the plan probes
// (the SRV records' targets and ports, or the mail host's for services
// offered but not published), each once.
func advertised(targets []serviceTarget) []endpoint {
	var out []endpoint
	for _, t := range targets {
		if e := endpointOf(t.svc, t.host, t.port); !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out
}

// checkAutoconfigFile reads an autoconfig response: 200, not cut, a
// clientConfig file naming the same servers as want.
func checkAutoconfigFile(h *verify.HTTPResponse, domain string, want []endpoint) (string, string) {
	words := fmt.Sprintf("HTTP %d", h.Status)
	switch {
	case h.Status >= 300 && h.Status < 400:
		return words, fmt.Sprintf("redirects to %q; serve the file at this address itself, as not every mail program follows a redirect", clip(h.Location))
	case h.Status != 200:
		return words, fmt.Sprintf("answers %q instead of the file. Serve Thunderbird's configuration file there, or remove the autoconfig name", h.StatusLine)
	case h.Truncated:
		return words, "sends more than 64 KiB, which is no configuration file"
	}
	got, err := parseAutoconfig(h.Body, domain)
	if err != nil {
		return words + ", not a configuration file", "sends a file that does not parse: " + clip(err.Error())
	}
	var missing, extra []string
	for _, e := range want {
		if !slices.Contains(got, e) {
			missing = append(missing, e.String())
		}
	}
	for _, e := range got {
		if !slices.ContainsFunc(want, func(w endpoint) bool { return w.kind == e.kind && w.host == e.host && w.port == e.port }) {
			extra = append(extra, e.String())
		}
	}
	var diffs []string
	if len(missing) > 0 {
		diffs = append(diffs, "leaves out "+list(missing))
	}
	if len(extra) > 0 {
		diffs = append(diffs, "names "+list(extra)+", which the SRV records do not")
	}
	if len(diffs) > 0 {
		return words + ", differs from the SRV records", "sends a file that " + strings.Join(diffs, " and ") + ". Mail programs that read it would use other settings than those that read the SRV records: make the file name the same host and ports"
	}
	return words + fmt.Sprintf(", names %d %s like the SRV records", len(got), plural(len(got), "server", "servers")), ""
}
