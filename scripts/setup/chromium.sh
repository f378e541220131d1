#!/usr/bin/env bash
# Installs Debian's chromium (and a Japanese font, so the page's labels render) for the runs
# report page test: functions/runs-daily-report/page.browser.test.ts drives it through
# playwright-core, with no browser download from npm. Installs only when chromium is missing
# and this runs as root with apt-get (CI, a dev container); anywhere else it says why it did
# nothing and exits 0, and the test then skips with its reason (never in CI, where CI=true
# makes a missing browser a failure).
set -euo pipefail

CHROMIUM_PATH=${CHROMIUM_PATH:-/usr/bin/chromium}

if [ -x "$CHROMIUM_PATH" ]; then
  echo "chromium: present at $CHROMIUM_PATH ($("$CHROMIUM_PATH" --version 2>/dev/null || echo 'version unknown'))"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "chromium: not installed and not running as root; skipped (install it with: sudo apt-get install -y chromium)"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium: not installed and apt-get is not available; skipped (install Chromium at $CHROMIUM_PATH by hand)"
  exit 0
fi

echo "chromium: installing Debian's chromium package (apt-get update && apt-get install -y chromium)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-ipafont-gothic >/dev/null
if [ ! -x "$CHROMIUM_PATH" ]; then
  echo "chromium: apt-get finished but $CHROMIUM_PATH is missing" >&2
  exit 1
fi
echo "chromium: installed $("$CHROMIUM_PATH" --version 2>/dev/null || echo "at $CHROMIUM_PATH")"
