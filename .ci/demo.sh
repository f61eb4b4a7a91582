#!/usr/bin/env bash
# A walk through tokenctl against the local Buildkite emulator and its demo
# organization: a dry run, a real revocation, then the same token again to
# show what "nothing to revoke" looks like. Run it with `make demo`, which
# builds bin/ first. Nothing here talks to the real Buildkite API.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

org=acme
token=11111111-1111-4111-8111-111111111111

for b in bin/tokenctl bin/buildkite-emulator; do
  [[ -x $b ]] || { echo "demo: $b is missing; run \`make demo\` to build it first" >&2; exit 1; }
done

tmp=$(mktemp -d)
emulator=
cleanup() {
  if [[ -n $emulator ]]; then
    kill "$emulator" 2>/dev/null || true
    wait "$emulator" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# Port 0 lets the emulator pick a free port; it writes the address it got.
bin/buildkite-emulator --addr 127.0.0.1:0 --addr-file "$tmp/addr" --seed demo \
  >"$tmp/emulator.log" 2>&1 &
emulator=$!

for _ in $(seq 100); do
  [[ -s $tmp/addr ]] && break
  if ! kill -0 "$emulator" 2>/dev/null; then
    echo "demo: the emulator exited before it was ready:" >&2
    cat "$tmp/emulator.log" >&2
    exit 1
  fi
  sleep 0.1
done
[[ -s $tmp/addr ]] || { echo "demo: the emulator did not report its address within 10s" >&2; exit 1; }
addr=$(tr -d '[:space:]' <"$tmp/addr")
[[ $addr == http://* || $addr == https://* ]] || addr="http://$addr"

# Only the emulator's fake credential and endpoints, and a config directory
# of our own, so nothing from the caller's environment or config leaks in.
unset BUILDKITE_ORGANIZATION_SLUG
export BUILDKITE_API_TOKEN=bkua_demo0000000000000000000000000000000000
export BUILDKITE_GRAPHQL_ENDPOINT="$addr/v1"
export BUILDKITE_REST_API_ENDPOINT="$addr"
export XDG_CONFIG_HOME="$tmp/config"
mkdir -p "$XDG_CONFIG_HOME"

say() { printf '\n# %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@" </dev/null; }

echo "Buildkite emulator listening on $addr"

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
