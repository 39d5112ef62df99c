#!/usr/bin/env bash
# Set-up for the main job and the tests on a fresh machine: Docker engine (Debian docker.io, started in
# the background when none answers), the reference service build check, wrk for the generator benchmark.
# Says plainly what it cannot do. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."

say() { printf 'setup: %s\n' "$*" >&2; }

if ! command -v go >/dev/null 2>&1; then
  say "Go is missing: install Go 1.25 or later (https://go.dev/dl); the reference service is built with it"
  exit 3
fi
say "$(go version)"

bash infra/setup/docker-engine.sh

if [ "$(id -u)" -eq 0 ] && ! command -v wrk >/dev/null 2>&1; then
  say "installing wrk (optional, for the load generator benchmark)"
  (apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null; }) || say "could not install wrk; the generator benchmark will skip it"
fi

say "building the reference service (default and nogreenteagc)"
bash infra/refsvc/build.sh --gc default --json >/dev/null
bash infra/refsvc/build.sh --gc nogreenteagc --json >/dev/null
say "ready: npx bench run --matrix (or npx bench doctor)"
