#!/usr/bin/env bash
# Brings up a real single-node Kubernetes on this host, with no container registry:
#   a second containerd (CRI on, own socket/root), kubelet under a supervisor loop, kubeadm init
#   (etcd, apiserver, controller-manager, scheduler as static pods from locally built images),
#   kube-proxy as a host process (iptables mode, NodePorts on 127.0.0.1), metrics-server.
# Idempotent: a healthy cluster is reused; any other leftover state is reset (down.sh) first.
# Prints the kubeconfig path (context "bench-local") as the last line of stdout.
# Usage: up.sh [--fresh]   (--fresh: reset even a healthy cluster)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fresh=0
for arg in "$@"; do
  case $arg in
    --fresh) fresh=1 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) lk_die "unknown argument '$arg'" "usage: $0 [--fresh]" ;;
  esac
done
lk_require_root "$@"
started=$(date +%s)
step() { lk_log "[$(( $(date +%s) - started ))s] $*"; }

# --- binaries (build.sh reuses a complete cache at once) -------------------------------------------------
"$LK_DIR/build.sh"
cache=$(lk_cache_dir)
bin="$cache/bin"
# kubeadm runs `kubelet --version` and friends from PATH; the binaries stay in the cache, not in /usr/bin.
export PATH="$bin:$PATH"
kubectl() { "$bin/kubectl" --kubeconfig "$LK_KUBECONFIG" "$@"; }

# --- reuse a healthy cluster ---------------------------------------------------------------------------
if [ $fresh = 0 ] && [ "$(lk_active_cache_dir)" = "$cache" ] && lk_cluster_healthy "$bin"; then
  step "cluster already up and healthy; reusing it"
  echo "$LK_KUBECONFIG"
  exit 0
fi
if lk_has_state; then
  step "found stale state from an earlier run; resetting it (down.sh)"
  "$LK_DIR/down.sh"
fi
lk_require_disk /var/lib "$LK_MIN_FREE_GB_UP"

