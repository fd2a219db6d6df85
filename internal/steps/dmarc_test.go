package steps

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/mailwizard/mailwizard/internal/verify"
)

func TestDMARC(t *testing.T) {
	reject := func(c *Config) { c.DMARCPolicy = DMARCReject }
	external := func(c *Config) { c.DMARCRUA = "reports@example.net" }
	const auth = "example.com._report._dmarc.example.net."
	runStepCases(t, IDDMARC, testConfig, map[string]stepCase{
		"published, policy none": {
			status: StatusPass,
			want:   []string{CodeDMARCPolicyNone},
			not:    []string{CodeDMARCMissing, CodeDMARCMultiple, CodeDMARCSyntax, CodeDMARCRUAUnauthorized, CodeDMARCAtApex, CodeDMARCNoRUA},
			says:   []string{"p=quarantine"},
		},
		"published, policy reject": {
			cfg:    reject,
			status: StatusPass,
			not:    []string{CodeDMARCPolicyNone},
		},
		"absent everywhere": {
			world:  func(w *world) { w.remove("_dmarc", dns.TypeTXT) },
			status: StatusPending,
			want:   []string{CodeDMARCMissing},
			says:   []string{"_dmarc.example.com. has no DMARC record", `"v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com"`},
		},
		"a TXT that is not DMARC does not count": {
			world:  func(w *world) { w.replace(`_dmarc TXT "google-site-verification=abc"`) },
			status: StatusPending,
			want:   []string{CodeDMARCMissing},
		},
		"two records": {
			world: func(w *world) {
				w.add("ns1.example.net.", `_dmarc TXT "v=DMARC1; p=reject"`).add("ns2.example.net.", `_dmarc TXT "v=DMARC1; p=reject"`)
			},
			status: StatusFail,
			want:   []string{CodeDMARCMultiple},
			says:   []string{"_dmarc.example.com. has two DMARC records on ns1.example.net. and ns2.example.net.", "receivers ignore both", `Keep one: "v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com"`},
		},
		"policy misspelt": {
			world:  func(w *world) { w.replace(`_dmarc TXT "v=DMARC1; p=nnoe"`) },
			status: StatusFail,
			want:   []string{CodeDMARCSyntax},
			says:   []string{"p=nnoe is not a policy"},
		},
		"report address without mailto": {
			world:  func(w *world) { w.replace(`_dmarc TXT "v=DMARC1; p=none; rua=dmarc@example.com"`) },
			status: StatusFail,
			want:   []string{CodeDMARCSyntax},
			says:   []string{"mailto:dmarc@example.com"},
		},
		"version in lower case": {
			world:  func(w *world) { w.replace(`_dmarc TXT "v=dmarc1; p=none"`) },
			status: StatusFail,
			want:   []string{CodeDMARCSyntax},
			says:   []string{"upper case"},
		},
		"quotes stored as text": {
			world:  func(w *world) { w.replace(`_dmarc TXT "\"v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com\""`) },
			status: StatusFail,
			want:   []string{CodeDMARCSyntax},
			says:   []string{"starts with a quote", `"v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com"`},
		},
		"leading whitespace": {
			world:  func(w *world) { w.replace(`_dmarc TXT " v=DMARC1; p=reject"`) },
			status: StatusFail,
			want:   []string{CodeDMARCSyntax},
			says:   []string{"starts with a space", "Receivers ignore the whole record"},
		},
		"tags receivers read in any form": {
			world: func(w *world) {
				w.replace(`_dmarc TXT "v=DMARC1; p=none; rf=afrf : iodef; ri=0; fo=d:s; pct=100; rua=mailto:dmarc-reports@example.com!10m"`)
			},
			status: StatusPass,
			want:   []string{CodeDMARCPolicyNone},
			not:    []string{CodeDMARCSyntax, CodeDMARCURINotMailto},
		},
		"rf=iodef": {
			world: func(w *world) {
				w.replace(`_dmarc TXT "v=DMARC1; p=none; rf=iodef; rua=mailto:dmarc-reports@example.com"`)
			},
			status: StatusPass,
			not:    []string{CodeDMARCSyntax},
		},
		"reports to an https URI": {
			world: func(w *world) {
				w.replace(`_dmarc TXT "v=DMARC1; p=none; rua=https://dmarc.example.net/in; ruf=mailto:f@example.com"`)
			},
			status: StatusWarn,
			want:   []string{CodeDMARCURINotMailto},
			not:    []string{CodeDMARCSyntax, CodeDMARCNoRUA},
			says:   []string{`aggregate reports at "https://dmarc.example.net/in"`, "rua=mailto:"},
		},
		"failure reports to an https URI": {
			world: func(w *world) {
				w.replace(`_dmarc TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com; ruf=https://dmarc.example.net/f"`)
			},
			status: StatusWarn,
			want:   []string{CodeDMARCURINotMailto},
			says:   []string{"failure reports", "ruf=mailto:"},
		},
		"no policy but a report address": {
			world:  func(w *world) { w.replace(`_dmarc TXT "v=DMARC1; rua=mailto:dmarc-reports@example.com"`) },
			status: StatusFail,
			want:   []string{CodeDMARCSyntax},
			says:   []string{"no p= tag", "as p=none", "they send reports"},
		},
		"no policy and no report address": {
			world:  func(w *world) { w.replace(`_dmarc TXT "v=DMARC1; adkim=s"`) },
			status: StatusFail,
			want:   []string{CodeDMARCSyntax},
			says:   []string{"no p= tag", "Receivers ignore the whole record"},
		},
		"semicolon missing after the version": {
			world:  func(w *world) { w.replace(`_dmarc TXT "v=DMARC1 p=none"`) },
			status: StatusFail,
			want:   []string{CodeDMARCSyntax},
			says:   []string{`a ";" is missing after v=DMARC1`, `"v=DMARC1; p=none"`},
		},
		"bad size unit": {
			world:  func(w *world) { w.replace(`_dmarc TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com!10x"`) },
			status: StatusFail,
			want:   []string{CodeDMARCSyntax},
			says:   []string{"!10x", "skip that tag"},
		},
		"percentage with a sign": {
			world: func(w *world) {
				w.replace(`_dmarc TXT "v=DMARC1; p=none; pct=+50; rua=mailto:dmarc-reports@example.com"`)
			},
			status: StatusFail,
			want:   []string{CodeDMARCSyntax},
			says:   []string{"pct=+50 is not a percentage"},
		},
		"no report address": {
			cfg:    reject,
			world:  func(w *world) { w.replace(`_dmarc TXT "v=DMARC1; p=reject"`) },
			status: StatusPass,
			want:   []string{CodeDMARCNoRUA},
		},
		"reports to another domain without its consent": {
			cfg:    external,
			world:  func(w *world) { w.remove(auth, dns.TypeTXT) },
			status: StatusWarn,
			want:   []string{CodeDMARCRUAUnauthorized},
			says:   []string{auth, `TXT "v=DMARC1"`, "reports@example.net"},
		},
		"reports to another domain that consents": {
			cfg:    external,
			status: StatusPass,
			not:    []string{CodeDMARCRUAUnauthorized},
		},
		"reports to another domain that consents for everyone": {
			cfg: external,
			world: func(w *world) {
				w.remove(auth, dns.TypeTXT)
				w.replace(`*._report._dmarc.example.net. TXT "v=DMARC1"`)
			},
			status: StatusPass,
			not:    []string{CodeDMARCRUAUnauthorized},
		},
		"reports to a sister domain of the same organisation": {
			cfg:    func(c *Config) { c.DMARCRUA = "reports@lists.example.com" },
			status: StatusPass,
			not:    []string{CodeDMARCRUAUnauthorized},
		},
		"a copy at the domain itself": {
			world:  func(w *world) { w.add("ns1.example.net.", `@ TXT "v=DMARC1; p=none"`) },
			status: StatusWarn,
			want:   []string{CodeDMARCAtApex},
			says:   []string{"on ns1.example.net.", "_dmarc.example.com."},
		},
		"record at the doubled name": {
			world: func(w *world) {
				w.remove("_dmarc", dns.TypeTXT)
				w.replace(`_dmarc.example.com.example.com. TXT "v=DMARC1; p=none"`)
			},
			status: StatusFail,
			want:   []string{CodeDoubledDomain, CodeDMARCMissing},
			says:   []string{"_dmarc.example.com.example.com.", "Remove the domain from the Host field", `enter "_dmarc" instead of "_dmarc.example.com"`},
		},
		"a wildcard TXT is not a doubled record": {
			world:  func(w *world) { w.replace(`*.example.com. TXT "v=DMARC1; p=none"`) },
			status: StatusPass,
			not:    []string{CodeDoubledDomain},
		},
	})
}

