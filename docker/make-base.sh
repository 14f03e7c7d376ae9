#!/usr/bin/env bash
# Build the offline base image (default tag autograder-base:bookworm) without a registry:
# debootstrap a minimal Debian bookworm with Python 3.11 and import it with `docker import`.
#
#   usage: docker/make-base.sh [TAG]          (as root; needs debootstrap and a docker engine)
#
# Environment:
#   DEBIAN_MIRROR   default http://deb.debian.org/debian
#   HOST_CA_BUNDLE  default /etc/ssl/certs/ca-certificates.crt; "" to skip
#
# CA bundle: package downloads may pass through a TLS-intercepting proxy whose CA only the
# host's bundle has. The host bundle is copied to /etc/ssl/host-ca-bundle.crt (a path no
# Debian package owns, so it survives), and every certificate the host trusts that Debian's
# bundle lacks is added under /usr/local/share/ca-certificates/ and registered with
# update-ca-certificates, so it stays in /etc/ssl/certs/ca-certificates.crt even when the
# ca-certificates package later regenerates that file.
set -euo pipefail

TAG="${1:-autograder-base:bookworm}"
SUITE=bookworm
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
HOST_CA_BUNDLE="${HOST_CA_BUNDLE-/etc/ssl/certs/ca-certificates.crt}"
PACKAGES=python3,python3-venv,python3-pip,ca-certificates,util-linux

log() { printf '[make-base] %s\n' "$*" >&2; }

[ "$(id -u)" -eq 0 ] || { log "must run as root (debootstrap)"; exit 1; }
command -v debootstrap >/dev/null || { log "debootstrap is not installed"; exit 1; }
docker info >/dev/null 2>&1 || { log "no docker engine answers (run .ci/docker-engine.sh)"; exit 1; }

WORK="$(mktemp -d /var/tmp/autograder-base.XXXXXX)"
ROOTFS="$WORK/rootfs"
cleanup() {
    # debootstrap may leave /proc and /sys mounted inside the rootfs on failure.
    for m in proc sys dev/pts dev; do
        mountpoint -q "$ROOTFS/$m" 2>/dev/null && umount -l "$ROOTFS/$m" || true
    done
    rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT

start=$SECONDS
log "debootstrap --variant=minbase $SUITE ($PACKAGES) from $MIRROR"
debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$ROOTFS" "$MIRROR" \
    >"$WORK/debootstrap.log" 2>&1 || {
    tail -n 40 "$WORK/debootstrap.log" >&2
    exit 1
}
log "debootstrap done in $((SECONDS - start))s"

if [ -n "$HOST_CA_BUNDLE" ] && [ -s "$HOST_CA_BUNDLE" ]; then
    install -m 644 "$HOST_CA_BUNDLE" "$ROOTFS/etc/ssl/host-ca-bundle.crt"
    # The rootfs's own python3 splits the bundles (the host may have none).
    cp "$HOST_CA_BUNDLE" "$ROOTFS/tmp/host-ca-bundle.crt"
    # Certificates the host trusts that Debian's bundle lacks (e.g. a proxy's CA).
    mkdir -p "$ROOTFS/usr/local/share/ca-certificates"
    chroot "$ROOTFS" python3 - /tmp/host-ca-bundle.crt /etc/ssl/certs/ca-certificates.crt \
        /usr/local/share/ca-certificates <<'EOF'
import re, sys, pathlib
pem = re.compile(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)
def certs(path):
    text = pathlib.Path(path).read_text(errors="replace")
    return ["".join(c.split()) for c in pem.findall(text)], pem.findall(text)
host_norm, host_raw = certs(sys.argv[1])
debian_norm, _ = certs(sys.argv[2])
known = set(debian_norm)
out = pathlib.Path(sys.argv[3])
n = 0
for norm, raw in zip(host_norm, host_raw):
    if norm not in known:
        n += 1
        (out / f"autograder-host-{n:03d}.crt").write_text(raw + "\n")
print(f"[make-base] {n} host-only CA certificate(s) added", file=sys.stderr)
EOF
    rm -f "$ROOTFS/tmp/host-ca-bundle.crt"
    chroot "$ROOTFS" update-ca-certificates >"$WORK/update-ca.log" 2>&1 \
        || { cat "$WORK/update-ca.log" >&2; exit 1; }
fi

# Slim the rootfs: package caches and lists are not needed to run.
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/* \
    "$ROOTFS"/var/log/*.log "$ROOTFS"/var/cache/debconf/*-old
# debootstrap writes the build host's resolv.conf and hostname; Docker supplies its own.
: >"$ROOTFS/etc/resolv.conf"
rm -f "$ROOTFS/etc/hostname"

log "importing as $TAG"
tar --numeric-owner -C "$ROOTFS" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["/bin/bash"]' \
    --message "debootstrap --variant=minbase $SUITE +$PACKAGES" \
    - "$TAG" >/dev/null
docker run --rm --network none "$TAG" python3 -c \
    'import sys, ssl, venv; print("[make-base] python", sys.version.split()[0])' >&2
log "done in $((SECONDS - start))s: $(docker image inspect -f '{{.Size}}' "$TAG") bytes"
