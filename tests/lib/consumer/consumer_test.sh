#!/usr/bin/env bash
# consumer_test.sh: install refblame from BUILD_DIR into a scratch prefix, then build and run a consumer with
# find_package, with pkg-config, and with add_subdirectory() of the checkout.
set -euo pipefail
build=${1:?build dir} src=${2:?source dir}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/rb-consumer.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
libdir=$(ls -d "$tmp"/prefix/lib*/ | head -1)

echo "== find_package(refblame)"
cmake -S "$here" -B "$tmp/fp" -DCMAKE_PREFIX_PATH="$tmp/prefix" -DCMAKE_BUILD_RPATH="$libdir" >/dev/null
cmake --build "$tmp/fp" >/dev/null
"$tmp/fp/app"

echo "== pkg-config refblame"
export PKG_CONFIG_PATH="$libdir/pkgconfig"
# shellcheck disable=SC2046
cc -std=c11 -Wall -Werror "$here/app.c" -o "$tmp/pc-app" $(pkg-config --cflags --libs refblame) -Wl,-rpath,"$libdir"
"$tmp/pc-app"

echo "== add_subdirectory(checkout)"
cmake -S "$here" -B "$tmp/sub" -DREFBLAME_SOURCE_DIR="$src" >/dev/null
cmake --build "$tmp/sub" >/dev/null
"$tmp/sub/app"
