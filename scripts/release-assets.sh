#!/usr/bin/env bash
# Writes what release archives and Linux packages carry besides the binary,
# generated from tokenctl's own command tree so that they never drift from
# --help (the man pages by cmd/tokenctl-man, which links the
# same command tree; the completions by tokenctl itself):
#
#   release-assets/manpages/tokenctl*.1.gz   one gzipped man page per command
#   release-assets/completions/tokenctl.bash
#   release-assets/completions/_tokenctl     (zsh)
#   release-assets/completions/tokenctl.fish
#
# goreleaser runs it as a before hook (see .goreleaser.yaml):
#   scripts/release-assets.sh VERSION
# VERSION goes into the man page headers. The pages are dated by
# SOURCE_DATE_EPOCH, which defaults to the time of the commit being built, not
# to the build's, so they are reproducible. (goreleaser's own commit time is
# empty in a snapshot of a clone without a remote, hence git here.) The binary is
# built with the release builds' settings (CGO_ENABLED=0, -trimpath) so that
# the release build for this machine's platform reuses its compiled packages.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ $# -ne 1 ]]; then
  echo "usage: scripts/release-assets.sh VERSION" >&2
  exit 2
fi
version=$1
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}
export SOURCE_DATE_EPOCH
out=release-assets

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

CGO_ENABLED=0 go build -trimpath \
  -ldflags "-X github.com/tokenctl/tokenctl/internal/version.Version=$version" \
  -o "$work/" ./cmd/tokenctl ./cmd/tokenctl-man

rm -rf "$out"
mkdir -p "$out/manpages" "$out/completions"

"$work/tokenctl-man" -dir "$work/man"
for page in "$work"/man/*.1; do
  # -n: no file name or time stamp in the gzip header, for reproducibility.
  gzip -9 -n -c "$page" >"$out/manpages/$(basename "$page").gz"
done

"$work/tokenctl" completion bash >"$out/completions/tokenctl.bash"
"$work/tokenctl" completion zsh >"$out/completions/_tokenctl"
"$work/tokenctl" completion fish >"$out/completions/tokenctl.fish"
