#!/usr/bin/env bash
# kubectl.sh <args...>: the cluster's own kubectl (from the build cache) with the bench-local kubeconfig.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
kubectl_bin=$(lk_bin kubectl)
[ -x "$kubectl_bin" ] || lk_die "kubectl is not built ($kubectl_bin)" "run $LK_DIR/build.sh"
exec "$kubectl_bin" --kubeconfig "${KUBECONFIG:-$LK_KUBECONFIG}" --context "$LK_CONTEXT" "$@"
