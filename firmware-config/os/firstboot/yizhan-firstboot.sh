#!/bin/bash
# Yizhan station first boot: provisions the station agent, then enables the agent. Run by
# yizhan-firstboot.service as root. Two ways, for a technician with or without a keyboard:
#
# 1. The provisioning file (default /boot/firmware/yizhan-provision.txt) holds KEY=VALUE lines:
#      HUB_URL=https://hub.example.org
#      CLAIM_CODE=the one-time code shown when the station was registered
#    Blank lines and lines starting with '#' are ignored; CRLF line ends (Windows editors) are fine.
#    The file is read as data, never executed. After a successful provision the CLAIM_CODE line is
#    removed from it, so the code does not stay readable on the SD card.
# 2. No provisioning file, or one without CLAIM_CODE: the kiosk screen asks for the station's claim
#    QR (the hub's technician page shows it) and `yizhan-agent provision --from-camera` reads it from
#    the camera (YIZHAN_CAMERA, as for the agent). A HUB_URL in the file, if any, limits it to claim
#    QRs of that hub.
# Either way the agent's first start then runs the self-test and shows it on the kiosk screen.
#
# Settings for tests and special images (environment; /etc/default/yizhan-agent is read by the unit):
#   YIZHAN_PROVISION_FILE  the provisioning file
#   YIZHAN_AGENT_BIN       the agent command (default /usr/bin/yizhan-agent)
#   YIZHAN_AGENT_DIR       the agent's state directory (default /var/lib/yizhan-agent)
#   YIZHAN_AGENT_USER      owner of the state directory (default yizhan-agent; skipped if absent)
#   YIZHAN_ATTEMPTS        provisioning attempts before giving up (default 20)
#   YIZHAN_RETRY_MAX_S     longest wait between attempts in seconds (default 120)
#   YIZHAN_CAMERA_CLAIM    "no" to leave out the claim QR by camera (default yes)
#   YIZHAN_CAMERA_TIMEOUT_S  how long one camera attempt waits for the claim QR (default 600)
#   YIZHAN_CAMERA_ATTEMPTS   camera attempts before giving up until the next boot (default 8)
#   YIZHAN_SYSTEMCTL       systemctl command (default systemctl; "true" to skip in tests)
#
# Exit codes: 0 provisioned (or already provisioned), 1 bad provisioning file (or none, with the
# camera left out), 2 provisioning failed after all attempts (the unit stays enabled and tries again
# next boot).

set -u

PROVISION_FILE="${YIZHAN_PROVISION_FILE:-/boot/firmware/yizhan-provision.txt}"
AGENT_BIN="${YIZHAN_AGENT_BIN:-/usr/bin/yizhan-agent}"
AGENT_DIR="${YIZHAN_AGENT_DIR:-/var/lib/yizhan-agent}"
AGENT_USER="${YIZHAN_AGENT_USER:-yizhan-agent}"
ATTEMPTS="${YIZHAN_ATTEMPTS:-20}"
RETRY_MAX_S="${YIZHAN_RETRY_MAX_S:-120}"
SYSTEMCTL="${YIZHAN_SYSTEMCTL:-systemctl}"
CAMERA_CLAIM="${YIZHAN_CAMERA_CLAIM:-yes}"
CAMERA_TIMEOUT_S="${YIZHAN_CAMERA_TIMEOUT_S:-600}"
CAMERA_ATTEMPTS="${YIZHAN_CAMERA_ATTEMPTS:-8}"

log() {
    # systemd puts stdout in the journal; the claim code is never passed to this function.
    printf 'yizhan-firstboot: %s\n' "$*"
}

