#!/bin/bash
# A local Yizhan cluster on loopback: Mosquitto (dynamic security, plaintext and TLS listeners), PostgreSQL,
# a QuestDB server, one or two hub replicas in broker mode and HAProxy in front of the replicas' HTTP.
#   cluster.sh start    starts everything (fresh data each time), writes target/cluster.json
#   cluster.sh stop     stops exactly what start started (its pid files); safe to repeat
#   cluster.sh status   lists the parts and whether each runs (exit 0 when all run)
# Needs Debian's mosquitto, mosquitto-clients (mosquitto_ctrl), postgresql (15), haproxy, openssl, curl,
# python3, Java 17, the built hub (hub-server/target/yizhan-hub.jar) and the QuestDB jar in ~/.m2.
# YIZHAN_CLUSTER_DIR moves target/ elsewhere; YIZHAN_HUB_JAR and YIZHAN_QUESTDB_JAR name the jars.
# YIZHAN_CLUSTER_HUBS: how many hub replicas start starts (1 or 2, default 2); YIZHAN_HUB_JAVA_OPTS: the hubs'
# JVM options, space-separated (default -Xmx384m; set but empty: the JVM's defaults), so that a benchmark can
# give the replicas the same JVM as the one-process hub it compares them with.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$(dirname "$here")")"
target="${YIZHAN_CLUSTER_DIR:-$here/target}"
pids="$target/pids"
logs="$target/logs"
hub_jar="${YIZHAN_HUB_JAR:-$repo/hub-server/target/yizhan-hub.jar}"
questdb_jar="${YIZHAN_QUESTDB_JAR:-$HOME/.m2/repository/org/questdb/questdb/9.3.4/questdb-9.3.4.jar}"
pg_bin="${YIZHAN_PG_BIN:-/usr/lib/postgresql/15/bin}"
hubs="${YIZHAN_CLUSTER_HUBS:-2}"
read -r -a hub_java_opts <<< "${YIZHAN_HUB_JAVA_OPTS--Xmx384m}"
mosquitto_plugin=/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so
# stop order: the reverse of the start order; stop goes through all of them, however many hubs start started
parts=(haproxy hub-2 hub-1 questdb postgres mosquitto)

die() {
    echo "cluster: $*" >&2
    exit 1
}

# fail PART MESSAGE: says which part failed and where its log is, stops what was started, exits 1
fail() {
    local part="$1" msg="$2"
    echo "cluster: $part failed: $msg" >&2
    if [ -f "$logs/$part.log" ]; then
        echo "cluster: its log is $logs/$part.log; the end of it:" >&2
        tail -n 20 "$logs/$part.log" >&2 || true
    fi
    stop_all >&2
    exit 1
}

# the pid a pid file names, when that process still runs the program it was started as
live_pid() {
    local file="$pids/$1.pid" pid comm
    [ -f "$file" ] || return 1
    read -r pid comm < "$file" || return 1
    [ -n "$pid" ] && [ -r "/proc/$pid/comm" ] || return 1
    # (setsid and env for the instant before they exec the program)
    case "$(cat "/proc/$pid/comm")" in
        "$comm" | setsid | env) ;;
        *) return 1 ;;
    esac
    echo "$pid"
}

# record_pid PART PID PROGRAM: PROGRAM is the process's name once it runs (/proc/PID/comm), so that stop
# never signals a process that merely got the same pid later
record_pid() {
    local part="$1" pid="$2" comm="$3"
    [ -d "/proc/$pid" ] || fail "$part" "exited at once"
    echo "$pid $comm" > "$pids/$part.pid"
}

stop_part() {
    local part="$1" pid i signal=TERM
    # PostgreSQL's TERM waits for its clients to leave; INT is its fast shutdown
    [ "$part" = postgres ] && signal=INT
    if pid="$(live_pid "$part")"; then
        kill "-$signal" "$pid" 2>/dev/null || true
        for ((i = 0; i < 100; i++)); do
            [ -d "/proc/$pid" ] || break
            sleep 0.2
        done
        if [ -d "/proc/$pid" ]; then
            echo "$part ($pid) did not stop in 20 s: killed"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        echo "$part ($pid) stopped"
    fi
    rm -f "$pids/$part.pid"
}

