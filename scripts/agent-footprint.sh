#!/bin/sh
# Measures `podpath agent` in a lab node namespace: RSS and CPU (agent + the tools it runs)
# per interval. Root. Usage: [AGENT_ARGS="--full-every 5m"] scripts/agent-footprint.sh [INTERVAL] [SECONDS]   (default 30s 300)
set -eu
INTERVAL=${1:-30s}
SECS=${2:-300}
P=ppCf$(od -An -N2 -tx2 /dev/urandom | tr -d ' ')
cd "$(dirname "$0")/.."
node dist/cli/main.js lab up healthy --prefix "$P" >/dev/null
trap 'kill "$PID" 2>/dev/null || true; node dist/cli/main.js lab down --prefix "$P" >/dev/null' EXIT
ip netns exec "$P-node1" node dist/cli/main.js agent --interval "$INTERVAL" ${AGENT_ARGS:-} --offline --no-pods --node node1 \
  --listen 127.0.0.1:9807 2>/dev/null &
PID=$!
sleep 5
ticks() { awk '{ s = substr($0, index($0, ") ") + 2); split(s, f, " "); print f[12] + f[13] + f[14] + f[15] }' "/proc/$PID/stat"; }
T0=$(ticks)
sleep "$SECS"
T1=$(ticks)
RSS=$(awk '/VmRSS/ { print int($2 / 1024) }' "/proc/$PID/status")
HWM=$(awk '/VmHWM/ { print int($2 / 1024) }' "/proc/$PID/status")
echo "interval $INTERVAL over ${SECS}s: RSS ${RSS} MB (peak ${HWM} MB), CPU $(echo "$T0 $T1 $SECS" | awk '{ printf "%.2f%% of a core (%.0f ms per second)", ($2 - $1) / $3, ($2 - $1) * 10 / $3 }')"
