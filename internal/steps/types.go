package steps

import (
	"crypto"
	"crypto/x509"
	"net/netip"

	"github.com/mailwizard/mailwizard/internal/verify"
)

// Status is the verdict of a step.
type Status string

// Statuses of a step.
const (
	StatusPass    Status = "pass"    // correct on every authoritative server
	StatusWarn    Status = "warn"    // correct, with advice
	StatusPending Status = "pending" // not yet published, or only on some servers
	StatusFail    Status = "fail"    // published but wrong
	StatusError   Status = "error"   // could not be determined
	StatusSkipped Status = "skipped" // the user said it is not theirs
)

// Severity of a finding.
type Severity string

// Severities.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

// Finding is one diagnostic. Message is full sentences naming the record
// (with its trailing dot), what each server returned, what was expected and
// what to do; it never contains a private key.
type Finding struct {
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	// Hint is the fix in one line, when it is not already the message's
	// last sentence.
	Hint string `json:"hint,omitempty"`
}

// Where says who publishes a step's records.
type Where string

// Places where records are set.
const (
	AtDNSProvider     Where = "dns-provider"     // the zone's DNS host
	AtHostingProvider Where = "hosting-provider" // whoever owns the IP (PTR)
	Nowhere           Where = "nowhere"          // nothing to publish (blocklist)
)

// Record is one resource record to publish. TXT values are kept joined,
// without quotes, and split into ≤255-octet strings only when rendered.
type Record struct {
	Name  string `json:"name"`  // owner, absolute: "_dmarc.example.com."
	Type  string `json:"type"`  // "MX", "TXT", …
	TTL   uint32 `json:"ttl"`   // seconds
	Value string `json:"value"` // rdata in presentation form; TXT unquoted and joined
	// Optional records may be left out (null SRV for services not offered,
	// the autoconfig CNAME).
	Optional bool `json:"optional,omitempty"`
	// AnyValid marks a record whose value is one of many equally right
	// (the id of an MTA-STS policy made for a run that keeps nothing): a
	// valid record the step owns at its name and type stands for it, and
	// publishing keeps that one.
	AnyValid bool `json:"-"`
}

// File is a file to serve on a web server rather than a record to
// publish: the MTA-STS policy.
type File struct {
	// URL is where it must be served: "https://mta-sts.example.com/.well-known/mta-sts.txt".
	URL string `json:"url"`
	// ContentType is the media type to serve it with: "text/plain".
	ContentType string `json:"content_type"`
	// Body is the file's content.
	Body string `json:"body"`
}

// Result is a step's verdict on one round.
type Result struct {
	Step     string    `json:"id"`
	Status   Status    `json:"status"`
	Findings []Finding `json:"findings"`
	// Expected are the records the step wanted to see.
	Expected []Record `json:"expected"`
	// Files are the files the step wants served, with the records.
	Files []File `json:"files,omitempty"`
	// Observed are the answers the verdict rests on, main question first.
	Observed []verify.Answer `json:"-"`
	// Aliases are the expected records found published as a CNAME: the
	// step judged the records at the end of each chain, which whoever runs
	// the target manages.
	Aliases []Alias `json:"aliases,omitempty"`
	// FromResolver is set when the answers came from the recursive
	// resolver because the network did not let the nameservers be asked
	// directly (verify.Answer.FromResolver): the verdict may lag behind the
	// zone by the resolver's cache.
	FromResolver bool `json:"-"`
	// Servers say, per server asked, whether it serves what the step
	// expects: ok, bad with what is wrong there, or unknown with why.
	Servers []ServerVerdict `json:"servers"`
	// SecondOpinion is what the recursive resolvers say of the expected
	// records, one note each; it never decides the status.
	SecondOpinion []Opinion `json:"second_opinion"`
	// Probes are, for a step that connects to servers (server), one row
	// per address and port probed.
	Probes []ProbeRow `json:"probes,omitempty"`
	// Proposed are the records the findings propose in place of some of
	// Expected, made from what the servers hold: an SPF record merged
	// with a second one, or without ptr. Each replaces the expected
	// record of its name and type; what the wizard shows and copies.
	Proposed []Record `json:"proposed,omitempty"`
}

// ResolverModeText says once, plainly, that a check ran in resolver mode.
const ResolverModeText = "Resolver mode: this network does not let mailwizard ask nameservers directly: results come from your resolver and can lag behind by its caching; run it from another network for authoritative results."

// Step is one record (or group of records) of a mail server, as data plus
// pure functions.
type Step struct {
	ID    string
	Title string // "MX record"
	Where Where
	// Codes are the finding codes the step reports, besides CommonCodes.
	Codes []FindingCode
	// Owns says which records already in the zone the step owns at its
	// records' names, by type: what publishing it may replace.
	Owns []Ownership
	// Shared is set for the steps about the mail host rather than one of
	// its domains (host, ptr, blocklist, server): for several domains of
	// one mail host they are judged once (SameHost, JudgeDomain).
	Shared bool
	// Records returns what to publish for cfg.
	Records func(cfg Config) []Record
	// Files returns the files to serve for cfg (the MTA-STS policy); nil
	// for most steps.
	Files func(cfg Config) []File
	// Derived is set for a step whose records to publish come from what
	// a round finds (Result.Expected: the dane step's TLSA records of the
	// certificate the server presents), not from the Config alone.
	Derived bool
	// Questions is the step's planner: every question it needs given what
	// is known so far (dependent questions included).
	Questions func(cfg Config, known verify.Answers) []verify.Question
	// Judge turns one round's answers into a result.
	Judge func(cfg Config, known verify.Answers) Result
}

