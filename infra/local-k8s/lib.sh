#!/usr/bin/env bash
# Shared helpers for infra/local-k8s scripts. Sourced, never executed.
# Holds the runtime layout (paths, sockets, subnets); build recipe pins live in versions.env.

# shellcheck disable=SC2034  # the variables below are used by the scripts that source this file
LK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$LK_DIR/versions.env"

LK_CACHE_ROOT="${BENCH_LOCAL_K8S_CACHE:-/var/cache/bench-local-k8s}"
LK_STATE_DIR=/run/bench-local-k8s           # pid files and logs of the processes we start
LK_LOG_DIR=/var/log/bench-local-k8s
LK_CONTAINERD_ROOT=/var/lib/bench-local-k8s/containerd
LK_CONTAINERD_STATE=/run/bench-local-k8s/containerd
LK_CONTAINERD_CONFIG=/etc/bench-local-k8s/containerd.toml
LK_CONTAINERD_SOCK=/run/bench-local-k8s/containerd.sock
LK_ETC_DIR=/etc/bench-local-k8s
LK_CNI_CONF_DIR=$LK_ETC_DIR/net.d           # our own CNI conf dir: the host's /etc/cni stays untouched
LK_CNI_CONF_FILE=$LK_CNI_CONF_DIR/10-bench-local.conflist
LK_CNI_IPAM_DIR=/var/lib/bench-local-k8s/cni-ipam
LK_CNI_NET_NAME=bench-local
LK_CNI_BIN_DIR=/usr/lib/cni
LK_POD_SUBNET=10.244.0.0/16
LK_SERVICE_SUBNET=10.96.0.0/16
LK_KUBECONFIG=/etc/kubernetes/admin.conf
LK_CONTEXT=bench-local
LK_CLUSTER_NAME=bench-local
LK_IPT_COMMENT=bench-local-k8s
LK_MIN_FREE_GB_BUILD=12
LK_MIN_FREE_GB_UP=4

