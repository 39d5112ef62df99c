#!/usr/bin/env bash
# supervise-kubelet.sh <kubelet binary>: runs the kubelet the way kubeadm's systemd drop-in does, and restarts it
# whenever it exits, re-reading /var/lib/kubelet/config.yaml and kubeadm-flags.env (written by kubeadm init).
# Until kubeadm has written the config it just waits.
kubelet=$1
trap 'kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null; exit 0' TERM INT
child=
while :; do
  if [ -f /var/lib/kubelet/config.yaml ]; then
    KUBELET_KUBEADM_ARGS=
    # shellcheck disable=SC1091
    [ -f /var/lib/kubelet/kubeadm-flags.env ] && . /var/lib/kubelet/kubeadm-flags.env
    # shellcheck disable=SC2086
    "$kubelet" --bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf \
      --config=/var/lib/kubelet/config.yaml $KUBELET_KUBEADM_ARGS &
    child=$!
    wait "$child"
    echo "[supervise-kubelet] kubelet exited with $?; restarting in 1s" >&2
  fi
  sleep 1
done
