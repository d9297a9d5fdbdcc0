#!/usr/bin/env bash
# Makes sure the badge tests have zbar's zbarimg, the barcode reader they
# decode the badges' QR codes with (from pages rendered by poppler's
# pdftoppm, see ensure-poppler.sh). Installs Debian's zbar-tools with
# apt-get when missing and we are root.
set -euo pipefail

if command -v zbarimg >/dev/null; then exit 0; fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing zbar-tools (zbarimg) for the badge tests (apt-get)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq zbar-tools >/dev/null
  exit 0
fi

echo "the badge tests need zbarimg: run 'sudo apt-get install -y zbar-tools'" >&2
exit 1
