#!/usr/bin/env bash
# Debian packages neural-style-gl needs: the build deps of the `gl` package (headless-gl,
# compiled by node-gyp during npm ci), a virtual display with Mesa's llvmpipe for WebGL on
# machines without a screen, and glxinfo so `nst doctor` can name the GL driver.
# Installs the missing ones when run as root; otherwise prints the command to run.
set -euo pipefail
PACKAGES=(pkg-config libx11-dev libxi-dev libxext-dev libgl1-mesa-dev xvfb xauth mesa-utils)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages; run: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
