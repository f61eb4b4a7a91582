#!/usr/bin/env bash
# The leaked-token drill, end to end against the local Buildkite emulator:
# a secret scanner's findings in, every live Buildkite token among them
# revoked with an audit log, then Buildkite's own audit log confirming each
# revocation. Run it with `make drill`, which builds bin/ first; CI runs it.
# It fails unless every step ends as docs/guides/leaked-token.md says. Nothing here talks to
# the real Buildkite API, and every value in the findings is a fake
# credential of the emulator's demo seed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

org=acme
findings=internal/scan/testdata/trufflehog.jsonl

# shellcheck source=.ci/emulator.sh
source .ci/emulator.sh
start_emulator demo drill

fail() { echo "drill: $*" >&2; exit 1; }

say "1. What did the scanner find? A dry run: tokenctl looks each secret up, sends no revocation."
run bin/tokenctl revoke --org "$org" --from-scan "$findings" --dry-run

say "2. Revoke every live Buildkite token it found from $org, keeping an audit log."
run bin/tokenctl revoke --org "$org" --from-scan "$findings" --yes --audit-log "$tmp/audit.jsonl" -o json >"$tmp/revoke.json"
cat "$tmp/revoke.json"
revoked=$(sed -n 's/.*"revoked": \([0-9]*\).*/\1/p' "$tmp/revoke.json" | tail -1)
[[ $revoked == 2 ]] || fail "expected 2 secrets revoked, got ${revoked:-none}"
if grep -q 'bkua_' "$tmp/revoke.json" "$tmp/audit.jsonl"; then
  fail "a secret value reached the report or the audit log"
fi

say "3. Sizing the damage: what did the leaked CI deploy bot token change in the last 30 days?"
run bin/tokenctl tokens activity --org "$org" --token 11111111-1111-4111-8111-111111111111 --since 30d

say "4. Does Buildkite's audit log hold every revocation tokenctl made?"
status=0
run bin/tokenctl history --org "$org" --reconcile "$tmp/audit.jsonl" || status=$?
[[ $status -eq 0 ]] || fail "history --reconcile exited $status: a revocation is missing from Buildkite's record"
summary=$(bin/tokenctl history --org "$org" --reconcile "$tmp/audit.jsonl" --jq '.summary | "\(.confirmed) \(.missing)"')
[[ $summary == "2 0" ]] || fail "expected 2 confirmed and 0 missing, got: $summary"

echo
echo "Drill complete: 2 leaked tokens revoked, 1 already dead, both revocations"
echo "confirmed by Buildkite's audit log."
