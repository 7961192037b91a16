#!/usr/bin/env bash
# Builds the Debian package from a configured build dir, checks what is in it, installs
# it, runs both programs from the installed location, checks the desktop file and the
# MIME types, then removes the package and every package its installation pulled in, so
# the machine is left as it was.
#
#   bash packaging/check-package.sh [BUILD_DIR]      (default: build)
#
# Needs root (or sudo) for apt-get. Prints "package check passed" and exits 0, or says
# what failed and exits 1.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${1:-$repo/build}")
out="$build/package"

fail() { echo "check-package: FAILED: $*" >&2; exit 1; }
step() { echo; echo "== $*"; }

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive

[ -f "$build/CMakeCache.txt" ] || fail "$build is not a configured build dir (run: cmake --preset default)"
[ -f "$build/CPackConfig.cmake" ] || fail "$build has no CPackConfig.cmake: re-run cmake (the packaging include is missing)"
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
[ -n "$version" ] || fail "no project version in $build/CMakeCache.txt"

if dpkg-query -W -f='${Status}' topiary 2>/dev/null | grep -q 'install ok installed'; then
  fail "a topiary package is installed already; remove it first (apt-get remove topiary), so this check can leave the machine as it found it"
fi

step "building topiary, topiary-cli and topiary-train in $build"
cmake --build "$build" --target topiary topiary-cli topiary-train

