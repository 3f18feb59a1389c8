#!/usr/bin/env bash
# Builds the container image from the real Dockerfile without a daemon or a
# registry, and exports it as an OCI archive any registry accepts:
#
#   scripts/image.sh [--prebuilt] [--tag TAG] [--archive FILE]
#
#   --prebuilt   take the executables scripts/build.sh made in build/
#                (stripped, Dockerfile BINARIES=prebuilt) instead of building
#                them again in the image's build stage
#   --tag        the image name (default localhost/hookbridge:<version>)
#   --archive    where the OCI archive goes (default
#                dist/hookbridge-<version>.oci.tar); "" for none
#
# The Debian base the Dockerfile starts from (debian:bookworm and
# debian:bookworm-slim) is made here from Debian's own packages with
# mmdebstrap when it is not in local storage yet, so nothing is pulled from a
# registry. The image is built with `buildah bud --isolation chroot`, labelled
# with this checkout's version and commit. Installs mmdebstrap, buildah and
# podman (Debian 12 packages) when missing. Prints the image's size.
# Run the image with `buildah run --isolation chroot` (tests/image/).
set -euo pipefail
cd "$(dirname "$0")/.."

prebuilt=false
version=$(sed -n 's/^project(hookbridge VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
tag=localhost/hookbridge:$version
archive=dist/hookbridge-$version.oci.tar
while [ $# -gt 0 ]; do
  case $1 in
    --prebuilt) prebuilt=true; shift ;;
    --tag) tag=$2; shift 2 ;;
    --archive) archive=$2; shift 2 ;;
    *) echo "usage: $0 [--prebuilt] [--tag TAG] [--archive FILE]" >&2; exit 2 ;;
  esac
done

missing=()
for tool in mmdebstrap buildah podman; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends \
    mmdebstrap buildah podman uidmap gpg libdpkg-perl fuse-overlayfs
fi

# The base: Debian 12 minbase, tagged as the two names the Dockerfile uses.
if ! buildah inspect --type image localhost/debian:bookworm >/dev/null 2>&1; then
  mkdir -p build
  echo "image: making the Debian 12 base with mmdebstrap" >&2
  # Like the official debian:bookworm-slim (debuerreotype's slimify): no
  # manuals, docs (but copyrights) or translations, and apt keeps no
  # downloaded packages, in the base and in what images add to it; without
  # the full perl that merging /usr left behind (perl-base stays), and
  # without glibc's iconv modules (8 MB; nothing in the image converts
  # character sets: UTF-8 and ASCII are built into glibc).
  mmdebstrap --quiet --variant=minbase --aptopt='APT::Install-Recommends "false"' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    --dpkgopt='path-exclude=/usr/share/groff/*' --dpkgopt='path-exclude=/usr/share/lintian/*' \
    --dpkgopt='path-exclude=/usr/lib/*/gconv/*' \
    --customize-hook='printf "%s\n" "DPkg::Post-Invoke { \"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true\"; };" "APT::Update::Post-Invoke { \"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true\"; };" "Dir::Cache::pkgcache \"\"; Dir::Cache::srcpkgcache \"\";" > "$1/etc/apt/apt.conf.d/docker-clean"' \
    --customize-hook='chroot "$1" apt-get purge -q -y --auto-remove libperl5.36 perl-modules-5.36' \
    --customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/*' \
    bookworm build/bookworm.tar
  podman import --quiet build/bookworm.tar localhost/debian:bookworm >/dev/null
  rm -f build/bookworm.tar
fi
podman tag localhost/debian:bookworm docker.io/library/debian:bookworm \
  docker.io/library/debian:bookworm-slim

revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
args=(--build-arg "VERSION=$version" --build-arg "REVISION=$revision")
if $prebuilt; then
  build_dir=${HOOKBRIDGE_BUILD_DIR:-build}
  rm -rf dist/image-bin
  mkdir -p dist/image-bin
  for exe in hookbridge hookbridge-tail hookbridge-ctl; do
    [ -x "$build_dir/bin/$exe" ] || { echo "$build_dir/bin/$exe is not built (scripts/build.sh)" >&2; exit 1; }
    strip -o "dist/image-bin/$exe" "$build_dir/bin/$exe"
  done
  args+=(--build-arg BINARIES=prebuilt)
fi
buildah bud --quiet --isolation chroot --format docker --pull=never --layers "${args[@]}" -t "$tag" . >/dev/null
rm -rf dist/image-bin

size=$(podman image inspect --format '{{.Size}}' "$tag")
echo "image: $tag, $(awk -v b="$size" 'BEGIN { printf "%.1f MB", b / 1e6 }') ($size bytes)"
if [ -n "$archive" ]; then
  mkdir -p "$(dirname "$archive")"
  rm -f "$archive"
  buildah push --quiet "$tag" "oci-archive:$archive:$tag" >/dev/null
  echo "image: $archive ($(du -h "$archive" | cut -f1))"
fi
