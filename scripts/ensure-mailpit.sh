#!/usr/bin/env bash
# Makes sure the mail tests have Mailpit (a real SMTP server with an HTTP
# API) at $(go env GOPATH)/bin/mailpit, installing the pinned version when
# it is missing. The tests start their own instances on free ports.
set -euo pipefail

version=v1.33.1
bin="$(go env GOPATH)/bin/mailpit"

if [ -x "$bin" ]; then
  exit 0
fi

echo "installing mailpit $version into $(dirname "$bin") (about a minute)" >&2
go install "github.com/axllent/mailpit@$version"
test -x "$bin"
