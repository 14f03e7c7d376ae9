#!/usr/bin/env bash
# Prepare a local Docker engine and the offline base image for the grading images.
#
# Idempotent: every step checks first and does only what is missing.
#   1. install Debian's docker.io + debootstrap     (if `dockerd` is missing)
#   2. start dockerd --bridge=none --iptables=false  (if `docker info` fails)
#   3. build autograder-base:bookworm                (if `docker image inspect` fails)
#
# Never creates Docker networks or bridges: nothing on these machines may talk to
# private-range addresses, grading containers run with --network none, and image builds
# use --network host. See shared/docker-offline.md and docker/README.md.
#
# Environment:
#   AUTOGRADER_BASE_IMAGE   tag of the offline base (default autograder-base:bookworm)
#   DOCKERD_LOG             daemon log file (default /var/log/dockerd.log)
#   DOCKERD_WAIT_S          seconds to wait for the daemon (default 60)
set -euo pipefail

BASE_IMAGE="${AUTOGRADER_BASE_IMAGE:-autograder-base:bookworm}"
DOCKERD_LOG="${DOCKERD_LOG:-/var/log/dockerd.log}"
DOCKERD_WAIT_S="${DOCKERD_WAIT_S:-60}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { printf '[docker-engine] %s\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# --- 1. packages ------------------------------------------------------------------------
install_packages() {
    local missing=()
    command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
    command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
    if [ "${#missing[@]}" -eq 0 ]; then
        log "dockerd and debootstrap already installed"
        return
    fi
    log "installing ${missing[*]}"
    # Package scripts must not start the engine through init scripts: that would start a
    # plain dockerd, which creates the docker0 bridge (172.17.0.0/16).
    local made_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
        as_root chmod 755 /usr/sbin/policy-rc.d
        made_policy=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}" \
        || { [ "$made_policy" -eq 1 ] && as_root rm -f /usr/sbin/policy-rc.d; exit 1; }
    if [ "$made_policy" -eq 1 ]; then as_root rm -f /usr/sbin/policy-rc.d; fi
}

# --- 2. daemon --------------------------------------------------------------------------
start_daemon() {
    if docker info >/dev/null 2>&1; then
        log "docker engine already running"
    else
        if pgrep -x dockerd >/dev/null 2>&1; then
            log "dockerd process exists but does not answer yet; waiting"
        else
            log "starting dockerd --bridge=none --iptables=false (log: $DOCKERD_LOG)"
            as_root mkdir -p "$(dirname "$DOCKERD_LOG")"
            # setsid + nohup: the daemon outlives this script and its job/session.
            as_root setsid nohup dockerd --bridge=none --iptables=false \
                >>"$DOCKERD_LOG" 2>&1 </dev/null &
        fi
        local i
        for ((i = 0; i < DOCKERD_WAIT_S; i++)); do
            docker info >/dev/null 2>&1 && break
            sleep 1
        done
        if ! docker info >/dev/null 2>&1; then
            log "dockerd did not answer within ${DOCKERD_WAIT_S}s; last log lines:"
            tail -n 30 "$DOCKERD_LOG" >&2 || true
            exit 1
        fi
        log "docker engine up after ~${i}s"
    fi
    # Report, never fix: we do not create or remove networks here.
    if docker network ls --format '{{.Driver}}' 2>/dev/null | grep -qx bridge; then
        log "WARNING: this engine has a bridge network; it was not started by this script" \
            "with --bridge=none. Grading must keep using --network none."
    fi
}

# --- 3. base image ----------------------------------------------------------------------
build_base() {
    if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
        log "base image $BASE_IMAGE already present"
        return
    fi
    log "building base image $BASE_IMAGE (debootstrap, a few minutes)"
    as_root bash "$REPO_ROOT/docker/make-base.sh" "$BASE_IMAGE"
}

install_packages
start_daemon
build_base
log "ready: $(docker version --format 'engine {{.Server.Version}} (API {{.Server.APIVersion}})')," \
    "base image $BASE_IMAGE"