step "making the package with cpack"
rm -rf "$out"
(cd "$build" && cpack -G DEB -B "$out" --config "$build/CPackConfig.cmake") || fail "cpack failed"
shopt -s nullglob
debs=("$out"/topiary_*.deb)
[ ${#debs[@]} -eq 1 ] || fail "expected one topiary_*.deb in $out, found ${#debs[@]}"
deb=${debs[0]}
echo "package: $deb ($(du -h "$deb" | cut -f1), $(stat -c %s "$deb") bytes)"

step "control fields"
dpkg-deb -I "$deb"
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = topiary ] || fail "Package is '$(field Package)', not topiary"
[[ "$(field Version)" == "$version"-* ]] || fail "Version '$(field Version)' does not start with the project version $version"
[ "$(field Section)" = science ] || fail "Section is '$(field Section)', not science"
[ -n "$(field Maintainer)" ] || fail "no Maintainer"
depends=$(field Depends)
[ -n "$depends" ] || fail "no Depends line: dpkg-shlibdeps found nothing"
# The package names alone, one a line (versions and alternatives dropped).
dependsNames=$(sed 's/([^)]*)//g; s/|/,/g' <<<"$depends" | tr ',' '\n' | tr -d ' ')
for lib in libc6 libstdc++6 libqt6widgets6 libqt6gui6 libqt6core6 libqcustomplot2.1-qt6 libonnx1 \
           libprotobuf32 libopencv-dnn406 libopencv-core406; do
  grep -qxF "$lib" <<<"$dependsNames" || fail "Depends lacks $lib: $depends"
done
echo "Depends: $depends"

step "contents"
contents=$(dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./|/|')
required=(
  /usr/bin/topiary
  /usr/bin/topiary-cli
  /usr/bin/topiary-train
  /usr/share/topiary/fashion_cnn.onnx
  /usr/share/topiary/preprocess.json
  /usr/share/topiary/fashion-mnist-test-1000-images-idx3-ubyte
  /usr/share/topiary/fashion-mnist-test-1000-labels-idx1-ubyte
  /usr/share/applications/topiary.desktop
  /usr/share/metainfo/io.github.topiary.Topiary.metainfo.xml
  /usr/share/mime/packages/topiary.xml
  /usr/share/icons/hicolor/scalable/apps/topiary.svg
  /usr/share/man/man1/topiary.1.gz
  /usr/share/man/man1/topiary-cli.1.gz
  /usr/share/man/man1/topiary-train.1.gz
  /usr/share/doc/topiary/copyright
  /usr/share/doc/topiary/changelog.Debian.gz
)
for size in 16 32 48 64 128 256; do
  required+=("/usr/share/icons/hicolor/${size}x${size}/apps/topiary.png")
done
for f in "${required[@]}"; do
  grep -qxF "$f" <<<"$contents" || fail "the package lacks $f"
done
echo "all ${#required[@]} expected files present"

if command -v lintian >/dev/null 2>&1; then
  step "lintian"
  # Errors fail the check; warnings and notes are printed only.
  lintian --fail-on error --display-info "$deb" || fail "lintian reports errors"
else
  step "lintian not installed: skipped (apt-get install lintian)"
fi

step "installing"
before=$(mktemp)
trap 'rm -f "$before"' EXIT
dpkg-query -W -f='${Package}\n' | sort >"$before"
removePackage() {
  step "removing the package and what it pulled in"
  local added
  added=$(comm -13 "$before" <(dpkg-query -W -f='${Package}\n' | sort) | tr '\n' ' ')
  echo "removing: $added"
  # shellcheck disable=SC2086
  $SUDO apt-get remove -y -q $added
  dpkg-query -W -f='${Status}' topiary 2>/dev/null | grep -q 'install ok installed' && fail "topiary is still installed"
  [ ! -e /usr/bin/topiary ] || fail "/usr/bin/topiary is still there after removal"
  rm -f "$before"
}
trap 'status=$?; trap - EXIT; removePackage || true; exit $status' EXIT
$SUDO apt-get install -y -q --no-install-recommends "$deb" || fail "apt-get install $deb failed"

step "running the installed programs"
export QT_QPA_PLATFORM=offscreen
cd /tmp  # nothing from the source tree or the build dir on the way
got=$(/usr/bin/topiary --version) || fail "topiary --version failed"
grep -qF "$version" <<<"$got" || fail "topiary --version printed '$got', not $version"
echo "topiary --version: $got"
got=$(/usr/bin/topiary-cli --version) || fail "topiary-cli --version failed"
[ "$got" = "topiary-cli $version" ] || fail "topiary-cli --version printed '$got'"
info=$(/usr/bin/topiary-cli info /usr/share/topiary/fashion_cnn.onnx) || fail "topiary-cli info on the installed sample failed"
echo "$info" | tail -n 4
grep -q '79,522\|79522' <<<"$info" || fail "topiary-cli info does not show the sample's 79,522 parameters"
# The installed images and preprocess.json next to the model make a working evaluation.
evaluation=$(/usr/bin/topiary-cli eval /usr/share/topiary/fashion_cnn.onnx --limit 200 --json \
  --data /usr/share/topiary/fashion-mnist-test-1000-images-idx3-ubyte) || fail "topiary-cli eval on the installed data failed"
grep -q '"top1"' <<<"$evaluation" || fail "topiary-cli eval printed no top-1 accuracy"
grep -q '"preprocess_source": "/usr/share/topiary/preprocess.json"' <<<"$evaluation" \
  || fail "topiary-cli eval did not take the installed preprocess.json beside the model"
echo "topiary-cli eval: top-1 on 200 installed images, preprocessing from /usr/share/topiary/preprocess.json"
shot=$(mktemp --suffix=.png)
timeout 300 /usr/bin/topiary --screenshot "$shot" || fail "the installed topiary could not open the sample and save a screenshot"
[ -s "$shot" ] || fail "the screenshot is empty"
echo "topiary --screenshot: $(stat -c %s "$shot") bytes"
rm -f "$shot"
man -w topiary >/dev/null && man -w topiary-cli >/dev/null || fail "man cannot find the man pages"

step "desktop file and MIME types"
desktop=/usr/share/applications/topiary.desktop
if command -v desktop-file-validate >/dev/null 2>&1; then
  desktop-file-validate "$desktop" || fail "desktop-file-validate rejects $desktop"
fi
grep -qx 'Exec=topiary %f' "$desktop" || fail "$desktop does not run 'topiary %f'"
grep -q '^MimeType=.*application/x-onnx;' "$desktop" || fail "$desktop does not claim application/x-onnx"
metainfo=/usr/share/metainfo/io.github.topiary.Topiary.metainfo.xml
grep -q "<release version=\"$version\"" "$metainfo" || fail "$metainfo has no <release> for version $version"
if command -v appstreamcli >/dev/null 2>&1; then
  appstreamcli validate --no-net "$metainfo" || fail "appstreamcli rejects $metainfo"
fi
# dpkg's triggers (shared-mime-info, desktop-file-utils) rebuild the databases.
[ -f /usr/share/mime/application/x-onnx.xml ] || fail "the MIME database has no application/x-onnx"
[ -f /usr/share/mime/application/x-topiary-project.xml ] || fail "the MIME database has no application/x-topiary-project"
grep -q 'application/x-onnx:\*\.onnx' /usr/share/mime/globs2 || fail "*.onnx is not mapped to application/x-onnx"
if command -v xdg-mime >/dev/null 2>&1; then
  project=$(mktemp --suffix=.topiary)
  echo '{}' >"$project"
  # GNOME's branch of xdg-mime asks GIO, which reads the shared MIME database; the
  # generic branch asks file(1), which knows no ONNX.
  for pair in "/usr/share/topiary/fashion_cnn.onnx application/x-onnx" "$project application/x-topiary-project"; do
    read -r file expected <<<"$pair"
    got=$(XDG_CURRENT_DESKTOP=GNOME xdg-mime query filetype "$file" 2>/dev/null || true)
    [ "$got" = "$expected" ] || fail "xdg-mime query filetype $file: '$got', expected $expected"
    echo "xdg-mime: $file -> $got"
  done
  rm -f "$project"
  if [ -f /usr/share/applications/mimeinfo.cache ]; then
    got=$(xdg-mime query default application/x-onnx 2>/dev/null || true)
    [ "$got" = topiary.desktop ] || fail "xdg-mime query default application/x-onnx: '$got', expected topiary.desktop"
    echo "xdg-mime: default for application/x-onnx -> $got"
  fi
fi

cd "$repo"
trap - EXIT
removePackage
[ ! -f /usr/share/mime/application/x-onnx.xml ] || fail "application/x-onnx is still in the MIME database after removal"

echo
echo "package check passed: $deb"
