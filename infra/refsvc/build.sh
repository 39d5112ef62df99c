#!/usr/bin/env bash
# Builds the reference service as static binaries (and, with --image, FROM-scratch Docker images).
#
#   build.sh [--gc default|nogreenteagc] [--toolchain local|go1.27.3] [--strip|--no-strip]
#            [--all] [--image] [--json]
#
# Binaries go to infra/refsvc/dist/<toolchain>-<gc>-<stripped|unstripped>/refsvc. A human size table
# goes to stderr; with --json, one JSON object per built binary goes to stdout:
#   {"toolchain","gc","stripped","path","binaryBytes","sha256","goVersion","image":null|{"tag","id","bytes"}}
# --all builds every combination (local and go1.27.3 × default and nogreenteagc × stripped and
# unstripped); a combination that cannot be had (toolchain not obtainable, experiment refused) is listed
# as unavailable on stderr with the reason and does not fail the run.
# Exit codes: 0 ok · 2 bad usage · 3 toolchain or docker missing or a build failed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
gc=default toolchain=local strip=1 all=0 image=0 json=0
other_toolchain=go1.27.3

usage() {
  sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
}
die() { # code message...
  local code=$1; shift
  printf 'build.sh: %s\n' "$*" >&2
  exit "$code"
}

while [ $# -gt 0 ]; do
  case "$1" in
    --gc) [ $# -ge 2 ] || die 2 "--gc needs a value: default or nogreenteagc"; gc=$2; shift 2 ;;
    --gc=*) gc=${1#--gc=}; shift ;;
    --toolchain) [ $# -ge 2 ] || die 2 "--toolchain needs a value: local or a version such as go1.27.3"; toolchain=$2; shift 2 ;;
    --toolchain=*) toolchain=${1#--toolchain=}; shift ;;
    --strip) strip=1; shift ;;
    --no-strip) strip=0; shift ;;
    --all) all=1; shift ;;
    --image) image=1; shift ;;
    --json) json=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage; die 2 "unknown argument '$1'" ;;
  esac
done

case "$gc" in default|nogreenteagc) ;; *) die 2 "--gc must be default or nogreenteagc (got '$gc')" ;; esac
[[ "$toolchain" == local || "$toolchain" =~ ^go[0-9]+\.[0-9]+(\.[0-9]+)?$ ]] \
  || die 2 "--toolchain must be 'local' or a Go version such as go1.27.3 (got '$toolchain')"

command -v go >/dev/null 2>&1 || die 3 "go not found on PATH: install Go 1.25 or later (https://go.dev/dl/)"
if [ "$image" = 1 ]; then
  command -v docker >/dev/null 2>&1 || die 3 "--image needs the docker CLI, which is not on PATH"
  docker info >/dev/null 2>&1 || die 3 "--image: no Docker engine answers (start one: bash infra/setup/docker-engine.sh)"
fi

json_str() { # prints its argument as a JSON string
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$s"
}

table=()
unavailable=()
declare -A toolchain_ok=()

# toolchain_available <toolchain>: 0 when `go` can run it (downloading it through the module proxy if
# needed); sets toolchain_reason otherwise.
toolchain_available() {
  local tc=$1 out
  if [ -n "${toolchain_ok[$tc]:-}" ]; then [ "${toolchain_ok[$tc]}" = yes ]; return; fi
  if out=$(cd "$here" && GOTOOLCHAIN=$(gotoolchain "$tc") go version 2>&1); then
    toolchain_ok[$tc]=yes
  else
    toolchain_ok[$tc]="toolchain $tc not obtainable: $(printf '%s' "$out" | tail -n 1)"
  fi
  [ "${toolchain_ok[$tc]}" = yes ]
}
gotoolchain() { if [ "$1" = local ]; then echo local; else echo "$1"; fi; }

