#!/usr/bin/env bash
# Debian packages neural-style-gl needs: the build deps of the `gl` package (headless-gl,
# compiled by node-gyp during npm ci), a virtual display with Mesa's llvmpipe for WebGL on
# machines without a screen, and glxinfo so `nst doctor` can name the GL driver.
# Installs the missing ones when run as root; otherwise prints the command to run.
exec bash "$(dirname "$0")/install-debian-packages.sh" pkg-config libx11-dev libxi-dev libxext-dev libgl1-mesa-dev xvfb xauth mesa-utils
