#!/usr/bin/env bash
# Installs the pinned actionlint from the Go module proxy into a cache outside the tracked tree and
# prints the binary's path on stdout (progress goes to stderr). Re-running is free once it is cached.
#   ACTIONLINT_VERSION  version to install (default: the pinned one below)
#   BENCH_TOOLS_DIR     cache root (default: node_modules/.cache/bench-tools)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
version="${ACTIONLINT_VERSION:-v1.7.12}"
tools="${BENCH_TOOLS_DIR:-$root/node_modules/.cache/bench-tools}"
bin_dir="$tools/actionlint-$version"
bin="$bin_dir/actionlint"

if [ -x "$bin" ] && "$bin" -version 2>/dev/null | head -n 1 | grep -qx "${version#v}\|$version"; then
  echo "$bin"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "install-actionlint: go is not on PATH; install Go (https://go.dev/dl/) and re-run" >&2
  exit 3
fi
mkdir -p "$bin_dir"
echo "install-actionlint: go install github.com/rhysd/actionlint/cmd/actionlint@$version → $bin_dir" >&2
# CGO off: a static binary; -buildvcs=false: no VCS stamping of a module-proxy download.
GOBIN="$bin_dir" CGO_ENABLED=0 GOFLAGS=-buildvcs=false go install "github.com/rhysd/actionlint/cmd/actionlint@$version" >&2
"$bin" -version >&2
echo "$bin"