# Prints the value of KEY from the provisioning file: last occurrence wins, surrounding blanks and
# one pair of matching quotes are removed.
read_key() {
    local key="$1" line value=""
    while IFS= read -r line || [ -n "$line" ]; do
        line="${line%$'\r'}"
        case "$line" in
            '#'* | '') continue ;;
        esac
        if [[ "$line" =~ ^[[:space:]]*${key}[[:space:]]*=(.*)$ ]]; then
            value="${BASH_REMATCH[1]}"
            value="${value#"${value%%[![:space:]]*}"}"
            value="${value%"${value##*[![:space:]]}"}"
            if [[ "$value" =~ ^\"(.*)\"$ ]] || [[ "$value" =~ ^\'(.*)\'$ ]]; then
                value="${BASH_REMATCH[1]}"
            fi
        fi
    done < "$PROVISION_FILE"
    printf '%s' "$value"
}

# Rewrites the provisioning file without its CLAIM_CODE line(s), through a temporary file in the same
# directory so a power cut leaves either the old or the new file.
remove_claim_code() {
    local dir tmp
    dir="$(dirname "$PROVISION_FILE")"
    tmp="$(mktemp "$dir/.yizhan-provision.XXXXXX")" || return 1
    local rc=0
    grep -v -E '^[[:space:]]*CLAIM_CODE[[:space:]]*=' "$PROVISION_FILE" > "$tmp" || rc=$?
    # grep exits 1 when no line is left, which is fine; 2 is a read error.
    if [ "$rc" -gt 1 ]; then
        rm -f "$tmp"
        return 1
    fi
    printf '# provisioned %s; the claim code was removed\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$tmp"
    if ! mv -f "$tmp" "$PROVISION_FILE"; then
        rm -f "$tmp"
        return 1
    fi
    sync
}

enable_agent() {
    if [ -n "$AGENT_USER" ] && id -u "$AGENT_USER" > /dev/null 2>&1; then
        chown -R "$AGENT_USER:" "$AGENT_DIR" || log "warning: cannot hand $AGENT_DIR to $AGENT_USER"
    fi
    "$SYSTEMCTL" enable yizhan-agent.service || log "warning: cannot enable yizhan-agent.service"
    "$SYSTEMCTL" start --no-block yizhan-agent.service || log "warning: cannot start yizhan-agent.service"
    "$SYSTEMCTL" disable yizhan-firstboot.service || log "warning: cannot disable yizhan-firstboot.service"
}

# Waits for the claim QR in front of the camera, CAMERA_ATTEMPTS times; the kiosk screen says so.
# $1: the hub whose claim QRs alone are taken, or empty for any.
provision_from_camera() {
    local hub="$1" attempt=1
    local -a only_hub=()
    if [ -n "$hub" ]; then
        only_hub=(--hub "$hub")
    fi
    while :; do
        log "waiting for the claim QR in front of the camera (attempt $attempt of $CAMERA_ATTEMPTS)"
        if "$AGENT_BIN" provision --from-camera --timeout "$CAMERA_TIMEOUT_S" "${only_hub[@]}" --dir "$AGENT_DIR"; then
            return 0
        fi
        if [ "$attempt" -ge "$CAMERA_ATTEMPTS" ]; then
            log "no claim QR provisioned the station after $CAMERA_ATTEMPTS attempts; will wait again on the next boot"
            return 2
        fi
        attempt=$(( attempt + 1 ))
        # a missing camera fails at once: do not spin
        sleep 5
    done
}

main() {
    if [ -s "$AGENT_DIR/config.json" ]; then
        # Also the case after a power cut between provisioning and removing the code: the code is
        # spent, so it is removed rather than tried again. To provision anew, empty $AGENT_DIR first.
        log "already provisioned ($AGENT_DIR/config.json exists)"
        if [ -r "$PROVISION_FILE" ] && [ -n "$(read_key CLAIM_CODE)" ] && ! remove_claim_code; then
            log "warning: could not remove the claim code from $PROVISION_FILE; remove it by hand"
        fi
        enable_agent
        return 0
    fi

    local hub="" code=""
    if [ -r "$PROVISION_FILE" ]; then
        hub="$(read_key HUB_URL)"
        code="$(read_key CLAIM_CODE)"
    fi
    if [[ ! "$ATTEMPTS" =~ ^[1-9][0-9]*$ ]] || [[ ! "$RETRY_MAX_S" =~ ^[0-9]+$ ]] \
            || [[ ! "$CAMERA_TIMEOUT_S" =~ ^[1-9][0-9]*$ ]] || [[ ! "$CAMERA_ATTEMPTS" =~ ^[1-9][0-9]*$ ]]; then
        log "YIZHAN_ATTEMPTS, YIZHAN_RETRY_MAX_S, YIZHAN_CAMERA_TIMEOUT_S and YIZHAN_CAMERA_ATTEMPTS must be whole numbers"
        return 1
    fi
    if [ -n "$hub" ] && [[ ! "$hub" =~ ^https?://[^[:space:]/]+ ]]; then
        log "HUB_URL in $PROVISION_FILE must be an http:// or https:// address, was '${hub}'"
        return 1
    fi

    mkdir -p "$AGENT_DIR" && chmod 0750 "$AGENT_DIR"

    if [ -z "$code" ]; then
        if [ "$CAMERA_CLAIM" = "no" ]; then
            log "no CLAIM_CODE in $PROVISION_FILE and the claim QR by camera is off (YIZHAN_CAMERA_CLAIM=no)"
            return 1
        fi
        local rc=0
        provision_from_camera "$hub" || rc=$?
        if [ "$rc" -ne 0 ]; then
            return "$rc"
        fi
        log "provisioned from the claim QR"
        # the agent's first start runs the self-test and shows it on the kiosk for the technician
        : > "$AGENT_DIR/selftest.request" || log "warning: cannot ask for the first self-test"
        enable_agent
        return 0
    fi

    if [ -z "$hub" ]; then
        log "HUB_URL in $PROVISION_FILE must be an http:// or https:// address, was ''"
        return 1
    fi
    if [[ ! "$code" =~ ^[A-Za-z0-9_-]{4,128}$ ]]; then
        log "CLAIM_CODE in $PROVISION_FILE is malformed (4 to 128 of A-Z, a-z, 0-9, '-', '_')"
        return 1
    fi

    local attempt=1 delay=5 wait_s
    while :; do
        log "provisioning against $hub (attempt $attempt of $ATTEMPTS)"
        if "$AGENT_BIN" provision --hub "$hub" --code "$code" --dir "$AGENT_DIR"; then
            log "provisioned"
            # the agent's first start runs the self-test and shows it on the kiosk for the technician
            : > "$AGENT_DIR/selftest.request" || log "warning: cannot ask for the first self-test"
            break
        fi
        if [ "$attempt" -ge "$ATTEMPTS" ]; then
            log "provisioning failed $ATTEMPTS times; will try again on the next boot"
            return 2
        fi
        # Exponential backoff with jitter, so a fleet powered on together does not stampede the hub.
        wait_s=$(( delay / 2 + RANDOM % (delay / 2 + 1) ))
        if [ "$wait_s" -gt "$RETRY_MAX_S" ]; then
            wait_s="$RETRY_MAX_S"
        fi
        log "provisioning failed; next attempt in ${wait_s}s"
        sleep "$wait_s"
        delay=$(( delay * 2 ))
        if [ "$delay" -gt "$RETRY_MAX_S" ]; then
            delay="$RETRY_MAX_S"
        fi
        attempt=$(( attempt + 1 ))
    done

    if ! remove_claim_code; then
        log "warning: could not remove the claim code from $PROVISION_FILE; remove it by hand"
    fi
    enable_agent
    return 0
}

main "$@"
