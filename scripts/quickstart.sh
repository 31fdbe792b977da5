#!/usr/bin/env bash
# From a fresh clone (with ../shared beside it) to a stylised image, in one command:
#   bash scripts/quickstart.sh [more nst stylize options...]
# Installs what is missing (Debian packages when root, npm packages, the weights file), then
# stylises tubingen.jpg with starry_night.jpg. Without a display nst starts a private Xvfb
# itself, so the WebGL backend (Mesa llvmpipe), the fastest one on a machine without GPU, is used.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-system-deps.sh
[ -f node_modules/.package-lock.json ] || npm ci --no-audit --no-fund
[ -f weights/vgg19.nstw ] || npx nst weights import ../shared/weights/vgg19-uint8

npx nst stylize ../shared/images/tubingen.jpg ../shared/images/starry_night.jpg \
  -o tubingen_starry_night.png --size 96 --iterations 40 "$@"
