#!/usr/bin/env bash
# Builds a kind node image for rootful podman on this kind of machine, with nothing pulled:
# - a Debian root filesystem made with debootstrap (systemd, containerd, runc, iptables, the CNI plugins);
# - kind's entrypoint and systemd units, read from the pinned sigs.k8s.io/kind module (infra/kind/go.mod);
# - kubeadm, kubelet, kubectl and kube-proxy, and the control-plane images, from the local cluster's
#   build (infra/local-k8s/build.sh, Kubernetes from the Go module proxy);
# - files/: containerd with restrict_oom_score_adj (no CAP_SYS_RESOURCE here), a ptp CNI network,
#   kube-proxy as a node service, the images imported at boot, a storage class without provisioner.
# The image is tagged localhost/bench-kind-node:<k8s version>-<hash of all inputs>; a tag that exists
# is reused at once. The tag is the last line of stdout. Usage: build.sh [--print-tag-only]
# Needs root. Cache: $BENCH_KIND_PODMAN_CACHE (default /var/cache/bench-kind-podman).
set -euo pipefail

[ "$(id -u)" = 0 ] || { echo "kind node image: needs root (rootful podman, debootstrap); run it with sudo" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
cache=${BENCH_KIND_PODMAN_CACHE:-/var/cache/bench-kind-podman}
log() { echo "[kind-node $(date +%T)] $*" >&2; }
die() { echo "kind node image: $1" >&2; [ -n "${2:-}" ] && echo "  hint: $2" >&2; exit 1; }
started=$(date +%s)
mkdir -p "$cache"

# 1. podman and debootstrap, from Debian.
# shellcheck source=/dev/null
source "$here/../podman/tools.sh"
kind_podman_tools

# The host side of kind's podman nodes: kind mounts /lib/modules (these VMs have none), and podman's
# default rlimits (nofile 1048576) exceed this machine's hard limits.
mkdir -p /lib/modules
conf=/etc/containers/containers.conf.d/50-bench-kind.conf
if [ ! -f "$conf" ]; then
  nofile=$(ulimit -Hn) nproc=$(ulimit -Hu)
  [ "$nofile" = unlimited ] && nofile=1048576
  { [ "$nproc" = unlimited ] || [ "$nproc" -gt 4096 ]; } && nproc=4096
  mkdir -p "$(dirname "$conf")"
  printf '%s\n' '# bench (infra/kind/node/build.sh): rlimits within the hard limits, for kind'"'"'s podman nodes' \
    '[containers]' "default_ulimits = [\"nofile=$nofile:$nofile\", \"nproc=$nproc:$nproc\"]" >"$conf"
fi

# 2. Inputs: the local cluster's build (made once, cached by its own recipe hash) and kind's files.
k8s=$(bash "$repo/infra/local-k8s/build.sh" --print-dir | tail -n 1)
[ -f "$k8s/COMPLETE" ] || die "the local cluster's build did not complete ($k8s)" "run: bash infra/local-k8s/build.sh"
# shellcheck disable=SC1091
k8s_version=$(. "$k8s/build-info.env" && echo "$K8S_VERSION")
kind_dir=$(cd "$repo/infra/kind" && go mod download -json sigs.k8s.io/kind | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
[ -d "$kind_dir/images/base/files" ] || die "kind's module files are missing ($kind_dir)" "cd infra/kind && go mod download sigs.k8s.io/kind"
packages=systemd,systemd-sysv,dbus,containerd,runc,iptables,ca-certificates,procps,containernetworking-plugins,conntrack,iproute2,socat,kmod,libseccomp2,util-linux,mount
key=$( {
  echo "$packages"
  sha256sum "$here/build.sh" "$repo/infra/kind/go.sum"
  (cd "$here/files" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
  basename "$k8s"
} | sha256sum | cut -c1-12)
BUILT_REPO=localhost/bench-kind-node
image=$BUILT_REPO:$k8s_version-$key
if podman image exists "$image"; then
  log "cached: $image"
  echo "$image"
  exit 0
fi

# 3. The root filesystem, once per package list.
rootfs=$cache/rootfs-bookworm-node-$(echo "$packages" | sha256sum | cut -c1-8).tar
if [ ! -f "$rootfs" ]; then
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
  dir=$(mktemp -d "$cache/rootfs.XXXXXX")
  trap 'rm -rf "$dir"' EXIT
  log "debootstrap bookworm from ${mirror:-http://deb.debian.org/debian}"
  debootstrap --variant=minbase --include="$packages" bookworm "$dir" "${mirror:-http://deb.debian.org/debian}" >"$cache/debootstrap-node.log" 2>&1 ||
    { tail -n 20 "$cache/debootstrap-node.log" >&2; die "debootstrap failed" "see $cache/debootstrap-node.log"; }
  tar -C "$dir" -cf "$rootfs.part" . && mv "$rootfs.part" "$rootfs"
  rm -rf "$dir"
  trap - EXIT
  log "root filesystem: $(du -h "$rootfs" | cut -f1)"
fi

# 4. The node's tree: root filesystem + kind's files + the build's binaries and images + ours.
stage=$(mktemp -d "$cache/stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
tar -C "$stage" -xf "$rootfs"
cp -a "$kind_dir/images/base/files/." "$stage/"
# The module cache keeps its files read-only and without execute bits.
(cd "$kind_dir/images/base/files" && find . -type f) | while read -r f; do chmod 0644 "$stage/$f"; done
chmod 0755 "$stage/usr/local/bin/"* "$stage/kind/bin/"*
# kind's containerd unit runs /usr/local/bin/containerd; Debian's lives in /usr/bin.
ln -sf /usr/bin/containerd "$stage/usr/local/bin/containerd"
rm -f "$stage/etc/systemd/system/containerd-fuse-overlayfs.service"
cp -a "$here/files/." "$stage/"
for b in kubeadm kubelet kubectl kube-proxy; do install -m 0755 "$k8s/bin/$b" "$stage/usr/bin/$b"; done
mkdir -p "$stage/kind/images"
for t in kube-apiserver kube-controller-manager kube-scheduler etcd pause; do cp "$k8s/images/$t.tar" "$stage/kind/images/"; done
echo "$k8s_version" >"$stage/kind/version"
rm -f "$stage/etc/machine-id" && : >"$stage/etc/machine-id"
systemctl --root="$stage" mask systemd-firstboot.service getty.target console-getty.service >/dev/null 2>&1 || true
systemctl --root="$stage" enable containerd.service kubelet.service bench-images.service bench-kube-proxy.service bench-service-cidr.service undo-mount-hacks.service >/dev/null 2>&1
log "importing $image ($(du -sh "$stage" | cut -f1))"
tar -C "$stage" -c . | podman import \
  --change 'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]' \
  --change 'ENV container=podman' \
  --change 'STOPSIGNAL SIGRTMIN+3' - "$image" >/dev/null
log "built $image in $(($(date +%s) - started)) s"
# Earlier builds of the image (about 1 GB each) go, unless a node still runs on one.
podman images --format '{{.Repository}}:{{.Tag}}' | grep "^$BUILT_REPO:" | grep -vx "$image" | xargs -r -n1 podman rmi >/dev/null 2>&1 || true
echo "$image"
