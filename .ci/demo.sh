#!/usr/bin/env bash
# A walk through tokenctl against the local Buildkite emulator and its demo
# organization: a dry run, a real revocation, then the same token again to
# show what "nothing to revoke" looks like. Run it with `make demo`, which
# builds bin/ first. Nothing here talks to the real Buildkite API.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

org=acme
token=11111111-1111-4111-8111-111111111111

# shellcheck source=.ci/emulator.sh
source .ci/emulator.sh
start_emulator demo demo

say "1. Dry run: resolve the token and show what would be revoked. Nothing changes."
run bin/tokenctl revoke --org "$org" --token "$token" --dry-run

say "2. Revoke it. --yes confirms, since there is no terminal to ask on."
run bin/tokenctl revoke --org "$org" --token "$token" --yes

say "3. The same token again, as JSON: $org's access is already gone."
status=0
run bin/tokenctl revoke --org "$org" --token "$token" --yes -o json || status=$?
echo
if [[ $status -ne 4 ]]; then
  echo "demo: expected exit status 4 (not found), got $status" >&2
  exit 1
fi
echo "Exit status 4 means \"not found\": the token no longer has access to $org,"
echo "so there was nothing to revoke. Scripts can tell this apart from success (0)"
echo "and from other failures by the exit status alone."
