#!/usr/bin/env bash
# Installs the browser the end-to-end tests drive (test/e2e): Debian's chromium at /usr/bin/chromium, which
# playwright-core launches by path (no browser download). Idempotent and quiet: does nothing when it is there.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-browser: $CHROMIUM is missing and apt-get is not available; install Chromium at $CHROMIUM by hand" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "setup-browser: installing chromium needs root (or sudo)" >&2
    exit 1
  fi
fi

echo "setup-browser: installing chromium (apt-get)"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null

if [ ! -x "$CHROMIUM" ]; then
  echo "setup-browser: apt-get installed chromium but $CHROMIUM is still missing" >&2
  exit 1
fi
echo "setup-browser: $("$CHROMIUM" --version 2>/dev/null || echo chromium) installed"
