#!/usr/bin/env bash
# What `npm test` needs beyond npm packages, installed when missing so that `npm test` passes on a
# fresh machine: the Temporal CLI (scripts/provision-temporal.js), the deployment checkers
# (scripts/provision-deploy-lint.sh), and Debian's chromium and tmux for the browser and terminal
# tests (with apt-get, as root). Each step does nothing when its tools are already there; a step
# that cannot run says what to install and leaves the tests to fail loudly.
set -uo pipefail
cd "$(dirname "$0")/.."

node scripts/provision-temporal.js || true
bash scripts/provision-deploy-lint.sh || echo "provision-test-tools: the deployment checkers could not be installed (see above)" >&2

if [ ! -x /usr/bin/chromium ] || ! command -v tmux >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "provision-test-tools: installing chromium and tmux with apt-get"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium tmux >/dev/null
  else
    echo "provision-test-tools: the browser and terminal tests need Debian's chromium and tmux: sudo apt-get install chromium tmux" >&2
  fi
fi
exit 0
