# Sourced by the walk-throughs (demo.sh, drill.sh, demo-check.sh):
# start_emulator SEED NAME [TOKEN] starts bin/buildkite-emulator with a
# built-in fixture on a free loopback port, points tokenctl at it with one
# of the fixture's fake credentials (TOKEN, by default the demo fixture's)
# and a config directory of its own, and stops it on exit. NAME is the make
# target, for messages. Sets $tmp and $addr.

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

start_emulator() {
  local seed=$1 name=$2 token=${3:-bkua_demo0000000000000000000000000000000000}
  for b in bin/tokenctl bin/buildkite-emulator; do
    [[ -x $b ]] || { echo "$name: $b is missing; run \`make $name\` to build it first" >&2; exit 1; }
  done
  # Port 0 lets the emulator pick a free port; it writes the address it got.
  bin/buildkite-emulator --addr 127.0.0.1:0 --addr-file "$tmp/addr" --seed "$seed" \
    >"$tmp/emulator.log" 2>&1 &
  emulator=$!
  for _ in $(seq 100); do
    [[ -s $tmp/addr ]] && break
    if ! kill -0 "$emulator" 2>/dev/null; then
      echo "$name: the emulator exited before it was ready:" >&2
      cat "$tmp/emulator.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  [[ -s $tmp/addr ]] || { echo "$name: the emulator did not report its address within 10s" >&2; exit 1; }
  addr=$(tr -d '[:space:]' <"$tmp/addr")
  [[ $addr == http://* || $addr == https://* ]] || addr="http://$addr"

  # Only the emulator's fake credential and endpoints, and a config directory
  # of our own, so nothing from the caller's environment or config leaks in.
  unset BUILDKITE_ORGANIZATION_SLUG TOKENCTL_AUDIT_LOG
  export BUILDKITE_API_TOKEN=$token
  export BUILDKITE_GRAPHQL_ENDPOINT="$addr/v1"
  export BUILDKITE_REST_API_ENDPOINT="$addr"
  export XDG_CONFIG_HOME="$tmp/config"
  mkdir -p "$XDG_CONFIG_HOME"
  echo "Buildkite emulator listening on $addr"
}

say() { printf '\n# %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@" </dev/null; }
