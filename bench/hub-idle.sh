#!/bin/bash
# The hub's CPU with nothing connected (issue 12: "hub CPU with nothing connected"): starts the hub jar on its
# embedded stores in a scratch directory, lets it rest, then reads its CPU over a window, in all and per thread.
#
#   bench/hub-idle.sh [JAR] [REST_S] [WINDOW_S]     JAVA_OPTS from the environment (default: the systemd unit's)
set -euo pipefail
jar=${1:-hub-server/target/yizhan-hub.jar}
rest=${2:-120}
window=${3:-120}
opts=${JAVA_OPTS:--Xms64m -Xmx512m -XX:+UseSerialGC -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -XX:TrimNativeHeapInterval=30000}
jar=$(readlink -f "$jar")
dir=$(mktemp -d /tmp/yizhan-hub-idle.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
YIZHAN_DATA_DIR="$dir/data" YIZHAN_HTTP_PORT=$(free_port) YIZHAN_MQTT_PORT=$(free_port) \
    YIZHAN_QUESTDB_HTTP_PORT=$(free_port) YIZHAN_ADMIN_PASSWORD=idle-bench-password-1 \
    java $opts -jar "$jar" run > "$dir/hub.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
echo "hub pid $pid, resting ${rest} s (log $dir/hub.log)"
sleep "$rest"
kill -0 "$pid" || { echo "the hub stopped:"; tail -20 "$dir/hub.log"; exit 1; }
snapshot() {
    local t
    for t in /proc/"$pid"/task/*; do
        echo "$(basename "$t") $(awk '{print $14+$15}' "$t/stat") $(tr ' ' '_' < "$t/comm")"
    done | sort
}
tck=$(getconf CLK_TCK)
snapshot > "$dir/before"
before=$(awk '{print $14+$15}' /proc/"$pid"/stat)
sleep "$window"
snapshot > "$dir/after"
after=$(awk '{print $14+$15}' /proc/"$pid"/stat)
awk -v t=$((after - before)) -v hz="$tck" -v w="$window" \
    'BEGIN { printf "idle hub: %.2f %% of a core over %d s (%d ticks)\n", 100 * t / hz / w, w, t }'
grep VmRSS /proc/"$pid"/status
echo "threads that used CPU (ticks of 1/${tck} s):"
join "$dir/before" "$dir/after" | awk '{ d = $4 - $2; if (d > 0) print d, $3 }' | sort -rn | head -15
