#!/usr/bin/env bash
# Makes sure the browser tests have Debian's chromium (headless, driven by
# chromedp). Installs it with apt-get when missing and we are root.
set -euo pipefail

for b in "${CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -n "$b" ] && [ -x "$b" ]; then exit 0; fi
done

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing chromium for the browser tests (apt-get)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi

echo "the browser tests need chromium: run 'sudo apt-get install -y chromium' (or set CHROMIUM to a Chrome binary)" >&2
exit 1
