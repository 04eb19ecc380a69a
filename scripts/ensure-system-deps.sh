#!/usr/bin/env bash
# Installs the Debian tools the tests and benchmarks use as independent oracles (ffmpeg's
# ebur128 meter, flac, sox, lame) and chromium (the browser render test) when they are missing.
# Called by `npm test`, `npm run bench` and .ci/run, so a fresh Debian machine passes the same way CI does.
set -euo pipefail
need=()
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
command -v flac   >/dev/null 2>&1 || need+=(flac)
command -v sox    >/dev/null 2>&1 || need+=(sox)
command -v lame   >/dev/null 2>&1 || need+=(lame)
# Debian's chromium, driven by playwright-core for the browser render test (test/browser).
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
echo "Installing Debian packages: ${need[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "Missing ${need[*]} and not root: install them with apt-get install ${need[*]}" >&2; exit 1
  fi
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
