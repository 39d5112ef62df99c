#!/usr/bin/env bash
# supervise.sh <command...>: restarts the command whenever it exits (a tiny stand-in for systemd's Restart=always).
# Stopped by signalling its process group (down.sh does that through the recorded pid).
trap 'kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null; exit 0' TERM INT
while :; do
  "$@" &
  child=$!
  wait "$child"
  echo "[supervise] $1 exited with $?; restarting in 1s" >&2
  sleep 1
done
