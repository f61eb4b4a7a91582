#!/usr/bin/env bash
# A walk through `tokenctl check` against the local Buildkite emulator and
# its hygiene organization: a check with the example policy, its Markdown
# report rendered from the saved JSON report (what a CI job annotates a
# build with), then a revocation plan and
# its application, refusing a token used after the plan was made. Run it
# with `make demo-check`, which builds bin/ first. Nothing here talks to the
# real Buildkite API.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=.ci/emulator.sh
source .ci/emulator.sh
start_emulator hygiene demo-check bkua_hygiene000000000000000000000000000000000

org=hygiene
policy=internal/hygiene/testdata/hygiene-policy.yaml

# expect STATUS COMMAND...: runs COMMAND and fails the demo unless it exits
# with STATUS.
expect() {
  local want=$1 status=0
  shift
  run "$@" || status=$?
  if [[ $status -ne $want ]]; then
    echo "demo: expected exit status $want, got $status" >&2
    exit 1
  fi
}

say "1. Check the organization against the example policy, once: the JSON report and the plan. Exit 8: findings at error or revoke severity remain."
echo "\$ bin/tokenctl check --org $org --policy $policy -o json --plan-out plan.json > report.json"
status=0
bin/tokenctl check --org "$org" --policy "$policy" -o json --plan-out "$tmp/plan.json" >"$tmp/report.json" || status=$?
[[ $status -eq 8 ]] || { echo "demo: expected exit status 8, got $status" >&2; exit 1; }
expect 8 bin/tokenctl check --from-report "$tmp/report.json" --jq '.summary | {tokens, open, bySeverity, excepted, exceptionExpired, bots, failing}'

say "2. The Markdown a CI job annotates its build with, rendered from the saved report without listing again (first 30 lines)."
echo "\$ bin/tokenctl check --from-report report.json -o markdown > report.md"
status=0
bin/tokenctl check --from-report "$tmp/report.json" -o markdown >"$tmp/report.md" || status=$?
[[ $status -eq 8 ]] || { echo "demo: expected exit status 8, got $status" >&2; exit 1; }
head -n 30 "$tmp/report.md"
echo "… ($(wc -c <"$tmp/report.md") bytes; buildkite-agent annotate takes up to 1 MiB)"

say "3. The plan: the revocations the revoke-severity findings call for, each with the token's state as seen."
jq '.revocations[] | {organization: .organization.slug, token: .token.uuid, description: .token.description, lastAccessedAt: .token.lastAccessedAt, why: [.findings[].message]}' "$tmp/plan.json" 2>/dev/null \
  || sed -n '1,60p' "$tmp/plan.json"

say "4. A dry run of the plan: both tokens would be revoked. Nothing changes."
expect 0 bin/tokenctl revoke --plan "$tmp/plan.json" --dry-run

say "5. The old deploy script runs once more: its token is used after the plan was made."
run curl -fsS -o /dev/null -H "Authorization: Bearer bkua_hygieneidle0000000000000000000000000000" "$addr/v2/access-token"

say "6. Apply the plan: the used token is refused, never revoked on stale evidence; the other is revoked. Exit 6 (partial)."
expect 6 bin/tokenctl revoke --plan "$tmp/plan.json" --yes --audit-log "$tmp/audit.jsonl"
echo
echo "Exit status 8 from a check means findings at error or revoke severity remain;"
echo "a CI job fails on it and annotates the build with the Markdown report."
