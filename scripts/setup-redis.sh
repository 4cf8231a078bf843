#!/usr/bin/env bash
# Installs what the Redis shape tests (test/redis-shapes) start: Debian's redis-server (which is also the
# sentinel, as `redis-server --sentinel`) and redis-cli (which creates the test cluster). Idempotent and quiet:
# does nothing when both are there.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-redis: redis-server / redis-cli are missing and apt-get is not available; install Redis >= 7 by hand" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "setup-redis: installing redis-server needs root (or sudo)" >&2
    exit 1
  fi
fi

echo "setup-redis: installing redis-server and redis-tools (apt-get)"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends redis-server redis-tools >/dev/null

for binary in redis-server redis-cli; do
  if ! command -v "$binary" >/dev/null 2>&1; then
    echo "setup-redis: apt-get ran but $binary is still missing" >&2
    exit 1
  fi
done
echo "setup-redis: $(redis-server --version) installed"
