// Package profile stores a mail server's answers between runs of
// mailwizard: TOML files in $XDG_CONFIG_HOME/mailwizard (or
// ~/.config/mailwizard), each holding the steps.Config of one domain,
// <domain>.toml, or of several domains of one mail host: the first domain
// and what the domains share (the mail host, its addresses, blocklists,
// probing) at the top, each further domain's own answers in a [[domains]]
// table. A Finder finds the profile of a domain either way.
//
// A profile never holds a secret: the DKIM key is a path. Files are written
// atomically (a temp file in the same folder, fsync, rename, fsync of the
// folder) with mode 0600, and a file that does not load is never
// overwritten. Load errors name the file, the line and the key.
//
// profile reads and writes only the files it is given, and the folder a
// Finder is given; it reads the environment only through the getenv
// function passed to Dir.
package profile