# --- host packages -------------------------------------------------------------------------------------
need=()
for pair in containerd:containerd runc:runc containernetworking-plugins:/usr/lib/cni/ptp iptables:iptables \
  conntrack:conntrack socat:socat ethtool:ethtool iproute2:ip util-linux:nsenter kmod:modprobe; do
  pkg=${pair%%:*} probe=${pair#*:}
  if [[ $probe == /* ]]; then [ -e "$probe" ] || need+=("$pkg"); else command -v "$probe" >/dev/null || need+=("$pkg"); fi
done
if [ ${#need[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || lk_die "missing packages: ${need[*]}, and no apt-get" "install them with your package manager"
  step "apt-get install ${need[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
containerd --version | grep -qE ' (v)?1\.[67]\.| (v)?2\.' || lk_die "unsupported containerd: $(containerd --version)" "install containerd 1.6 or newer"

# --- kernel settings (originals saved for down.sh) ---------------------------------------------------------
mkdir -p "$LK_STATE_DIR" "$LK_LOG_DIR" "$(dirname "$LK_CONTAINERD_CONFIG")" "$LK_CNI_CONF_DIR"
echo "$cache" >"$LK_STATE_DIR/cache-dir"
for old in "$LK_CACHE_ROOT"/k8s-*; do   # entries of older recipes: nothing runs from them any more
  [ "$old" = "$cache" ] || [ ! -f "$old/COMPLETE" ] || { rm -rf "$old"; lk_log "removed old cache entry $old"; }
done
modprobe br_netfilter 2>/dev/null || true
modprobe overlay 2>/dev/null || true
[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ] ||
  lk_die "net.bridge.bridge-nf-call-iptables is missing (br_netfilter module not loaded)" "modprobe br_netfilter"
: >"$LK_STATE_DIR/sysctl.orig"
for key in net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables net.ipv4.conf.all.route_localnet; do
  echo "$key=$(sysctl -n "$key")" >>"$LK_STATE_DIR/sysctl.orig"
done
sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1

node_ip=$(lk_node_ip) || lk_die "cannot find this host's primary IPv4 address (no default route?)" "add a default route or an address on a non-loopback interface"
node_name=$(hostname | tr '[:upper:]' '[:lower:]')
step "node $node_name at $node_ip; pod subnet $LK_POD_SUBNET, services $LK_SERVICE_SUBNET"

# --- pod network: ptp + host-local + portmap in our own CNI conf dir; let it through Docker's FORWARD DROP ---
node_pod_cidr=${LK_POD_SUBNET%.*.*}.0.0/24   # the first /24, which the node IPAM controller gives the only node
cat >"$LK_CNI_CONF_FILE" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "$LK_CNI_NET_NAME",
  "plugins": [
    {
      "type": "ptp",
      "ipMasq": true,
      "mtu": 1500,
      "ipam": {
        "type": "host-local",
        "dataDir": "$LK_CNI_IPAM_DIR",
        "ranges": [[{"subnet": "$node_pod_cidr"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF
chain=DOCKER-USER
iptables -n -L DOCKER-USER >/dev/null 2>&1 || chain=FORWARD
for dir in -s -d; do
  iptables -C "$chain" "$dir" "$LK_POD_SUBNET" -m comment --comment "$LK_IPT_COMMENT" -j ACCEPT 2>/dev/null ||
    iptables -I "$chain" 1 "$dir" "$LK_POD_SUBNET" -m comment --comment "$LK_IPT_COMMENT" -j ACCEPT
done

# Nothing for the pod or service ranges may leave through the default route: on these VMs the upstream network
# accepts TCP to any address (a connection to a Service IP made before kube-proxy has its rule would silently go
# outside and stay there). Pod IPs that exist have /32 routes (ptp); the rest are unreachable. Service IPs are
# DNAT-ed by kube-proxy before the filter chains, so whatever still carries a Service IP there is rejected.
ip route replace unreachable "$LK_POD_SUBNET" metric 4000
for c in OUTPUT FORWARD; do
  iptables -C "$c" -d "$LK_SERVICE_SUBNET" -m comment --comment "$LK_IPT_COMMENT" -j REJECT 2>/dev/null ||
    iptables -I "$c" 1 -d "$LK_SERVICE_SUBNET" -m comment --comment "$LK_IPT_COMMENT" -j REJECT
done

# --- second containerd with CRI ------------------------------------------------------------------------------
pause_image=$(sed -n 's/^PAUSE_IMAGE=//p' "$cache/build-info.env")
mkdir -p "$LK_CONTAINERD_ROOT" "$LK_CONTAINERD_STATE"
cat >"$LK_CONTAINERD_CONFIG" <<EOF
version = 2
root = "$LK_CONTAINERD_ROOT"
state = "$LK_CONTAINERD_STATE"
[grpc]
  address = "$LK_CONTAINERD_SOCK"

[ttrpc]
  address = "$LK_CONTAINERD_SOCK.ttrpc"

[debug]
  address = ""

[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "$LK_CONTAINERD_ROOT/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$pause_image"
  enable_unprivileged_ports = true
  enable_unprivileged_icmp = true
  # These VMs lack CAP_SYS_RESOURCE, so negative oom_score_adj (kubelet gives -997 to critical and
  # guaranteed pods) cannot be written; clamp it to containerd's own score instead of failing the container.
  restrict_oom_score_adj = true
  # Pod network namespaces under our state dir rather than /run/netns.
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$LK_CNI_BIN_DIR"
    conf_dir = "$LK_CNI_CONF_DIR"
    max_conf_num = 1
EOF
step "starting containerd ($LK_CONTAINERD_SOCK)"
lk_start containerd "$LK_DIR/supervise.sh" containerd --config "$LK_CONTAINERD_CONFIG"
lk_wait 60 "containerd socket" ctr -a "$LK_CONTAINERD_SOCK" version

step "importing images into containerd (k8s.io namespace)"
for archive in "$cache"/images/*.tar; do
  ctr -a "$LK_CONTAINERD_SOCK" -n k8s.io images import "$archive" >/dev/null
done
# Pin them, so the kubelet's image GC never deletes what no registry can give back.
while read -r tag; do
  ctr -a "$LK_CONTAINERD_SOCK" -n k8s.io images label "$tag" io.cri-containerd.pinned=pinned >/dev/null
done <"$cache/images/tags.txt"

# --- kubelet under a supervisor loop (what systemd does for kubeadm elsewhere) -------------------------------
step "starting the kubelet supervisor"
lk_start kubelet "$LK_DIR/supervise-kubelet.sh" "$bin/kubelet"

# --- kubeadm init ---------------------------------------------------------------------------------------------
kubeadm_config="$(dirname "$LK_CONTAINERD_CONFIG")/kubeadm.yaml"
cat >"$kubeadm_config" <<EOF
apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
localAPIEndpoint:
  advertiseAddress: $node_ip
  bindPort: 6443
nodeRegistration:
  name: $node_name
  criSocket: unix://$LK_CONTAINERD_SOCK
  imagePullPolicy: Never
  taints: []
  ignorePreflightErrors: [SystemVerification]
  kubeletExtraArgs:
    - name: node-ip
      value: $node_ip
skipPhases: [addon/kube-proxy, addon/coredns]
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
kubernetesVersion: $K8S_VERSION
clusterName: $LK_CLUSTER_NAME
networking:
  podSubnet: $LK_POD_SUBNET
  serviceSubnet: $LK_SERVICE_SUBNET
dns:
  disabled: true
proxy:
  disabled: true
controllerManager:
  extraArgs:
    - name: horizontal-pod-autoscaler-sync-period
      value: 10s
---
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
oomScoreAdj: 0
containerRuntimeEndpoint: unix://$LK_CONTAINERD_SOCK
imageGCHighThresholdPercent: 100
evictionHard:
  nodefs.available: "0%"
  nodefs.inodesFree: "0%"
  imagefs.available: "0%"
EOF
step "kubeadm init ${K8S_VERSION}"
if ! "$bin/kubeadm" init --config "$kubeadm_config" >"$LK_LOG_DIR/kubeadm-init.log" 2>&1; then
  tail -n 40 "$LK_LOG_DIR/kubeadm-init.log" >&2
  lk_die "kubeadm init failed (full log: $LK_LOG_DIR/kubeadm-init.log, kubelet: $LK_LOG_DIR/kubelet.log)" \
    "read the log; then '$LK_DIR/down.sh' and retry"
fi
kubectl config rename-context "kubernetes-admin@$LK_CLUSTER_NAME" "$LK_CONTEXT" >/dev/null
kubectl config use-context "$LK_CONTEXT" >/dev/null
kubectl taint nodes "$node_name" node-role.kubernetes.io/control-plane- >/dev/null 2>&1 || true

# --- kube-proxy on the host ------------------------------------------------------------------------------
# The built-in binding system:node-proxier grants the user system:kube-proxy what kube-proxy needs.
step "starting kube-proxy (iptables mode, NodePorts on 127.0.0.1 and $node_ip)"
"$bin/kubeadm" kubeconfig user --config "$kubeadm_config" --client-name system:kube-proxy \
  >/etc/kubernetes/kube-proxy.conf 2>"$LK_LOG_DIR/kubeadm-kubeconfig.log"
cat >/etc/kubernetes/kube-proxy.yaml <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection:
  kubeconfig: /etc/kubernetes/kube-proxy.conf
hostnameOverride: $node_name
mode: iptables
clusterCIDR: $LK_POD_SUBNET
nodePortAddresses: ["127.0.0.0/8", "$node_ip/32"]
iptables:
  localhostNodePorts: true
conntrack:
  maxPerCore: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
oomScoreAdj: 0
metricsBindAddress: 127.0.0.1:10249
healthzBindAddress: 127.0.0.1:10256
EOF
lk_start kube-proxy "$LK_DIR/supervise.sh" "$bin/kube-proxy" --config=/etc/kubernetes/kube-proxy.yaml
lk_wait 120 "node Ready" bash -c "'$bin/kubectl' --kubeconfig '$LK_KUBECONFIG' get node '$node_name' -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -qx True"
lk_wait 60 "kube-proxy healthz" curl -fsS -o /dev/null http://127.0.0.1:10256/healthz
[ "$(sysctl -n net.ipv4.conf.all.route_localnet)" = 1 ] ||
  lk_die "kube-proxy did not enable net.ipv4.conf.all.route_localnet; NodePorts would not answer on 127.0.0.1" "see $LK_LOG_DIR/kube-proxy.log"

# --- metrics-server -------------------------------------------------------------------------------------
step "metrics-server ${METRICS_SERVER_VERSION}"
kubectl apply -f "$cache/manifests/metrics-server.yaml" >/dev/null
lk_wait 180 "metrics.k8s.io APIService Available" bash -c \
  "'$bin/kubectl' --kubeconfig '$LK_KUBECONFIG' get apiservice v1beta1.metrics.k8s.io -o jsonpath='{.status.conditions[?(@.type==\"Available\")].status}' | grep -qx True"
lk_wait 180 "node metrics from metrics.k8s.io" bash -c \
  "'$bin/kubectl' --kubeconfig '$LK_KUBECONFIG' get --raw /apis/metrics.k8s.io/v1beta1/nodes | grep -q '\"usage\"'"
# The HPA controller runs in kube-controller-manager: it must be healthy and hold the leader lease.
lk_wait 60 "kube-controller-manager healthz (it runs the HPA controller)" curl -fsSk -o /dev/null https://127.0.0.1:10257/healthz
lk_wait 60 "kube-controller-manager leader lease" bash -c \
  "'$bin/kubectl' --kubeconfig '$LK_KUBECONFIG' -n kube-system get lease kube-controller-manager -o jsonpath='{.spec.holderIdentity}' | grep -q ."

step "ready: $(kubectl get node "$node_name" -o jsonpath='{.status.nodeInfo.kubeletVersion}') node $node_name; kubeconfig $LK_KUBECONFIG, context $LK_CONTEXT; total $(( $(date +%s) - started ))s"
echo "$LK_KUBECONFIG"
