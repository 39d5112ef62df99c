#!/usr/bin/env bash
# Builds everything the local single-node cluster needs, from the Go module proxy only (no registry):
#   bin/     kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubeadm kubectl
#            etcd metrics-server pause
#   images/  docker-save archives of FROM-scratch images tagged as kubeadm expects
#   manifests/metrics-server.yaml
# into a cache entry $BENCH_LOCAL_K8S_CACHE (default /var/cache/bench-local-k8s)/<versions>-<recipe hash>/.
# A complete entry is reused at once. Usage: build.sh [--print-dir]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

print_dir=0
for arg in "$@"; do
  case $arg in
    --print-dir) print_dir=1 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) lk_die "unknown argument '$arg'" "usage: $0 [--print-dir]" ;;
  esac
done

started=$(date +%s)
out=$(lk_cache_dir)
if [ -f "$out/COMPLETE" ]; then
  lk_log "cache hit: $out (built $(cat "$out/COMPLETE"))"
  [ $print_dir = 1 ] && echo "$out"
  exit 0
fi

# Prerequisites, each with its fix.
command -v go >/dev/null || lk_die "go is not on PATH" "install Go >= 1.24 (https://go.dev/dl) and put it on PATH"
go_minor=$(go env GOVERSION | sed -E 's/^go1\.([0-9]+).*/\1/')
[ "$go_minor" -ge 24 ] 2>/dev/null || lk_die "Go $(go env GOVERSION) is too old; Kubernetes ${K8S_VERSION} needs go1.24 or newer" "install a newer Go"
command -v gcc >/dev/null || lk_die "gcc is not on PATH (needed for the static pause binary)" "apt-get install -y gcc libc6-dev"
command -v docker >/dev/null && docker info >/dev/null 2>&1 ||
  lk_die "the Docker engine is not reachable (needed to build the FROM-scratch images)" "start it: infra/setup/docker-engine.sh"
mkdir -p "$LK_CACHE_ROOT" 2>/dev/null && [ -w "$LK_CACHE_ROOT" ] ||
  lk_die "cannot write the cache directory $LK_CACHE_ROOT" "run as root or set BENCH_LOCAL_K8S_CACHE to a writable directory"
lk_require_disk "$LK_CACHE_ROOT" "$LK_MIN_FREE_GB_BUILD"
lk_require_disk "$(go env GOCACHE)" "$LK_MIN_FREE_GB_BUILD"

