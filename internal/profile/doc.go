// Package profile stores a mail server's answers between runs of
// mailwizard: one TOML file per domain, $XDG_CONFIG_HOME/mailwizard/
// <domain>.toml (or ~/.config/mailwizard/<domain>.toml), holding a
// steps.Config.
//
// A profile never holds a secret: the DKIM key is a path. Files are written
// atomically (a temp file in the same folder, fsync, rename, fsync of the
// folder) with mode 0600, and a file that does not load is never
// overwritten. Load errors name the file, the line and the key.
//
// profile reads and writes only the files it is given; it reads the
// environment only through the getenv function passed to Dir.
package profile