// Service names offered to mail clients (RFC 6186, RFC 8314).
const (
	ServiceSubmission  = "submission"  // _submission._tcp, 587
	ServiceSubmissions = "submissions" // _submissions._tcp, 465
	ServiceIMAP        = "imap"        // _imap._tcp, 143
	ServiceIMAPS       = "imaps"       // _imaps._tcp, 993
	ServicePOP3        = "pop3"        // _pop3._tcp, 110
	ServicePOP3S       = "pop3s"       // _pop3s._tcp, 995
)

// DMARC policies.
const (
	DMARCNone       = "none"
	DMARCQuarantine = "quarantine"
	DMARCReject     = "reject"
)

// Config is everything mailwizard needs to know about a mail server. It is
// filled by the wizard's form, by flags, or by a saved profile, and checked
// in one place: Normalize.
type Config struct {
	// Domain is the mail domain, absolute and in punycode ("example.com.").
	Domain string
	// Host is the mail host, absolute ("mail.example.com."); default
	// mail.<Domain>.
	Host string
	// IPs are the server's public addresses, v4 and/or v6.
	IPs []netip.Addr

	// DKIMSelector is the DKIM selector ("mail", "2026a").
	DKIMSelector string
	// DKIMKeyFile is the path of the private key the server signs with.
	DKIMKeyFile string
	// DKIMPublicKeyFile is the path of a public key, when the private key
	// is not at hand.
	DKIMPublicKeyFile string
	// DKIMPublicKey is derived by Normalize from one of the two files (or
	// set directly by tests and the demo); nil when neither is given.
	DKIMPublicKey crypto.PublicKey

	// DMARCPolicy is none, quarantine or reject; default none.
	DMARCPolicy string
	// DMARCRUA is the aggregate-report address; default
	// dmarc-reports@<domain>.
	DMARCRUA string

	// SPFIncludes are extra include: domains (a relay, a newsletter
	// service), absolute.
	SPFIncludes []string
	// SPFIPs are extra sending addresses or prefixes for ip4:/ip6:.
	SPFIPs []netip.Prefix

	// Services are the services offered to mail clients; default
	// submission, submissions, imaps.
	Services []string
	// NullUnoffered publishes services not offered as SRV with target "."
	// (RFC 6186 §3.4) instead of leaving them out.
	NullUnoffered bool

	// DNSBL are the blocklist zones to check; nil means the default list,
	// an empty non-nil slice disables the check.
	DNSBL []string

	// MTASTSMode is the mode of the MTA-STS policy to publish: testing
	// (the default) or enforce.
	MTASTSMode string
	// MTASTSID is the id of the MTA-STS policy: the UTC time the policy
	// was made ("20260301T120000Z"), set where the Config is made
	// (StampMTASTS) and saved in the profile, so that the TXT record stays
	// the same until the policy changes. A Config built by hand, which
	// nobody stamped, gets an id made from the policy itself.
	MTASTSID string
	// MTASTSIDFresh is set when StampMTASTS made the id for a run that
	// keeps nothing and knows no earlier policy: the record it proposes
	// is AnyValid, so that publishing twice changes nothing.
	MTASTSIDFresh bool
	// TLSRPTRUA is where TLS-RPT reports go: a mailto: or https: URI;
	// default mailto:tls-reports@<domain>.
	TLSRPTRUA string
	// DANE is the choice of DNSSEC and DANE: with it their steps are
	// wanted (missing is pending); without it they only give advice.
	DANE bool
	// TLSCertFile is the path of the mail server's certificate (PEM, one
	// certificate or a full chain with the server's own first), for the
	// TLSA records when port 25 cannot be reached from where mailwizard
	// runs.
	TLSCertFile string
	// TLSCert is the chain read from TLSCertFile by Normalize (or set
	// directly by tests and the demo), leaf first; nil without a file.
	TLSCert []*x509.Certificate

	// TTL of the records to publish; default 3600.
	TTL uint32

	// Provider is who hosts the DNS zone ("cloudflare", "route53", …,
	// "other"); it only changes how records are shown.
	Provider string

	// Skip lists step ids the user marked "not mine".
	Skip []string

	// PublishProvider is what `mailwizard publish` sends the records
	// through: "rfc2136", "cloudflare", …; "" when none was chosen.
	PublishProvider string
	// TSIGKeyFile is the path of the TSIG key file for rfc2136, and
	// CredentialsFile the path of an HTTP provider's credentials file.
	// Only the paths are kept, never what the files hold.
	TSIGKeyFile, CredentialsFile string
	// RFC2136Server is the server ("host:port") rfc2136 updates go to;
	// "" for the zone's primary (SOA MNAME).
	RFC2136Server string

	// NoProbe keeps the checks to DNS: no step connects to the server
	// (the server step is skipped).
	NoProbe bool

	// DomainOnly marks a Config that knows the domain, and perhaps some
	// answers, but not necessarily the mail server: a domain of a domains
	// file that has no profile. Normalize then requires no address and
	// fills in no mail host; the steps that lack what they need are
	// skipped (host, ptr, blocklist and server need the addresses,
	// autoconfig the mail host, dkim the selector), mx judges the MX
	// records without a host to compare their target with, and spf
	// judges the record without the server's addresses. It is never
	// saved in a profile.
	DomainOnly bool
}

// FieldError is a problem with one field of a Config.
type FieldError struct {
	// Field is named as the flag that sets it: "domain", "ip",
	// "dkim-selector", "dkim-key", "dmarc-rua", …
	Field string
	// Problem is a sentence fragment: `"mail..example.com" is not a domain
	// name: empty label`.
	Problem string
}

func (e FieldError) Error() string { return e.Field + ": " + e.Problem }