lk_log "building $(basename "$out") with $(go env GOVERSION) (cold, with empty Go caches: about 12 min on 2 cores; 30 s with warm ones)"
partial="$out.partial.$$"
work="$LK_CACHE_ROOT/work-$(basename "$out")"
rm -rf "$partial" "$work" "$LK_CACHE_ROOT"/work-* "$LK_CACHE_ROOT"/*.partial.*   # leftovers of interrupted builds
trap 'rm -rf "$partial"' EXIT
mkdir -p "$partial/bin" "$partial/images" "$partial/manifests" "$work/mod"

step() { lk_log "[$(( $(date +%s) - started ))s] $*"; }

# 1. Wrapper module: k8s.io/kubernetes has `replace ./staging/...` directives, which only apply when it is the
#    main module. Replace each staging module with its published v0.<minor>.<patch> instead.
step "resolving k8s.io/kubernetes@${K8S_VERSION}"
export GOFLAGS="-buildvcs=false -mod=mod" CGO_ENABLED=0
k8s_json=$(cd "$work/mod" && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@${K8S_VERSION}")
k8s_mod_file=$(sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p' <<<"$k8s_json")
k8s_src=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p' <<<"$k8s_json")
k8s_time=$(sed -n 's/^[[:space:]]*"Time": "\(.*\)",*$/\1/p' <<<"$k8s_json" | head -1)
k8s_commit=$(sed -n 's/^[[:space:]]*"Hash": "\(.*\)",*$/\1/p' <<<"$k8s_json" | head -1)
[ -n "$k8s_commit" ] || k8s_commit=0000000000000000000000000000000000000000
staging_version="v0.${K8S_VERSION#v1.}"
{
  echo "module bench.local/local-k8s-build"
  echo
  sed -n 's/^go /go /p; s/^godebug /godebug /p' "$k8s_mod_file"
  echo
  echo "require k8s.io/kubernetes ${K8S_VERSION}"
  echo
  echo "replace ("
  grep -E '^[[:space:]]*k8s\.io/[a-z0-9-]+ => \./staging/' "$k8s_mod_file" |
    awk -v v="$staging_version" '{printf "\t%s => %s %s\n", $1, $1, v}'
  echo ")"
} >"$work/mod/go.mod"
[ "$(grep -c '=> k8s.io/' "$work/mod/go.mod")" -gt 20 ] || lk_die "found no staging replaces in $k8s_mod_file" "check K8S_VERSION in versions.env"

# 2. All Go binaries in one invocation, so shared packages compile once.
pkgs=(cmd/kube-apiserver cmd/kube-controller-manager cmd/kube-scheduler cmd/kubelet cmd/kube-proxy cmd/kubeadm cmd/kubectl)
ldflags="-s -w"
minor=$(lk_minor "$K8S_VERSION")
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $p.gitVersion=${K8S_VERSION} -X $p.gitMajor=${minor%%.*} -X $p.gitMinor=${minor#*.}"
  ldflags+=" -X $p.gitCommit=${k8s_commit} -X $p.gitTreeState=clean -X $p.buildDate=${k8s_time:-1970-01-01T00:00:00Z}"
done
step "go build ${pkgs[*]} (one invocation; the long step)"
(cd "$work/mod" && go build -trimpath -ldflags "$ldflags" -o "$partial/bin/" "${pkgs[@]/#/k8s.io/kubernetes/}")

# etcd in its own wrapper module: go.etcd.io/etcd/server/v3 has replace directives (so no `go install @v`), and
# kubeadm's etcd is newer than the etcd client libraries kubernetes pins; keeping them apart builds each with
# the dependency versions its own release used.
step "go build go.etcd.io/etcd/server/v3@${ETCD_VERSION}"
mkdir -p "$work/etcd"
printf 'module bench.local/local-k8s-etcd\n\ngo 1.24.0\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "${ETCD_VERSION}" >"$work/etcd/go.mod"
(cd "$work/etcd" && go build -trimpath -ldflags "-s -w" -o "$partial/bin/etcd" go.etcd.io/etcd/server/v3)
"$partial/bin/etcd" --version | grep -q "etcd Version: ${ETCD_VERSION#v}" || lk_die "built etcd reports '$("$partial/bin/etcd" --version | head -1)', expected ${ETCD_VERSION}"
"$partial/bin/kubeadm" version -o short | grep -qx "${K8S_VERSION}" || lk_die "kubeadm reports '$("$partial/bin/kubeadm" version -o short)', expected ${K8S_VERSION}"

step "go install sigs.k8s.io/metrics-server/cmd/metrics-server@${METRICS_SERVER_VERSION}"
GOFLAGS=-buildvcs=false GOBIN="$partial/bin" go install -trimpath \
  -ldflags "-s -w -X sigs.k8s.io/metrics-server/pkg/version.gitVersion=${METRICS_SERVER_VERSION} -X k8s.io/client-go/pkg/version.gitVersion=${METRICS_SERVER_VERSION}" \
  "sigs.k8s.io/metrics-server/cmd/metrics-server@${METRICS_SERVER_VERSION}"
ms_src=$(cd "$work/mod" && GOFLAGS='' go mod download -json "sigs.k8s.io/metrics-server@${METRICS_SERVER_VERSION}" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')

# 3. Image tags exactly as this kubeadm expects them.
mapfile -t tags < <("$partial/bin/kubeadm" config images list --kubernetes-version "${K8S_VERSION}")
tag_of() { printf '%s\n' "${tags[@]}" | grep -E "/$1:" | head -1; }
pause_tag=$(tag_of pause)
etcd_tag=$(tag_of etcd)
[ "$etcd_tag" = "registry.k8s.io/etcd:${ETCD_VERSION#v}-${ETCD_IMAGE_SUFFIX}" ] ||
  lk_die "kubeadm ${K8S_VERSION} expects $etcd_tag but versions.env builds etcd ${ETCD_VERSION}-${ETCD_IMAGE_SUFFIX}" "set ETCD_VERSION/ETCD_IMAGE_SUFFIX in versions.env to match"

step "gcc pause (${pause_tag##*:})"
gcc -Os -Wall -Werror -static -DVERSION="${pause_tag##*:}" -o "$partial/bin/pause" "$k8s_src/build/pause/linux/pause.c"
strip "$partial/bin/pause"

# 4. FROM-scratch images; docker save archives, then drop them from Docker again.
ms_image="registry.k8s.io/metrics-server/metrics-server:${METRICS_SERVER_VERSION}"
build_image() { # <tag> <binary> <path in image> <entrypoint JSON>
  local tag=$1 bin=$2 path=$3 entry=$4 ctx
  ctx=$(mktemp -d)
  cp "$partial/bin/$bin" "$ctx/$bin"
  printf 'FROM scratch\nCOPY %s %s\nENV PATH=/usr/local/bin:/usr/bin:/bin\nENTRYPOINT %s\n' "$bin" "$path" "$entry" >"$ctx/Dockerfile"
  [ "$bin" = pause ] && echo 'USER 65535:65535' >>"$ctx/Dockerfile"
  local log
  log=$(docker build -q -t "$tag" "$ctx" 2>&1) || { printf '%s\n' "$log" >&2; lk_die "docker build of $tag failed"; }
  rm -rf "$ctx"
  local file
  file="$partial/images/$(basename "${tag%%:*}").tar"
  docker save -o "$file" "$tag"
  docker rmi "$tag" >/dev/null
  echo "$tag" >>"$partial/images/tags.txt"
}
step "images: ${tags[*]} ${ms_image}"
for c in kube-apiserver kube-controller-manager kube-scheduler; do
  build_image "$(tag_of "$c")" "$c" "/usr/local/bin/$c" "[\"/usr/local/bin/$c\"]"
done
build_image "$etcd_tag" etcd /usr/local/bin/etcd '["/usr/local/bin/etcd"]'
build_image "$pause_tag" pause /pause '["/pause"]'
build_image "$ms_image" metrics-server /metrics-server '["/metrics-server"]'

# 5. metrics-server manifests from its module zip, patched for a single local node with self-signed kubelet certs.
step "metrics-server manifests"
mkdir -p "$work/ms/base" "$work/ms/local"
cp -r "$ms_src/manifests/base/." "$work/ms/base/"
chmod -R u+w "$work/ms"
cat >"$work/ms/local/kustomization.yaml" <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [../base]
patches:
  - target: {kind: Deployment, name: metrics-server}
    patch: |
      - op: replace
        path: /spec/template/spec/containers/0/image
        value: ${ms_image}
      - op: replace
        path: /spec/template/spec/containers/0/args
        value:
          - --cert-dir=/tmp
          - --secure-port=10250
          - --kubelet-preferred-address-types=InternalIP
          - --kubelet-use-node-status-port
          - --kubelet-insecure-tls
          - --metric-resolution=15s
      - op: replace
        path: /spec/template/spec/containers/0/imagePullPolicy
        value: IfNotPresent
EOF
"$partial/bin/kubectl" kustomize "$work/ms/local" 2>/dev/null >"$partial/manifests/metrics-server.yaml"
grep -q -- '--kubelet-insecure-tls' "$partial/manifests/metrics-server.yaml" && grep -q "image: ${ms_image}\$" "$partial/manifests/metrics-server.yaml" ||
  lk_die "metrics-server manifest patch did not apply ($partial/manifests/metrics-server.yaml)"

cat >"$partial/build-info.env" <<EOF
K8S_VERSION=${K8S_VERSION}
K8S_COMMIT=${k8s_commit}
ETCD_VERSION=${ETCD_VERSION}
METRICS_SERVER_VERSION=${METRICS_SERVER_VERSION}
PAUSE_IMAGE=${pause_tag}
GO_VERSION=$(go env GOVERSION)
BUILD_SECONDS=$(( $(date +%s) - started ))
EOF
date -u +%Y-%m-%dT%H:%M:%SZ >"$partial/COMPLETE"
rm -rf "$out" "$work"
mv "$partial" "$out"
trap - EXIT
# Drop other cache entries, except the one a running cluster was started from.
in_use=$(cat "$LK_STATE_DIR/cache-dir" 2>/dev/null || true)
for old in "$LK_CACHE_ROOT"/k8s-*; do
  [ "$old" = "$out" ] || [ "$old" = "$in_use" ] || { rm -rf "$old"; lk_log "removed old cache entry $old"; }
done
step "done: $out ($(du -sh "$out" | cut -f1)); total $(( $(date +%s) - started ))s"
[ $print_dir = 1 ] && echo "$out"
exit 0
