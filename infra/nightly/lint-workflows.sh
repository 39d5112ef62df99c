#!/usr/bin/env bash
# Lints GitHub Actions workflows with the pinned actionlint (installed from the Go module proxy on first
# use, see install-actionlint.sh). Without arguments: every .github/workflows/*.yml / *.yaml.
# Exit 0 clean, 1 findings (printed one per line), 3 actionlint could not be installed.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="$(bash "$root/infra/nightly/install-actionlint.sh")" || exit 3
if [ "$#" -eq 0 ]; then
  shopt -s nullglob
  set -- "$root"/.github/workflows/*.yml "$root"/.github/workflows/*.yaml
  if [ "$#" -eq 0 ]; then echo "lint-workflows: no workflow files under .github/workflows" >&2; exit 1; fi
fi
# shellcheck runs on `run:` scripts when it is installed (apt-get install shellcheck); it is optional.
"$bin" -no-color -oneline "$@"
status=$?
[ $status -eq 0 ] && echo "actionlint: $# workflow file(s) clean" >&2
exit $status
