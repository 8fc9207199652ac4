#!/bin/bash
# Opens the station agent's kiosk page full screen. Run inside a Wayland kiosk compositor by
# yizhan-kiosk.service (cage), or from a desktop session by yizhan-kiosk.desktop.
#
# The agent writes the local HTTP port it bound to $YIZHAN_AGENT_DIR/ports.json ({"http":8088,...});
# this script waits for that file, reads the port and opens http://127.0.0.1:<port>/kiosk. If the
# file cannot be read in time it falls back to YIZHAN_KIOSK_PORT (default 8088, the config default).

set -u

AGENT_DIR="${YIZHAN_AGENT_DIR:-/var/lib/yizhan-agent}"
PORTS_FILE="$AGENT_DIR/ports.json"
FALLBACK_PORT="${YIZHAN_KIOSK_PORT:-8088}"
WAIT_S="${YIZHAN_KIOSK_WAIT_S:-120}"

log() {
    printf 'yizhan-kiosk: %s\n' "$*" >&2
}

# Prints the "http" port from ports.json, or nothing. A plain pattern match keeps the kiosk free of
# a JSON tool; the agent writes the file in one piece, so a half-written file is not a concern.
read_port() {
    local text
    text="$(cat "$PORTS_FILE" 2> /dev/null)" || return 0
    if [[ "$text" =~ \"http\"[[:space:]]*:[[:space:]]*([0-9]{1,5}) ]]; then
        local port="${BASH_REMATCH[1]}"
        if [ "$port" -ge 1 ] && [ "$port" -le 65535 ]; then
            printf '%s' "$port"
        fi
    fi
}

port=""
waited=0
while [ "$waited" -lt "$WAIT_S" ]; do
    port="$(read_port)"
    [ -n "$port" ] && break
    sleep 1
    waited=$(( waited + 1 ))
done
if [ -z "$port" ]; then
    log "no port in $PORTS_FILE after ${WAIT_S}s; using $FALLBACK_PORT"
    port="$FALLBACK_PORT"
fi
url="http://127.0.0.1:${port}/kiosk"

browser=""
for candidate in chromium chromium-browser; do
    if command -v "$candidate" > /dev/null 2>&1; then
        browser="$candidate"
        break
    fi
done
if [ -z "$browser" ]; then
    log "Chromium is not installed (apt-get install chromium)"
    exit 1
fi

# The screen turned for a portrait or upside-down mounting: YIZHAN_KIOSK_ROTATION=90, 180 or 270 (degrees
# clockwise; /etc/default/yizhan-kiosk). Every output of the compositor is turned with wlr-randr; cage maps the
# touchscreen to the output, so touches follow the turned picture. cage itself never blanks the screen.
rotation="${YIZHAN_KIOSK_ROTATION:-0}"
case "$rotation" in
    0 | "") ;;
    90 | 180 | 270)
        if command -v wlr-randr > /dev/null 2>&1; then
            outputs="$(wlr-randr 2> /dev/null | grep -E '^[^[:space:]]' | cut -d' ' -f1)"
            for output in $outputs; do
                wlr-randr --output "$output" --transform "$rotation" || log "could not turn $output"
            done
            [ -n "$outputs" ] || log "no output to turn (is this inside cage?)"
        else
            log "YIZHAN_KIOSK_ROTATION=$rotation needs wlr-randr (apt-get install wlr-randr)"
        fi
        ;;
    *)
        log "YIZHAN_KIOSK_ROTATION must be 0, 90, 180 or 270, not '$rotation'; the screen is not turned"
        ;;
esac

log "opening $url with $browser"
# --incognito: no profile to corrupt on a power cut. --kiosk: full screen, no way out by touch.
exec "$browser" \
    --kiosk "$url" \
    --incognito \
    --no-first-run \
    --noerrdialogs \
    --disable-infobars \
    --disable-session-crashed-bubble \
    --disable-features=Translate,TouchpadOverscrollHistoryNavigation \
    --overscroll-history-navigation=0 \
    --disable-pinch \
    --check-for-update-interval=31536000 \
    --autoplay-policy=no-user-gesture-required \
    --ozone-platform-hint=auto \
    --lang=zh-CN
