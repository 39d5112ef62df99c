#!/usr/bin/env bash
# load-image.sh <image:tag> [...]: copies images from the Docker engine into the cluster's containerd
# (docker save | ctr -n k8s.io images import), so pods can use them with imagePullPolicy IfNotPresent/Never.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -ge 1 ] || lk_die "no image given" "usage: $0 <image:tag> [<image:tag>...]"
lk_require_root "$@"
lk_pid containerd >/dev/null && [ -S "$LK_CONTAINERD_SOCK" ] ||
  lk_die "the cluster's containerd is not running ($LK_CONTAINERD_SOCK)" "start the cluster: $LK_DIR/up.sh"
for image in "$@"; do
  [[ $image == *:* || $image == *@* ]] || lk_die "image '$image' has no tag" "pass it as name:tag, e.g. $image:latest"
  docker image inspect "$image" >/dev/null 2>&1 ||
    lk_die "image '$image' is not in the Docker engine" "build it first (docker build -t $image ...); nothing is pulled from a registry"
  started=$(date +%s%N)
  # Docker Hub short names are stored by ctr under docker.io/...; the kubelet resolves them the same way.
  # The list is read whole before it is searched: `ctr … | grep -q` under pipefail fails when grep
  # stops at the match while ctr still writes (SIGPIPE), which once reported a loaded image as missing.
  listed() {
    local names
    names=$(ctr -a "$LK_CONTAINERD_SOCK" -n k8s.io images ls -q)
    grep -qE "(^|/)${image//./\\.}$" <<<"$names"
  }
  for attempt in 1 2; do
    docker save "$image" | ctr -a "$LK_CONTAINERD_SOCK" -n k8s.io images import - >/dev/null
    if listed; then break; fi
    [ "$attempt" = 2 ] && lk_die "image '$image' did not show up in containerd after import (twice)" "check the cluster's containerd: $LK_DIR/status.sh"
    lk_log "image '$image' not listed after import; importing again"
  done
  lk_log "loaded $image ($(( ($(date +%s%N) - started) / 1000000 )) ms)"
done