stop_all() {
    local part
    [ -d "$pids" ] || return 0
    for part in "${parts[@]}"; do
        stop_part "$part"
    done
}

# the parts the last start meant to run: without hub-2 when it started one hub (it wrote that in target/hubs)
started_parts() {
    local part started=2
    [ -f "$target/hubs" ] && read -r started < "$target/hubs"
    for part in "${parts[@]}"; do
        [ "$part" = hub-2 ] && [ "$started" = 1 ] && continue
        echo "$part"
    done
}

status() {
    local part pid all=0
    for part in $(started_parts); do
        if pid="$(live_pid "$part")"; then
            echo "$part: running ($pid)"
        else
            echo "$part: not running"
            all=3
        fi
    done
    [ -f "$target/cluster.json" ] && echo "cluster.json: $target/cluster.json"
    return "$all"
}

# wait_until PART SECONDS PID COMMAND...: polls COMMAND until it succeeds; fails when PID exits or time is up.
# Each poll must end by itself (curl --max-time): one request left unanswered would otherwise hold the script.
wait_until() {
    local part="$1" seconds="$2" pid="$3" i
    shift 3
    for ((i = 0; i < seconds * 5; i++)); do
        "$@" > /dev/null 2>&1 && return 0
        [ -d "/proc/$pid" ] || fail "$part" "exited before it answered"
        sleep 0.2
    done
    fail "$part" "did not answer within $seconds s"
}

listening() {
    (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null
}

secret() {
    openssl rand -hex 16
}

# runs a program in its own session, output to the part's log, in the background; the pid is in $!
spawn() {
    local part="$1"
    shift
    setsid "$@" >> "$logs/$part.log" 2>&1 < /dev/null &
}

start() {
    local part
    case "$hubs" in
        1 | 2) ;;
        *) die "YIZHAN_CLUSTER_HUBS is '$hubs': the cluster runs 1 or 2 hub replicas" ;;
    esac
    for part in "${parts[@]}"; do
        if live_pid "$part" > /dev/null; then
            die "$part is already running: '$0 stop' first"
        fi
    done
    for exe in /usr/sbin/mosquitto /usr/bin/mosquitto_ctrl /usr/sbin/haproxy "$pg_bin/initdb" "$pg_bin/pg_ctl" \
        "$pg_bin/postgres" openssl curl python3 java; do
        command -v "$exe" > /dev/null || die "$exe is missing (Debian packages: mosquitto mosquitto-clients postgresql haproxy openssl curl)"
    done
    [ -f "$mosquitto_plugin" ] || die "$mosquitto_plugin is missing (Debian's mosquitto)"
    [ -f "$hub_jar" ] || die "$hub_jar is missing: build it with ./mvnw -B -q package -DskipTests -pl hub-server -am"
    [ -f "$questdb_jar" ] || die "$questdb_jar is missing: the hub build downloads it (or set YIZHAN_QUESTDB_JAR)"

    rm -rf "$target"
    mkdir -p "$pids" "$logs"
    chmod 755 "$target"
    echo "$hubs" > "$target/hubs"
    local ports
    read -r -a ports <<< "$(python3 -c '
