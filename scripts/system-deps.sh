#!/usr/bin/env bash
# Installs, with apt-get, what the tests need and pip cannot provide:
# Debian's PostgreSQL server binaries (the tests start a throwaway server from them)
# and Debian's Chromium (the browser tests drive it with Playwright; Playwright's own
# browser download is not used, so the tests need no network beyond the package mirror).
# With --bench, also what the benchmarks run: wrk (bench/serve.py's load generator).
# Does nothing when they are already there.
set -euo pipefail

missing=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ "${1:-}" = "--bench" ]; then
    command -v wrk >/dev/null || missing+=(wrk)
fi

[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "need root (or sudo) to apt-get install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
fi
echo "Installing with apt-get: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
