#!/bin/sh
# Measures `podpath agent` in a lab node namespace: RSS and CPU (agent + the tools it runs)
# per interval. Root. Usage: [AGENT_ARGS="--full-every 5m"] [API=off|light|library] scripts/agent-footprint.sh [INTERVAL] [SECONDS]
# NODE_FLAGS="--lite-mode" passes V8 flags. (default 30s 300, API off). API=light: in-cluster service account path against the fake API server
# in the node namespace; API=library: the same server through --kubeconfig (@kubernetes/client-node).
set -eu
INTERVAL=${1:-30s}
SECS=${2:-300}
P=ppCf$(od -An -N2 -tx2 /dev/urandom | tr -d ' ')
cd "$(dirname "$0")/.."
node dist/cli/main.js lab up healthy --prefix "$P" >/dev/null
D=$(mktemp -d)
API=${API:-off}
FPID=
trap 'kill "$PID" 2>/dev/null || true; [ -z "$FPID" ] || kill "$FPID" 2>/dev/null || true; node dist/cli/main.js lab down --prefix "$P" >/dev/null; rm -rf "$D"' EXIT
case $API in
off) set -- --offline ;;
light | library)
  ip netns exec "$P-node1" node scripts/fake-api.mjs "$D" &
  FPID=$!
  while [ ! -s "$D/url" ]; do sleep 0.2; done
  if [ "$API" = light ]; then set --; else set -- --kubeconfig "$D/kubeconfig" --context fake; fi ;;
*) echo "API=$API: expected off, light or library" >&2; exit 2 ;;
esac
ip netns exec "$P-node1" env HOME="$D" KUBERNETES_SERVICE_HOST=127.0.0.1 PODPATH_API_SERVER="$(cat "$D/url" 2>/dev/null || true)" \
  PODPATH_SERVICE_ACCOUNT_DIR="$D" node ${NODE_FLAGS:-} dist/cli/main.js agent --interval "$INTERVAL" ${AGENT_ARGS:-} "$@" --no-pods \
  --node node1 --listen 127.0.0.1:9807 2>"$D/agent.log" &
PID=$!
sleep 5
ticks() { awk '{ s = substr($0, index($0, ") ") + 2); split(s, f, " "); print f[12] + f[13] + f[14] + f[15] }' "/proc/$PID/stat"; }
T0=$(ticks)
sleep "$SECS"
T1=$(ticks)
RSS=$(awk '/VmRSS/ { print int($2 / 1024) }' "/proc/$PID/status")
HWM=$(awk '/VmHWM/ { print int($2 / 1024) }' "/proc/$PID/status")
grep -o 'API [^,]*\|no API' "$D/agent.log" | head -1 | sed 's/^/agent: /'
echo "API $API ${AGENT_ARGS:-} ${NODE_FLAGS:-}: interval $INTERVAL over ${SECS}s: RSS ${RSS} MB (peak ${HWM} MB), CPU $(echo "$T0 $T1 $SECS" | awk '{ printf "%.2f%% of a core (%.0f ms per second)", ($2 - $1) / $3, ($2 - $1) * 10 / $3 }')"
