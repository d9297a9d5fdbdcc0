#!/usr/bin/env bash
# Makes sure the PDF tests have poppler's pdftotext, the PDF reader they
# read Agora's documents back with. Installs Debian's poppler-utils with
# apt-get when missing and we are root.
set -euo pipefail

if command -v pdftotext >/dev/null; then exit 0; fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing poppler-utils (pdftotext) for the PDF tests (apt-get)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null
  exit 0
fi

echo "the PDF tests need pdftotext: run 'sudo apt-get install -y poppler-utils'" >&2
exit 1
