#!/usr/bin/env bash
# Make sure a Docker engine answers on /var/run/docker.sock.
# Installs Debian's docker.io when dockerd is missing and starts it in the background
# (these machines have no systemd). Idempotent: does nothing when an engine already answers.
set -euo pipefail

log() { printf 'docker-engine: %s\n' "$*" >&2; }

if docker info >/dev/null 2>&1; then
  log "engine answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  log "no Docker engine answers and this is not root: start one yourself (e.g. 'sudo systemctl start docker'), or run this script as root"
  exit 3
fi

if ! command -v dockerd >/dev/null 2>&1; then
  log "installing Debian's docker.io (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq docker.io >/dev/null
fi

logfile=/var/log/bench-dockerd.log
log "starting dockerd (log: $logfile)"
# setsid: the engine must outlive the shell that started it (CI steps, npm scripts).
setsid nohup dockerd --storage-driver=overlay2 >"$logfile" 2>&1 </dev/null &

for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    log "engine up ($(docker version --format '{{.Server.Version}}'))"
    exit 0
  fi
  sleep 1
done
log "dockerd did not answer within 60 s; last lines of $logfile:"
tail -n 20 "$logfile" >&2 || true
exit 3
