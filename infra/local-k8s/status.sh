#!/usr/bin/env bash
# status.sh [--json]: is the local cluster up, down, or stale? Exit 0 in all three cases (the state is the answer).
#   up     our processes run, the API is ready, the node is Ready and metrics.k8s.io serves node metrics
#   down   nothing of ours on the host
#   stale  anything in between (run up.sh, which resets it, or down.sh)
# Needs root for the health checks (the kubeconfig is root-only); without root a running cluster shows as stale.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

json=0
for arg in "$@"; do
  case $arg in
    --json) json=1 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) lk_die "unknown argument '$arg'" "usage: $0 [--json]" ;;
  esac
done
cache=$(lk_cache_dir)
bin="$(lk_active_cache_dir)/bin"
built=false; [ -f "$cache/COMPLETE" ] && built=true
alive() { lk_pid "$1" >/dev/null && echo true || echo false; }
containerd_up=$(alive containerd) kubelet_up=$(alive kubelet) proxy_up=$(alive kube-proxy)
node_ready=false metrics=false
if [ "$kubelet_up" = true ] && [ -r "$LK_KUBECONFIG" ] && [ -x "$bin/kubectl" ]; then
  k=("$bin/kubectl" --kubeconfig "$LK_KUBECONFIG" --request-timeout=5s)
  "${k[@]}" get nodes -o jsonpath='{.items[*].status.conditions[?(@.type=="Ready")].status}' 2>/dev/null | grep -qx True && node_ready=true
  "${k[@]}" get --raw /apis/metrics.k8s.io/v1beta1/nodes 2>/dev/null | grep -q '"usage"' && metrics=true
fi
if [ "$containerd_up$kubelet_up$proxy_up$node_ready$metrics" = truetruetruetruetrue ]; then
  state=up
elif lk_has_state; then
  state=stale
else
  state=down
fi
if [ $json = 1 ]; then
  printf '{"state":"%s","kubeconfigPath":"%s","contextName":"%s","built":%s,"cacheDir":"%s","kubernetesVersion":"%s","processes":{"containerd":%s,"kubelet":%s,"kubeProxy":%s},"nodeReady":%s,"metricsApi":%s}\n' \
    "$state" "$LK_KUBECONFIG" "$LK_CONTEXT" "$built" "$cache" "$K8S_VERSION" "$containerd_up" "$kubelet_up" "$proxy_up" "$node_ready" "$metrics"
else
  echo "state: $state"
  echo "kubernetes: $K8S_VERSION (build cache $cache: $([ "$built" = true ] && echo complete || echo missing))"
  echo "processes: containerd=$containerd_up kubelet=$kubelet_up kube-proxy=$proxy_up"
  echo "node Ready: $node_ready; metrics.k8s.io: $metrics"
  echo "kubeconfig: $LK_KUBECONFIG (context $LK_CONTEXT)"
fi
