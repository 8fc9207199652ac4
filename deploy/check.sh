#!/bin/bash
# Checks the deploy and station OS files: shellcheck for scripts, systemd-analyze verify for units
# (in a scratch root holding stub executables, so it runs off a station too), docker-compose config
# for the compose file, nginx -t for the hub's nginx site, and JSON syntax of the example configs. Any
# warning fails the check.
# Prometheus alert rules get promtool check rules and their promtool unit tests, the Grafana dashboard a JSON check.
# Needs: shellcheck, systemd (systemd-analyze), docker-compose, haproxy, nginx, openssl, python3, prometheus
# (promtool). Run from anywhere.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
os="$repo/firmware-config/os"
failed=0

echo "== shellcheck"
shellcheck "$os/firstboot/yizhan-firstboot.sh" "$os/kiosk/yizhan-kiosk-launch.sh" "$os/bin/yizhan-agent" \
    "$here/check.sh" "$here/cluster/cluster.sh" || failed=1

echo "== systemd-analyze verify"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/usr/bin" "$root/usr/lib/yizhan" "$root/usr/lib/systemd" "$root/etc/systemd/system"
cp -a /usr/lib/systemd/system "$root/usr/lib/systemd/"
for exe in usr/bin/java usr/bin/cage usr/bin/yizhan-agent usr/lib/yizhan/yizhan-firstboot.sh \
    usr/lib/yizhan/yizhan-kiosk-launch.sh; do
    printf '#!/bin/sh\n' > "$root/$exe"
    chmod +x "$root/$exe"
done
units=("$here"/systemd/*.service "$here"/systemd/*.timer "$os"/systemd/*.service "$os"/kiosk/*.service)
cp "${units[@]}" "$root/etc/systemd/system/"
for unit in "${units[@]}"; do
    name="$(basename "$unit")"
    out="$(SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --root="$root" "$root/etc/systemd/system/$name" 2>&1)" \
        || failed=1
    if [ -n "$out" ]; then
        printf '%s\n' "$out"
        failed=1
    else
        echo "$name: ok"
    fi
done

echo "== install targets"
# Raspberry Pi OS Lite boots to multi-user.target and never reaches graphical.target: a station unit
# installed there would never start.
for unit in "$os"/systemd/*.service "$os"/kiosk/*.service; do
    if grep -q '^WantedBy=graphical.target' "$unit"; then
        echo "$(basename "$unit"): WantedBy=graphical.target, which Raspberry Pi OS Lite never reaches"
        failed=1
    else
        echo "$(basename "$unit"): ok"
    fi
done

echo "== docker-compose config"
out="$(cd "$here/compose" && docker-compose --profile single --profile scaled config -q 2>&1)" || failed=1
if [ -n "$out" ]; then
    printf '%s\n' "$out"
    failed=1
else
    echo "docker-compose.yml: ok"
fi
out="$(cd "$here/compose" && docker-compose -f hub-influxdb.yml config -q 2>&1)" || failed=1
if [ -n "$out" ]; then
    printf '%s\n' "$out"
    failed=1
else
    echo "hub-influxdb.yml: ok"
fi

echo "== haproxy -c"
# the compose file's balancer (its servers' names resolve only inside compose: warnings, not errors)
if /usr/sbin/haproxy -c -f "$here/compose/haproxy.cfg" > /dev/null 2>&1; then
    echo "haproxy.cfg: ok"
else
    /usr/sbin/haproxy -c -f "$here/compose/haproxy.cfg" || true
    failed=1
fi

echo "== nginx -t"
# the site file with a throwaway certificate in place of Let's Encrypt's, in an nginx.conf of its own
ngx="$root/nginx"
mkdir -p "$ngx"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=hub.example.org" \
    -keyout "$ngx/key.pem" -out "$ngx/cert.pem" 2> /dev/null
sed -e "s|/etc/letsencrypt/live/hub.example.org/fullchain.pem|$ngx/cert.pem|" \
    -e "s|/etc/letsencrypt/live/hub.example.org/privkey.pem|$ngx/key.pem|" "$here/nginx/yizhan-hub.conf" > "$ngx/site.conf"
printf 'pid %s/nginx.pid;\nerror_log stderr;\nevents {}\nhttp {\n    access_log off;\n    include %s/site.conf;\n}\n' \
    "$ngx" "$ngx" > "$ngx/nginx.conf"
if out="$(/usr/sbin/nginx -t -p "$ngx" -c "$ngx/nginx.conf" 2>&1)"; then
    echo "yizhan-hub.conf: ok"
else
    printf '%s\n' "$out"
    failed=1
fi

echo "== promtool (Prometheus alert rules)"
if promtool check rules "$here/prometheus/yizhan-hub-rules.yml" \
    && (cd "$here/prometheus" && promtool test rules yizhan-hub-rules.test.yml); then
    echo "yizhan-hub-rules.yml: ok"
else
    failed=1
fi

echo "== Grafana dashboard is JSON"
python3 -m json.tool "$here/grafana/yizhan-hub.json" > /dev/null && echo "yizhan-hub.json: ok" || failed=1

echo "== example configs are JSON"
for f in "$here"/config/*.json; do
    python3 -m json.tool "$f" > /dev/null && echo "$(basename "$f"): ok" || failed=1
done

exit "$failed"
