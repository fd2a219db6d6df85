#!/bin/sh
# release-assets.sh generates what a release ships beside the binary: the
# shell completions (bash, zsh, fish) and the man page, from the command tree
# of ./cmd/mailwizard (its completion and man commands).
#
# GoReleaser runs it as a before hook (see .goreleaser.yaml); run it by hand
# from the repository root to look at the files. The output goes to
# .cache/release/, which is gitignored: these files are never committed.
set -eu

out=.cache/release
rm -rf "$out"
mkdir -p "$out/completions" "$out/manpages"

# One host build to run the generators; the release binaries are built by
# GoReleaser afterwards.
go build -o "$out/mailwizard" ./cmd/mailwizard

for shell in bash zsh fish; do
	"$out/mailwizard" completion "$shell" >"$out/completions/mailwizard.$shell"
done
# Through a file rather than a pipe, so a failing man command fails the hook.
# -n leaves the name and time out of the gzip header: the same page gives the
# same bytes on every run.
"$out/mailwizard" man >"$out/manpages/mailwizard.1"
gzip -9 -n "$out/manpages/mailwizard.1"

rm -f "$out/mailwizard"
