#!/usr/bin/env bash
# Tears down what up.sh created and verifies nothing is left: processes (by recorded pid), containers, mounts
# (pod network namespaces included), iptables rules and chains, CNI config, directories, changed sysctls.
# The build cache (build.sh) is kept. Safe to run when nothing is up. Exit 1 if something could not be removed.
# Usage: down.sh [--keep-logs]
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

keep_logs=0
for arg in "$@"; do
  case $arg in
    --keep-logs) keep_logs=1 ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) lk_die "unknown argument '$arg'" "usage: $0 [--keep-logs]" ;;
  esac
done
lk_require_root "$@"
started=$(date +%s)
bin="$(lk_active_cache_dir)/bin"

# 1. The kubelet first, so it does not restart the pods kubeadm reset removes.
lk_stop kubelet

# 2. kubeadm reset while containerd is still up: removes all pods (CNI DEL runs), static pod manifests, certs,
#    etcd data, kubelet state and its mounts.
if [ -x "$bin/kubeadm" ] && { [ -d /etc/kubernetes ] || [ -d /var/lib/kubelet ] || [ -d /var/lib/etcd ]; }; then
  if lk_pid containerd >/dev/null; then
    lk_log "kubeadm reset"
    reset_log=$(mktemp)
    PATH="$bin:$PATH" timeout 180 "$bin/kubeadm" reset -f --cri-socket "unix://$LK_CONTAINERD_SOCK" >"$reset_log" 2>&1 ||
      { lk_log "kubeadm reset failed (continuing with the manual clean-up):"; tail -n 15 "$reset_log" >&2; }
    rm -f "$reset_log"
  fi
fi

# 3. Any pod sandbox left in our containerd (e.g. when reset was skipped): stop and remove through CRI's namespace.
if lk_pid containerd >/dev/null; then
  ctr_k8s=(ctr -a "$LK_CONTAINERD_SOCK" -n k8s.io)
  for id in $("${ctr_k8s[@]}" tasks ls -q 2>/dev/null); do "${ctr_k8s[@]}" tasks kill -s KILL "$id" >/dev/null 2>&1; done
  sleep 1
  for id in $("${ctr_k8s[@]}" tasks ls -q 2>/dev/null); do "${ctr_k8s[@]}" tasks delete -f "$id" >/dev/null 2>&1; done
  for id in $("${ctr_k8s[@]}" containers ls -q 2>/dev/null); do "${ctr_k8s[@]}" containers delete "$id" >/dev/null 2>&1; done
fi

# 4. kube-proxy, then its iptables clean-up.
lk_stop kube-proxy
if [ -x "$bin/kube-proxy" ] && grep -q '^:KUBE-' <<<"$(iptables-save 2>/dev/null)"; then
  "$bin/kube-proxy" --cleanup >/dev/null 2>&1 || true
fi

# 5. containerd, then any shim of ours that outlived it (matched by our socket path in its command line).
lk_stop containerd
for pid in $(pgrep -f "containerd-shim-runc-v2 .*-address $LK_CONTAINERD_SOCK" 2>/dev/null); do
  kill -KILL "$pid" 2>/dev/null && lk_log "killed leftover shim pid $pid"
done

# 6. Mounts and network namespaces under our paths (deepest first).
unmount_under() {
  local prefix
  for prefix in "$@"; do
    awk -v p="$prefix" '$2 == p || index($2, p "/") == 1 {print $2}' /proc/self/mounts | sort -r | while read -r m; do
      umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || lk_log "cannot unmount $m"
    done
  done
}
# Pod network namespaces are bind mounts under our containerd state dir (netns_mounts_under_state_dir).
unmount_under /var/lib/kubelet /var/lib/bench-local-k8s "$LK_STATE_DIR"

# 7. iptables: our rules (by comment), chains kube-proxy/kubelet/CNI plugins leave (KUBE-*, CNI-*).
for table in filter nat mangle; do
  iptables-save -t "$table" 2>/dev/null | grep -E -- "^-A .*($LK_IPT_COMMENT|-j (KUBE-|CNI-)|$LK_CNI_NET_NAME)" |
    sed 's/^-A /-D /' | while read -r rule; do eval "iptables -t $table $rule" 2>/dev/null; done
  for c in $(iptables-save -t "$table" 2>/dev/null | sed -n 's/^:\(\(KUBE\|CNI\)-[^ ]*\) .*/\1/p'); do
    iptables -t "$table" -F "$c" 2>/dev/null
  done
  for c in $(iptables-save -t "$table" 2>/dev/null | sed -n 's/^:\(\(KUBE\|CNI\)-[^ ]*\) .*/\1/p'); do
    iptables -t "$table" -X "$c" 2>/dev/null
  done
done

ip route del unreachable "$LK_POD_SUBNET" 2>/dev/null

# 8. Kernel settings back to what they were before up.sh.
if [ -f "$LK_STATE_DIR/sysctl.orig" ]; then
  while IFS='=' read -r key value; do
    [ -n "$key" ] && sysctl -qw "$key=$value" 2>/dev/null
  done <"$LK_STATE_DIR/sysctl.orig"
fi

# 9. Directories and files.
rm -rf /etc/kubernetes /var/lib/kubelet /var/lib/etcd "$LK_ETC_DIR" /var/lib/bench-local-k8s "$LK_STATE_DIR"
rm -rf /var/lib/cni/results/"$LK_CNI_NET_NAME"-* 2>/dev/null
rmdir /var/lib/cni/results /var/lib/cni 2>/dev/null
[ $keep_logs = 1 ] || rm -rf "$LK_LOG_DIR"

# 10. Verify.
left=()
for p in /etc/kubernetes /var/lib/kubelet /var/lib/etcd "$LK_ETC_DIR" /var/lib/bench-local-k8s "$LK_STATE_DIR"; do
  [ -e "$p" ] && left+=("directory $p")
done
while read -r m; do left+=("mount $m"); done < <(awk '$2 ~ "^(/var/lib/kubelet|/var/lib/bench-local-k8s|/run/bench-local-k8s)" {print $2}' /proc/self/mounts)
ip route show | grep -q "^unreachable $LK_POD_SUBNET" && left+=("route unreachable $LK_POD_SUBNET")
while read -r r; do left+=("iptables $r"); done < <(iptables-save 2>/dev/null | grep -E -- "$LK_IPT_COMMENT|KUBE-|CNI-")
while read -r p; do left+=("process $p"); done < <(pgrep -a -f "$LK_CONTAINERD_SOCK|$bin/(kubelet|kube-proxy)|supervise(-kubelet)?\.sh" 2>/dev/null | grep -v "^$$ ")
if [ ${#left[@]} -gt 0 ]; then
  printf '[local-k8s] left behind: %s\n' "${left[@]}" >&2
  lk_die "down.sh could not remove everything (listed above)" "remove those by hand or reboot; then re-run $0"
fi
lk_log "down: nothing left behind ($(( $(date +%s) - started ))s)"