// subdomainConfig is testConfig for the mail domain news.example.com, whose
// organizational domain is example.com.
func subdomainConfig(t testing.TB) Config {
	t.Helper()
	cfg := testConfig(t)
	cfg.Domain, cfg.Host, cfg.DMARCRUA = "news.example.com", "", ""
	if err := cfg.Normalize(nil); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestDMARCInherited: a subdomain without a record of its own is judged by
// the policy receivers apply to it, its organizational domain's (RFC 7489
// §6.6.3).
func TestDMARCInherited(t *testing.T) {
	const own, org = "_dmarc.news.example.com.", "_dmarc.example.com."
	inherit := func(lines ...string) func(*world) {
		return func(w *world) {
			w.remove(own, dns.TypeTXT)
			w.remove(org, dns.TypeTXT)
			for _, s := range w.servers {
				w.add(s, lines...)
			}
		}
	}
	runStepCases(t, IDDMARC, subdomainConfig, map[string]stepCase{
		"a record of its own": {
			world:  func(w *world) { w.replace(org + ` TXT "v=DMARC1; p=reject"`) },
			status: StatusPass,
			want:   []string{CodeDMARCPolicyNone},
			not:    []string{CodeDMARCInherited, CodeDMARCMissing},
			says:   []string{own},
		},
		"inherits p=reject": {
			world:  inherit(org + ` TXT "v=DMARC1; p=reject; rua=mailto:dmarc@example.com"`),
			status: StatusPass,
			want:   []string{CodeDMARCInherited},
			not:    []string{CodeDMARCMissing, CodeDMARCPolicyNone, CodeDMARCNoRUA, CodeDMARCSyntax},
			says: []string{"news.example.com has no DMARC record of its own (" + own + " on ns1.example.net. and ns2.example.net.)",
				"organizational domain example.com: p=reject from " + org, `"v=DMARC1; p=reject; rua=mailto:dmarc@example.com"`,
				"publish a record at " + own + " only to give news.example.com a different policy"},
		},
		"sp= is the policy of subdomains": {
			world:  inherit(org + ` TXT "v=DMARC1; p=none; sp=quarantine; rua=mailto:dmarc@example.com"`),
			status: StatusPass,
			want:   []string{CodeDMARCInherited},
			not:    []string{CodeDMARCPolicyNone},
			says:   []string{"sp=quarantine from " + org},
		},
		"inherits p=none": {
			world:  inherit(org + ` TXT "v=DMARC1; p=none; rua=mailto:dmarc@example.com"`),
			status: StatusPass,
			want:   []string{CodeDMARCPolicyNone, CodeDMARCInherited},
			says:   []string{"news.example.com inherits from " + org + " is p=none", "sp= sets the policy of subdomains"},
		},
		"inherits a record without reports": {
			world:  inherit(org + ` TXT "v=DMARC1; p=reject"`),
			status: StatusPass,
			want:   []string{CodeDMARCNoRUA, CodeDMARCInherited},
			says:   []string{org + ", which news.example.com inherits, has no rua="},
		},
		"inherits a record receivers apply as p=none": {
			world:  inherit(org + ` TXT "v=DMARC1; rua=mailto:dmarc@example.com"`),
			status: StatusPass,
			want:   []string{CodeDMARCInherited, CodeDMARCPolicyNone},
			not:    []string{CodeDMARCMissing},
			says:   []string{"p=none from " + org, "That record has a problem: it has no p= tag"},
		},
		"no record here nor at the organizational domain": {
			world:  inherit(),
			status: StatusPending,
			want:   []string{CodeDMARCMissing},
			not:    []string{CodeDMARCInherited},
			says: []string{own + " has no DMARC record on ns1.example.net. and ns2.example.net. yet",
				"neither has its organizational domain example.com (" + org + " on ns1.example.net. and ns2.example.net.)",
				`Add a TXT record at ` + own + `: "v=DMARC1; p=none; rua=mailto:dmarc-reports@news.example.com"`},
		},
		"the organizational domain's record does not count": {
			world:  inherit(org + ` TXT " v=DMARC1; p=reject"`),
			status: StatusPending,
			want:   []string{CodeDMARCMissing},
			not:    []string{CodeDMARCInherited},
			says:   []string{"does not count: it starts with a space"},
		},
		"the organizational domain has two records": {
			world:  inherit(org+` TXT "v=DMARC1; p=reject"`, org+` TXT "v=DMARC1; p=none"`),
			status: StatusPending,
			want:   []string{CodeDMARCMissing},
			says:   []string{"has two DMARC records at " + org},
		},
		"the organizational domain's record only on one server": {
			world: func(w *world) {
				inherit()(w)
				w.add("ns1.example.net.", org+` TXT "v=DMARC1; p=reject"`)
			},
			status: StatusPending,
			want:   []string{CodeDMARCInherited, CodeDMARCMissing},
		},
		"a record at the subdomain itself still counts as misplaced": {
			world: func(w *world) {
				inherit(org + ` TXT "v=DMARC1; p=reject; rua=mailto:dmarc@example.com"`)(w)
				w.add("ns1.example.net.", `news TXT "v=DMARC1; p=none"`)
			},
			status: StatusWarn,
			want:   []string{CodeDMARCAtApex, CodeDMARCInherited},
		},
	})
}

func TestDMARCAsksTheOrganizationalDomainAtOnce(t *testing.T) {
	for domain, want := range map[string]string{
		"news.example.com":   "_dmarc.example.com.",
		"a.b.example.co.uk":  "_dmarc.example.co.uk.",
		"example.com":        "",
		"mail.example.co.uk": "_dmarc.example.co.uk.",
	} {
		cfg := testConfig(t)
		cfg.Domain, cfg.Host, cfg.DMARCRUA = domain, "", ""
		if err := cfg.Normalize(nil); err != nil {
			t.Fatal(err)
		}
		s, _ := ByID(IDDMARC)
		var asked []string
		for _, q := range s.Questions(cfg, verify.Answers{}) {
			if strings.HasPrefix(q.Name, "_dmarc.") && !inZone(q.Name, cfg.Domain) && !strings.Contains(q.Name, "_report") {
				asked = append(asked, q.Name)
			}
		}
		switch {
		case want == "" && len(asked) > 0:
			t.Errorf("%s: the first round asks %v, want no other _dmarc name", domain, asked)
		case want != "" && !slices.Contains(asked, want):
			t.Errorf("%s: the first round asks %v, want %s", domain, asked, want)
		}
	}
}

// TestParseDMARC holds the grammar of RFC 7489 §6.4 and the cases of public
// checkers' test suites (checkdmarc's tests/test_dmarc.py) that RFC 7489
// decides: what parses, what does not and why, and what receivers then do
// with the record.
func TestParseDMARC(t *testing.T) {
	tests := map[string]struct {
		txt       string
		policy    string
		sp        string
		rua       []string
		elsewhere []string
		problem   string
		effect    dmarcEffect
	}{
		"minimal":                  {txt: "v=DMARC1; p=none", policy: "none"},
		"spaces and case in tags":  {txt: "v = DMARC1 ;P=Reject; RUA=mailto:a@example.com,mailto:b@example.net!10m ", policy: "reject", rua: []string{"a@example.com", "b@example.net"}},
		"no spaces, final ;":       {txt: "v=DMARC1;p=ReJect;", policy: "reject"},
		"tabs around = and ;":      {txt: "v = DMARC1\t;\tp\t\t=\t\treject\t;", policy: "reject"},
		"upper-case tag name V":    {txt: "V=DMARC1;p=reject;", policy: "reject"},
		"every tag":                {txt: "v=DMARC1; p=none; sp=none; fo=1; pct=50; adkim=r; aspf=r; rf=afrf; ri=86400; rua=mailto:a@example.gov; ruf=mailto:b@example.gov", policy: "none", sp: "none", rua: []string{"a@example.gov"}},
		"subdomain policy":         {txt: "v=DMARC1; p=reject; sp=Quarantine", policy: "reject", sp: "quarantine"},
		"p after other tags":       {txt: "v=DMARC1; sp=none; p=reject", policy: "reject", sp: "none"},
		"unknown tags are ignored": {txt: "v=DMARC1; p=reject; foobar=baz; np=quarantine", policy: "reject"},
		"rf=iodef":                 {txt: "v=DMARC1; p=none; rf=iodef", policy: "none"},
		"rf list with spaces":      {txt: "v=DMARC1; p=none; rf=afrf : iodef", policy: "none"},
		"fo list with spaces":      {txt: "v=DMARC1; p=none; fo=0 : 1:D: s", policy: "none"},
		"ri=0":                     {txt: "v=DMARC1; p=none; ri=0", policy: "none"},
		"ri at 32 bits":            {txt: "v=DMARC1; p=none; ri=4294967295", policy: "none"},
		"pct with 3 digits":        {txt: "v=DMARC1; p=none; pct=050", policy: "none"},
		"pct=0":                    {txt: "v=DMARC1; p=quarantine; pct=0", policy: "quarantine"},
		"size units":               {txt: "v=DMARC1; p=none; rua=mailto:a@example.com!10, mailto:b@example.com!5K,mailto:c@example.com!1t", policy: "none", rua: []string{"a@example.com", "b@example.com", "c@example.com"}},
		"percent-encoded comma":    {txt: "v=DMARC1; p=none; rua=mailto:a%2Cb@example.com", policy: "none", rua: []string{"a%2Cb@example.com"}},
		"mailto with a header":     {txt: "v=DMARC1; p=none; rua=mailto:a@example.com?subject=dmarc", policy: "none", rua: []string{"a@example.com"}},
		"https report URI":         {txt: "v=DMARC1; p=none; rua=https://dmarc.example.com/submit", policy: "none", elsewhere: []string{"https://dmarc.example.com/submit"}},
		"mixed report URIs":        {txt: "v=DMARC1; p=none; rua=mailto:a@example.com, https://dmarc.example.com/r!10m; ruf=ftp://example.com/f", policy: "none", rua: []string{"a@example.com"}, elsewhere: []string{"https://dmarc.example.com/r", "ftp://example.com/f"}},

		"no policy, no rua":             {txt: "v=DMARC1;", problem: "no p= tag", effect: dmarcIgnored},
		"version alone":                 {txt: "v=DMARC1", problem: "no p= tag", effect: dmarcIgnored},
		"no policy but a valid rua":     {txt: "v=DMARC1; rua=mailto:a@example.com", policy: "none", rua: []string{"a@example.com"}, problem: "no p= tag", effect: dmarcAsNone},
		"bad policy, valid rua":         {txt: "v=DMARC1; p=foo; rua=mailto:dmarc@example.com", policy: "none", rua: []string{"dmarc@example.com"}, problem: "p=foo is not a policy", effect: dmarcAsNone},
		"bad sp, valid rua":             {txt: "v=DMARC1; p=reject; sp=invalid; rua=mailto:a@example.com", policy: "none", rua: []string{"a@example.com"}, problem: "sp=invalid is not a policy", effect: dmarcAsNone},
		"bad sp, no rua":                {txt: "v=DMARC1; p=reject; sp=invalid", problem: "sp=invalid is not a policy", effect: dmarcIgnored},
		"no policy, rua not valid":      {txt: "v=DMARC1; rua=dmarc@example.com", problem: "no p= tag", effect: dmarcIgnored},
		"leading space":                 {txt: " v=DMARC1; p=reject", problem: "starts with a space", effect: dmarcIgnored},
		"leading tab":                   {txt: "\tv=DMARC1; p=reject", problem: "starts with a space", effect: dmarcIgnored},
		"missing ; after version":       {txt: "v=DMARC1 p=none", problem: `a ";" is missing after v=DMARC1`, effect: dmarcIgnored},
		"missing ; between tags":        {txt: "v=DMARC1; p=none rua=mailto:a@example.com", problem: `a ";" is missing before rua=`, effect: dmarcIgnored},
		"missing ; after pct":           {txt: "v=DMARC1; p=reject; pct=50 rua=mailto:a@example.com", policy: "reject", problem: `a ";" is missing before rua=`, effect: dmarcTagSkipped},
		"version in lower case":         {txt: "v=dmarc1; p=reject", problem: "upper case", effect: dmarcIgnored},
		"another version":               {txt: "v=DMARC10; p=reject", problem: "must be exactly v=DMARC1", effect: dmarcIgnored},
		"version not first":             {txt: "p=none; v=DMARC1", problem: "must start with v=DMARC1", effect: dmarcIgnored},
		"repeated tag":                  {txt: "v=DMARC1; p=reject; p=none", problem: "appears twice", effect: dmarcIgnored},
		"tag without value sign":        {txt: "v=DMARC1; p=none; quarantine", problem: `"quarantine" has no "="`, effect: dmarcIgnored},
		"tag name not a name":           {txt: "v=DMARC1; p=none; 1x=y", problem: `"1x" is not a tag name`, effect: dmarcIgnored},
		"p without a value":             {txt: "v=DMARC1; p", problem: `"p" has no "="`, effect: dmarcIgnored},
		"pct out of range":              {txt: "v=DMARC1; p=none; pct=150", policy: "none", problem: "pct=150 is not a percentage", effect: dmarcTagSkipped},
		"pct with a plus":               {txt: "v=DMARC1; p=none; pct=+50", policy: "none", problem: "pct=+50 is not a percentage", effect: dmarcTagSkipped},
		"pct negative":                  {txt: "v=DMARC1; p=none; pct=-1", policy: "none", problem: "pct=-1 is not a percentage", effect: dmarcTagSkipped},
		"pct with four digits":          {txt: "v=DMARC1; p=none; pct=0100", policy: "none", problem: "pct=0100 is not a percentage", effect: dmarcTagSkipped},
		"pct not a number":              {txt: "v=DMARC1; p=none; pct=abc", policy: "none", problem: "pct=abc is not a percentage", effect: dmarcTagSkipped},
		"bad alignment":                 {txt: "v=DMARC1; p=reject; adkim=x; aspf=q", policy: "reject", problem: "adkim=x is not an alignment mode", effect: dmarcTagSkipped},
		"negative report interval":      {txt: "v=DMARC1; p=none; ri=-1", policy: "none", problem: "ri=-1 is not a number of seconds", effect: dmarcTagSkipped},
		"report interval over 32 bits":  {txt: "v=DMARC1; p=none; ri=4294967296", policy: "none", problem: "ri=4294967296 is not a number of seconds", effect: dmarcTagSkipped},
		"bad failure option":            {txt: "v=DMARC1; p=reject; fo=invalid_value", policy: "reject", problem: `"invalid_value" is not a failure-report option`, effect: dmarcTagSkipped},
		"empty report format":           {txt: "v=DMARC1; p=none; rf=afrf:", policy: "none", problem: `"" is not a report format name`, effect: dmarcTagSkipped},
		"report format not a word":      {txt: "v=DMARC1; p=none; rf=a/b", policy: "none", problem: `"a/b" is not a report format name`, effect: dmarcTagSkipped},
		"report address without mailto": {txt: "v=DMARC1; p=none; rua=reports@dmarc.example.gov,mailto:b@example.gov", policy: "none", problem: "is not a mailto: address; write mailto:reports@dmarc.example.gov", effect: dmarcTagSkipped},
		"report scheme not a scheme":    {txt: "v=DMARC1; p=none; rua=__mailto:reports@example.gov", policy: "none", problem: "is not a mailto: address", effect: dmarcTagSkipped},
		"empty address":                 {txt: "v=DMARC1; p=none; rua=mailto:", policy: "none", problem: "is not a mail address", effect: dmarcTagSkipped},
		"address without a domain":      {txt: "v=DMARC1; p=none; ruf=mailto:dmarc@", policy: "none", problem: "is not a mail address", effect: dmarcTagSkipped},
		"bad size unit":                 {txt: "v=DMARC1; p=none; rua=mailto:a@example.com!10x", policy: "none", problem: "size limit !10x", effect: dmarcTagSkipped},
		"size without a number":         {txt: "v=DMARC1; p=none; rua=mailto:a@example.com!m", policy: "none", problem: "size limit !m", effect: dmarcTagSkipped},
		"two size limits":               {txt: "v=DMARC1; p=none; rua=mailto:a@example.com!10!20", policy: "none", problem: "size limit !10!20", effect: dmarcTagSkipped},
		"size over 64 bits":             {txt: "v=DMARC1; p=none; rua=mailto:a@example.com!18446744073709551616", policy: "none", problem: "too large", effect: dmarcTagSkipped},
		"space inside a URI":            {txt: "v=DMARC1; p=none; ruf=foo:bad space", policy: "none", problem: `"foo:bad space" is not a valid URI`, effect: dmarcTagSkipped},
		"bad percent escape":            {txt: "v=DMARC1; p=none; ruf=https://dmarc.example.com/%zz", policy: "none", problem: "is not a valid URI", effect: dmarcTagSkipped},
		"empty list item":               {txt: "v=DMARC1; p=none; rua=mailto:a@example.com,", policy: "none", rua: []string{"a@example.com"}, problem: `"" is not a mailto: address`, effect: dmarcTagSkipped},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			rec, err := parseDMARC(tc.txt)
			if tc.problem != "" {
				var de *dmarcError
				if !errors.As(err, &de) || !strings.Contains(err.Error(), tc.problem) {
					t.Fatalf("error %v, want one saying %q", err, tc.problem)
				}
				if de.effect != tc.effect {
					t.Errorf("effect %d (%s), want %d", de.effect, de.consequence(), tc.effect)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if rec.Policy != tc.policy || rec.SubdomainPolicy != tc.sp {
				t.Errorf("p=%q sp=%q, want p=%q sp=%q", rec.Policy, rec.SubdomainPolicy, tc.policy, tc.sp)
			}
			if !slices.Equal(rec.rua, tc.rua) {
				t.Errorf("rua %v, want %v", rec.rua, tc.rua)
			}
			var elsewhere []string
			for _, u := range rec.elsewhere {
				elsewhere = append(elsewhere, u.uri)
			}
			if !slices.Equal(elsewhere, tc.elsewhere) {
				t.Errorf("other report URIs %v, want %v", elsewhere, tc.elsewhere)
			}
		})
	}
}
