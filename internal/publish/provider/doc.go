// Package provider wires real DNS providers to publish.Provider: RFC 2136
// updates signed with a TSIG key (libdns/rfc2136) and the HTTP APIs of
// DNS hosting companies (libdns modules). It knows each provider's
// credentials (read only from environment variables or from a file the
// user names, never from a flag and never saved), how its API wants TXT
// values split, and which nameservers reveal it.
//
// Every call honours the context's deadline, also for modules that take
// no context, and no error leaves this package with a credential in it:
// errors are scrubbed of every secret the provider was given, in every
// encoding a URL or a log may carry, before anyone can print them.
package provider