# build_one <toolchain> <gc> <strip 0|1> <must 0|1>: builds one binary (and image); with must=0 an
# unobtainable toolchain or a refused experiment is recorded as unavailable instead of failing.
build_one() {
  local tc=$1 variant=$2 s=$3 must=$4
  local label; label="$tc-$variant-$([ "$s" = 1 ] && echo stripped || echo unstripped)"
  local reason
  if ! toolchain_available "$tc"; then
    reason=${toolchain_ok[$tc]}
    [ "$must" = 1 ] && die 3 "$label: $reason"
    unavailable+=("$label: $reason"); return 0
  fi
  local out_dir="$here/dist/$label" bin
  bin="$out_dir/refsvc"
  mkdir -p "$out_dir"
  # Built beside the target and renamed into place, so a concurrent reader never sees a partial file.
  local tmp_bin="$out_dir/.refsvc.$$.tmp"
  local ldflags=""
  [ "$s" = 1 ] && ldflags="-s -w"
  local experiment=""
  [ "$variant" = nogreenteagc ] && experiment=nogreenteagc
  local log
  # GOFLAGS and GOEXPERIMENT are set explicitly so a caller's environment cannot leak into the build;
  # -buildvcs=false keeps the binary (and its image) identical across commits of unrelated files.
  if ! log=$(cd "$here" && env CGO_ENABLED=0 GOFLAGS= GOEXPERIMENT="$experiment" GOTOOLCHAIN="$(gotoolchain "$tc")" \
      go build -trimpath -buildvcs=false -ldflags="$ldflags" -o "$tmp_bin" . 2>&1); then
    rm -f "$tmp_bin"
    if [ "$must" = 0 ] && printf '%s' "$log" | grep -qi 'GOEXPERIMENT'; then
      unavailable+=("$label: the toolchain refuses GOEXPERIMENT=$experiment ($(printf '%s' "$log" | tail -n 1))")
      return 0
    fi
    printf '%s\n' "$log" >&2
    die 3 "$label: go build failed (GOTOOLCHAIN=$(gotoolchain "$tc") GOEXPERIMENT=$experiment)"
  fi
  mv -f "$tmp_bin" "$bin"
  local bytes sha version
  bytes=$(stat -c %s "$bin")
  sha=$(sha256sum "$bin" | cut -d' ' -f1)
  version=$(go version "$bin" | sed 's/^[^:]*: //')

  local image_json=null image_bytes=-
  if [ "$image" = 1 ]; then
    local tag="refsvc:$tc-$variant-$([ "$s" = 1 ] && echo s || echo u)"
    # The context is the directory holding only the binary; FROM scratch needs no pull.
    if ! log=$(docker build --quiet -f "$here/Dockerfile.scratch" -t "$tag" \
        --label bench.image=refsvc --label "bench.variant=$label" "$out_dir" 2>&1); then
      printf '%s\n' "$log" >&2
      die 3 "$label: docker build of $tag failed"
    fi
    local id
    id=$(docker image inspect --format '{{.Id}}' "$tag")
    image_bytes=$(docker image inspect --format '{{.Size}}' "$tag")
    image_json="{\"tag\":$(json_str "$tag"),\"id\":$(json_str "$id"),\"bytes\":$image_bytes}"
  fi
  table+=("$(printf '%-34s %12s %9.2f %12s %9s  %s' "$label" "$bytes" "$(awk "BEGIN{print $bytes/1048576}")" \
    "$image_bytes" "$([ "$image_bytes" = - ] && echo - || awk "BEGIN{printf \"%.2f\", $image_bytes/1048576}")" "$version")")
  if [ "$json" = 1 ]; then
    printf '{"toolchain":%s,"gc":%s,"stripped":%s,"path":%s,"binaryBytes":%s,"sha256":%s,"goVersion":%s,"image":%s}\n' \
      "$(json_str "$tc")" "$(json_str "$variant")" "$([ "$s" = 1 ] && echo true || echo false)" "$(json_str "$bin")" \
      "$bytes" "$(json_str "$sha")" "$(json_str "$version")" "$image_json"
  fi
}

if [ "$all" = 1 ]; then
  for tc in local "$other_toolchain"; do
    for variant in default nogreenteagc; do
      for s in 1 0; do build_one "$tc" "$variant" "$s" 0; done
    done
  done
else
  build_one "$toolchain" "$gc" "$strip" 1
fi

{
  printf '%-34s %12s %9s %12s %9s  %s\n' variant binary_bytes MiB image_bytes MiB go_version
  for row in "${table[@]}"; do printf '%s\n' "$row"; done
  for u in "${unavailable[@]}"; do printf 'unavailable: %s\n' "$u"; done
} >&2
