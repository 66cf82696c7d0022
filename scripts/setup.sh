#!/usr/bin/env bash
# setup.sh: install refblame's build and test dependencies from Debian's packages (bookworm), only those missing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config python3 binutils
  liblttng-ust-dev liblttng-ctl-dev lttng-tools
  libbabeltrace2-dev babeltrace2
  libcli11-dev libdw-dev libelf-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev libunwind-dev
  clang-14 libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all dependencies present"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null; then
  sudo=(sudo)
else
  echo "setup: missing packages (${missing[*]}) and not root: run as root or install sudo" >&2
  exit 2
fi

echo "setup: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