lk_log() { printf '[local-k8s %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# lk_die <message> [fix]: prints the problem and the fix, exits 1.
lk_die() {
  printf '[local-k8s] ERROR: %s\n' "$1" >&2
  if [ -n "${2:-}" ]; then printf '[local-k8s] fix: %s\n' "$2" >&2; fi
  exit 1
}

lk_require_root() {
  [ "$(id -u)" = 0 ] || lk_die "must run as root (uid $(id -u)): it starts containerd, the kubelet and changes iptables" \
    "re-run with sudo: sudo $0 $*"
}

# lk_require_disk <path> <GiB>: fails when the filesystem holding <path> has less free space.
lk_require_disk() {
  local path=$1 need_gb=$2 probe=$1 avail_kb
  while [ ! -e "$probe" ]; do probe=$(dirname "$probe"); done
  avail_kb=$(df -Pk "$probe" | awk 'NR==2 {print $4}')
  if [ "$avail_kb" -lt $((need_gb * 1024 * 1024)) ]; then
    lk_die "only $((avail_kb / 1024 / 1024)) GiB free on the filesystem of $probe (df), need ${need_gb} GiB" \
      "free disk space (e.g. 'go clean -cache', 'docker system prune') or point BENCH_LOCAL_K8S_CACHE / GOCACHE / GOMODCACHE at a larger disk"
  fi
}

lk_minor() { local v=${1#v}; echo "${v%.*}"; }     # v1.34.4 -> 1.34

# Files whose content defines the build output; their hash keys the cache entry.
lk_recipe_files() { echo "$LK_DIR/versions.env" "$LK_DIR/build.sh"; }

lk_cache_key() {
  local h
  h=$(cd "$LK_DIR" && cat versions.env build.sh | sha256sum | cut -c1-12)
  echo "k8s-${K8S_VERSION}_etcd-${ETCD_VERSION}_ms-${METRICS_SERVER_VERSION}-${h}"
}

lk_cache_dir() { echo "$LK_CACHE_ROOT/$(lk_cache_key)"; }

# The cache entry the running cluster was started from (recorded by up.sh), else the current recipe's entry.
# Scripts that act on a running cluster use this, so editing the recipe never strands it.
lk_active_cache_dir() {
  if [ -f "$LK_STATE_DIR/cache-dir" ] && [ -d "$(cat "$LK_STATE_DIR/cache-dir")" ]; then cat "$LK_STATE_DIR/cache-dir"; else lk_cache_dir; fi
}

lk_bin() { echo "$(lk_active_cache_dir)/bin/$1"; }

# Primary IPv4 address: the source address of the default route, else the first global address.
lk_node_ip() {
  local ip
  ip=$(ip -4 route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p' | head -1)
  [ -n "$ip" ] || ip=$(ip -4 -o addr show scope global | awk '$2 != "docker0" {sub("/.*", "", $4); print $4; exit}')
  [ -n "$ip" ] && echo "$ip"
}

# lk_start <name> <command...>: runs the command in its own session (pgid = pid), logs to $LK_LOG_DIR/<name>.log,
# records the pid in $LK_STATE_DIR/<name>.pid.
lk_start() {
  local name=$1; shift
  mkdir -p "$LK_STATE_DIR" "$LK_LOG_DIR"
  setsid "$@" >>"$LK_LOG_DIR/$name.log" 2>&1 </dev/null &
  echo $! >"$LK_STATE_DIR/$name.pid"
}

# lk_pid <name>: prints the recorded pid when that process is still alive.
lk_pid() {
  local f="$LK_STATE_DIR/$1.pid" pid
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# lk_stop <name>: TERM then KILL to the process group we started (only ours: the pid from our pid file).
lk_stop() {
  local name=$1 pid i
  if pid=$(lk_pid "$name"); then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    lk_log "stopped $name (pid $pid)"
  fi
  rm -f "$LK_STATE_DIR/$name.pid"
}

# lk_wait <seconds> <what> <command...>: retries the command every 2 s until it succeeds or time runs out.
lk_wait() {
  local secs=$1 what=$2 deadline; shift 2
  deadline=$(( $(date +%s) + secs ))
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      lk_die "timed out after ${secs}s waiting for $what (logs: $LK_LOG_DIR)" "inspect the logs, then '$LK_DIR/down.sh' and retry"
    fi
    sleep 2
  done
}

# Anything left by an earlier up.sh (or a kubeadm cluster) that a fresh start must reset first.
lk_has_state() {
  local p
  for p in "$LK_STATE_DIR" "$LK_ETC_DIR" /var/lib/bench-local-k8s /etc/kubernetes /var/lib/kubelet /var/lib/etcd; do
    [ -e "$p" ] && return 0
  done
  # Whole outputs, then grep: `… | grep -q` under pipefail fails when grep stops first (SIGPIPE).
  grep -q -- "$LK_IPT_COMMENT" <<<"$(iptables-save 2>/dev/null)" && return 0
  grep -q "^unreachable $LK_POD_SUBNET" <<<"$(ip route show 2>/dev/null)" && return 0
  return 1
}

# lk_cluster_healthy <bin dir>: our processes alive, API ready, node Ready, metrics API serving.
lk_cluster_healthy() {
  local bin=$1 k
  k=("$bin/kubectl" --kubeconfig "$LK_KUBECONFIG" --request-timeout=5s)
  [ -x "$bin/kubectl" ] && [ -f "$LK_KUBECONFIG" ] || return 1
  lk_pid containerd >/dev/null && lk_pid kubelet >/dev/null && lk_pid kube-proxy >/dev/null || return 1
  "${k[@]}" get --raw /readyz >/dev/null 2>&1 || return 1
  "${k[@]}" get nodes -o jsonpath='{.items[*].status.conditions[?(@.type=="Ready")].status}' 2>/dev/null | grep -qx True || return 1
  grep -q '"usage"' <<<"$("${k[@]}" get --raw /apis/metrics.k8s.io/v1beta1/nodes 2>/dev/null)" || return 1
}
