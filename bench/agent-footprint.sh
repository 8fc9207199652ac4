#!/bin/bash
# The station agent's footprint on simulated hardware, face off, started by its own launcher
# (firmware-config/os/bin/yizhan-agent, so with the JVM flags it ships): time from start to online at a hub,
# and resident memory and threads after a minute online. Each run restarts the agent on the same state.
#
#   bench/agent-footprint.sh [RUNS]          (default 3; build first: ./mvnw -B -q package -DskipTests)
#
# JAVA_OPTS, when set, replaces the launcher's flags (to compare other settings). Needs curl and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
work=$(mktemp -d /tmp/yizhan-agent-footprint.XXXXXX)
hub_pid=""
agent_pid=""
cleanup() {
    [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null
    [ -n "$hub_pid" ] && kill "$hub_pid" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

json() { python3 -c "import sys, json; d = json.load(sys.stdin); print($1)"; }

echo "{\"data-dir\":\"$work/hub\",\"http-port\":0,\"mqtt-port\":0}" > "$work/hub.json"
java -Xms256m -Xmx1g -jar hub-server/target/yizhan-hub.jar run --config "$work/hub.json" > "$work/hub.log" 2>&1 &
hub_pid=$!
for _ in $(seq 1 240); do
    [ -s "$work/hub/ports.json" ] && [ -s "$work/hub/admin-password" ] && break
    kill -0 "$hub_pid" || { cat "$work/hub.log"; exit 1; }
    sleep 0.25
done
http=$(json 'd["http"]' < "$work/hub/ports.json")
api="http://127.0.0.1:$http/api/v1"
token=$(curl -sf -X POST "$api/auth/login" -H 'content-type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$(cat "$work/hub/admin-password")\"}" | json 'd["token"]')
created=$(curl -sf -X POST "$api/stations" -H "authorization: Bearer $token" -H 'content-type: application/json' \
    -d '{"name":"Footprint","address":"Bench road 1","lat":31.23,"lon":121.47,"profile":"simulated","ports":4,"capacity":10}')
station=$(json 'd["station"]["id"]' <<< "$created")
code=$(json 'd["claimCode"]' <<< "$created")
export YIZHAN_AGENT_JAR="$PWD/station-agent/target/yizhan-agent.jar"
launcher=firmware-config/os/bin/yizhan-agent
"$launcher" provision --hub "http://127.0.0.1:$http" --code "$code" --dir "$work/agent" > "$work/provision.log" 2>&1

presence() { curl -sf -H "authorization: Bearer $token" "$api/stations/$station" | json 'd["presence"]["state"]'; }

echo "agent flags: ${JAVA_OPTS:-as the launcher ships them}"
for run in $(seq 1 "$runs"); do
    t0=$(date +%s%N)
    YIZHAN_AGENT_HTTP_PORT=0 "$launcher" run --dir "$work/agent" --simulate > "$work/agent-$run.log" 2>&1 &
    agent_pid=$!
    until [ "$(presence)" = online ]; do
        kill -0 "$agent_pid" || { cat "$work/agent-$run.log"; exit 1; }
        sleep 0.05
    done
    t1=$(date +%s%N)
    sleep 60
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$agent_pid/status")
    hwm=$(awk '/VmHWM/ {print $2}' "/proc/$agent_pid/status")
    threads=$(awk '/^Threads:/ {print $2}' "/proc/$agent_pid/status")
    printf 'run %d: start -> online %d ms; after 60 s online: VmRSS %.1f MiB, VmHWM %.1f MiB, %d threads\n' \
        "$run" $(((t1 - t0) / 1000000)) "$(echo "$rss / 1024" | bc -l)" "$(echo "$hwm / 1024" | bc -l)" "$threads"
    kill "$agent_pid"
    wait "$agent_pid" 2>/dev/null || true
    agent_pid=""
    until [ "$(presence)" = offline ]; do sleep 0.2; done
done
