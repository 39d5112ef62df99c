#!/usr/bin/env bash
# Builds the metrics-server image the manifest in this folder names, FROM scratch, from the pinned Go
# module (no registry is needed): registry.k8s.io/metrics-server/metrics-server:<version>.
# Usage: infra/k8s/build-metrics-server-image.sh [--print-tag]
set -euo pipefail
VERSION=v0.8.0
TAG="registry.k8s.io/metrics-server/metrics-server:${VERSION}"
if [[ "${1:-}" == "--print-tag" ]]; then echo "$TAG"; exit 0; fi
if docker image inspect "$TAG" >/dev/null 2>&1; then echo "$TAG"; exit 0; fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# GOBIN build of the module's main package at the pinned version; static, stripped.
CGO_ENABLED=0 GOBIN="$work" go install -trimpath -ldflags='-s -w' "sigs.k8s.io/metrics-server/cmd/metrics-server@${VERSION}" >&2
cat >"$work/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY metrics-server /metrics-server
USER 65534
ENTRYPOINT ["/metrics-server"]
DOCKERFILE
docker build -q -t "$TAG" --label "bench.built-from=sigs.k8s.io/metrics-server@${VERSION}" "$work" >&2
echo "$TAG"