import socket
socks = [socket.socket() for _ in range(8)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
')"
    local mqtt="${ports[0]}" mqtts="${ports[1]}" pg="${ports[2]}" qdb="${ports[3]}" lb="${ports[6]}" \
        lbstats="${ports[7]}" hub_http=("${ports[4]}" "${ports[5]}")
    local broker_pw admin_pw pg_pw pid
    broker_pw="$(secret)"
    admin_pw="$(secret)"
    pg_pw="$(secret)"

    echo "== certificates (openssl)"
    local tls="$target/tls"
    mkdir -p "$tls"
    {
        openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=Yizhan local cluster CA" \
            -keyout "$tls/ca.key" -out "$tls/ca.pem"
        openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$tls/server.key" -out "$tls/server.csr"
        printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > "$tls/server.ext"
        openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial -days 30 \
            -extfile "$tls/server.ext" -out "$tls/server.pem"
    } >> "$logs/openssl.log" 2>&1 || fail openssl "making the certificates"
    chmod 600 "$tls/ca.key" "$tls/server.key"

    echo "== mosquitto on 127.0.0.1:$mqtt (plaintext) and :$mqtts (TLS)"
    local mq="$target/mosquitto"
    mkdir -p "$mq"
    mosquitto_ctrl dynsec init "$mq/dynamic-security.json" yizhan-hub "$broker_pw" >> "$logs/mosquitto.log" 2>&1 \
        || fail mosquitto "mosquitto_ctrl dynsec init"
    cat > "$mq/mosquitto.conf" << EOF
user $(id -un)
per_listener_settings false
allow_anonymous false
persistence false
max_packet_size 270336
log_dest file $logs/mosquitto.log
plugin $mosquitto_plugin
plugin_opt_config_file $mq/dynamic-security.json
listener $mqtt 127.0.0.1
listener $mqtts 127.0.0.1
cafile $tls/ca.pem
certfile $tls/server.pem
keyfile $tls/server.key
EOF
    spawn mosquitto /usr/sbin/mosquitto -c "$mq/mosquitto.conf"
    pid=$!
    record_pid mosquitto "$pid" mosquitto
    wait_until mosquitto 15 "$pid" listening "$mqtts"
    wait_until mosquitto 15 "$pid" listening "$mqtt"

    echo "== postgresql on 127.0.0.1:$pg"
    local pgdata="$target/postgres" as_pg=()
    mkdir -p "$pgdata"
    chmod 700 "$pgdata"
    if [ "$(id -u)" = 0 ]; then
        # PostgreSQL refuses to run as root: its files and process belong to the postgres user
        id postgres > /dev/null 2>&1 || fail postgres "running as root needs the postgres user (Debian's postgresql)"
        chown postgres: "$pgdata"
        as_pg=(runuser -u postgres --)
        "${as_pg[@]}" test -w "$pgdata" || fail postgres "the postgres user cannot reach $pgdata (a parent folder is closed)"
        touch "$logs/postgres.log"
        chown postgres: "$logs/postgres.log"
    fi
    printf '%s\n' "$pg_pw" > "$pgdata.pw"
    [ "$(id -u)" = 0 ] && chown postgres: "$pgdata.pw"
    chmod 600 "$pgdata.pw"
    "${as_pg[@]}" "$pg_bin/initdb" -D "$pgdata" -U yizhan --pwfile="$pgdata.pw" --auth=scram-sha-256 \
        -E UTF8 --locale=C.UTF-8 >> "$logs/postgres.log" 2>&1 || { rm -f "$pgdata.pw"; fail postgres "initdb"; }
    rm -f "$pgdata.pw"
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pgdata" -l "$logs/postgres.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$pg -c unix_socket_directories=''" start \
        >> "$logs/pg_ctl.log" 2>&1 || fail postgres "pg_ctl start (see also $logs/pg_ctl.log)"
    pid="$(head -n 1 "$pgdata/postmaster.pid")"
    record_pid postgres "$pid" postgres
    PGPASSWORD="$pg_pw" "$pg_bin/createdb" -h 127.0.0.1 -p "$pg" -U yizhan yizhan >> "$logs/postgres.log" 2>&1 \
        || fail postgres "createdb yizhan"

    echo "== questdb on 127.0.0.1:$qdb"
    mkdir -p "$target/questdb"
    spawn questdb env QDB_HTTP_NET_BIND_TO="127.0.0.1:$qdb" QDB_HTTP_MIN_ENABLED=false QDB_PG_ENABLED=false \
        QDB_LINE_TCP_ENABLED=false QDB_LINE_UDP_ENABLED=false QDB_TELEMETRY_ENABLED=false \
        QDB_METRICS_ENABLED=false QDB_TELEMETRY_DISABLE_COMPLETELY=true QDB_SHARED_WORKER_COUNT=1 \
        QDB_HTTP_WORKER_COUNT=1 java -Xmx384m -p "$questdb_jar" -m io.questdb/io.questdb.ServerMain \
        -d "$target/questdb"
    pid=$!
    record_pid questdb "$pid" java
    wait_until questdb 90 "$pid" curl -fsS --max-time 5 "http://127.0.0.1:$qdb/exec?query=SELECT%201"

    local n http servers="" hubs_json=""
    for ((n = 1; n <= hubs; n++)); do
        http="${hub_http[n - 1]}"
        echo "== hub-$n on 127.0.0.1:$http"
        # the hubs verify the broker with its CA and hand the same CA to the stations they provision
        mkdir -p "$target/hub-$n"
        spawn "hub-$n" env YIZHAN_DATA_DIR="$target/hub-$n" YIZHAN_HTTP_HOST=127.0.0.1 YIZHAN_HTTP_PORT="$http" \
            YIZHAN_ADMIN_PASSWORD="$admin_pw" YIZHAN_TRUSTED_PROXIES=127.0.0.1 \
            YIZHAN_PUBLIC_MQTT_HOST=127.0.0.1 YIZHAN_PUBLIC_HTTP_URL="http://127.0.0.1:$lb" \
            YIZHAN_MQTT_MODE=broker YIZHAN_MQTT_BROKER_URL="mqtts://127.0.0.1:$mqtts" \
            YIZHAN_MQTT_BROKER_CA="$tls/ca.pem" \
            YIZHAN_MQTT_BROKER_USERNAME=yizhan-hub YIZHAN_MQTT_BROKER_PASSWORD="$broker_pw" \
            YIZHAN_MQTT_BROKER_DYNSEC=true \
            YIZHAN_DB_URL="jdbc:postgresql://127.0.0.1:$pg/yizhan" YIZHAN_DB_USER=yizhan YIZHAN_DB_PASSWORD="$pg_pw" \
            YIZHAN_TS_ENGINE=questdb YIZHAN_TS_URL="http://127.0.0.1:$qdb" \
            java "${hub_java_opts[@]}" -jar "$hub_jar" run
        pid=$!
        record_pid "hub-$n" "$pid" java
        wait_until "hub-$n" 120 "$pid" curl -fsS --max-time 5 "http://127.0.0.1:$http/health"
        servers+="    server hub-$n 127.0.0.1:$http check inter 2s fall 2 rise 1"$'\n'
        hubs_json+="${hubs_json:+,}{\"http\":$http,\"pid\":$pid}"
    done

    echo "== haproxy on 127.0.0.1:$lb"
    cat > "$target/haproxy.cfg" << EOF
global
    log stdout format raw local0 info
defaults
    mode http
    log global
    option httplog
    option forwardfor
    # a request to a replica that just died goes to the other one (a page's live stream reconnecting included)
    option redispatch
    retries 3
    timeout connect 5s
    timeout client 60s
    timeout server 60s
frontend yizhan
    bind 127.0.0.1:$lb
    default_backend hubs
frontend stats
    bind 127.0.0.1:$lbstats
    stats enable
    stats uri /
backend hubs
    balance roundrobin
    option httpchk GET /health
    http-check expect status 200
${servers%$'\n'}
EOF
    /usr/sbin/haproxy -c -f "$target/haproxy.cfg" >> "$logs/haproxy.log" 2>&1 || fail haproxy "its configuration"
    spawn haproxy /usr/sbin/haproxy -db -f "$target/haproxy.cfg"
    pid=$!
    record_pid haproxy "$pid" haproxy
    wait_until haproxy 30 "$pid" curl -fsS --max-time 5 "http://127.0.0.1:$lb/health"

    local json="$target/cluster.json"
    {
        printf '{"broker":{"host":"127.0.0.1","mqtt":%s,"mqtts":%s,"ca":"%s"},' "$mqtt" "$mqtts" "$tls/ca.pem"
        printf '"hubs":[%s],' "$hubs_json"
        printf '"http":%s,"adminPassword":"%s",' "$lb" "$admin_pw"
        printf '"postgres":{"port":%s,"database":"yizhan","user":"yizhan","password":"%s"},' "$pg" "$pg_pw"
        printf '"questdb":{"http":%s},"haproxyStats":%s,' "$qdb" "$lbstats"
        printf '"brokerAdmin":{"username":"yizhan-hub","password":"%s"}}\n' "$broker_pw"
    } > "$json"
    chmod 600 "$json"
    echo "cluster is up: http://127.0.0.1:$lb (admin; password in $json), broker mqtts://127.0.0.1:$mqtts"
}

case "${1:-}" in
    start) start ;;
    stop) stop_all ;;
    status) status ;;
    *) die "usage: $0 start|stop|status" ;;
esac
