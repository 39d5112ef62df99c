#!/usr/bin/env bash
# probe-node.sh: the smallest setup that tells whether a kind-style node can work on this machine under
# rootful podman, before any kind node image is built (issue "kind for real"). It makes a Debian root
# filesystem with debootstrap (systemd, containerd, runc, iptables), starts it as a --privileged podman
# container with systemd as init and rlimits within the hard limits, runs the kubelet of the local
# cluster's build in it (standalone: a static pod, no API server), and lets a static pod under a
# 0.5-CPU limit report the CPU it got. Prints what it found; removes the node container at exit.
#
# Needs root, Debian's apt (for podman and debootstrap when missing) and the local cluster's build
# (infra/local-k8s/build.sh: the kubelet and the pause image). Cache: $BENCH_KIND_PODMAN_CACHE
# (default /var/cache/bench-kind-podman); the root filesystem is made once.
set -euo pipefail

[ "$(id -u)" = 0 ] || { echo "probe-node: needs root (podman rootful, debootstrap)" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${BENCH_KIND_PODMAN_CACHE:-/var/cache/bench-kind-podman}
k8s=$(find /var/cache/bench-local-k8s -maxdepth 1 -name 'k8s-*' -type d -exec test -e '{}/COMPLETE' ';' -print 2>/dev/null | head -n 1)
[ -n "$k8s" ] || { echo "probe-node: no local cluster build; run: bash infra/local-k8s/build.sh" >&2; exit 2; }
name=bench-kind-probe
image=localhost/bench-kind-probe:v1
mkdir -p "$cache"
log() { echo "[probe $(date +%T)] $*"; }
in_node() { podman exec "$name" "$@"; }

# 1. podman and debootstrap, from Debian.
# shellcheck source=/dev/null
source "$here/tools.sh"
kind_podman_tools
log "$(podman --version)"

# 2. The node's root filesystem, once.
rootfs=$cache/rootfs-bookworm-v1.tar
if [ ! -f "$rootfs" ]; then
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
  dir=$(mktemp -d "$cache/rootfs.XXXXXX")
  started=$(date +%s)
  log "debootstrap bookworm from ${mirror:-http://deb.debian.org/debian}"
  debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,containerd,runc,iptables,ca-certificates,procps \
    bookworm "$dir" "${mirror:-http://deb.debian.org/debian}" >"$cache/debootstrap.log" 2>&1 ||
    { tail -n 20 "$cache/debootstrap.log" >&2; exit 1; }
  # No first-boot questions; a machine id is made at boot.
  rm -f "$dir/etc/machine-id" && : >"$dir/etc/machine-id"
  systemctl --root="$dir" mask systemd-firstboot.service getty.target console-getty.service >/dev/null 2>&1 || true
  tar -C "$dir" -cf "$rootfs.part" . && mv "$rootfs.part" "$rootfs"
  rm -rf "$dir"
  log "root filesystem: $(du -h "$rootfs" | cut -f1) in $(($(date +%s) - started)) s"
fi
podman image exists "$image" || podman import --change 'CMD ["/sbin/init"]' --change 'ENV container=podman' "$rootfs" "$image" >/dev/null

# 3. The workload: a static binary in an image made FROM scratch (nothing pulled).
(cd "$here/spin" && CGO_ENABLED=0 go build -trimpath -o "$cache/spin" .)
printf 'FROM scratch\nCOPY spin /spin\nENTRYPOINT ["/spin"]\n' >"$cache/Containerfile"
podman build -q -t localhost/bench-spin:probe -f "$cache/Containerfile" "$cache" >/dev/null
rm -f "$cache/spin.tar" && podman save -q --format docker-archive -o "$cache/spin.tar" localhost/bench-spin:probe

# 4. The node. containerd's snapshots need a volume of their own: overlayfs cannot stack its upper
# layer on the node's own overlay root (kind mounts a volume at /var for the same reason).
podman rm -f "$name" >/dev/null 2>&1 || true
trap 'podman rm -f -v "$name" >/dev/null 2>&1 || true' EXIT
log "starting the node container (--privileged, systemd, cgroupns=private)"
podman run -d --name "$name" --hostname "$name" --privileged --systemd=always --cgroupns=private \
  --ulimit nofile=20000:20000 --ulimit nproc=4096:4096 --security-opt seccomp=unconfined \
  --tmpfs /tmp --tmpfs /run $([ -d /lib/modules ] && echo "-v /lib/modules:/lib/modules:ro") \
  -v /var/lib/containerd \
  -v "$k8s/bin:/k8s/bin:ro" -v "$k8s/images:/k8s/images:ro" -v "$cache:/probe:ro" \
  "$image" /sbin/init >/dev/null
in_node timeout 30 sh -c 'until [ -S /run/dbus/system_bus_socket ] || [ -S /run/systemd/private ]; do sleep 0.2; done' || true
state=$(in_node timeout 60 systemctl is-system-running --wait 2>&1 || true)
log "systemd: $state; failed units: $(in_node systemctl --failed --no-legend --plain 2>/dev/null | awk '{print $1}' | tr '\n' ' ')"
log "CapEff of the node's init: $(in_node grep CapEff /proc/1/status | awk '{print $2}') (host bounding set: $(grep CapBnd /proc/self/status | awk '{print $2}'))"
log "cgroup hierarchy seen by the node: $(in_node sh -c 'stat -fc %T /sys/fs/cgroup; ls /sys/fs/cgroup | tr "\n" " "')"

# 5. containerd with the pause image of the build, then the kubelet in standalone mode. Without
# CAP_SYS_RESOURCE (not in this machine's bounding set) no process may lower an OOM score, which the
# kubelet asks for its sandboxes (-998): runc then fails with "can't get final child's PID from pipe".
# `restrict_oom_score_adj` keeps every score at or above containerd's own.
in_node sh -c 'mkdir -p /etc/containerd && printf "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\"]\n  sandbox_image = \"registry.k8s.io/pause:3.10.1\"\n  restrict_oom_score_adj = true\n" >/etc/containerd/config.toml && systemctl restart containerd'
in_node timeout 30 sh -c 'until ctr version >/dev/null 2>&1; do sleep 0.5; done'
in_node ctr -n k8s.io images import /k8s/images/pause.tar >/dev/null
in_node ctr -n k8s.io images import /probe/spin.tar >/dev/null
log "images in the node: $(in_node ctr -n k8s.io images ls -q | tr '\n' ' ')"
podman exec -i "$name" sh -c 'mkdir -p /var/lib/kubelet /etc/kubernetes/manifests && cat >/var/lib/kubelet/config.yaml' <<'YAML'
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
staticPodPath: /etc/kubernetes/manifests
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix:///run/containerd/containerd.sock
failSwapOn: false
authentication:
  anonymous: {enabled: true}
  webhook: {enabled: false}
authorization: {mode: AlwaysAllow}
YAML
podman exec -i "$name" sh -c 'cat >/etc/kubernetes/manifests/spin.yaml' <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: spin, namespace: default}
spec:
  hostNetwork: true
  containers:
    - name: spin
      image: localhost/bench-spin:probe
      imagePullPolicy: Never
      env: [{name: SPIN_FOR, value: 5s}, {name: GOMAXPROCS, value: "2"}]
      resources: {limits: {cpu: 500m, memory: 64Mi}, requests: {cpu: 500m, memory: 64Mi}}
YAML
in_node systemd-run --unit=kubelet /k8s/bin/kubelet --config=/var/lib/kubelet/config.yaml --v=1 >/dev/null
log "kubelet started; waiting for the static pod's output"
for _ in $(seq 1 90); do
  out=$(in_node sh -c 'cat /var/log/pods/default_spin-*/spin/*.log 2>/dev/null' || true)
  [ "$(grep -c 'cores=' <<<"$out")" -ge 2 ] && break
  sleep 2
done
if ! grep -q 'cores=' <<<"${out:-}"; then
  log "no output from the static pod; the kubelet's last words:"
  in_node journalctl -u kubelet --no-pager -n 40 | cut -c1-300
  exit 1
fi
log "static pod under a 0.5-CPU limit (GOMAXPROCS 2) reports:"
sed -E 's/^[^ ]+ (stdout|stderr) [FP] /  /' <<<"$out"
log "pod cgroups in the node: $(in_node sh -c 'find /sys/fs/cgroup/cpu/kubepods -name cpu.cfs_quota_us -path "*pod*" -exec sh -c "echo \$1=\$(cat \$1)" _ {} \; 2>/dev/null | head -n 4 | tr "\n" " "')"
