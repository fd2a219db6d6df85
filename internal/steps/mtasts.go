package steps

import (
	"strings"

	"github.com/mailwizard/mailwizard/internal/mtasts"
)

// IDMTASTS is the id of the mta-sts step: a public contract (JSON output,
// --skip, scripts).
const IDMTASTS = "mta-sts"

// mtastsMaxAge is the max_age of the policy mailwizard proposes: a week.
// RFC 8461 §3.2 expects weeks or more; a week keeps a mistake short-lived
// while senders keep the policy across a few days of trouble.
const mtastsMaxAge = 7 * 24 * 3600

// mtastsName is where the MTA-STS TXT record lives (RFC 8461 §3.1).
func mtastsName(domain string) string { return "_mta-sts." + domain }

// policyHost is the web host that serves the policy (RFC 8461 §3.3).
func policyHost(domain string) string { return "mta-sts." + domain }

// policyURL is where senders fetch the policy.
func policyURL(domain string) string {
	return "https://" + strings.TrimSuffix(policyHost(domain), ".") + mtasts.Path
}

// proposedPolicy is the policy mailwizard proposes: the chosen mode, the
// mail host as the only MX host, a week's max_age.
func proposedPolicy(cfg Config) mtasts.Policy {
	p := mtasts.Policy{Mode: mtasts.Mode(cfg.MTASTSMode), MaxAge: mtastsMaxAge}
	if host := strings.TrimSuffix(cfg.Host, "."); host != "" {
		p.MX = []mtasts.Pattern{{Domain: host}}
	}
	return p
}
