#!/usr/bin/env bash
# Make this machine able to build and run dealbell's image without a container registry:
#   1. podman, runc and debootstrap from Debian's packages (installed when missing; needs root);
#   2. a base image, Debian bookworm with python3 and python3-venv, made with debootstrap and imported
#      as localhost/dealbell-base:bookworm (its root filesystem is cached as a tarball under
#      /var/cache/dealbell, so a second run on the same machine takes seconds);
#   3. a probe: a container from that base must start and exit 0.
# Exits non-zero, saying why, when any step fails. Podman reads deploy/podman/containers.conf.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export CONTAINERS_CONF="$here/containers.conf"

BASE_IMAGE="${DEALBELL_BASE_IMAGE:-localhost/dealbell-base:bookworm}"
CACHE="${DEALBELL_CACHE:-/var/cache/dealbell}"
ROOTFS_TAR="$CACHE/bookworm-python3-rootfs.tar"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

missing=()
for tool in podman runc debootstrap; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "setup.sh: ${missing[*]} missing, and installing needs root and apt-get" >&2
    exit 1
  fi
  echo "setup.sh: installing ${missing[*]} from Debian's packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc debootstrap >/dev/null
fi

build_rootfs() {  # debootstrap into a temporary folder, then one tarball in the cache
  local dir
  dir="$(mktemp -d /var/tmp/dealbell-rootfs.XXXXXX)"
  echo "setup.sh: debootstrap bookworm (minbase + python3, python3-venv, ca-certificates) from $MIRROR"
  if ! debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
      bookworm "$dir" "$MIRROR" >"$dir.log" 2>&1; then
    tail -n 20 "$dir.log" >&2
    rm -rf "$dir" "$dir.log"
    return 1
  fi
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
  mkdir -p "$CACHE"
  tar --numeric-owner -C "$dir" -cf "$ROOTFS_TAR.part" .
  mv "$ROOTFS_TAR.part" "$ROOTFS_TAR"
  rm -rf "$dir" "$dir.log"
}

if ! podman image exists "$BASE_IMAGE"; then
  [ -s "$ROOTFS_TAR" ] || build_rootfs
  echo "setup.sh: importing $ROOTFS_TAR as $BASE_IMAGE"
  podman import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["python3"]' \
    "$ROOTFS_TAR" "$BASE_IMAGE" >/dev/null
fi

if ! probe="$(podman run --rm --network none "$BASE_IMAGE" python3 -c 'print("ok")' 2>&1)" || [ "$probe" != ok ]; then
  echo "setup.sh: podman cannot run a container here: $probe" >&2
  exit 1
fi
echo "setup.sh: podman $(podman version --format '{{.Client.Version}}') runs containers; base image $BASE_IMAGE"
