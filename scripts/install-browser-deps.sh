#!/usr/bin/env bash
# Debian's Chromium, which the browser tests (test/browser/) drive through playwright-core:
# no browser is downloaded from anywhere else. Installs it when missing and run as root;
# otherwise prints the command to run.
exec bash "$(dirname "$0")/install-debian-packages.sh" chromium
